#include "runtime/case_json.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <set>

namespace edict::rt {

namespace od = simdjson::ondemand;

struct CaseDecoder::Impl {
  const TypeTable& types;
  std::vector<CaseParam> params;
  od::parser parser;
  std::vector<CaseIssue>* issues = nullptr;

  Impl(const TypeTable& t, std::vector<CaseParam> p) : types(t), params(std::move(p)) {}

  void Issue(const std::string& path, std::string msg) { issues->push_back({path, std::move(msg)}); }

  static std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
    return s;
  }

  static const char* JsonTypeName(od::json_type t) {
    switch (t) {
      case od::json_type::array: return "an array";
      case od::json_type::object: return "an object";
      case od::json_type::number: return "a number";
      case od::json_type::string: return "a string";
      case od::json_type::boolean: return "a boolean";
      case od::json_type::null: return "null";
    }
    return "a value";
  }

  // Reads a value of type t; false (with an issue recorded) when it does not fit.
  bool Read(od::value v, TypeId t, const std::string& path, Value* out) {
    const TypeInfo& ti = types.info(t);
    od::json_type jt;
    if (v.type().get(jt)) { Issue(path, "not valid JSON"); return false; }
    if (jt == od::json_type::null && Trim(v.raw_json_token()).substr(0, 4) != "null") {
      Issue(path, "not valid JSON");
      return false;
    }
    auto expect = [&](od::json_type want, const std::string& what) {
      if (jt == want) return true;
      Issue(path, fmt::format("expected {}, found {}", what, JsonTypeName(jt)));
      return false;
    };
    switch (ti.kind) {
      case TypeKind::Error: return false;
      case TypeKind::Bool: {
        if (!expect(od::json_type::boolean, "true or false")) return false;
        bool b;
        if (v.get_bool().get(b)) { Issue(path, "expected true or false"); return false; }
        *out = b;
        return true;
      }
      case TypeKind::Integer:
      case TypeKind::Decimal: {
        std::string_view raw;
        std::string owned;
        std::string what = ti.kind == TypeKind::Integer ? "a whole number" : "a number";
        if (ti.unit) what += " (in " + types.UnitName(ti.unit) + ")";
        if (jt == od::json_type::string && ti.kind == TypeKind::Decimal) {
          std::string_view s;
          if (v.get_string().get(s)) { Issue(path, "expected " + what); return false; }
          owned = std::string(s);
          raw = owned;
        } else {
          if (!expect(od::json_type::number, what)) return false;
          raw = Trim(v.raw_json_token());
        }
        auto d = Decimal::Parse(raw);
        if (!d) { Issue(path, fmt::format("expected {}, found `{}`", what, raw)); return false; }
        if (ti.kind == TypeKind::Decimal) { *out = *d; return true; }
        if (!d->IsInteger()) { Issue(path, fmt::format("expected {}, found `{}`", what, raw)); return false; }
        if (d->num() > INT64_MAX || d->num() < INT64_MIN) {
          Issue(path, fmt::format("`{}` is out of the range of integer (64-bit)", raw));
          return false;
        }
        *out = int64_t(d->num());
        return true;
      }
      case TypeKind::Date: {
        if (!expect(od::json_type::string, "a date \"YYYY-MM-DD\"")) return false;
        std::string_view s;
        if (v.get_string().get(s)) { Issue(path, "not a valid JSON string"); return false; }
        auto d = ParseDate(s);
        if (!d) { Issue(path, fmt::format("expected a date \"YYYY-MM-DD\", found \"{}\"", s)); return false; }
        *out = *d;
        return true;
      }
      case TypeKind::Duration: {
        if (!expect(od::json_type::string, "a duration such as \"30 days\"")) return false;
        std::string_view s;
        if (v.get_string().get(s)) { Issue(path, "not a valid JSON string"); return false; }
        Duration dur;
        if (!ParseDuration(s, &dur)) {
          Issue(path, fmt::format("expected a duration such as \"30 days\" or \"2 months\", found \"{}\"", s));
          return false;
        }
        *out = dur;
        return true;
      }
      case TypeKind::Text: {
        if (!expect(od::json_type::string, "a string")) return false;
        std::string_view s;
        if (v.get_string().get(s)) { Issue(path, "not a valid JSON string"); return false; }
        *out = MakeText(std::string(s));
        return true;
      }
      case TypeKind::Enum: {
        const EnumInfo& e = types.enums[ti.ref];
        if (!expect(od::json_type::string, "a " + e.name + " name")) return false;
        std::string_view s;
        if (v.get_string().get(s)) { Issue(path, "not a valid JSON string"); return false; }
        int idx = MemberIndex(e, s);
        if (idx < 0) { Issue(path, fmt::format("\"{}\" is not a {}", s, e.name)); return false; }
        *out = EnumValue{ti.ref, uint32_t(idx)};
        return true;
      }
      case TypeKind::Set: {
        const EnumInfo& e = types.enums[ti.ref];
        if (!expect(od::json_type::array, "an array of " + e.name + " names")) return false;
        od::array arr;
        if (v.get_array().get(arr)) { Issue(path, "expected an array"); return false; }
        std::vector<uint32_t> members;
        bool ok = true;
        size_t i = 0;
        for (auto el : arr) {
          od::value ev;
          std::string ep = fmt::format("{}[{}]", path, i++);
          std::string_view s;
          if (el.get(ev) || ev.get_string().get(s)) { Issue(ep, "expected a " + e.name + " name"); ok = false; continue; }
          int idx = MemberIndex(e, s);
          if (idx < 0) { Issue(ep, fmt::format("\"{}\" is not a {}", s, e.name)); ok = false; continue; }
          members.push_back(uint32_t(idx));
        }
        if (ok) *out = MakeSet(ti.ref, e.members.size(), members);
        return ok;
      }
      case TypeKind::List: {
        if (!expect(od::json_type::array, "an array")) return false;
        od::array arr;
        if (v.get_array().get(arr)) { Issue(path, "expected an array"); return false; }
        std::vector<Value> elems;
        bool ok = true;
        size_t i = 0;
        for (auto el : arr) {
          od::value ev;
          std::string ep = fmt::format("{}[{}]", path, i++);
          Value x;
          if (el.get(ev) || !Read(ev, ti.ref, ep, &x)) { ok = false; continue; }
          elems.push_back(std::move(x));
        }
        if (ok) *out = MakeList(std::move(elems));
        return ok;
      }
      case TypeKind::Record: {
        const RecordInfo& r = types.records[ti.ref];
        if (!expect(od::json_type::object, "an object (" + r.name + ")")) return false;
        od::object obj;
        if (v.get_object().get(obj)) { Issue(path, "expected an object"); return false; }
        std::vector<CaseParam> fields;
        for (const FieldInfo& f : r.fields) fields.push_back({f.name, f.type});
        std::vector<Value> vals;
        if (!ReadObject(obj, fields, path, &vals)) return false;
        *out = MakeRecord(ti.ref, std::move(vals));
        return true;
      }
    }
    return false;
  }

  static int MemberIndex(const EnumInfo& e, std::string_view s) {
    for (size_t i = 0; i < e.members.size(); ++i) if (e.members[i] == s) return int(i);
    return -1;
  }

  static bool ParseDuration(std::string_view s, Duration* out) {
    size_t sp = s.find(' ');
    if (sp == std::string_view::npos) return false;
    auto n = Decimal::Parse(s.substr(0, sp));
    if (!n || !n->IsInteger() || n->num() > 100000000 || n->num() < -100000000) return false;
    int64_t k = int64_t(n->num());
    std::string_view u = s.substr(sp + 1);
    if (u == "day" || u == "days") *out = Duration{0, k};
    else if (u == "month" || u == "months") *out = Duration{k, 0};
    else if (u == "year" || u == "years") *out = Duration{k * 12, 0};
    else return false;
    return true;
  }

  bool ReadObject(od::object& obj, const std::vector<CaseParam>& fields, const std::string& prefix,
                  std::vector<Value>* out) {
    out->assign(fields.size(), Value{});
    std::vector<bool> seen(fields.size(), false);
    bool ok = true;
    for (auto kv : obj) {
      std::string_view key;
      if (kv.unescaped_key().get(key)) { Issue(prefix, "not a valid JSON object"); return false; }
      std::string path = prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
      int idx = -1;
      for (size_t i = 0; i < fields.size(); ++i) if (fields[i].name == key) idx = int(i);
      if (idx < 0) {
        std::string names;
        for (const auto& f : fields) names += (names.empty() ? "`" : ", `") + f.name + "`";
        Issue(path, fmt::format("unknown field; expected one of {}", names));
        ok = false;
        continue;
      }
      if (seen[size_t(idx)]) { Issue(path, "given twice"); ok = false; continue; }
      seen[size_t(idx)] = true;
      od::value v;
      if (kv.value().get(v) || !Read(v, fields[size_t(idx)].type, path, &(*out)[size_t(idx)])) ok = false;
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      if (!seen[i]) {
        std::string path = prefix.empty() ? fields[i].name : prefix + "." + fields[i].name;
        Issue(path, fmt::format("missing (expected {})", types.Name(fields[i].type)));
        ok = false;
      }
    }
    return ok;
  }
};

CaseDecoder::CaseDecoder(const TypeTable& types, std::vector<CaseParam> params)
    : impl_(std::make_unique<Impl>(types, std::move(params))) {}
CaseDecoder::~CaseDecoder() = default;

DecodedCase CaseDecoder::Decode(std::string_view json) {
  DecodedCase result;
  impl_->issues = &result.issues;
  simdjson::padded_string padded(json);
  od::document doc;
  if (impl_->parser.iterate(padded).get(doc)) {
    result.issues.push_back({"", "not valid JSON"});
    return result;
  }
  od::object obj;
  if (doc.get_object().get(obj)) {
    result.issues.push_back({"", "expected a JSON object with one key per decision input"});
    return result;
  }
  bool ok = impl_->ReadObject(obj, impl_->params, "", &result.args);
  // On-demand parsing validates lazily: make sure nothing after the object is malformed.
  const char* where = nullptr;
  if (ok && doc.current_location().get(where) == simdjson::SUCCESS) result.issues.push_back({"", "trailing characters after the JSON object"});
  if (!ok && result.issues.empty()) result.issues.push_back({"", "not valid JSON"});
  if (!result.issues.empty()) result.args.clear();
  return result;
}

}  // namespace edict::rt
