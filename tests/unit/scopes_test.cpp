// Scopes (docs/language.md, "Scopes"): what the parser expands a scope into, and how the
// interpreter evaluates it.
#include <catch2/catch.hpp>

#include "test_support.h"

namespace {

const char* kScope =
    "scope s(x: integer) cite \"art. 1\" {\n"
    "  output y: integer;\n"
    "  internal z: integer;\n"
    "  context internal k: integer;\n"
    "  rule big for y when z > 10 then z * k;\n"
    "  default for y then 0;\n"
    "  rule double for z then x * 2;\n"
    "  default for k then 3;\n"
    "}\n";

}  // namespace

TEST_CASE("a scope expands into a record, a decision per variable and its own decision", "[scopes]") {
  Checked c(kScope);
  REQUIRE(c.ok());
  const edict::ast::File& f = c.files[0];
  REQUIRE(f.scopes.size() == 1);
  REQUIRE(f.records.size() == 1);
  CHECK(f.records[0].name == "s_outputs");
  REQUIRE(f.records[0].fields.size() == 1);
  CHECK(f.records[0].fields[0].name == "y");
  std::vector<std::string> names;
  for (const auto& d : f.decisions) names.push_back(d.name);
  CHECK(names == std::vector<std::string>{"s.k", "s.y", "s.z", "s"});
  // `s.y` reads `z` and `k`: one let each; its parameters are the input and `k?`.
  const edict::ast::DecisionDecl& y = f.decisions[1];
  REQUIRE(y.lets.size() == 2);
  CHECK(y.lets[0].name == "z");
  CHECK(y.lets[1].name == "k");
  REQUIRE(y.params.size() == 2);
  CHECK(y.params[1].name == "k?");
  CHECK(y.params[1].type.kind == edict::ast::TypeKind::Optional);
  CHECK(y.rules.size() == 1);
  CHECK(y.defaults.size() == 1);
  CHECK(f.decisions[3].scope_entry);
  CHECK(f.decisions[3].scope_inputs == 1);
}

TEST_CASE("a scope evaluates its variables by their rules, or takes a context variable given", "[scopes]") {
  Checked c(std::string(kScope) +
            "test t {\n"
            "  assert s(4).y == 0;\n"
            "  assert s(6).y == 36;\n"
            "  assert s(6, k: 10).y == 120;\n"
            "}\n");
  REQUIRE(c.ok());
  edict::interp::Interpreter in(c.module);
  REQUIRE(c.module.tests.size() == 1);
  CHECK(in.RunTest(0).failures.empty());
}

TEST_CASE("variables that read each other are a cycle, named by their decisions", "[scopes]") {
  Checked c(
      "scope s(x: integer) {\n"
      "  output a: integer;\n"
      "  internal b: integer;\n"
      "  rule ra for a then b;\n"
      "  rule rb for b then a;\n"
      "}\n");
  CHECK(c.kinds() == std::vector<std::string>{"cyclic-definition"});
}
