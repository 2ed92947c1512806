// The formatter's properties (compiler/format/): on every Edict file of the repository, on a
// generated regulation, and on those files with their white space shuffled at random, formatting
// gives a file with the same tree (`dump --phase=ast`, which shows no positions) and formatting
// that again changes nothing; white space within lines never changes the result.
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include "compiler/format/format.h"
#include "compiler/parse/parse.h"
#include "tests/bench/generated_program.h"

namespace {

struct Parsed {
  bool ok = false;
  std::string tree;  // ast::Print: kinds, names, literals, no positions
};

Parsed ParseText(const std::string& text) {
  edict::SourceManager sm;
  edict::Diagnostics d;
  uint32_t id = sm.Add("test.edict", text);
  edict::ast::File f = edict::parse::Parse(sm, id, d);
  return {d.error_count() == 0, edict::ast::Print(f)};
}

std::optional<std::string> FormatText(const std::string& text) {
  edict::SourceManager sm;
  edict::Diagnostics d;
  uint32_t id = sm.Add("test.edict", text);
  return edict::format::Format(sm, id, d);
}

// The text with the white space between its tokens (comments included) replaced: `gap` gives the
// new white space from the old.
template <typename Gap>
std::string Reflow(const std::string& text, Gap gap) {
  edict::SourceManager sm;
  uint32_t id = sm.Add("test.edict", text);
  std::vector<edict::parse::Token> ts = edict::parse::Lex(sm, id);
  std::string out;
  uint32_t prev = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    std::string_view old = std::string_view(text).substr(prev, ts[i].begin - prev);
    bool after_line_comment = i > 0 && ts[i - 1].kind == edict::parse::Token::Kind::LineComment;
    out += gap(old, i == 0, after_line_comment);
    out += text.substr(ts[i].begin, ts[i].end - ts[i].begin);
    prev = ts[i].end;
  }
  return out + "\n";
}

// Checks the properties on one text; returns the formatted text.
std::string CheckFormats(const std::string& name, const std::string& text) {
  INFO(name);
  Parsed before = ParseText(text);
  REQUIRE(before.ok);
  std::optional<std::string> once = FormatText(text);
  REQUIRE(once);
  Parsed after = ParseText(*once);
  REQUIRE(after.ok);
  CHECK(after.tree == before.tree);
  std::optional<std::string> twice = FormatText(*once);
  REQUIRE(twice);
  CHECK(*twice == *once);
  return *once;
}

std::vector<std::string> RepositoryFiles() {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const char* dir : {"regs", "stdlib", "tests", "docs"})
    for (const auto& e : fs::recursive_directory_iterator(fs::path(EDICT_SOURCE_DIR) / dir))
      if (e.path().extension() == ".edict") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string Read(const std::string& path) {
  std::string text;
  REQUIRE(edict::ReadFile(path, &text));
  return text;
}

}  // namespace

TEST_CASE("formatting every Edict file of the repository keeps its tree and is stable", "[format]") {
  size_t formatted = 0;
  for (const std::string& path : RepositoryFiles()) {
    std::string text = Read(path);
    if (!ParseText(text).ok) continue;  // the tests of syntax errors
    CheckFormats(path, text);
    ++formatted;
  }
  CHECK(formatted > 250);
}

TEST_CASE("formatting a generated regulation keeps its tree and is stable", "[format]") {
  std::string text = GenerateProgram(3000);
  text.pop_back();                                 // it ends with a blank line
  CHECK(CheckFormats("generated", text) == text);  // generated in the canonical layout
}

TEST_CASE("white space within lines does not change the formatted file", "[format]") {
  std::mt19937 rng(20261201);
  for (const std::string& path : RepositoryFiles()) {
    std::string text = Read(path);
    if (!ParseText(text).ok) continue;
    std::string expected = *FormatText(text);
    // Spaces and tabs at random wherever the file has white space or none (a line's indentation
    // too); the line breaks stay where they were.
    std::string shuffled = Reflow(text, [&](std::string_view old, bool first, bool after_line_comment) {
      size_t breaks = size_t(std::count(old.begin(), old.end(), '\n'));
      if (after_line_comment && breaks == 0) breaks = 1;
      std::string gap;
      for (size_t i = 0; i < breaks; ++i) gap += std::string(rng() % 3, ' ') + "\n";
      if (!first || breaks > 0) gap += std::string(rng() % 5, rng() % 2 ? ' ' : '\t');
      if (gap.empty() && !first && (!old.empty() || rng() % 2)) gap = " ";  // tokens stay apart
      return gap;
    });
    INFO(path);
    CHECK(CheckFormats(path + " (spaces shuffled)", shuffled) == expected);
  }
}

TEST_CASE("line breaks added at random keep the tree, and the result is stable", "[format]") {
  std::mt19937 rng(7);
  for (const std::string& path : RepositoryFiles()) {
    std::string text = Read(path);
    if (!ParseText(text).ok) continue;
    std::string broken = Reflow(text, [&](std::string_view old, bool first, bool after_line_comment) {
      std::string gap(old);
      if (after_line_comment && gap.find('\n') == std::string::npos) gap = "\n";
      if (!first && rng() % 7 == 0) gap += std::string(rng() % 2 + 1, '\n') + std::string(rng() % 9, ' ');
      return gap;
    });
    CheckFormats(path + " (lines broken)", broken);
  }
}

TEST_CASE("the canonical layout of a small file", "[format]") {
  std::string text =
      "unit   usd ;record  R{a:integer;b : decimal [ usd ]where b>=0[usd];}\n"
      "decision d(r:R)->integer cite \"s. 1\"{\n"
      "rule big when r.a>- 5 and r.b in {1 [usd],2[usd]}\n"
      "then 1;   // trailing\n"
      "\n\n\n"
      "      // own line\n"
      "default then f ( r.a );}\n"
      "def f<u>(x:integer):integer=x;\n";
  CHECK(*FormatText(text) ==
        "unit usd;\n"
        "record R { a: integer; b: decimal[usd] where b >= 0 [usd]; }\n"
        "decision d(r: R) -> integer cite \"s. 1\" {\n"
        "  rule big when r.a > -5 and r.b in {1 [usd], 2 [usd]}\n"
        "    then 1;  // trailing\n"
        "\n"
        "  // own line\n"
        "  default then f(r.a);\n"
        "}\n"
        "def f<u>(x: integer): integer = x;\n");
}
