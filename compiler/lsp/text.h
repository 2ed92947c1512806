// Positions as the Language Server Protocol counts them (0-based lines, columns in UTF-16 code
// units) against Edict's byte offsets, and file URIs against paths. Internal to compiler/lsp/.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace edict::lsp {

struct Position {
  uint32_t line = 0;       // 0-based
  uint32_t character = 0;  // UTF-16 code units from the start of the line
  friend bool operator==(const Position&, const Position&) = default;
};

// The position of byte `offset` of `text` (an offset inside a character counts as its start).
Position PositionOf(std::string_view text, size_t offset);

// The byte offset of a position: a column past the end of its line is the line's end, a line past
// the end of the text is the text's end.
size_t OffsetOf(std::string_view text, Position p);

// `file:///a/b%20c.edict` -> `/a/b c.edict`; "" when the URI is not a `file:` URI.
std::string PathOfUri(std::string_view uri);
// The reverse: an absolute path as a `file://` URI, percent-encoding what must be.
std::string UriOfPath(std::string_view path);

}  // namespace edict::lsp
