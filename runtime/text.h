// Text shown to a reader: made safe for a terminal, and shortened when it is long. Case data and
// source files may hold control characters (escape sequences that recolour or retitle a terminal,
// or reorder what it shows) and megabytes in one token; messages quote them through these.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace edict::rt {

// `s` with every control character written as an escape: C0 controls and DEL as `\x1b`, C1
// controls, the invisible and reordering characters (zero widths, direction marks, line and
// paragraph separators, bidirectional embeddings, overrides and isolates, U+FEFF) as
// `\u{202E}`; `\n` and `\t` kept when `keep_layout`, escaped otherwise; a byte that is not part
// of valid UTF-8 as `\xc0`. Other text unchanged.
std::string TerminalSafe(std::string_view s, bool keep_layout = false);

// The length of the valid UTF-8 sequence at s[i], or 0 when there is none. Valid means RFC 3629:
// the shortest form, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
size_t Utf8Length(std::string_view s, size_t i);

// `s` in Unicode Normalization Form C (NFC, composed: `e` followed by a combining acute accent
// becomes `é`), the form Edict's names are compared in; `s` itself when it is ASCII or not valid
// UTF-8. (utf8proc does the normalisation: it is runtime's implementation detail.)
std::string Nfc(std::string_view s);

// `s` whole when at most `max` bytes; otherwise its first bytes (cut at a UTF-8 character
// boundary), "...", and its length in bytes.
std::string Shorten(std::string_view s, size_t max = 80);

}  // namespace edict::rt
