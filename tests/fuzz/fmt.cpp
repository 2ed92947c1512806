// Fuzz target `fmt`: a source text through the formatter (compiler/format, `edict fmt`). A text
// with a syntax error must be refused (no output); for a text that parses, formatting must
// succeed (the formatter's own check that it changed no token must hold, it throws otherwise),
// the formatted text must parse without error to the same tree (ast::Print), with the same code
// tokens and the same comments in the same order, and formatting it again must give it back
// unchanged (fmt(fmt(x)) == fmt(x)). Besides, as for every target: no crash, hang, leak or
// undefined behaviour.
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/format/format.h"
#include "compiler/parse/parse.h"
#include "tests/fuzz/fuzz_support.h"

using namespace edict;

namespace {

bool skip_invalid_utf8 = false;  // issue 12, item 5 (as in parse_check.cpp)

bool IsComment(const parse::Token& t) {
  return t.kind == parse::Token::Kind::LineComment || t.kind == parse::Token::Kind::BlockComment;
}

// The code tokens and the comments of a text, in order (a line comment without the spaces that
// end its line, which the formatter drops).
struct Tokens {
  std::vector<std::string> code, comments;
  bool operator==(const Tokens&) const = default;
};

Tokens Lexed(const SourceManager& sm, uint32_t id) {
  Tokens r;
  const std::string& text = sm.file(id).text;
  for (const parse::Token& t : parse::Lex(sm, id)) {
    std::string s = text.substr(t.begin, t.end - t.begin);
    if (t.kind == parse::Token::Kind::LineComment)
      while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
    (IsComment(t) ? r.comments : r.code).push_back(std::move(s));
  }
  return r;
}

// Formats `text`; Fail()s if the formatter throws (its own token check included).
std::optional<std::string> Formatted(const std::string& text, SourceManager& sm, uint32_t& id, Diagnostics& d) {
  id = sm.Add("fuzz.edict", text);
  try {
    return format::Format(sm, id, d);
  } catch (const std::exception& e) { fuzz::Fail(std::string("the formatter threw: ") + e.what()); }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  skip_invalid_utf8 = fuzz::ParserThrowsOnInvalidUtf8();
  if (skip_invalid_utf8)
    std::fprintf(stderr,
                 "fmt: known defect (issue 12, item 5) still present: skipping overlong UTF-8 and code points past "
                 "U+10FFFF\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (skip_invalid_utf8 && fuzz::OverlongOrBeyondUnicode(text)) return -1;

  SourceManager sm;
  Diagnostics parsed;
  uint32_t id = sm.Add("fuzz.edict", text);
  ast::File tree = parse::Parse(sm, id, parsed);
  Diagnostics d1;
  uint32_t id1 = 0;
  std::optional<std::string> once = Formatted(text, sm, id1, d1);
  // Mistakes in a scope's variables are found by the parser but are not syntax errors: the
  // formatter lays such a text out (parse::HasSyntaxError).
  if (parse::HasSyntaxError(parsed)) {
    if (once) fuzz::Fail("the formatter gave a layout of a text with a syntax error");
    if (d1.error_count() == 0) fuzz::Fail("the formatter refused a text with a syntax error without an error");
    return 0;
  }
  if (!once) fuzz::Fail("the formatter refused a text that parses");
  if (d1.error_count() > 0) fuzz::Fail("the formatter reported an error on a text that parses");
  const size_t scope_mistakes = parsed.error_count();

  // The layout parses to the same tree (with the same mistakes in scopes, if any), with the same tokens and comments.
  Diagnostics d2;
  uint32_t id2 = sm.Add("fuzz.edict", *once);
  ast::File tree2 = parse::Parse(sm, id2, d2);
  if (d2.error_count() != scope_mistakes) {
    std::string all;
    for (const auto& diag : d2.Sorted()) all += RenderText(diag, sm, false);
    fuzz::Fail("the formatted text does not parse:\n" + all + "---- formatted text:\n" + *once);
  }
  if (ast::Print(tree) != ast::Print(tree2))
    fuzz::Fail("the formatted text parses to another tree:\n---- formatted text:\n" + *once);
  if (!(Lexed(sm, id) == Lexed(sm, id2)))
    fuzz::Fail("the formatted text has other tokens or comments:\n---- formatted text:\n" + *once);

  // Idempotent.
  Diagnostics d3;
  uint32_t id3 = 0;
  std::optional<std::string> twice = Formatted(*once, sm, id3, d3);
  if (!twice) fuzz::Fail("the formatter refused its own layout");
  if (*twice != *once)
    fuzz::Fail("formatting twice changed the layout:\n---- once:\n" + *once + "---- twice:\n" + *twice);
  return 0;
}
