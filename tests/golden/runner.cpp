// File-based golden tests.
//
//   edict_golden EDICT TEST.edict [--autoupdate]   run one test, compare with TEST.expected
//   edict_golden --coverage GOLDEN_DIR             every diagnostic and runtime-error kind has a test
//   edict_golden --doc-examples EDICT DOC.md        every ```edict block of DOC.md passes `edict test`,
//                                                   and every ```console block prints what it shows
//
// A test is an Edict file whose first lines may hold directives:
//   // ARGS: eval %s -d licence --case case.json     (default: `check %s`)
// The command runs in the test's directory; `%s` is the file's name. Its exit code, stdout and
// stderr are compared with TEST.expected. A test named `fail_*` must exit non-zero and any other
// must exit zero, so the name says what the test expects. --autoupdate rewrites the expectation
// (review it with `git diff`).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/diagnostics/diagnostics.h"
#include "runtime/errors.h"

namespace fs = std::filesystem;

namespace {

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ShellQuote(const std::string& s) {
  std::string r = "'";
  for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return r + "'";
}

// Runs the command of a test; returns "exit: N\n--- stdout\n...--- stderr\n...".
std::string RunCommand(const std::string& edict, const fs::path& dir, const std::string& args) {
  fs::path out = fs::temp_directory_path() / ("edict_golden_" + std::to_string(getpid()) + ".out");
  fs::path err = fs::temp_directory_path() / ("edict_golden_" + std::to_string(getpid()) + ".err");
  std::string cmd = "cd " + ShellQuote(dir.string()) + " && " + ShellQuote(edict) + " --color=never " + args + " >" +
                    ShellQuote(out.string()) + " 2>" + ShellQuote(err.string()) + " </dev/null";
  int status = std::system(cmd.c_str());
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  std::string actual = "exit: " + std::to_string(code) + "\n--- stdout\n" + Slurp(out) + "--- stderr\n" + Slurp(err);
  fs::remove(out);
  fs::remove(err);
  // Paths into the source tree differ between clones: show them relative to `<src>`.
  const std::string root = EDICT_SOURCE_DIR;
  for (size_t pos; (pos = actual.find(root)) != std::string::npos;) actual.replace(pos, root.size(), "<src>");
  return actual;
}

int RunOne(const std::string& edict, const fs::path& test, bool autoupdate) {
  std::string src = Slurp(test);
  std::string args = "check %s";
  std::istringstream lines(src);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("// ARGS:", 0) == 0)
      args = line.substr(8);
    else if (line.rfind("//", 0) != 0)
      break;
  }
  std::string name = test.filename().string();
  for (size_t pos; (pos = args.find("%s")) != std::string::npos;) args.replace(pos, 2, name);
  // Commands that evaluate run on every engine, against the same expected output.
  std::istringstream words(args);
  std::string command;
  while (words >> command && command.rfind("--", 0) == 0) {}
  std::vector<std::string> engines = {""};
  if ((command == "eval" || command == "test") && args.find("--engine") == std::string::npos)
    engines = {" --engine=interp", " --engine=jit"};
  fs::path expected_path = test;
  expected_path.replace_extension(".expected");
  bool fail_name = name.rfind("fail_", 0) == 0;
  std::string reference;
  for (const std::string& engine : engines) {
    std::string actual = RunCommand(edict, test.parent_path(), args + engine);
    int code = std::atoi(actual.c_str() + 6);
    std::string label = test.string() + (engine.empty() ? "" : " (" + engine.substr(1) + ")");
    if (fail_name != (code != 0)) {
      std::cerr << label << ": "
                << (fail_name ? "named fail_ but exited 0"
                              : "exited " + std::to_string(code) + " but is not named fail_")
                << "\n"
                << actual;
      return 1;
    }
    if (autoupdate && reference.empty()) {
      std::ofstream(expected_path, std::ios::binary) << actual;
      reference = actual;
      continue;
    }
    if (!fs::exists(expected_path)) {
      std::cerr << expected_path.string() << " is missing; run with --autoupdate to create it\n" << actual;
      return 1;
    }
    std::string expected = Slurp(expected_path);
    if (expected != actual) {
      std::cerr << label << ": output differs from " << expected_path.string() << "\n--- expected\n"
                << expected << "--- actual\n"
                << actual;
      return 1;
    }
  }
  return 0;
}

int Coverage(const fs::path& root) {
  std::string all;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.path().extension() == ".expected") all += Slurp(e.path());
  int missing = 0;
  for (edict::DiagKind k : edict::AllDiagKinds()) {
    if (all.find(std::string("[") + edict::DiagName(k) + "]") == std::string::npos) {
      std::cerr << "no golden test shows the diagnostic [" << edict::DiagName(k) << "]\n";
      ++missing;
    }
  }
  for (edict::rt::RtErrorKind k : edict::rt::AllRtErrorKinds()) {
    if (all.find(std::string("[") + edict::rt::Spelling(k) + "]") == std::string::npos) {
      std::cerr << "no golden test shows the runtime error [" << edict::rt::Spelling(k) << "]\n";
      ++missing;
    }
  }
  if (missing == 0) std::cout << "every diagnostic and runtime error kind has a golden test\n";
  return missing ? 1 : 0;
}

// Extracts every ```edict block of a Markdown document and runs `edict test` on it: each block
// must be a complete file that checks and whose tests pass (one without tests must check). A
// ```json block whose info string names a file (```json file=case.json) is saved under that
// name. A ```console block is a command and its output: its first line `$ edict ARGS` runs (after
// every file is saved, in their folder) and its standard output must be the rest of the block.
int DocExamples(const std::string& edict, const fs::path& doc) {
  std::istringstream in(Slurp(doc));
  struct Block {
    int line;
    std::string kind;  // edict, json or console
    std::string name;  // of a json block
    std::string text;
  };
  std::vector<Block> blocks;
  std::string line;
  int line_no = 0;
  Block* cur = nullptr;
  while (std::getline(in, line)) {
    ++line_no;
    if (!cur) {
      Block b{line_no + 1, "", "", ""};
      if (line == "```edict")
        b.kind = "edict";
      else if (line == "```console")
        b.kind = "console";
      else if (line.rfind("```json file=", 0) == 0)
        b.kind = "json", b.name = line.substr(13);
      else
        continue;
      blocks.push_back(b);
      cur = &blocks.back();
      continue;
    }
    if (line == "```") {
      cur = nullptr;
      continue;
    }
    cur->text += line + "\n";
  }
  fs::path dir = fs::temp_directory_path() / ("edict_doc_" + std::to_string(getpid()));
  fs::create_directories(dir);
  // A block whose first line is `// file: NAME` is saved under that name, so that later blocks
  // can import or amend it. All blocks are written before any is tested.
  std::vector<fs::path> files(blocks.size());
  size_t examples = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Block& b = blocks[i];
    if (b.kind == "console") continue;
    std::string name = b.kind == "json" ? b.name : "example_line_" + std::to_string(b.line) + ".edict";
    if (b.kind == "edict" && b.text.rfind("// file: ", 0) == 0) name = b.text.substr(9, b.text.find('\n') - 9);
    files[i] = dir / name;
    std::ofstream(files[i]) << b.text;
  }
  int failed = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Block& b = blocks[i];
    if (b.kind == "json") continue;
    ++examples;
    std::string cmd;
    if (b.kind == "console") {
      size_t eol = b.text.find('\n');
      std::string first = b.text.substr(0, eol);
      if (first.rfind("$ edict ", 0) != 0) {
        ++failed;
        std::cerr << doc.string() << ":" << b.line << ": a console example must start with `$ edict `\n";
        continue;
      }
      cmd = "cd " + ShellQuote(dir.string()) + " && " + ShellQuote(edict) + " --color=never " + first.substr(8) + " >" +
            ShellQuote((dir / "out").string()) + " 2>/dev/null";
      int ignored = std::system(cmd.c_str());  // the exit code is not the point: the output is
      (void)ignored;
      std::string want = b.text.substr(eol + 1), got = Slurp(dir / "out");
      if (got != want) {
        ++failed;
        std::cerr << doc.string() << ":" << b.line << ": this example prints something else:\n" << got;
      }
      continue;
    }
    cmd = "cd " + ShellQuote(dir.string()) + " && " + ShellQuote(edict) + " --color=never test " +
          ShellQuote(files[i].filename().string()) + " >" + ShellQuote((dir / "out").string()) + " 2>&1";
    int status = std::system(cmd.c_str());
    // An example without tests (`edict test` fails: no tests found) must still check.
    if (status != 0 && Slurp(dir / "out").find(": no tests found") != std::string::npos) {
      cmd = "cd " + ShellQuote(dir.string()) + " && " + ShellQuote(edict) + " --color=never check " +
            ShellQuote(files[i].filename().string()) + " >" + ShellQuote((dir / "out").string()) + " 2>&1";
      status = std::system(cmd.c_str());
    }
    if (status != 0) {
      ++failed;
      std::cerr << doc.string() << ":" << b.line << ": this example does not pass `edict test`:\n"
                << Slurp(dir / "out");
    }
  }
  fs::remove_all(dir);
  std::cout << examples << " examples in " << doc.string() << ", " << failed << " failed\n";
  return failed || examples == 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--coverage") return Coverage(argv[2]);
  if (argc == 4 && std::string(argv[1]) == "--doc-examples")
    return DocExamples(fs::absolute(argv[2]).string(), argv[3]);
  if (argc < 3) {
    std::cerr << "usage: edict_golden EDICT TEST.edict [--autoupdate] | --coverage DIR\n";
    return 64;
  }
  bool autoupdate = argc > 3 && std::string(argv[3]) == "--autoupdate";
  if (const char* env = std::getenv("EDICT_AUTOUPDATE"); env && *env == '1') autoupdate = true;
  return RunOne(fs::absolute(argv[1]).string(), fs::absolute(argv[2]), autoupdate);
}
