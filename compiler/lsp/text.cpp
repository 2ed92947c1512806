#include "compiler/lsp/text.h"

#include <algorithm>

namespace edict::lsp {
namespace {

// The length in bytes of the UTF-8 sequence that starts with byte b (1 for a stray byte, which
// then counts as one code unit: the checker rejects such text anyway).
size_t SequenceLength(unsigned char b) {
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) return 2;
  if ((b & 0xF0) == 0xE0) return 3;
  if ((b & 0xF8) == 0xF0) return 4;
  return 1;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Position PositionOf(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  Position p;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++p.line;
      line_start = i + 1;
    }
  for (size_t i = line_start; i < offset;) {
    size_t n = SequenceLength(static_cast<unsigned char>(text[i]));
    if (i + n > offset) break;      // inside a character: its start
    p.character += n == 4 ? 2 : 1;  // four bytes: outside the Basic Multilingual Plane, a surrogate pair
    i += n;
  }
  return p;
}

size_t OffsetOf(std::string_view text, Position p) {
  size_t i = 0;
  for (uint32_t line = 0; line < p.line; ++line) {
    size_t nl = text.find('\n', i);
    if (nl == std::string_view::npos) return text.size();
    i = nl + 1;
  }
  uint32_t units = 0;
  while (i < text.size() && text[i] != '\n' && units < p.character) {
    size_t n = SequenceLength(static_cast<unsigned char>(text[i]));
    units += n == 4 ? 2 : 1;
    i = std::min(text.size(), i + n);
  }
  return i;
}

std::string PathOfUri(std::string_view uri) {
  constexpr std::string_view kScheme = "file://";
  if (uri.substr(0, kScheme.size()) != kScheme) return "";
  uri.remove_prefix(kScheme.size());
  // `file://host/path`: only the local host (empty or `localhost`) names a file here.
  size_t slash = uri.find('/');
  if (slash == std::string_view::npos) return "";
  std::string_view host = uri.substr(0, slash);
  if (!host.empty() && host != "localhost") return "";
  uri.remove_prefix(slash);
  std::string path;
  for (size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size() && HexValue(uri[i + 1]) >= 0 && HexValue(uri[i + 2]) >= 0) {
      path += char(HexValue(uri[i + 1]) * 16 + HexValue(uri[i + 2]));
      i += 2;
    } else {
      path += uri[i];
    }
  }
  return path;
}

std::string UriOfPath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file://";
  for (char c : path) {
    auto b = static_cast<unsigned char>(c);
    bool plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || c == '/' || c == '-' ||
                 c == '.' || c == '_' || c == '~';
    if (plain) {
      uri += c;
    } else {
      uri += '%';
      uri += kHex[b >> 4];
      uri += kHex[b & 15];
    }
  }
  return uri;
}

}  // namespace edict::lsp
