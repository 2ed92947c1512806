// The formatter: one Edict file in the canonical layout (`edict fmt`; docs/cli.md, "fmt").
//
// The layout is computed from the file's tokens (parse::Lex) and its tree (parse::Parse): the
// formatter changes only white space and where comments sit on their lines, never a token, so the
// formatted file has the same tree. It decides the spaces between the tokens of a line, the
// indentation of every line, the blank lines (at most one in a row, none at the start of a block),
// where a declaration or an item of a block begins (on a line of its own), and the alignment of
// comments at the ends of consecutive lines. Where a long statement goes on to a new line is the
// author's choice, at any token but before `,`, `;`, `.` and `:`: the formatter keeps those breaks
// and indents the lines that continue a statement (docs/cli.md explains the rules).
#pragma once
#include <optional>
#include <string>

#include "compiler/base/source.h"
#include "compiler/diagnostics/diagnostics.h"

namespace edict::format {

// The file `file_id` of `sources` in the canonical layout; formatting that text again gives it
// back unchanged. A file with a syntax error is reported in `diags` and gives nothing.
std::optional<std::string> Format(const SourceManager& sources, uint32_t file_id, Diagnostics& diags);

// A literate file (`.edict.md`, compiler/literate/): the code of its ```edict blocks in the
// canonical layout, as one text (a decision may open in one block and go on in the next), and
// every other line of the Markdown as it was. Diagnostics point at the lines of the file.
std::optional<std::string> FormatLiterate(SourceManager& sources, uint32_t file_id, Diagnostics& diags);

}  // namespace edict::format
