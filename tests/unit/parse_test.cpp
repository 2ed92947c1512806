#include <catch2/catch.hpp>

#include "test_support.h"

TEST_CASE("syntax errors are phrased in Edict's terms", "[parse]") {
  Checked c("const x: integer = 3 +;\n");
  REQUIRE(c.diags.all().size() == 1);
  CHECK(c.diags.all()[0].message == "expected an expression, found `;`");
  CHECK(c.diags.all()[0].kind == edict::DiagKind::SyntaxError);
}

TEST_CASE("a missing semicolon is one diagnostic, not a cascade", "[parse]") {
  Checked c("unit tpp;\nconst a: decimal[tpp] = 1 [tpp]\nconst b: integer = 2;\n");
  CHECK(c.kinds() == std::vector<std::string>{"syntax-error"});
}

TEST_CASE("source ranges are byte offsets, also after non-ASCII text", "[parse]") {
  Checked c("// Åland and Curaçao\nconst x: integer = nope;\n");
  REQUIRE(c.diags.all().size() == 1);
  auto r = c.diags.all()[0].range;
  CHECK(c.sources.Text(r) == "nope");
  CHECK(c.sources.Position(r.file, r.begin).line == 2);
  CHECK(c.sources.Position(r.file, r.begin).column == 20);
}

TEST_CASE("keywords can be field names", "[parse]") {
  CHECK(Checked("record R { date: date; exception: text; set: bool; }\n"
                "def f(r: R): date = r.date;")
            .ok());
}

TEST_CASE("diagnostics render with position, line and underline", "[diagnostics]") {
  Checked c("const x: integer = nope;\n");
  REQUIRE(c.diags.all().size() == 1);
  std::string text = edict::RenderText(c.diags.all()[0], c.sources, false);
  CHECK(text ==
        "test.edict:1:20: error: unknown name `nope` [unknown-name]\n"
        " 1 | const x: integer = nope;\n"
        "   |                    ^~~~\n");
  std::string json = edict::RenderJson(c.diags.Sorted(), c.sources);
  CHECK(json.find("\"kind\":\"unknown-name\"") != std::string::npos);
  CHECK(json.find("\"line\":1,\"column\":20") != std::string::npos);
}
