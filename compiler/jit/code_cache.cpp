#include "compiler/jit/code_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

namespace edict::jit {

namespace fs = std::filesystem;

CodeCache CodeCache::FromEnvironment() {
  if (const char* off = std::getenv("EDICT_NO_CACHE"); off && *off && std::string_view(off) != "0") return Disabled();
  std::string dir;
  if (const char* d = std::getenv("EDICT_CACHE_DIR"); d && *d) {
    dir = d;
  } else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    dir = std::string(x) + "/edict";
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    dir = std::string(h) + "/.cache/edict";
  } else {
    return Disabled();
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir, ec)) return Disabled();
  ::chmod(dir.c_str(), 0700);
  return CodeCache(dir);
}

std::string CodeCache::Path(std::string_view key) const { return dir_ + "/" + std::string(key) + ".o"; }

std::optional<std::string> CodeCache::Read(std::string_view key) const {
  if (!enabled()) return std::nullopt;
  std::ifstream in(Path(key), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in && !in.eof()) return std::nullopt;
  std::string s = std::move(bytes).str();
  if (s.empty()) return std::nullopt;
  std::error_code ec;  // used: it is among the newest, and the last to be pruned
  fs::last_write_time(Path(key), fs::file_time_type::clock::now(), ec);
  return s;
}

void CodeCache::Write(std::string_view key, std::string_view bytes) const {
  if (!enabled()) return;
  std::string final_path = Path(key);
  static std::atomic<unsigned> writes{0};  // two engines of one process may store at once
  std::string tmp = final_path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(writes++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return;
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out) {
      out.close();
      std::error_code ec;
      fs::remove(tmp, ec);
      return;
    }
  }
  std::error_code ec;
  fs::rename(tmp, final_path, ec);
  if (ec) fs::remove(tmp, ec);
  Prune();
}

void CodeCache::Prune() const {
  std::error_code ec;
  std::vector<std::pair<fs::file_time_type, fs::path>> entries;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (e.path().extension() != ".o") continue;
    entries.emplace_back(e.last_write_time(ec), e.path());
  }
  if (entries.size() <= kMaxEntries) return;
  std::sort(entries.begin(), entries.end());
  for (size_t i = 0; i + kMaxEntries < entries.size(); ++i) fs::remove(entries[i].second, ec);
}

}  // namespace edict::jit
