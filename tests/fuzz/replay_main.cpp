// The main of a fuzz target built as a plain executable (without libFuzzer): runs every input
// file it is given through LLVMFuzzerTestOneInput, so regression inputs replay in every build
// (gcc included) and under the sanitizers. A directory stands for every file in it, recursively,
// in name order, except names starting with `.`. Arguments starting with `-` (libFuzzer's
// options, e.g. -runs=0) are ignored, so one command line works for both builds.
//
//   edict_fuzz_TARGET [-runs=0] FILE|DIR...
// A failing input aborts (the target's message names it); at the end it prints how many inputs
// ran and how many the target set aside (a known defect it skips), and fails if none ran.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "compiler/base/source.h"
#include "tests/fuzz/fuzz_support.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("-", 0) == 0) continue;
    std::error_code ec;
    if (fs::is_directory(a, ec)) {
      std::vector<std::string> in_dir;
      for (const auto& e : fs::recursive_directory_iterator(a))
        if (e.is_regular_file() && e.path().filename().string().rfind(".", 0) != 0) in_dir.push_back(e.path().string());
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else {
      files.push_back(a);
    }
  }
  size_t ran = 0, skipped = 0;
  for (const std::string& f : files) {
    std::string data;
    if (!edict::ReadFile(f, &data)) {
      std::fprintf(stderr, "error: cannot read '%s'\n", f.c_str());
      return 3;
    }
    std::fprintf(stderr, "%s\n", f.c_str());
    int r = LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    if (r == -1)
      ++skipped;
    else
      ++ran;
  }
  std::fprintf(stderr, "%zu input%s ran, %zu set aside by the target\n", ran, ran == 1 ? "" : "s", skipped);
  return ran > 0 ? 0 : 1;
}
