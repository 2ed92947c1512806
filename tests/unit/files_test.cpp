// Reading input files safely (compiler/base/source.h). Each test works in a fresh temporary folder.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "compiler/base/limits.h"
#include "compiler/base/source.h"

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
    CHECK(Reason(d / "ten") == fmt::format("EDICT_MAX_SOURCE_BYTES is `{}`, not a whole number of bytes from 1 up", bad));
  }
  ::unsetenv("EDICT_MAX_SOURCE_BYTES");
}

TEST_CASE("FirstInvalidUtf8 accepts well-formed UTF-8 only", "[files]") {
  using edict::FirstInvalidUtf8;
  constexpr size_t ok = std::string_view::npos;
  CHECK(FirstInvalidUtf8("plain ascii") == ok);
  CHECK(FirstInvalidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf") == ok);  // é € 😀 U+10FFFF
  CHECK(FirstInvalidUtf8("caf\xe9") == 3);                  // Latin-1
  CHECK(FirstInvalidUtf8("a\xc0\xaf") == 1);                // overlong `/`
  CHECK(FirstInvalidUtf8("a\xe0\x80\xaf") == 1);            // overlong, three bytes
  CHECK(FirstInvalidUtf8("a\xf0\x80\x80\xaf") == 1);        // overlong, four bytes
  CHECK(FirstInvalidUtf8("a\xed\xa0\x80") == 1);            // a surrogate
  CHECK(FirstInvalidUtf8("a\xf4\x90\x80\x80") == 1);        // above U+10FFFF
  CHECK(FirstInvalidUtf8("ab\xe2\x82") == 2);               // cut short
  CHECK(FirstInvalidUtf8("\x80") == 0);                     // a lone continuation byte
}
