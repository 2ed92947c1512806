// What every `edict` command shares, whichever folder runs it (the commands of compiler/driver/,
// the verdict diff of compiler/diff/): the process exit codes and the options common to every
// command. The exit codes (see docs/cli.md):
//   0 success; 1 a case, test or evaluation failed; 2 the program has errors;
//   3 an input file cannot be read; 64 the command line is wrong; 71 the system refused a resource
//   (a thread); 74 an output could not be written.
#pragma once
#include <string>

namespace edict {

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

}  // namespace edict
