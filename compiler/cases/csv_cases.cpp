#include "compiler/cases/csv_cases.h"

#include "runtime/text.h"

#include <algorithm>
#include <functional>
#include <map>
#include <ostream>

#include <fmt/format.h>

#include "compiler/cases/csv.h"

namespace edict::cases {

std::string CsvQuote(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;  // a CR too: unquoted, it is an error
  std::string r = "\"";
  for (char c : s) r += c == '"' ? std::string("\"\"") : std::string(1, c);
  return r + "\"";
}

// The leaves of a type, as dotted paths, for CSV columns.
void Leaves(const rt::TypeTable& types, rt::TypeId t, const std::string& prefix,
            std::vector<std::pair<std::string, rt::TypeId>>* out) {
  const auto& ti = types.info(t);
  if (ti.kind == rt::TypeKind::Record) {
    for (const auto& f : types.records[ti.ref].fields)
      Leaves(types, f.type, prefix.empty() ? f.name : prefix + "." + f.name, out);
    return;
  }
  out->emplace_back(prefix, t);
}

// Whether a type is `optional T` of a type one CSV cell holds (not a record, a list or a set).
bool CsvCases::OptionalScalar(rt::TypeId t) const {
  const auto& ti = types_->info(t);
  if (ti.kind != rt::TypeKind::Sum || !types_->enums[ti.ref].optional()) return false;
  switch (types_->kind(types_->enums[ti.ref].optional_of)) {
    case rt::TypeKind::Bool:
    case rt::TypeKind::Integer:
    case rt::TypeKind::Decimal:
    case rt::TypeKind::Date:
    case rt::TypeKind::Duration:
    case rt::TypeKind::Text:
    case rt::TypeKind::Enum: return true;
    case rt::TypeKind::Error:
    case rt::TypeKind::Set:
    case rt::TypeKind::List:
    case rt::TypeKind::Record:
    case rt::TypeKind::Sum: return false;
  }
  return false;
}

bool IsCsvPath(const std::string& path) { return path.size() > 4 && path.compare(path.size() - 4, 4, ".csv") == 0; }

namespace {

// A column name as a message shows it: control characters and the invisible U+FEFF (a byte
// order mark, which only at the very start of a file is skipped) are written as escapes.
std::string Visible(std::string_view s) { return rt::TerminalSafe(rt::Shorten(s, 80)); }

// Where a CSV error is, for a message: the column, and the line when the record spans several.
std::string Where(const csv::Error& e, uint64_t record_line) {
  if (e.line == 1) return fmt::format("at column {}", e.column);
  return fmt::format("at line {}, column {}", record_line + e.line - 1, e.column);
}

}  // namespace

bool CsvCases::SetHeader(std::string_view header, const std::string& file, std::ostream& err) {
  std::vector<std::pair<std::string, rt::TypeId>> leaves;
  for (const auto& prm : params_) Leaves(*types_, prm.type, prm.name, &leaves);
  std::vector<std::string> names;
  csv::Error e;
  if (!csv::ParseRecord(header, &names, &e)) {
    err << fmt::format("{}:{}: error: the header row, column {}: {}\n", file, e.line, e.column, e.message);
    return false;
  }
  columns_.clear();
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& col = names[i];
    if (col.empty()) {
      err << fmt::format("{}:1: error: column {} of the header row has no name\n", file, i + 1);
      return false;
    }
    for (size_t j = 0; j < i; ++j)
      if (names[j] == col) {
        err << fmt::format("{}:1: error: the column `{}` is named twice in the header row (columns {} and {})\n", file,
                           Visible(col), j + 1, i + 1);
        return false;
      }
    auto it = std::find_if(leaves.begin(), leaves.end(), [&](const auto& l) { return l.first == col; });
    bool is_input = std::any_of(params_.begin(), params_.end(), [&](const auto& p) { return p.name == col; });
    if (it == leaves.end() && !label_column_.empty() && col == label_column_ && !is_input) {
      columns_.emplace_back(col, types_->text());  // the case's label: a string at the top level
      continue;
    }
    if (it == leaves.end()) {
      std::string names_list;
      for (const auto& l : leaves) names_list += (names_list.empty() ? "`" : ", `") + l.first + "`";
      err << fmt::format("{}:1: error: unknown column `{}`; the columns are {}\n", file, Visible(col), names_list);
      return false;
    }
    if (types_->kind(it->second) == rt::TypeKind::List) {
      err << fmt::format("{}:1: error: the column `{}` is a list, which CSV cannot hold; use JSON Lines\n", file, col);
      return false;
    }
    if (types_->kind(it->second) == rt::TypeKind::Sum && !OptionalScalar(it->second)) {
      bool optional = types_->enums[types_->info(it->second).ref].optional();
      err << fmt::format(
          "{}:1: error: the column `{}` is `{}`{}, which CSV cannot hold; use JSON Lines (CSV holds an `optional` "
          "number, date, duration, text, boolean or enum member: its value, or an empty cell for none)\n",
          file, col, types_->Name(it->second), optional ? "" : ", an enum whose members may carry values");
      return false;
    }
    columns_.push_back(*it);
  }
  return true;
}

bool CsvCases::ToJson(std::string_view record, uint64_t line, std::string* json,
                      std::vector<rt::CaseIssue>* issues) const {
  std::vector<std::string> fields;
  csv::Error e;
  if (!csv::ParseRecord(record, &fields, &e)) {
    std::string column = e.field <= columns_.size() ? columns_[e.field - 1].first : "";
    issues->push_back({column, fmt::format("{}: {}", Where(e, line), e.message)});
    return false;
  }
  if (fields.size() != columns_.size()) {
    issues->push_back({"", fmt::format("the record has {} field{} but the header row has {}", fields.size(),
                                       fields.size() == 1 ? "" : "s", columns_.size())});
    return false;
  }
  std::function<std::string(const std::string&, rt::TypeId)> emit_value = [&](const std::string& text,
                                                                              rt::TypeId t) -> std::string {
    switch (types_->kind(t)) {
      case rt::TypeKind::Sum:  // an optional scalar: an empty cell is none
        if (text.empty()) return "null";
        return emit_value(text, types_->enums[types_->info(t).ref].optional_of);
      case rt::TypeKind::Integer:
      case rt::TypeKind::Decimal:  // other spellings: the decoder reads the string
        return rt::IsJsonNumber(text) ? text : rt::JsonQuote(text);
      case rt::TypeKind::Bool: return text == "true" || text == "false" ? text : rt::JsonQuote(text);
      case rt::TypeKind::Set: {
        std::string arr = "[";
        size_t start = 0;
        while (start <= text.size() && !text.empty()) {
          size_t semi = text.find(';', start);
          std::string item = text.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
          arr += (arr.size() > 1 ? "," : "") + rt::JsonQuote(item);
          if (semi == std::string::npos) break;
          start = semi + 1;
        }
        return arr + "]";
      }
      case rt::TypeKind::Error:
      case rt::TypeKind::Date:
      case rt::TypeKind::Duration:
      case rt::TypeKind::Text:
      case rt::TypeKind::Enum:
      case rt::TypeKind::Record:
      case rt::TypeKind::List: break;
    }
    return rt::JsonQuote(text);
  };
  // Build a tree of objects: path segments -> value.
  struct Node {
    std::map<std::string, Node> kids;
    std::vector<std::string> order;
    std::string value;
    bool leaf = false;
  };
  Node root;
  for (size_t i = 0; i < columns_.size(); ++i) {
    const std::string& text = fields[i];
    const auto& [path, type] = columns_[i];
    Node* n = &root;
    size_t start = 0;
    for (;;) {
      size_t dot = path.find('.', start);
      std::string seg = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (!n->kids.count(seg)) n->order.push_back(seg);
      n = &n->kids[seg];
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    n->leaf = true;
    n->value = emit_value(text, type);
  }
  std::function<std::string(const Node&)> render = [&](const Node& n) -> std::string {
    if (n.leaf) return n.value;
    std::string s = "{";
    for (size_t i = 0; i < n.order.size(); ++i)
      s += (i ? "," : "") + rt::JsonQuote(n.order[i]) + ":" + render(n.kids.at(n.order[i]));
    return s + "}";
  };
  *json = render(root);
  return true;
}

}  // namespace edict::cases
