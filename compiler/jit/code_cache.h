// The compiled-code cache: machine code of a lowered module, by a hash of everything that
// determines it (the LLVM IR before optimisation, the target, the CPU and its features, the
// optimisation level, LLVM's version). A hit skips optimisation and code generation; a miss
// compiles and stores. Entries are written to a temporary file and renamed, so a reader never
// sees half of one; a file that fails to load is treated as a miss.
//
// Where: $EDICT_CACHE_DIR, else $XDG_CACHE_HOME/edict, else $HOME/.cache/edict. EDICT_NO_CACHE=1
// turns it off. At most kMaxEntries files are kept (the oldest go).
//
// Trust: an entry is native code that Edict runs, and its checksum only detects damage; so the
// cache must be writable by its user alone. A missing cache folder is created with mode 0700
// (for the default places, missing parents too: $XDG_CACHE_HOME or ~/.cache, also 0700); an
// existing one is never chmod-ed. A folder that belongs to another user, or that its group or
// others may write to, is refused with a warning (once per process) and the code is compiled
// without the cache. The folder is opened once and every entry is reached through that handle,
// opened without following symbolic links, and used only if it is a regular file of the same
// owner that no one else may write to. See docs/security.md.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace edict::jit {

// The SHA-256 of `text`, in hex: the cache's keys (of a module's IR and the target), and the
// fingerprints of `edict build`'s libraries (aot.h). Defined in jit.cpp, which sees LLVM's SHA-256.
std::string Sha256Hex(std::string_view text);

class CodeCache {
 public:
  // The cache of the environment, or a disabled one (after a warning on stderr if a folder was
  // refused).
  static CodeCache FromEnvironment();
  // The cache in `dir`, which is created (mode 0700, parents not) if it is missing. Disabled, with
  // *refusal set to the reason, if it cannot be created or is not trusted.
  static CodeCache Open(const std::string& dir, std::string* refusal);
  static CodeCache Disabled() { return CodeCache(); }

  bool enabled() const { return dir_fd_ != nullptr; }
  const std::string& dir() const { return dir_; }
  std::optional<std::string> Read(std::string_view key) const;
  // Best effort: a cache that cannot be written is simply not used.
  void Write(std::string_view key, std::string_view bytes) const;

  static constexpr size_t kMaxEntries = 256;
  // An entry larger than this is not read (a module's machine code is kilobytes to a few megabytes).
  static constexpr size_t kMaxEntryBytes = size_t(256) << 20;

 private:
  CodeCache() = default;
  void Prune() const;
  std::string dir_;
  std::shared_ptr<const int> dir_fd_;  // the folder, opened once (closed with the last copy)
};

}  // namespace edict::jit
