#include "compiler/cases/schema.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "compiler/ir/source_print.h"
#include "runtime/value.h"

namespace edict::cases {
namespace {

class SchemaWriter {
 public:
  explicit SchemaWriter(const rt::TypeTable& t) : t_(t) {}

  std::string Type(rt::TypeId id) {
    const auto& ti = t_.info(id);
    auto unit = [&]() {
      return ti.unit ? fmt::format(",\"x-edict-unit\":{}", rt::JsonQuote(t_.UnitName(ti.unit))) : std::string();
    };
    switch (ti.kind) {
      case rt::TypeKind::Error: return "{}";
      case rt::TypeKind::Bool: return "{\"type\":\"boolean\"}";
      case rt::TypeKind::Integer:
        return fmt::format("{{\"type\":\"integer\",\"minimum\":{},\"maximum\":{}{}}}", INT64_MIN, INT64_MAX, unit());
      case rt::TypeKind::Decimal:
        return fmt::format(
            "{{\"description\":\"an exact decimal: a JSON number, read from its text (never rounded through binary "
            "floating point), or a string such as \\\"1e26\\\"\","
            "\"type\":[\"number\",\"string\"],\"pattern\":\"^[+-]?[0-9][0-9_]*(\\\\.[0-9_]+)?([eE][+-]?[0-9]+)?$\"{}}}",
            unit());
      case rt::TypeKind::Date: return "{\"type\":\"string\",\"format\":\"date\"}";
      case rt::TypeKind::Duration:
        return "{\"type\":\"string\",\"pattern\":\"^-?[0-9]+ (day|days|month|months|year|years)$\"}";
      case rt::TypeKind::Text: return "{\"type\":\"string\"}";
      case rt::TypeKind::Enum:
        enums_.insert(ti.ref);
        return fmt::format("{{\"$ref\":\"#/$defs/{}\"}}", t_.enums[ti.ref].name);
      case rt::TypeKind::Set:
        enums_.insert(ti.ref);
        return fmt::format("{{\"type\":\"array\",\"uniqueItems\":true,\"items\":{{\"$ref\":\"#/$defs/{}\"}}}}",
                           t_.enums[ti.ref].name);
      case rt::TypeKind::List: return fmt::format("{{\"type\":\"array\",\"items\":{}}}", Type(ti.ref));
      case rt::TypeKind::Record:
        if (records_.insert(ti.ref).second) pending_.push_back(ti.ref);
        return fmt::format("{{\"$ref\":\"#/$defs/{}\"}}", t_.records[ti.ref].name);
      case rt::TypeKind::Sum: {
        const auto& en = t_.enums[ti.ref];
        // `optional T`: null (none) or a T; a field of this type may be left out (none).
        if (en.optional()) return fmt::format("{{\"anyOf\":[{{\"type\":\"null\"}},{}]}}", Type(en.optional_of));
        if (sums_.insert(ti.ref).second) pending_sums_.push_back(ti.ref);
        return fmt::format("{{\"$ref\":\"#/$defs/{}\"}}", en.name);
      }
    }
    return "{}";
  }

  // `,"x-edict-member-docs":{"member":"doc",...}` for the members (of `only`, if given) that have a
  // doc string, or nothing: an enum's members as a form or a report shows them.
  std::string MemberDocs(const rt::EnumInfo& en, const std::vector<size_t>* only = nullptr) const {
    std::string docs;
    for (size_t i = 0; i < en.members.size(); ++i) {
      if (only && std::find(only->begin(), only->end(), i) == only->end()) continue;
      if (i < en.member_docs.size() && !en.member_docs[i].empty())
        docs += fmt::format("{}{}:{}", docs.empty() ? "" : ",", rt::JsonQuote(en.members[i]),
                            rt::JsonQuote(en.member_docs[i]));
    }
    return docs.empty() ? "" : ",\"x-edict-member-docs\":{" + docs + "}";
  }

  // A sum type: the name of a member that carries no value, or {"member": value}.
  std::string Sum(uint32_t e) {
    const auto& en = t_.enums[e];
    std::string plain, alts;
    std::vector<size_t> plain_members;
    for (size_t i = 0; i < en.members.size(); ++i) {
      if (!en.HasPayload(uint32_t(i))) {
        plain += (plain.empty() ? "" : ",") + rt::JsonQuote(en.members[i]);
        plain_members.push_back(i);
        continue;
      }
      std::string m = rt::JsonQuote(en.members[i]);
      std::string doc = en.member_docs[i].empty() ? "" : ",\"description\":" + rt::JsonQuote(en.member_docs[i]);
      alts += fmt::format(
          ",{{\"type\":\"object\",\"title\":{}{},\"properties\":{{{}:{}}},\"required\":[{}],"
          "\"additionalProperties\":false}}",
          m, doc, m, Type(en.payloads[i]), m);
    }
    std::string one_of =
        plain.empty()
            ? alts.substr(1)
            : fmt::format("{{\"type\":\"string\",\"enum\":[{}]{}}}", plain, MemberDocs(en, &plain_members)) + alts;
    return fmt::format("\"title\":{}{},\"oneOf\":[{}]", rt::JsonQuote(en.name),
                       en.doc.empty() ? "" : ",\"description\":" + rt::JsonQuote(en.doc), one_of);
  }

  bool Optional(rt::TypeId id) const {
    return t_.kind(id) == rt::TypeKind::Sum && t_.enums[t_.info(id).ref].optional();
  }

  // A field's declared domain: JSON Schema bounds for numbers, and the bounds as written.
  static std::string Domain(const std::vector<rt::FieldBound>& bounds, rt::TypeKind kind) {
    std::string s, written;
    for (const auto& b : bounds) {
      written += (written.empty() ? "" : ",") + rt::JsonQuote(b.text);
      if (kind == rt::TypeKind::Date) continue;
      static const char* kKey[] = {"exclusiveMaximum", "maximum", "exclusiveMinimum", "minimum"};
      s += fmt::format(",\"{}\":{}", kKey[int(b.cmp)], b.number.ToString());
    }
    return written.empty() ? s : s + ",\"x-edict-domain\":[" + written + "]";
  }

  std::string Object(const std::vector<std::tuple<std::string, rt::TypeId, std::string>>& fields,
                     const std::string& title, const std::string& doc,
                     const std::vector<rt::FieldInfo>* infos = nullptr) {
    std::string props, req;
    for (size_t i = 0; i < fields.size(); ++i) {
      const auto& [name, type, fdoc] = fields[i];
      std::string ts = Type(type);
      if (infos && !(*infos)[i].bounds.empty())
        ts = fmt::format("{{\"allOf\":[{}]{}}}", ts, Domain((*infos)[i].bounds, t_.kind(type)));
      if (!fdoc.empty()) ts = fmt::format("{{\"description\":{},\"allOf\":[{}]}}", rt::JsonQuote(fdoc), ts);
      // A field with a declared default may be omitted: it is not required, and says its default.
      const std::string* dflt = infos && !(*infos)[i].default_json.empty() ? &(*infos)[i].default_json : nullptr;
      if (dflt) ts = fmt::format("{{\"default\":{},\"allOf\":[{}]}}", *dflt, ts);
      props += fmt::format("{}{}:{}", props.empty() ? "" : ",", rt::JsonQuote(name), ts);
      if (!Optional(type) && !dflt) req += fmt::format("{}{}", req.empty() ? "" : ",", rt::JsonQuote(name));
    }
    std::string s = fmt::format("\"type\":\"object\",\"title\":{}", rt::JsonQuote(title));
    if (!doc.empty()) s += ",\"description\":" + rt::JsonQuote(doc);
    return s + fmt::format(",\"properties\":{{{}}},\"required\":[{}],\"additionalProperties\":false", props, req);
  }

  // Per record: the invariants its values must meet, as JSON objects joined by commas.
  std::map<uint32_t, std::string> invariants;

  std::string Defs() {
    std::string defs;
    // Records and sum types, each once, until none names another not yet written.
    for (size_t i = 0, j = 0; i < pending_.size() || j < pending_sums_.size();) {
      if (j < pending_sums_.size()) {
        const auto& en = t_.enums[pending_sums_[j]];
        std::string obj = Sum(pending_sums_[j++]);
        defs += fmt::format("{}{}:{{{}}}", defs.empty() ? "" : ",", rt::JsonQuote(en.name), obj);
        continue;
      }
      const auto& r = t_.records[pending_[i]];
      std::vector<std::tuple<std::string, rt::TypeId, std::string>> fs;
      for (const auto& f : r.fields) fs.emplace_back(f.name, f.type, f.doc);
      std::string obj = Object(fs, r.name, r.doc, &r.fields);
      if (auto inv = invariants.find(pending_[i]); inv != invariants.end())
        obj += ",\"x-edict-invariants\":[" + inv->second + "]";
      defs += fmt::format("{}{}:{{{}}}", defs.empty() ? "" : ",", rt::JsonQuote(r.name), obj);
      ++i;
    }
    for (uint32_t e : enums_) {
      const auto& en = t_.enums[e];
      std::string ms;
      for (const auto& m : en.members) ms += (ms.empty() ? "" : ",") + rt::JsonQuote(m);
      defs += fmt::format("{}{}:{{\"type\":\"string\",\"title\":{}{},\"enum\":[{}]{}}}", defs.empty() ? "" : ",",
                          rt::JsonQuote(en.name), rt::JsonQuote(en.name),
                          en.doc.empty() ? "" : ",\"description\":" + rt::JsonQuote(en.doc), ms, MemberDocs(en));
    }
    return defs;
  }

 private:
  const rt::TypeTable& t_;
  std::set<uint32_t> enums_, records_, sums_;
  std::vector<uint32_t> pending_, pending_sums_;
};

}  // namespace

std::string SchemaJson(const ir::Module& m, uint32_t decision) {
  const ir::Decision& d = m.decisions[decision];
  SchemaWriter w(m.types);
  // The invariants of the decision's inputs (JSON Schema cannot state a condition across fields:
  // each is an annotation with its condition in Edict's syntax; docs/cli.md).
  std::set<uint32_t> seen;
  for (const auto& g : d.guards) {
    if (!seen.insert(g.invariant).second) continue;
    const ir::Invariant& inv = m.invariants[g.invariant];
    const ir::Def& def = m.defs[inv.def];
    ir::PrintScope scope;
    scope.names = {def.params[0].name};
    std::string& list = w.invariants[m.types.info(inv.type).ref];
    list += fmt::format("{}{{\"name\":{},\"kind\":\"{}\",\"condition\":{}", list.empty() ? "" : ",",
                        rt::JsonQuote(inv.name), inv.assumption ? "assumption" : "invariant",
                        rt::JsonQuote(def.params[0].name + ": " + ir::PrintSource(m, def.body, scope)));
    if (!inv.doc.empty()) list += ",\"description\":" + rt::JsonQuote(inv.doc);
    if (!inv.cite.empty()) list += ",\"cite\":" + rt::JsonQuote(inv.cite.cite);
    if (!inv.cite.assumption.empty()) list += ",\"assuming\":" + rt::JsonQuote(inv.cite.assumption);
    list += "}";
  }
  std::vector<std::tuple<std::string, rt::TypeId, std::string>> fields;
  for (const auto& prm : d.params) fields.emplace_back(prm.name, prm.type, "");
  std::string body =
      w.Object(fields, d.name, d.cite.empty() ? "" : "Input of the decision `" + d.name + "` (" + d.cite.cite + ")");
  std::string defs = w.Defs();  // after Object: it collects the records and enums used
  return fmt::format("{{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",{}{}}}\n", body,
                     defs.empty() ? "" : ",\"$defs\":{" + defs + "}");
}
std::string OutcomeSchemaJson(const ir::Module& m, uint32_t decision) {
  const ir::Decision& d = m.decisions[decision];
  SchemaWriter w(m.types);
  std::string type = w.Type(d.result);
  std::string defs = w.Defs();
  // The type itself, with its own keys beside `$schema` (a `$ref` beside them would be applied
  // together with them, which is what is meant).
  std::string body = type.size() > 2 ? type.substr(1, type.size() - 2) : "";
  std::string title =
      d.cite.empty()
          ? ""
          : "\"description\":" + rt::JsonQuote("Outcome of the decision `" + d.name + "` (" + d.cite.cite + ")") + ",";
  return fmt::format("{{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",{}{}{}}}\n", title, body,
                     defs.empty() ? "" : ",\"$defs\":{" + defs + "}");
}
}  // namespace edict::cases
