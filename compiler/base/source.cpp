#include "compiler/base/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "compiler/base/limits.h"
#include "runtime/text.h"

namespace edict {

uint32_t SourceManager::Add(std::string path, std::string text) {
  auto f = std::make_unique<SourceFile>();
  f->path = std::move(path);
  f->text = std::move(text);
  f->line_starts.push_back(0);
  for (uint32_t i = 0; i < f->text.size(); ++i)
    if (f->text[i] == '\n') f->line_starts.push_back(i + 1);
  files_.push_back(std::move(f));
  return uint32_t(files_.size() - 1);
}

LineCol SourceManager::Position(uint32_t file, uint32_t offset) const {
  const auto& ls = files_[file]->line_starts;
  auto it = std::upper_bound(ls.begin(), ls.end(), offset);
  uint32_t line = uint32_t(it - ls.begin());  // 1-based
  return LineCol{line, offset - ls[line - 1] + 1};
}

std::string_view SourceManager::LineText(uint32_t file, uint32_t line) const {
  const SourceFile& f = *files_[file];
  if (line == 0 || line > f.line_starts.size()) return {};
  uint32_t b = f.line_starts[line - 1];
  uint32_t e = line < f.line_starts.size() ? f.line_starts[line] : uint32_t(f.text.size());
  std::string_view s(f.text.data() + b, e - b);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view SourceManager::Text(SourceRange r) const {
  const SourceFile& f = *files_[r.file];
  if (r.begin >= f.text.size()) return {};
  return std::string_view(f.text).substr(r.begin, r.end - r.begin);
}

std::string SourceManager::Where(SourceRange r) const {
  LineCol lc = Position(r.file, r.begin);
  return fmt::format("{}:{}:{}", files_[r.file]->path, lc.line, lc.column);
}

namespace {

// The reason a system call failed, worded to follow "cannot read `x`: ".
std::string Reason(int err) {
  switch (err) {
    case ENOENT: return "no such file";
    case ENOTDIR: return "a part of its path is not a directory";
    case EACCES: return "permission denied";
    case EISDIR: return "it is a directory";
    case ELOOP: return "too many symbolic links";
    case ENAMETOOLONG: return "its name is too long";
    case ENOMEM: return "out of memory";
  }
  std::string s = std::strerror(err);
  if (!s.empty()) s[0] = char(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

// The reason a file of this type cannot be read as an input, or "" for a regular file.
std::string TypeReason(mode_t mode) {
  if (S_ISREG(mode)) return "";
  if (S_ISDIR(mode)) return "it is a directory";
  return "it is not a regular file";
}

std::string TooLarge(size_t limit) {
  return fmt::format("it is larger than the limit of {} bytes (set EDICT_MAX_SOURCE_BYTES to allow more)", limit);
}

}  // namespace

bool ConfiguredInputLimit(size_t* limit, std::string* error) {
  const char* env = std::getenv("EDICT_MAX_SOURCE_BYTES");
  if (!env || !*env) {
    *limit = limits::kMaxSourceBytes;
    return true;
  }
  // Digits only: strtoull would accept a sign, spaces and wrap a negative value.
  bool digits = std::strlen(env) <= 19;
  for (const char* c = env; *c && digits; ++c) digits = *c >= '0' && *c <= '9';
  unsigned long long v = digits ? std::strtoull(env, nullptr, 10) : 0;
  if (v == 0) {
    *error = fmt::format("EDICT_MAX_SOURCE_BYTES is `{}`, not a whole number of bytes from 1 up",
                         std::string_view(env).substr(0, 40));
    return false;
  }
  *limit = size_t(v);
  return true;
}

bool ReadInputFile(const std::string& path, size_t limit, std::string* out, std::string* error) {
  out->clear();
  if (limit == kConfiguredLimit && !ConfiguredInputLimit(&limit, error)) return false;
  // Look before opening, so that a device or a FIFO is never opened (opening some has effects);
  // then check again what was opened, in case the path changed in between.
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    *error = Reason(errno);
    return false;
  }
  if (std::string why = TypeReason(st.st_mode); !why.empty()) {
    *error = why;
    return false;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    *error = Reason(errno);
    return false;
  }
  auto fail = [&](std::string why) {
    ::close(fd);
    out->clear();
    out->shrink_to_fit();
    *error = std::move(why);
    return false;
  };
  if (::fstat(fd, &st) != 0) return fail(Reason(errno));
  if (std::string why = TypeReason(st.st_mode); !why.empty()) return fail(why);
  if (uint64_t(st.st_size) > limit) return fail(TooLarge(limit));
  // st_size is a hint (a /proc file says 0, a file may grow): read to the end, never past the limit.
  out->reserve(size_t(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("reading failed: " + Reason(errno));
    }
    if (n == 0) break;
    if (out->size() + size_t(n) > limit) return fail(TooLarge(limit));
    out->append(buf, size_t(n));
  }
  ::close(fd);
  return true;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::string error;
  return ReadInputFile(path, kConfiguredLimit, out, &error);
}

size_t FirstInvalidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = rt::Utf8Length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string CommaGroupedNumber(std::string_view text, size_t begin, size_t end) {
  auto digit = [&](size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  if (begin >= end || end > text.size()) return "";
  for (size_t i = begin; i < end; ++i)
    if (!digit(i) && text[i] != '_') return "";
  std::string r(text.substr(begin, end - begin));
  size_t i = end;
  while (i < text.size() && text[i] == ',' && digit(i + 1) && digit(i + 2) && digit(i + 3) && !digit(i + 4)) {
    r += '_';
    r += text.substr(i + 1, 3);
    i += 4;
  }
  if (i == end) return "";
  if (i + 1 < text.size() && text[i] == '.' && digit(i + 1)) {
    r += '.';
    for (++i; i < text.size() && (digit(i) || text[i] == '_'); ++i) r += text[i];
  }
  return r;
}

}  // namespace edict
