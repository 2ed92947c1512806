// Literate files (compiler/literate/): the code of a Markdown text keeps the offsets, lines and
// columns it has in the file; everything else reads as white space.
#include <catch2/catch.hpp>

#include "compiler/literate/literate.h"

using edict::literate::Code;

TEST_CASE("literate: only edict fences are code, at their offsets") {
  std::string md =
      "# Title (((\n\n```edict\nconst x: integer = 1;\n```\n\n```python\nnot (((\n```\n\n    indented (((\n";
  std::string code = Code(md);
  REQUIRE(code.size() == md.size());
  CHECK(code.find("const x: integer = 1;") == md.find("const x: integer = 1;"));
  CHECK(code.find('(') == std::string::npos);
  CHECK(code.find("```") == std::string::npos);
  // Line breaks are kept, so every line is where it was.
  CHECK(std::count(code.begin(), code.end(), '\n') == std::count(md.begin(), md.end(), '\n'));
}

TEST_CASE("literate: a block's indentation is code, a block quote's marker is not") {
  std::string md = "> ```edict\n> decision d() -> bool {\n>   default then true;\n> }\n> ```\n";
  std::string code = Code(md);
  CHECK(code == "          \n  decision d() -> bool {\n    default then true;\n  }\n     \n");
}

TEST_CASE("literate: a list item's block, tabs, CRLF and a block left open at the end") {
  std::string md =
      "- item\n\n  ```edict\n  const a: integer = 1;\r\n  \tconst b: integer = 2;\n  ```\r\n\n```edict\nconst c: "
      "integer = 3;";
  std::string code = Code(md);
  REQUIRE(code.size() == md.size());
  CHECK(code.find("const a: integer = 1;") == md.find("const a: integer = 1;"));
  CHECK(code.find("const b: integer = 2;") == md.find("const b: integer = 2;"));
  CHECK(code.find("const c: integer = 3;") == md.find("const c: integer = 3;"));
  CHECK(code.find("item") == std::string::npos);
  CHECK(code.find('\r') == md.find('\r'));
}

TEST_CASE("literate: names") {
  CHECK(edict::literate::IsLiterate("regs/a.edict.md"));
  CHECK_FALSE(edict::literate::IsLiterate("README.md"));
  CHECK(edict::literate::IsSource("a.edict"));
  CHECK(edict::literate::IsSource("a.edict.md"));
  CHECK_FALSE(edict::literate::IsSource("a.md"));
}
