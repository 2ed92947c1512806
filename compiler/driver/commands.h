// The `edict` commands. Each returns the process exit code (see docs/cli.md):
//   0 success; 1 a case, test or evaluation failed; 2 the program has errors;
//   3 an input file cannot be read; 64 the command line is wrong; 71 the system refused a resource
//   (a thread); 74 an output could not be written.
#pragma once
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace edict::driver {

enum ExitCode : int {
  kOk = 0,
  kFailed = 1,
  kCompileError = 2,
  kInputError = 3,
  kUsage = 64,
  kSystemError = 71,
  kOutputError = 74
};

struct Common {
  std::string diagnostics = "text";  // text | json
  bool color = false;
  std::string engine = "interp";  // interp | jit: which engine evaluates decisions
};

int RunCheck(const Common& c, const std::vector<std::string>& files);

struct EvalOptions {
  std::string file;
  std::string decision;
  std::string case_file;   // one JSON object
  std::string cases_file;  // JSON Lines
  bool explain = false;
  std::string format = "text";  // text | json
  std::string as_of;            // YYYY-MM-DD: evaluate the version in force on that date
};
int RunEval(const Common& c, const EvalOptions& o);

// With `coverage`, also reports for each file the rules it declares that no test made decide an
// outcome, and fails if there is one.
int RunTest(const Common& c, const std::vector<std::string>& paths, bool verbose, bool coverage = false);

int RunSchema(const Common& c, const std::string& file, const std::string& decision);
// The JSON Schema of a decision's input.
std::string SchemaJson(const ir::Module& m, uint32_t decision);

// Prints `count` generated cases (JSON Lines) for a decision's input.
int RunCases(const Common& c, const std::string& file, const std::string& decision, size_t count, uint64_t seed);

int RunDump(const Common& c, const std::string& file, const std::string& phase);

}  // namespace edict::driver
