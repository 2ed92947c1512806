#include "compiler/base/source.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

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

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace edict
