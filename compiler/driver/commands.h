// The `edict` commands. Each returns the process exit code (ExitCode, compiler/base/command.h).
#pragma once
#include <string>
#include <vector>

#include "compiler/base/command.h"
#include "compiler/doc/doc.h"
#include "compiler/ir/ir.h"

namespace edict::load {
struct Program;
}

namespace edict::driver {

// The files `paths` name: each file as given, and the `.edict` and `.edict.md` files under each folder (searched
// recursively, in sorted order). False, after saying so on standard error, when a folder could
// not be read whole.
bool EdictFiles(const std::vector<std::string>& paths, std::vector<std::string>* files);

// Loads and checks `files` as one program; on errors reports them (diagnostics as `c` asks) and
// returns false.
bool LoadOrReport(const Common& c, const std::vector<std::string>& files, load::Program& p);
// The version selected by --as-of (the root file's version without it); -1 after reporting.
int SelectVersion(const load::Program& p, const std::string& as_of);

int RunCheck(const Common& c, const std::vector<std::string>& files);

struct EvalOptions {
  std::string file;
  std::string decision;
  std::string case_file;   // one JSON object
  std::string cases_file;  // JSON Lines
  bool explain = false;
  std::string format = "text";  // text | json | html (explanations, as a page)
  std::string as_of;            // YYYY-MM-DD: evaluate the version in force on that date
};
int RunEval(const Common& c, const EvalOptions& o);

// With `coverage`, also reports for each file the rules it declares that no test made decide an
// outcome, and fails if there is one.
int RunTest(const Common& c, const std::vector<std::string>& paths, bool verbose, bool coverage = false);

int RunSchema(const Common& c, const std::string& file, const std::string& decision);

// Prints `count` generated cases (JSON Lines) for a decision's input.
int RunCases(const Common& c, const std::string& file, const std::string& decision, size_t count, uint64_t seed);

int RunDump(const Common& c, const std::string& file, const std::string& phase);

// `edict fmt`: rewrites each file (`-`: standard input to standard output) in the canonical layout;
// with `check`, changes nothing and prints a unified diff of what would change (exit 1).
int RunFormat(const Common& c, const std::vector<std::string>& paths, bool check);

// `edict doc`: the files `paths` name (folders searched as for `edict test`), each loaded and
// checked on its own, as a documentation site in o.output (compiler/doc/). Nothing is written when
// a file has errors.
int RunDoc(const Common& c, const std::vector<std::string>& paths, const doc::SiteOptions& o);

// `edict verify` (driver/verify.cpp): what Z3 proves about decisions (docs/cli.md).
struct VerifyOptions {
  std::vector<std::string> paths;  // files, or folders searched for .edict files
  std::string decision;            // empty: every decision
  std::string as_of;               // YYYY-MM-DD: only the version in force on that date
  std::string version;             // only the version of this instrument
  std::string format = "text";     // text | json
  std::string output;              // empty: standard output
  uint64_t solver_limit = 0;
  bool rules = true;
};
int RunVerify(const Common& c, const VerifyOptions& o);

}  // namespace edict::driver
