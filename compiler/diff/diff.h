// The verdict diff between two versions of a regulation.
//
// Corpus mode (`edict diff OLD NEW --cases FILE`): every case through both versions, natively,
// with the provisions that decided on each side; changes grouped into transition classes.
// `edict explain --diff OLD NEW --case FILE` aligns the two explanations of one case.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/base/command.h"
#include "compiler/base/limits.h"
#include "runtime/case_json.h"

namespace edict::load {
struct Program;
}

namespace edict::diff {

struct DiffOptions {
  std::string old_file;  // with new_file empty: old_file's version against its base
  std::string new_file;
  std::string decision;
  std::string cases;                                     // JSON Lines or CSV (- for stdin)
  std::string input_format = "auto";                     // auto (by extension), jsonl, csv
  std::string format = "text";                           // text, markdown, json
  std::string output;                                    // empty: stdout
  size_t examples = 3;                                   // example cases per transition class
  size_t max_conjunctions = 6;                           // symbolic: conjunctions listed per region (0: all of them)
  uint64_t solver_limit = limits::kSymbolicSolverLimit;  // symbolic: Z3's resources per step (0: none)
  int threads = 0;
  bool progress = true;
  bool cross_check = false;     // with cases: check that every corpus class is a symbolic one
  uint64_t max_errors = 100;    // with cases: error lines on stderr (0: every one)
  std::string id_field = "id";  // with cases: the top-level key (CSV: column) that labels a case
  bool list_cases = false;      // with cases: list every case with both verdicts, unchanged ones too
  bool sample = false;          // with cases: the corpus is a sample, so shares of it mean something
  std::string witnesses;        // symbolic: write each class's witness here (JSON Lines)
};

int RunDiff(const Common& c, const DiffOptions& o);

struct ExplainDiffOptions {
  std::string old_file, new_file, decision, case_file;
};

int RunExplainDiff(const Common& c, const ExplainDiffOptions& o);

// One case explained under two versions (of one program or two), as `edict explain --diff` prints
// it, and its pieces for a caller that sets them out itself (`edict serve`). Evaluated by the
// interpreter.
struct CaseDiffExplanation {
  std::string error;                  // a side has no such decision: nothing else is set
  std::vector<rt::CaseIssue> issues;  // the case does not fit a side's input: nothing else is set
  std::string label[2];               // each version's label: name, title, citation, effective date
  std::string outcome[2];             // as `edict eval` prints it, or `error [kind]: message`
  struct Difference {
    std::string rule, old_status, new_status;  // the first is the first provision where they part
  };
  std::vector<Difference> differences;  // the rules whose effect differs, in declaration order
  std::string explanation[2];           // each side's explanation (interp::ExplainText)
  std::string text;                     // the whole report of `edict explain --diff`
};
CaseDiffExplanation ExplainCaseDiff(const load::Program& old_program, int old_version, const load::Program& new_program,
                                    int new_version, const std::string& decision, std::string_view case_text,
                                    const std::string& case_label);

}  // namespace edict::diff
