#include "compiler/diff/diff.h"

#include <future>
#include <iostream>
#include <memory>

#include "compiler/diff/corpus.h"
#include "compiler/diff/sides.h"
#include "compiler/diff/symbolic.h"
#include "compiler/load/load.h"

namespace edict::diff {

int RunDiff(const Common& c, const DiffOptions& o) {
  std::unique_ptr<load::Program> programs[2];
  Side a, b;
  if (!o.cases.empty() && !o.witnesses.empty()) {
    std::cerr << "error: --witnesses is for the symbolic diff (without --cases): a corpus report shows its example "
                 "lines\n";
    return kUsage;
  }
  if (o.cases.empty()) {
    // The symbolic diff needs the engines only to replay its witnesses: they compile on their own
    // thread while Z3 enumerates the classes.
    if (!LoadSides(c, o.old_file, o.new_file, o.decision, programs, &a, &b)) return kCompileError;
    std::future<int> compiled = std::async(std::launch::async, [&] { return CompileSides(&a, &b); });
    return RunSymbolic(o, a, b, nullptr, [&] { return compiled.get(); });
  }
  if (int rc = LoadAndCompile(c, o.old_file, o.new_file, o.decision, programs, &a, &b); rc != kOk) return rc;
  CorpusTotals corpus;
  if (int rc = RunCorpus(o, a, b, &corpus); rc != kOk) return rc;
  if (o.cross_check) return CrossCheck(o, a, b, corpus);
  if (!WriteReport(CorpusReport(o, a, b, corpus), o.output, o.format)) return kOutputError;
  return corpus.total.invalid ? kFailed : kOk;
}

}  // namespace edict::diff
