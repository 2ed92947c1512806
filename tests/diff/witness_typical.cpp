// Whether the symbolic diff's witnesses keep the typical case's values wherever their class allows
// (docs/diff.md, "a witness"): every value a witness has unlike the typical case must be needed by
// its class, so setting that one value back to the typical one must leave the class.
//   witness_typical variants REPORT.json            > variants.jsonl
//   witness_typical check REPORT.json CORPUS.json
// `variants` writes, for every class and every path of its `unlike_typical`, the witness with that
// path set to the typical case's value, labelled "class N: path". `check` reads the corpus diff of
// those variants (`edict diff OLD NEW --cases variants.jsonl --list-cases --format json`) and
// fails if a variant is still in its class: the same deciding rules and the same booleans, enum
// members and texts of the outcome on both sides (a variant that is invalid or fails has left it).
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace {

using simdjson::ondemand::object;
using simdjson::ondemand::value;

// A value's JSON text, as it is in the document (consumed).
template <class V>
std::string_view Raw(V&& v) {
  return simdjson::to_json_string(v).value();
}

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> parts;
  for (size_t at = 0;;) {
    size_t dot = path.find('.', at);
    parts.emplace_back(path.substr(at, dot == std::string_view::npos ? std::string_view::npos : dot - at));
    if (dot == std::string_view::npos) return parts;
    at = dot + 1;
  }
}

// The object `o` as JSON with the member at `path` (from index i) replaced by `with`.
std::string Replace(object o, const std::vector<std::string>& path, size_t i, const std::string& with) {
  std::string out = "{";
  for (auto field : o) {
    std::string_view key = field.unescaped_key().value();
    value v = field.value().value();
    out += (out.size() > 1 ? "," : "") + std::string("\"") + std::string(key) + "\":";
    if (key == path[i])
      out += i + 1 == path.size() ? with : Replace(v.get_object().value(), path, i + 1, with);
    else
      out += std::string(Raw(v));
  }
  return out + "}";
}

// A verdict's class key: its error, or the deciding rules and the outcome's booleans, enum members
// and texts (numbers and sets do not name a class).
std::string Key(value verdict) {
  std::string key;
  object v = verdict.get_object().value();
  for (auto field : v) {
    std::string_view k = field.unescaped_key().value();
    value x = field.value().value();
    if (k == "error") {
      if (!x.is_null()) key += "error " + std::string(Raw(x));
    } else if (k == "outcome") {
      if (x.type().value() != simdjson::ondemand::json_type::object) continue;
      for (auto range = x.get_object().value(); auto f : range) {
        std::string_view name = f.unescaped_key().value();
        value fv = f.value().value();
        auto t = fv.type().value();
        if (t == simdjson::ondemand::json_type::string || t == simdjson::ondemand::json_type::boolean)
          key += std::string(name) + "=" + std::string(Raw(fv)) + ";";
        else
          Raw(fv);  // skipped
      }
    } else if (k == "provisions") {
      for (auto range = x.get_array().value(); auto p : range) {
        std::string_view rule = p.get_object().value()["rule"].get_string().value();
        key += "rule " + std::string(rule) + ";";
      }
    } else {
      Raw(x);
    }
  }
  return key;
}

struct Variant {
  std::string label, witness;
};

int Variants(const char* report) {
  simdjson::padded_string json = simdjson::padded_string::load(report).value();
  simdjson::ondemand::parser parser;
  auto doc = parser.iterate(json).value();
  // The typical case's values by path (read first: on-demand reads forward).
  std::string typical_case;
  std::vector<std::pair<std::string, std::string>> classes;  // number, witness-with-paths JSON
  std::vector<std::vector<std::string>> paths;
  for (auto range = doc.get_object().value(); auto field : range) {
    std::string_view key = field.unescaped_key().value();
    value v = field.value().value();
    if (key == "typical") {
      if (v.is_null()) {
        std::fprintf(stderr, "the report has no typical case\n");
        return 1;
      }
      typical_case = std::string(Raw(v.get_object().value()["case"]));
    } else if (key == "classes") {
      for (auto range = v.get_array().value(); auto k : range) {
        std::string number, witness;
        std::vector<std::string> ps;
        for (auto range = k.get_object().value(); auto f : range) {
          std::string_view kk = f.unescaped_key().value();
          value fv = f.value().value();
          if (kk == "number")
            number = std::to_string(int64_t(fv.get_int64().value()));
          else if (kk == "witness")
            witness = std::string(Raw(fv));
          else if (kk == "unlike_typical" && !fv.is_null())
            for (auto range = fv.get_array().value(); auto u : range)
              ps.emplace_back(u.get_object().value()["path"].get_string().value());
          else
            Raw(fv);
        }
        classes.emplace_back(number, witness);
        paths.push_back(std::move(ps));
      }
    } else {
      Raw(v);
    }
  }
  if (typical_case.empty()) {
    std::fprintf(stderr, "the report has no typical case\n");
    return 1;
  }
  size_t n = 0;
  for (size_t c = 0; c < classes.size(); ++c) {
    for (const std::string& p : paths[c]) {
      // Paths are relative to the decision's one parameter, or start with the parameter's name.
      simdjson::padded_string w(classes[c].second), t(typical_case);
      simdjson::ondemand::parser pw, pt;
      auto wdoc = pw.iterate(w).value();
      object wo = wdoc.get_object().value();
      std::string param;
      for (auto f : wo) {
        param = std::string(f.unescaped_key().value());
        Raw(f.value().value());
      }
      std::vector<std::string> parts = Split(p);
      if (parts[0] != param) parts.insert(parts.begin(), param);
      std::string pointer;
      for (const std::string& part : parts) pointer += "/" + part;
      auto tdoc = pt.iterate(t).value();
      auto at = tdoc.at_pointer(pointer);
      if (at.error()) {
        std::fprintf(stderr, "class %s: the typical case has no %s\n", classes[c].first.c_str(), p.c_str());
        return 1;
      }
      std::string typical_value(Raw(at));
      simdjson::ondemand::parser pw2;
      auto wdoc2 = pw2.iterate(w).value();
      std::string variant = Replace(wdoc2.get_object().value(), parts, 0, typical_value);
      std::printf("{\"id\":\"class %s: %s\",%s\n", classes[c].first.c_str(), p.c_str(), variant.c_str() + 1);
      ++n;
    }
  }
  std::fprintf(stderr, "%zu classes, %zu values unlike the typical case\n", classes.size(), n);
  return n == 0 ? 1 : 0;
}

int Check(const char* report, const char* corpus) {
  // Each class's key, from the symbolic report.
  std::map<std::string, std::string> class_key;  // number -> key
  {
    simdjson::padded_string json = simdjson::padded_string::load(report).value();
    simdjson::ondemand::parser parser;
    auto doc = parser.iterate(json).value();
    for (auto range = doc["classes"].get_array().value(); auto k : range) {
      std::string number, key;
      for (auto range = k.get_object().value(); auto f : range) {
        std::string_view kk = f.unescaped_key().value();
        value fv = f.value().value();
        if (kk == "number")
          number = std::to_string(int64_t(fv.get_int64().value()));
        else if (kk == "old" || kk == "new")
          key += std::string(kk) + ": " + Key(fv) + " | ";
        else
          Raw(fv);
      }
      class_key[number] = key;
    }
  }
  simdjson::padded_string json = simdjson::padded_string::load(corpus).value();
  simdjson::ondemand::parser parser;
  auto doc = parser.iterate(json).value();
  size_t rows = 0, stayed = 0;
  size_t variants = size_t(int64_t(doc["corpus"]["cases"].get_int64().value()));
  for (auto range = doc["cases"].get_array().value(); auto row : range) {
    std::string label, key;
    bool changed = false;
    for (auto range = row.get_object().value(); auto f : range) {
      std::string_view kk = f.unescaped_key().value();
      value fv = f.value().value();
      if (kk == "label")
        label = std::string(fv.get_string().value());
      else if (kk == "class")
        changed = !fv.is_null();  // null: the verdict stands, no class
      else if (kk == "old" || kk == "new")
        key += std::string(kk) + ": " + Key(fv) + " | ";
      else
        Raw(fv);
    }
    ++rows;
    std::string number = label.substr(6, label.find(':') - 6);  // "class N: path"
    if (changed && class_key.count(number) && class_key[number] == key) {
      std::printf("FAIL: %s: the witness with this typical value is still in its class\n", label.c_str());
      ++stayed;
    }
  }
  // The variants the corpus diff did not decide broke an invariant: the typical value does not fit
  // with the witness's others (an invariant ties them), which the class needs too.
  std::printf(
      "%zu values unlike the typical case: %zu set back leave their class (%zu break an invariant), %zu do not\n",
      variants, variants - stayed, variants - rows, stayed);
  return rows > 0 && stayed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view mode = argc > 1 ? argv[1] : "";
  if (mode == "variants" && argc == 3) return Variants(argv[2]);
  if (mode == "check" && argc == 4) return Check(argv[2], argv[3]);
  std::fprintf(stderr, "usage: witness_typical variants REPORT.json | check REPORT.json CORPUS.json\n");
  return 64;
}
