// load::ParseCache (compiler/load/load.h): what `edict lsp` keeps between edits so that only the
// files whose text changed are parsed again. A reused tree must give the same program and the
// same diagnostics, the parser's included, as parsing the file again.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "compiler/load/load.h"

namespace fs = std::filesystem;
using namespace edict;

namespace {

struct Folder {
  fs::path path;
  Folder() {
    std::string tmpl = (fs::temp_directory_path() / "edict_parse_cache_test_XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = fs::canonical(tmpl);
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

// Every diagnostic as one line: kind, file, offsets, message.
std::vector<std::string> Lines(const Diagnostics& d) {
  std::vector<std::string> out;
  for (const Diagnostic& x : d.all())
    out.push_back(std::to_string(int(x.kind)) + " " + std::to_string(x.range.file) + ":" +
                  std::to_string(x.range.begin) + "-" + std::to_string(x.range.end) + " " + x.message);
  return out;
}

std::vector<std::string> LoadLines(const std::string& root, const load::Unsaved& unsaved, load::ParseCache* cache,
                                   load::Program& p) {
  Diagnostics d;
  load::Load({root}, p, d, &unsaved, cache);
  return Lines(d);
}

}  // namespace

TEST_CASE("a parse cache reuses unchanged files' trees with their syntax errors", "[load]") {
  Folder f;
  std::string a = f.Write("a.edict", "import \"b.edict\";\nconst x: integer = y;\n");
  std::string b = f.Write("b.edict", "const y: integer = 1;\nconst z: integer = ;\n");
  load::Unsaved none;
  load::Program fresh;
  std::vector<std::string> want = LoadLines(a, none, nullptr, fresh);
  REQUIRE(want.size() == 1);  // the syntax error in b.edict
  CHECK(want[0].find("expected an expression") != std::string::npos);

  load::ParseCache cache;
  auto first = std::make_unique<load::Program>();
  CHECK(LoadLines(a, none, &cache, *first) == want);
  REQUIRE(first->files.size() == 2);
  const void* b_consts = first->files[1].consts.data();
  load::KeepTrees(*first, cache);
  CHECK(first->files.empty());
  first.reset();

  // Nothing changed: both trees are reused, b.edict's syntax error reported again.
  load::Program second;
  CHECK(LoadLines(a, none, &cache, second) == want);
  REQUIRE(second.files.size() == 2);
  CHECK(second.files[1].consts.data() == b_consts);
  CHECK(second.module.consts.size() == fresh.module.consts.size());
  load::KeepTrees(second, cache);

  // The root edited (an unsaved buffer): parsed again, b.edict still reused.
  load::Unsaved edited{{a, "import \"b.edict\";\nconst x: integer = y + ;\n"}};
  load::Program third;
  std::vector<std::string> got = LoadLines(a, edited, &cache, third);
  load::Program third_fresh;
  CHECK(got == LoadLines(a, edited, nullptr, third_fresh));
  CHECK(got.size() == 2);
  REQUIRE(third.files.size() == 2);
  CHECK(third.files[1].consts.data() == b_consts);
  load::KeepTrees(third, cache);

  // The import mended: parsed again, its error gone.
  load::Unsaved mended{{b, "const y: integer = 1;\nconst z: integer = 2;\n"}};
  load::Program fourth;
  CHECK(LoadLines(a, mended, &cache, fourth).empty());
  CHECK(fourth.module.consts.size() == 3);
}
