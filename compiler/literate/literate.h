// Literate regulations: a file named `NAME.edict.md` is Markdown, the provision's text with the
// code that encodes it in fenced blocks whose info string is `edict` (```edict ... ```). The only
// folder that sees the Markdown parser (md4c).
//
// Every command reads such a file through Code(): the same text with every character outside the
// code blocks' contents replaced by a space, line breaks kept. Byte offsets, lines and columns of
// the code are therefore those of the Markdown file itself, so a diagnostic points at the line of
// the .md file and quotes it as it is written there.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace edict::literate {

// Whether the path names a literate file (it ends in `.edict.md`).
bool IsLiterate(std::string_view path);

// Whether the path names an Edict source: `.edict`, or literate `.edict.md`. Commands that take a
// folder read these files in it.
bool IsSource(std::string_view path);

// The pieces of the text that are the contents of fenced ```edict blocks, in order, each within
// one line (line breaks are not part of them). A block inside a list item or a block quote counts
// too; the characters in front of its contents on a line (`> `, the item's indentation) are not
// code. Indented code blocks and blocks of other languages are not Edict.
struct Span {
  size_t begin, end;  // byte offsets of a piece of code in the Markdown text
};
std::vector<Span> CodeSpans(std::string_view markdown);

// The Edict text of a literate file: the file with every byte outside CodeSpans() replaced by a
// space, line breaks (LF, CR) kept.
std::string Code(std::string_view markdown);

// A literate file for reading (`edict doc`): the Markdown rendered as HTML, cut at the fenced
// ```edict blocks of the top level. Piece i holds the prose before block i and that block's code
// spans; the last piece, the prose after the last block, has none. The HTML is safe to embed: text
// is escaped, raw HTML in the Markdown is shown as text, a link keeps its target only when it is
// an http(s) or mailto address or a fragment (`#...`), other links (to files beside the source)
// and images are shown as their text. An ```edict block inside a block quote or a list item stays
// in the prose, as plain code.
struct Piece {
  std::string html;
  std::vector<Span> code;
};
std::vector<Piece> Pieces(std::string_view markdown);

}  // namespace edict::literate
