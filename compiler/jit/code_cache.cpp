#include "compiler/jit/code_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <vector>

#include <fmt/format.h>

namespace edict::jit {

namespace {

// Why a folder (or an entry) with these attributes must not be trusted, or "".
std::string Untrusted(const struct stat& st, const char* what) {
  if (st.st_uid != ::geteuid())
    return fmt::format("{} belongs to another user (uid {})", what, static_cast<unsigned long>(st.st_uid));
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return fmt::format("other users may write to {} (mode {:o})", what, static_cast<unsigned>(st.st_mode & 07777));
  return "";
}

// Creates each missing folder of `dir` with mode 0700, as `mkdir -p` would (the default places
// only: $XDG_CACHE_HOME or ~/.cache may not exist yet).
void MakeParents(const std::string& dir) {
  for (size_t slash = dir.find('/', 1); slash != std::string::npos; slash = dir.find('/', slash + 1))
    ::mkdir(dir.substr(0, slash).c_str(), 0700);
}

void WarnOnce(const std::string& dir, const std::string& why) {
  static std::once_flag once;
  std::call_once(once, [&] {
    std::cerr << fmt::format(
        "warning: not using the code cache `{}`: {}; compiling without it (see docs/security.md)\n", dir, why);
  });
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(size_t(n));
  }
  return true;
}

}  // namespace

CodeCache CodeCache::Open(const std::string& dir, std::string* refusal) {
  // Created with 0700 when missing; an existing folder is taken as it is (never chmod-ed).
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    *refusal = fmt::format("cannot create it: {}", std::strerror(errno));
    return Disabled();
  }
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    *refusal = errno == ENOTDIR ? "it is not a folder" : fmt::format("cannot open it: {}", std::strerror(errno));
    return Disabled();
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    *refusal = fmt::format("cannot open it: {}", std::strerror(errno));
    ::close(fd);
    return Disabled();
  }
  if (std::string why = Untrusted(st, "it"); !why.empty()) {
    *refusal = why;
    ::close(fd);
    return Disabled();
  }
  CodeCache c;
  c.dir_ = dir;
  c.dir_fd_ = std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
  return c;
}

CodeCache CodeCache::FromEnvironment() {
  if (const char* off = std::getenv("EDICT_NO_CACHE"); off && *off && std::string_view(off) != "0") return Disabled();
  std::string dir;
  bool chosen = false;  // named by the user: say why it cannot be used, whatever the reason
  if (const char* d = std::getenv("EDICT_CACHE_DIR"); d && *d) {
    dir = d;
    chosen = true;
  } else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    dir = std::string(x) + "/edict";
    MakeParents(dir);
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    dir = std::string(h) + "/.cache/edict";
    MakeParents(dir);
  } else {
    return Disabled();
  }
  std::string refusal;
  CodeCache c = Open(dir, &refusal);
  // A default place that cannot be created (a read-only home) is quietly not used, as before; a
  // folder that exists but is not trusted is always reported.
  if (!c.enabled() && (chosen || refusal.rfind("cannot create", 0) != 0)) WarnOnce(dir, refusal);
  return c;
}

std::optional<std::string> CodeCache::Read(std::string_view key) const {
  if (!enabled()) return std::nullopt;
  std::string name = std::string(key) + ".o";
  int fd = ::openat(*dir_fd_, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st;
  std::string s;
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && Untrusted(st, "the entry").empty() &&
            uint64_t(st.st_size) <= kMaxEntryBytes;
  if (ok) {
    s.resize(size_t(st.st_size));
    size_t got = 0;
    while (got < s.size()) {
      ssize_t n = ::read(fd, s.data() + got, s.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += size_t(n);
    }
    ok = got == s.size() && !s.empty();
  }
  if (ok) ::futimens(fd, nullptr);  // used: it is among the newest, and the last to be pruned
  ::close(fd);
  if (!ok) return std::nullopt;
  return s;
}

void CodeCache::Write(std::string_view key, std::string_view bytes) const {
  if (!enabled()) return;
  std::string final_name = std::string(key) + ".o";
  static std::atomic<unsigned> writes{0};  // two engines of one process may store at once
  std::string tmp = final_name + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(writes++);
  int fd = ::openat(*dir_fd_, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  bool ok = WriteAll(fd, bytes);
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::renameat(*dir_fd_, tmp.c_str(), *dir_fd_, final_name.c_str()) != 0) {
    ::unlinkat(*dir_fd_, tmp.c_str(), 0);
    return;
  }
  Prune();
}

void CodeCache::Prune() const {
  // A handle of its own: a duplicate would share the folder's read position with other threads.
  int fd = ::openat(*dir_fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return;
  }
  std::vector<std::pair<struct timespec, std::string>> entries;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name.size() < 2 || name.substr(name.size() - 2) != ".o") continue;
    struct stat st;
    if (::fstatat(*dir_fd_, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    entries.emplace_back(st.st_mtim, std::string(name));
  }
  ::closedir(d);
  if (entries.size() <= kMaxEntries) return;
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.first.tv_sec != b.first.tv_sec ? a.first.tv_sec < b.first.tv_sec : a.first.tv_nsec < b.first.tv_nsec;
  });
  for (size_t i = 0; i + kMaxEntries < entries.size(); ++i) ::unlinkat(*dir_fd_, entries[i].second.c_str(), 0);
}

}  // namespace edict::jit
