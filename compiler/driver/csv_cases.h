// Cases as CSV: one column per leaf of the decision's parameters, named by dotted path
// (`t.item.tpp`), sets as `a;b;c`. Each row becomes the JSON object the case decoder reads, so
// CSV and JSON Lines cases are checked alike. Used by `edict batch` and `edict diff`.
#pragma once
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/case_json.h"
#include "runtime/types.h"
#include "runtime/value.h"

namespace edict::driver {

// Splits one CSV line into fields (RFC 4180: quotes, doubled quotes inside quotes).
std::vector<std::string> CsvFields(std::string_view line);
// Quotes a field when it needs it.
std::string CsvQuote(const std::string& s);
// The leaves of a type, as dotted paths under prefix.
void Leaves(const rt::TypeTable& types, rt::TypeId t, const std::string& prefix, std::vector<std::pair<std::string, rt::TypeId>>* out);
// Whether a cases file is CSV by its name.
bool IsCsvPath(const std::string& path);

class CsvCases {
 public:
  void Bind(const rt::TypeTable* types, std::vector<rt::CaseParam> params) {
    types_ = types;
    params_ = std::move(params);
  }
  // Reads the header row; on an unknown or list column, reports `file:1: error: ...` and fails.
  bool SetHeader(std::string_view header, const std::string& file, std::ostream& err);
  // A data row as a JSON object.
  std::string ToJson(std::string_view line) const;

 private:
  const rt::TypeTable* types_ = nullptr;
  std::vector<rt::CaseParam> params_;
  std::vector<std::pair<std::string, rt::TypeId>> columns_;
};

}  // namespace edict::driver
