// A span of source text: which file (an index into the program's file list) and byte offsets.
// Runtime errors carry one so that every engine reports the same position.
#pragma once
#include <cstdint>

namespace edict {

struct SourceRange {
  uint32_t file = 0;
  uint32_t begin = 0;  // byte offset of the first character
  uint32_t end = 0;    // byte offset one past the last character
  bool valid() const { return end > begin || begin != 0 || file != 0; }
  friend bool operator==(const SourceRange&, const SourceRange&) = default;
};

}  // namespace edict
