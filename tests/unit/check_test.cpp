#include <catch2/catch.hpp>

#include "test_support.h"

TEST_CASE("units multiply and divide", "[check]") {
  Checked c(R"(
    unit tpp; unit chip; unit mm2;
    def total(n: integer[chip], per: decimal[tpp/chip]): decimal[tpp] = n * per;
    def density(t: decimal[tpp/chip], a: decimal[mm2/chip]): decimal[tpp/mm2] = t / a;
    def ratio(a: decimal[tpp], b: decimal[tpp]): decimal = a / b;
  )");
  CHECK(c.ok());
  CHECK(edict::ir::Verify(c.module).empty());
}

TEST_CASE("comparing different units is an error", "[check]") {
  Checked c("unit tpp; unit operations;\n def f(a: decimal[tpp], b: decimal[operations]): bool = a < b;");
  CHECK(c.kinds() == std::vector<std::string>{"unit-mismatch"});
}

TEST_CASE("one mistake, one diagnostic: poisoned nodes stay silent", "[check]") {
  Checked c("const a: integer = nope + 1 + 2 * 3;\nconst b: bool = a > 0 and nope2;");
  CHECK(c.kinds() == std::vector<std::string>{"unknown-name", "unknown-name"});
}

TEST_CASE("integers widen to decimals, never the other way", "[check]") {
  CHECK(Checked("const a: decimal = 1;").ok());
  CHECK(Checked("const a: integer = 1.5;").kinds() == std::vector<std::string>{"type-mismatch"});
}

TEST_CASE("exceptions close transitively", "[check]") {
  Checked c(R"(
    decision d(x: integer) -> integer {
      rule a when x > 0 then 1;
      rule b exception to a when x > 1 then 2;
      rule c exception to b when x > 2 then 3;
    })");
  REQUIRE(c.ok());
  const auto& rules = c.module.decisions[0].rules;
  CHECK(rules[2].overrides == std::vector<uint32_t>{0, 1});
  CHECK(rules[1].overrides == std::vector<uint32_t>{0});
}

TEST_CASE("enum members resolve bare, qualified, or by expected type", "[check]") {
  CHECK(Checked("enum A { x, y }\nconst v: A = x;").ok());
  CHECK(Checked("enum A { x, y }\nenum B { x }\nconst v: A = A.x;").ok());
  CHECK(Checked("enum A { x, y }\nenum B { x }\nconst v: A = x;").ok());
  CHECK(Checked("enum A { x, y }\nenum B { x }\nconst v: bool = x == x;").kinds() ==
        std::vector<std::string>{"ambiguous-name", "ambiguous-name"});
}
