#include "compiler/driver/csv_cases.h"

#include <algorithm>
#include <functional>
#include <map>
#include <ostream>

#include <fmt/format.h>

namespace edict::driver {

// Splits CSV text into fields (RFC 4180: quotes, doubled quotes inside quotes).
std::vector<std::string> CsvFields(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') { cur += '"'; ++i; }
      else if (c == '"') quoted = false;
      else cur += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

std::string CsvQuote(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string r = "\"";
  for (char c : s) r += c == '"' ? std::string("\"\"") : std::string(1, c);
  return r + "\"";
}

// The leaves of a type, as dotted paths, for CSV columns.
void Leaves(const rt::TypeTable& types, rt::TypeId t, const std::string& prefix, std::vector<std::pair<std::string, rt::TypeId>>* out) {
  const auto& ti = types.info(t);
  if (ti.kind == rt::TypeKind::Record) {
    for (const auto& f : types.records[ti.ref].fields) Leaves(types, f.type, prefix.empty() ? f.name : prefix + "." + f.name, out);
    return;
  }
  out->emplace_back(prefix, t);
}

bool IsCsvPath(const std::string& path) { return path.size() > 4 && path.compare(path.size() - 4, 4, ".csv") == 0; }

bool CsvCases::SetHeader(std::string_view header, const std::string& file, std::ostream& err) {
  std::vector<std::pair<std::string, rt::TypeId>> leaves;
  for (const auto& prm : params_) Leaves(*types_, prm.type, prm.name, &leaves);
  for (const auto& col : CsvFields(header)) {
    auto it = std::find_if(leaves.begin(), leaves.end(), [&](const auto& l) { return l.first == col; });
    if (it == leaves.end()) {
      std::string names;
      for (const auto& l : leaves) names += (names.empty() ? "`" : ", `") + l.first + "`";
      err << fmt::format("{}:1: error: unknown column `{}`; the columns are {}\n", file, col, names);
      return false;
    }
    if (types_->kind(it->second) == rt::TypeKind::List) {
      err << fmt::format("{}:1: error: the column `{}` is a list, which CSV cannot hold; use JSON Lines\n", file, col);
      return false;
    }
    columns_.push_back(*it);
  }
  return true;
}

std::string CsvCases::ToJson(std::string_view line) const {
  auto fields = CsvFields(line);
  auto emit_value = [&](const std::string& text, rt::TypeId t) -> std::string {
    switch (types_->kind(t)) {
      case rt::TypeKind::Integer: case rt::TypeKind::Decimal:
        if (!text.empty() && text.find_first_not_of("+-0123456789.eE_") == std::string::npos &&
            text.find('_') == std::string::npos)
          return text;
        return rt::JsonQuote(text);
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
      default: return rt::JsonQuote(text);
    }
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
    std::string text = i < fields.size() ? fields[i] : "";
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
  return render(root);
}

}  // namespace edict::driver
