#include "runtime/text.h"

#include <cstdint>
#include <cstdlib>

#include <fmt/format.h>
#include <utf8proc.h>

namespace edict::rt {

std::string Nfc(std::string_view s) {
  bool ascii = true;
  for (char c : s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return std::string(s);
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), utf8proc_ssize_t(s.size()),
                                    &out, utf8proc_option_t(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  std::string r = n < 0 ? std::string(s) : std::string(reinterpret_cast<const char*>(out), size_t(n));
  std::free(out);
  return r;
}

size_t Utf8Length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = byte(0);
  if (c < 0x80) return 1;
  size_t n = c >= 0xC2 && c <= 0xDF ? 2 : (c >> 4) == 0xE ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((byte(k) & 0xC0) != 0x80) return 0;
  // The second byte's range where the first allows overlong forms, surrogates or too-large values.
  if (c == 0xE0 && byte(1) < 0xA0) return 0;  // overlong three-byte form
  if (c == 0xED && byte(1) > 0x9F) return 0;  // a surrogate
  if (c == 0xF0 && byte(1) < 0x90) return 0;  // overlong four-byte form
  if (c == 0xF4 && byte(1) > 0x8F) return 0;  // above U+10FFFF
  return n;
}

std::string TerminalSafe(std::string_view s, bool keep_layout) {
  std::string r;
  r.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      if (keep_layout && (c == '\n' || c == '\t'))
        r += char(c);
      else if (c == '\n')
        r += "\\n";
      else if (c == '\t')
        r += "\\t";
      else
        r += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    size_t n = Utf8Length(s, i);
    if (n == 0) {  // not UTF-8: the byte itself
      r += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    auto b1 = n > 1 ? static_cast<unsigned char>(s[i + 1]) : 0, b2 = n > 2 ? static_cast<unsigned char>(s[i + 2]) : 0;
    bool c1 = c == 0xC2 && b1 <= 0x9F;  // U+0080..U+009F
    uint32_t cp = n == 3 ? ((c & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu) : 0;
    // Invisible or reordering: U+200B..U+200F (zero width, direction marks), U+2028..U+202E (line
    // and paragraph separators, bidirectional embeddings and overrides), U+2066..U+2069
    // (bidirectional isolates), U+FEFF (byte order mark).
    bool invisible = (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
                     (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
    if (c1)
      r += fmt::format("\\u{{{:04X}}}", b1);
    else if (invisible)
      r += fmt::format("\\u{{{:04X}}}", cp);
    else
      r.append(s.substr(i, n));
    i += n;
  }
  return r;
}

std::string Shorten(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max > 20 ? max - 20 : max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  return fmt::format("{}... ({} bytes)", s.substr(0, cut), s.size());
}

}  // namespace edict::rt
