// Source files of one program and the mapping from byte offsets to lines and columns.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/source_range.h"

namespace edict {

struct SourceFile {
  std::string path;  // as given by the user or resolved from an import
  std::string text;
  std::vector<uint32_t> line_starts;  // byte offset of each line
};

struct LineCol {
  uint32_t line;    // 1-based
  uint32_t column;  // 1-based, in bytes
};

class SourceManager {
 public:
  // Adds a file and returns its index; the index is the `file` of every SourceRange into it.
  uint32_t Add(std::string path, std::string text);
  const SourceFile& file(uint32_t i) const { return *files_[i]; }
  size_t size() const { return files_.size(); }

  LineCol Position(uint32_t file, uint32_t offset) const;
  std::string_view LineText(uint32_t file, uint32_t line) const;
  std::string_view Text(SourceRange r) const;
  // "path:line:col"
  std::string Where(SourceRange r) const;

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

// Reads an input file (an Edict source or a single case file) whole, safely: the file must be a
// regular file (not a directory, a FIFO, a device or a socket; a FIFO is never waited on) of at
// most `limit` bytes, or of the configured limit when `limit` is kConfiguredLimit (0):
// $EDICT_MAX_SOURCE_BYTES when it is set, else limits::kMaxSourceBytes. The size is checked
// while reading, not only by stat, so a file that grows or a /proc file (size 0) is bounded too.
// Returns true and sets *out, or returns false and sets *error to the reason, worded to follow
// "cannot read `PATH`: " (for example "it is a directory", "no such file", "it is not a regular
// file", "it is larger than the limit of 16777216 bytes (set EDICT_MAX_SOURCE_BYTES to allow
// more)"); *out is then left empty.
inline constexpr size_t kConfiguredLimit = 0;
bool ReadInputFile(const std::string& path, size_t limit, std::string* out, std::string* error);

// The configured limit (see ReadInputFile); false with *error set when $EDICT_MAX_SOURCE_BYTES is
// set but is not a whole number of bytes from 1 up.
bool ConfiguredInputLimit(size_t* limit, std::string* error);

// ReadInputFile with the configured limit, for callers that report only that the file cannot be
// read.
bool ReadFile(const std::string& path, std::string* out);

// The offset of the first byte of `text` that is not part of well-formed UTF-8 (no overlong
// forms, no surrogates, nothing above U+10FFFF), or std::string_view::npos when it is all valid.
size_t FirstInvalidUtf8(std::string_view text);

// A number written with commas between groups of thousands, as in `250,000 [usd]`, which Edict
// reads as `250` and a stray `,000`: when the whole number written at [begin, end) of `text` is
// followed at once by one or more groups of a comma and three digits (and perhaps a fraction:
// `1,500.25`), the number as Edict writes it (`250_000`, `1_500.25`); else "".
std::string CommaGroupedNumber(std::string_view text, size_t begin, size_t end);

}  // namespace edict
