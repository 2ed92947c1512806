// ir::Describe: a value in one sentence, as a `describe` template says (docs/language.md).
#include <catch2/catch.hpp>

#include "runtime/case_json.h"
#include "test_support.h"

TEST_CASE("a description prints numbers grouped, members by name or doc, dates and braces", "[describe]") {
  Checked c(
      "enum Country { IN \"India\", US \"United States\" }\n"
      "enum Buyer { private_firm, university }\n"
      "record Order { quantity: integer; tpp: decimal; destination: Country; buyer: Buyer; day: date; ok: bool; }\n"
      "describe Order: \"{{{quantity}}} of {tpp} to a {buyer} in {destination:doc} ({destination}), {day}, {ok}\";\n"
      "decision d(o: Order) -> bool { default then true; }\n");
  REQUIRE(c.ok());
  const edict::ir::Description* d = c.module.DescriptionOf(c.module.decisions[0].params[0].type);
  REQUIRE(d != nullptr);
  edict::rt::CaseDecoder decoder(c.module.types, {{"o", c.module.decisions[0].params[0].type}});
  auto order = decoder.Decode(
      R"({"o":{"quantity":1234567,"tpp":-15831.25,"destination":"IN","buyer":"private_firm","day":"2025-06-01","ok":true}})");
  REQUIRE(order.issues.empty());
  CHECK(edict::ir::Describe(c.module, *d, order.args[0]) ==
        "{1,234,567} of -15,831.25 to a private firm in India (IN), 2025-06-01, yes");
  auto small = decoder.Decode(
      R"({"o":{"quantity":-100,"tpp":"1/3","destination":"US","buyer":"university","day":"2025-06-01","ok":false}})");
  if (small.issues.empty())  // a fraction without a finite expansion prints as one, ungrouped
    CHECK(edict::ir::Describe(c.module, *d, small.args[0]) ==
          "{-100} of 1/3 to a university in United States (US), 2025-06-01, no");
}
