// Reading input files safely (compiler/base/source.h) and the trust checks of the compiled-code
// cache (compiler/jit/code_cache.h). Each test works in a fresh temporary folder.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "compiler/base/limits.h"
#include "compiler/base/source.h"
#include "compiler/jit/code_cache.h"

namespace fs = std::filesystem;
using edict::kConfiguredLimit;
using edict::ReadInputFile;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "edict_files_test_XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

void Write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string Reason(const std::string& path, size_t limit = kConfiguredLimit) {
  std::string text, error;
  if (ReadInputFile(path, limit, &text, &error)) return "ok: " + text;
  CHECK(text.empty());
  return error;
}

}  // namespace

TEST_CASE("ReadInputFile reads regular files and says why it cannot read others", "[files]") {
  TempDir d;
  Write(d / "a.edict", "const x: integer = 1;\n");
  CHECK(Reason(d / "a.edict") == "ok: const x: integer = 1;\n");
  Write(d / "empty.edict", "");
  CHECK(Reason(d / "empty.edict") == "ok: ");
  CHECK(Reason(d / "missing.edict") == "no such file");
  CHECK(Reason(d.path.string()) == "it is a directory");
  CHECK(Reason("/dev/zero") == "it is not a regular file");
  CHECK(Reason("/dev/null") == "it is not a regular file");
  // A FIFO with no writer: reported at once, never waited on.
  REQUIRE(::mkfifo((d / "fifo").c_str(), 0600) == 0);
  CHECK(Reason(d / "fifo") == "it is not a regular file");
}

TEST_CASE("ReadInputFile enforces its size limit, configurable by EDICT_MAX_SOURCE_BYTES", "[files]") {
  TempDir d;
  Write(d / "ten", "0123456789");
  CHECK(Reason(d / "ten", 10) == "ok: 0123456789");
  CHECK(Reason(d / "ten", 9) == "it is larger than the limit of 9 bytes (set EDICT_MAX_SOURCE_BYTES to allow more)");
  // A /proc file says its size is 0: the limit holds while reading.
  CHECK(Reason("/proc/self/maps", 5).rfind("it is larger than the limit of 5 bytes", 0) == 0);

  size_t limit = 0;
  std::string error;
  ::unsetenv("EDICT_MAX_SOURCE_BYTES");
  REQUIRE(edict::ConfiguredInputLimit(&limit, &error));
  CHECK(limit == edict::limits::kMaxSourceBytes);
  ::setenv("EDICT_MAX_SOURCE_BYTES", "9", 1);
  CHECK(Reason(d / "ten") == "it is larger than the limit of 9 bytes (set EDICT_MAX_SOURCE_BYTES to allow more)");
  ::setenv("EDICT_MAX_SOURCE_BYTES", "10", 1);
  CHECK(Reason(d / "ten") == "ok: 0123456789");
  for (const char* bad : {"-1", "0", "ten", "1e6", " 5", "99999999999999999999999"}) {
    ::setenv("EDICT_MAX_SOURCE_BYTES", bad, 1);
    CHECK(Reason(d / "ten") ==
          fmt::format("EDICT_MAX_SOURCE_BYTES is `{}`, not a whole number of bytes from 1 up", bad));
  }
  ::unsetenv("EDICT_MAX_SOURCE_BYTES");
}

TEST_CASE("FirstInvalidUtf8 accepts well-formed UTF-8 only", "[files]") {
  using edict::FirstInvalidUtf8;
  constexpr size_t ok = std::string_view::npos;
  CHECK(FirstInvalidUtf8("plain ascii") == ok);
  CHECK(FirstInvalidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf") == ok);  // é € 😀 U+10FFFF
  CHECK(FirstInvalidUtf8("caf\xe9") == 3);                                                      // Latin-1
  CHECK(FirstInvalidUtf8("a\xc0\xaf") == 1);                                                    // overlong `/`
  CHECK(FirstInvalidUtf8("a\xe0\x80\xaf") == 1);                                                // overlong, three bytes
  CHECK(FirstInvalidUtf8("a\xf0\x80\x80\xaf") == 1);                                            // overlong, four bytes
  CHECK(FirstInvalidUtf8("a\xed\xa0\x80") == 1);                                                // a surrogate
  CHECK(FirstInvalidUtf8("a\xf4\x90\x80\x80") == 1);                                            // above U+10FFFF
  CHECK(FirstInvalidUtf8("ab\xe2\x82") == 2);                                                   // cut short
  CHECK(FirstInvalidUtf8("\x80") == 0);  // a lone continuation byte
}

TEST_CASE("the code cache creates its folder 0700 and never changes an existing one", "[files][cache]") {
  TempDir d;
  std::string why;
  auto fresh = edict::jit::CodeCache::Open(d / "cache", &why);
  REQUIRE(fresh.enabled());
  struct stat st;
  REQUIRE(::stat((d / "cache").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);

  // A folder others may write to is refused, and left as it was.
  REQUIRE(::mkdir((d / "shared").c_str(), 0700) == 0);
  REQUIRE(::chmod((d / "shared").c_str(), 01777) == 0);
  auto shared = edict::jit::CodeCache::Open(d / "shared", &why);
  CHECK(!shared.enabled());
  CHECK(why == "other users may write to it (mode 1777)");
  REQUIRE(::stat((d / "shared").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 01777);

  REQUIRE(::chmod((d / "shared").c_str(), 0770) == 0);
  CHECK(!edict::jit::CodeCache::Open(d / "shared", &why).enabled());
  CHECK(why == "other users may write to it (mode 770)");

  Write(d / "file", "x");
  CHECK(!edict::jit::CodeCache::Open(d / "file", &why).enabled());
  CHECK(why == "it is not a folder");

  // Only root can give a folder away; elsewhere this part cannot be set up.
  if (::geteuid() == 0) {
    REQUIRE(::mkdir((d / "theirs").c_str(), 0700) == 0);
    REQUIRE(::chown((d / "theirs").c_str(), 65534, 65534) == 0);
    CHECK(!edict::jit::CodeCache::Open(d / "theirs", &why).enabled());
    CHECK(why == "it belongs to another user (uid 65534)");
  }
}

TEST_CASE("the code cache uses only regular entries of its owner that no one else may write", "[files][cache]") {
  TempDir d;
  std::string why;
  auto cache = edict::jit::CodeCache::Open(d / "cache", &why);
  REQUIRE(cache.enabled());
  cache.Write("k1", "machine code");
  CHECK(cache.Read("k1") == std::optional<std::string>("machine code"));
  struct stat st;
  REQUIRE(::stat((d / "cache/k1.o").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(!cache.Read("absent"));

  // An entry others may write to is not used.
  REQUIRE(::chmod((d / "cache/k1.o").c_str(), 0666) == 0);
  CHECK(!cache.Read("k1"));
  // A symbolic link is not followed, even to a good file.
  Write(d / "elsewhere.o", "planted");
  REQUIRE(::chmod((d / "elsewhere.o").c_str(), 0600) == 0);
  REQUIRE(::symlink((d / "elsewhere.o").c_str(), (d / "cache/k2.o").c_str()) == 0);
  CHECK(!cache.Read("k2"));
  // Writing replaces neither through a link: the target is untouched.
  cache.Write("k2", "fresh");
  CHECK(cache.Read("k2") == std::optional<std::string>("fresh"));
  std::ifstream planted(d / "elsewhere.o");
  std::string text((std::istreambuf_iterator<char>(planted)), std::istreambuf_iterator<char>());
  CHECK(text == "planted");
  if (::geteuid() == 0) {
    cache.Write("k3", "theirs");
    REQUIRE(::chown((d / "cache/k3.o").c_str(), 65534, 65534) == 0);
    CHECK(!cache.Read("k3"));
  }
}

TEST_CASE("the code cache keeps the newest entries", "[files][cache]") {
  TempDir d;
  std::string why;
  auto cache = edict::jit::CodeCache::Open(d / "cache", &why);
  REQUIRE(cache.enabled());
  for (size_t i = 0; i < edict::jit::CodeCache::kMaxEntries + 5; ++i) cache.Write("k" + std::to_string(i), "x");
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(d / "cache")) n += e.path().extension() == ".o";
  CHECK(n == edict::jit::CodeCache::kMaxEntries);
}
