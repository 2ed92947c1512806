// Parsing: source text -> AST. The only part of Edict that sees ANTLR.
#pragma once
#include "compiler/ast/ast.h"
#include "compiler/base/source.h"
#include "compiler/diagnostics/diagnostics.h"

namespace edict::parse {

// Parses one file. Syntax errors are reported in Edict's terms (what was expected, what was
// found), at most one per mistake; the returned AST holds Error nodes where text was unreadable.
ast::File Parse(const SourceManager& sources, uint32_t file_id, Diagnostics& diags);

// Whether Parse reported an error that leaves the text unreadable: any error but the mistakes in
// the variables of a scope (named twice, a rule for an unknown one, an exception across two, no
// output), which the parser finds because it expands scopes, in a text that is otherwise read.
// The formatter lays out a text without such an error.
bool HasSyntaxError(const Diagnostics& parsed);

// One token of a file as Edict's lexer reads it, comments included and white space left out: for
// tools that work on the text itself (the formatter, compiler/format/).
struct Token {
  enum class Kind : uint8_t {
    Word,          // a name or a reserved word (`keyword` tells which)
    Literal,       // a number, a percentage or a date
    String,        // a string literal, quotes included
    Punct,         // an operator or a bracket (or a character the parser rejects)
    LineComment,   // `// ...` up to the end of the line, `///` doc comments included
    BlockComment,  // `/* ... */`
  };
  Kind kind = Kind::Punct;
  bool keyword = false;  // a reserved word (`rule`, `and`, `date` ...)
  uint32_t begin = 0;    // byte offsets into the file's text
  uint32_t end = 0;
};

// The tokens of one file in order. Meant for a file Parse read without error (its text is valid
// UTF-8); token boundaries are then exactly the parser's.
std::vector<Token> Lex(const SourceManager& sources, uint32_t file_id);

}  // namespace edict::parse
