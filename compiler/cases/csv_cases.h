// Cases as CSV: one column per leaf of the decision's parameters, named by dotted path
// (`t.item.tpp`), sets as `a;b;c`, an `optional` number, date, text, boolean or enum member as
// its value or an empty cell (none). The CSV is read by RFC 4180 (compiler/cases/csv.h). Each
// record becomes the JSON object the case decoder reads (numbers and booleans as their text, which
// the decoder reads in its text mode), so CSV and JSON Lines cases are checked alike. Used by
// `edict batch` and `edict diff`.
#pragma once
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/case_json.h"
#include "runtime/types.h"
#include "runtime/value.h"

namespace edict::cases {

// Quotes a field when it needs it (a comma, a quote, a line feed or a carriage return in it).
std::string CsvQuote(const std::string& s);
// The leaves of a type, as dotted paths under prefix.
void Leaves(const rt::TypeTable& types, rt::TypeId t, const std::string& prefix,
            std::vector<std::pair<std::string, rt::TypeId>>* out);
// Whether a cases file is CSV by its name.
bool IsCsvPath(const std::string& path);

class CsvCases {
 public:
  void Bind(const rt::TypeTable* types, std::vector<rt::CaseParam> params) {
    types_ = types;
    params_ = std::move(params);
  }
  // A column that labels a case rather than giving an input (`id`, as CaseDecoder::SetLabelKey):
  // written into the JSON object as a top-level string. Ignored when an input has that name.
  void SetLabelColumn(std::string name) { label_column_ = std::move(name); }
  // Reads the header record; on a malformed header, an empty, unknown, repeated or list column,
  // or one of a sum type other than an optional scalar,
  // reports `file:1: error: ...` and fails.
  bool SetHeader(std::string_view header, const std::string& file, std::ostream& err);
  // A data record (starting on `line`) as a JSON object for a decoder in text mode
  // (CaseDecoder::SetTextScalars); false with an issue when the record is malformed or does not
  // have one field per column.
  bool ToJson(std::string_view record, uint64_t line, std::string* json, std::vector<rt::CaseIssue>* issues) const;

 private:
  const rt::TypeTable* types_ = nullptr;
  std::vector<rt::CaseParam> params_;
  std::vector<std::pair<std::string, rt::TypeId>> columns_;
  std::string label_column_;
  bool OptionalScalar(rt::TypeId t) const;
};

}  // namespace edict::cases
