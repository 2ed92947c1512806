// Fuzz target `case_csv`: a CSV text (a header row, then one case per row) read as `edict batch`
// and `edict diff` read CSV cases (compiler/driver/csv_cases.*), for the inputs of the fixed
// decisions of case_targets.h. Each row becomes a JSON case that goes through CheckCase (the two
// decodings agree, problems are named, accepted cases evaluate). Besides:
// - a rejected header is reported (a message naming the file and line 1);
// - an accepted row, written back as CSV (every leaf as text, CsvQuote) under a header of every
//   column, reads back as the same case;
// - quoting round-trips: CsvFields(CsvQuote(f) joined by commas) gives back the fields f.
#include <sstream>

#include "compiler/driver/csv_cases.h"
#include "tests/fuzz/case_targets.h"
#include "tests/fuzz/fuzz_support.h"

using namespace edict;

namespace {

void CheckQuoting(std::string_view row) {
  std::vector<std::string> fields = driver::CsvFields(row);
  std::string joined = fuzz::CsvJoin(fields);
  if (driver::CsvFields(joined) != fields) fuzz::Fail("CsvQuote does not round-trip through CsvFields: " + joined);
}

// The rows of a text as the batch pipeline cuts them: lines, without a final CR, blank ones skipped.
std::vector<std::string_view> Rows(std::string_view text) {
  std::vector<std::string_view> rows;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view row = text.substr(pos, end - pos);
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    pos = end + 1;
    rows.push_back(row);
  }
  return rows;
}

void Run(fuzz::CaseTarget& t, std::string_view text) {
  std::vector<std::string_view> rows = Rows(text);
  if (rows.empty()) return;
  driver::CsvCases csv;
  csv.Bind(&t.types(), t.params);
  std::ostringstream err;
  if (!csv.SetHeader(rows[0], "fuzz.csv", err)) {
    if (err.str().rfind("fuzz.csv:1: error: ", 0) != 0) fuzz::Fail(t.name + ": a rejected header without its message: " + err.str());
    return;
  }
  // Every column, for writing accepted cases back.
  driver::CsvCases all;
  all.Bind(&t.types(), t.params);
  std::ostringstream all_err;
  bool can_write_back = all.SetHeader(fuzz::CsvHeader(t), "all.csv", all_err);  // false: a list input (no CSV)
  for (size_t i = 1; i < rows.size(); ++i) {
    CheckQuoting(rows[i]);
    if (rows[i].find_first_not_of(" \t") == std::string_view::npos) continue;
    std::vector<rt::Value> args = fuzz::CheckCase(t, csv.ToJson(rows[i]));
    if (args.empty() || !can_write_back) continue;
    std::string row = fuzz::CsvRow(t, args);
    rt::DecodedCase back = t.decoder->Decode(all.ToJson(row));
    if (!back.issues.empty())
      fuzz::Fail(t.name + ": an accepted row written back is rejected: " + back.issues[0].field + ": " + back.issues[0].message + "\n  " + row);
    if (!fuzz::SameArgs(back.args, args)) fuzz::Fail(t.name + ": an accepted row written back reads differently:\n  " + row);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::CaseTargets();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto& t : fuzz::CaseTargets()) Run(*t, text);
  return 0;
}
