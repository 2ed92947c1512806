// Inside the verdict diff: the corpus diff (`edict diff OLD NEW --cases FILE`). Every case runs
// through both sides' engines, natively, in the case pipeline (compiler/cases/pipeline.h), with
// the provisions that decided on each side; the changes are grouped into transition classes.
// corpus.cpp evaluates; corpus_report.cpp prints; cross_check.cpp checks the classes against the
// symbolic diff (--cross-check).
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "compiler/cases/pipeline.h"
#include "compiler/diff/diff.h"
#include "compiler/diff/sides.h"
#include "runtime/value.h"

namespace edict::diff {

// What one side said about one case.
struct Verdict {
  bool ok = false;
  std::string key;  // outcome text, or "error: kind"
  rt::Value value;
  std::vector<uint32_t> deciding;  // winners; UINT32_MAX for the default
};

// A case of the corpus: its line, its label (`"id"` or --id-field; empty if none) and, for
// examples, the case as written.
struct Example {
  uint64_t line = 0;
  std::string label, text;
};

struct ClassStats {
  uint64_t count = 0;
  Verdict old_v, new_v;  // of the first case of the class
  std::vector<Example> examples;
};

// One case with both verdicts (--list-cases); `class_key` is empty when the verdict is unchanged.
struct CaseRow {
  uint64_t line = 0;
  std::string label;
  Verdict old_v, new_v;
  std::string class_key;
};

struct DiffStats : cases::ChunkExtra {
  std::unordered_map<std::string, ClassStats> classes;
  std::vector<std::string> order;  // class keys by first appearance
  std::vector<CaseRow> rows;       // every valid case, in order, with --list-cases
  uint64_t unchanged = 0, changed = 0, invalid = 0, errors_old = 0, errors_new = 0;
};

// What the corpus diff found.
struct CorpusTotals {
  DiffStats total;
  uint64_t cases = 0;  // cases read
  bool csv = false;    // the corpus is CSV (its example cases are its records as JSON with text fields)
};

// Runs every case of o.cases (JSON Lines or CSV) through both sides, whose engines are compiled;
// invalid cases are reported on stderr (at most o.max_errors lines). Returns an exit code, having
// reported a failure to read the corpus.
int RunCorpus(const DiffOptions& o, Side& a, Side& b, CorpusTotals* out);
// The same over a part of the corpus o.cases (a distributed run, python/edict/dask.py): `in`
// holds whole records, the first on line `first_line` of the corpus (a CSV part starts with the
// header, on the line before), so that examples and messages give the corpus's own line numbers.
int RunCorpusPart(const DiffOptions& o, Side& a, Side& b, std::FILE* in, uint64_t first_line, CorpusTotals* out);
// Adds what a later chunk or part of the corpus found to `total`: counts summed, classes in order of
// first appearance, at most `examples` examples per class.
void MergeStats(DiffStats& total, DiffStats&& part, size_t examples);

// The report of a corpus diff in o.format: text, markdown, json or html.
std::string CorpusReport(const DiffOptions& o, const Side& a, const Side& b, const CorpusTotals& r);

// --cross-check: checks that every class of the corpus is one the symbolic diff finds, with flags
// and counts it allows; prints what it found. Returns an exit code.
int CrossCheck(const DiffOptions& o, Side& a, Side& b, const CorpusTotals& r);

}  // namespace edict::diff
