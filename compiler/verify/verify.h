// `edict verify`: what Z3 proves about one decision within its declared input domains and
// invariants (compiler/smt/verify.h asks), each finding's witness replayed on the interpreter, and
// the findings worded for a legal engineer (text) or a tool (JSON). The command (compiler/driver/
// verify.cpp) and the language server (compiler/lsp/) both use it. docs/cli.md gives the JSON schema.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/ir/ir.h"

namespace edict::verify {

enum class Severity : uint8_t { Error, Warning, Note };
const char* SeverityName(Severity s);

struct Finding {
  Severity severity = Severity::Error;
  // A runtime error's spelling (conflict, no_applicable_rule, overflow ...), or never_applies,
  // always_overridden, no_effect, redundant, unknown (Z3 could not tell within its limit),
  // unsupported (the encoding does not cover a construct), empty_domain.
  std::string kind;
  std::string message;  // one or two sentences for a legal engineer
  SourceRange range;    // the rule, or where the interpreter raised the error on the witness
  std::string where;    // range as file:line:col
  struct Rule {
    std::string name, cite, where;
    SourceRange range;
  };
  std::vector<Rule> rules;  // the rules concerned, with their provisions
  std::string witness;      // the decision's arguments as a JSON object (a case file); empty: none
  std::string replay;       // what the interpreter gave on the witness
  bool replayed = false;    // the interpreter gave what Z3 predicts
};

struct DecisionReport {
  std::string decision, version;  // version: the instrument's name (empty for a file without one)
  std::string file;               // the file that declares the decision (or its amendment)
  uint32_t index = 0;             // in the module
  std::vector<Finding> findings;
  std::vector<std::string> proved;  // the runtime errors proved unreachable (their spellings)
  double seconds = 0;
  bool errors() const;  // a reachable runtime error (or a witness that did not replay): exit 1
};

struct Options {
  uint64_t solver_limit = 0;  // Z3's resources per question (0: none)
  bool rules = true;          // ask the questions about rules too (not only the runtime errors)
};

// Verifies decision `decision` of m (the witnesses replayed on the interpreter).
DecisionReport VerifyDecision(const ir::Module& m, const SourceManager& sources, uint32_t decision, const Options& o);

// Every file's reports, printed.
struct FileReport {
  std::string file;
  std::vector<DecisionReport> decisions;
};
std::string Text(const std::vector<FileReport>& files);
std::string Json(const std::vector<FileReport>& files);

}  // namespace edict::verify
