// The compiled-code cache: machine code of a lowered module, by a hash of everything that
// determines it (the LLVM IR before optimisation, the target, the CPU and its features, the
// optimisation level, LLVM's version). A hit skips optimisation and code generation; a miss
// compiles and stores. Entries are written to a temporary file and renamed, so a reader never
// sees half of one; a file that fails to load is treated as a miss.
//
// Where: $EDICT_CACHE_DIR, else $XDG_CACHE_HOME/edict, else $HOME/.cache/edict (created with mode
// 0700). EDICT_NO_CACHE=1 turns it off. At most kMaxEntries files are kept (the oldest go).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace edict::jit {

class CodeCache {
 public:
  // The cache of the environment, or a disabled one.
  static CodeCache FromEnvironment();
  static CodeCache Disabled() { return CodeCache(""); }

  bool enabled() const { return !dir_.empty(); }
  const std::string& dir() const { return dir_; }
  std::optional<std::string> Read(std::string_view key) const;
  // Best effort: a cache that cannot be written is simply not used.
  void Write(std::string_view key, std::string_view bytes) const;

  static constexpr size_t kMaxEntries = 256;

 private:
  explicit CodeCache(std::string dir) : dir_(std::move(dir)) {}
  std::string Path(std::string_view key) const;
  void Prune() const;
  std::string dir_;
};

}  // namespace edict::jit
