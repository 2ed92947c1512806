// Source files of one program and the mapping from byte offsets to lines and columns.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/source_range.h"

namespace edict {

struct SourceFile {
  std::string path;       // as given by the user or resolved from an import
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

// Reads a whole file; false if it cannot be read.
bool ReadFile(const std::string& path, std::string* out);

}  // namespace edict
