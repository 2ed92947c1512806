// ir::Describe: a value in one sentence, as a `describe T: "..."` template says; and the message
// of a value that breaks an invariant.
#include <string>

#include "compiler/ir/ir.h"

namespace edict::ir {
namespace {

// "1234567.25" -> "1,234,567.25"; a fraction ("1/3") or an exponent is left as it is.
std::string Grouped(std::string s) {
  if (s.find_first_of("/eE") != std::string::npos) return s;
  size_t start = s.empty() || s[0] != '-' ? 0 : 1;
  size_t end = s.find('.');
  if (end == std::string::npos) end = s.size();
  for (size_t i = end; i > start + 3; i -= 3) s.insert(i - 3, ",");
  return s;
}

std::string Piece(const Module& m, rt::TypeId t, const rt::Value& v, bool doc) {
  const rt::TypeInfo& ti = m.types.info(t);
  switch (ti.kind) {
    case rt::TypeKind::Integer: return Grouped(std::to_string(v.AsInt()));
    case rt::TypeKind::Decimal: return Grouped(v.AsDec().ToString());
    case rt::TypeKind::Bool: return v.AsBool() ? "yes" : "no";
    case rt::TypeKind::Text: return v.AsText();
    case rt::TypeKind::Enum: {
      const rt::EnumInfo& e = m.types.enums[ti.ref];
      uint32_t i = v.AsEnum().index;
      if (doc && i < e.member_docs.size() && !e.member_docs[i].empty()) return e.member_docs[i];
      std::string name = e.members[i];
      for (char& c : name)
        if (c == '_') c = ' ';
      return name;
    }
    case rt::TypeKind::Error:
    case rt::TypeKind::Date:
    case rt::TypeKind::Duration:
    case rt::TypeKind::Set:
    case rt::TypeKind::List:
    case rt::TypeKind::Record:
    case rt::TypeKind::Sum: break;
  }
  // A date, a duration (sets, lists, records and sums are not allowed in templates).
  std::string s = rt::FormatValue(v, t, m.types);
  return s;
}

}  // namespace

std::string Describe(const Module& m, const Description& d, const rt::Value& v) {
  std::string out;
  for (const DescriptionPiece& p : d.pieces) {
    if (p.path.empty()) {
      out += p.text;
      continue;
    }
    const rt::Value* at = &v;
    rt::TypeId t = d.type;
    for (uint32_t f : p.path) {
      at = &(*at->AsRecord().fields)[f];
      t = m.types.records[m.types.info(t).ref].fields[f].type;
    }
    out += Piece(m, t, *at, p.doc);
  }
  return out;
}

std::string ReadableValue(const Module& m, rt::TypeId t, const rt::Value& v) {
  const rt::TypeInfo& ti = m.types.info(t);
  switch (ti.kind) {
    case rt::TypeKind::Integer:
    case rt::TypeKind::Decimal:
      return Piece(m, t, v, false) + (ti.unit ? " " + m.types.UnitName(ti.unit) : std::string());
    case rt::TypeKind::Bool:
    case rt::TypeKind::Text:
    case rt::TypeKind::Enum:
    case rt::TypeKind::Date:
    case rt::TypeKind::Duration: return rt::FormatValue(v, t, m.types);
    case rt::TypeKind::Error:
    case rt::TypeKind::Set:
    case rt::TypeKind::List:
    case rt::TypeKind::Record:
    case rt::TypeKind::Sum: break;
  }
  return "";
}

std::string BrokenInvariantMessage(const Invariant& inv, const std::string& path) {
  std::string s = "`" + path + "` breaks the " + (inv.assumption ? "assumption" : "invariant") + " `" + inv.name + "`";
  if (!inv.doc.empty()) s += ": " + inv.doc;
  if (!inv.cite.empty()) s += " (" + inv.cite.cite + ")";
  return s;
}

std::string FailedAssertionMessage(const Decision& d, const Assertion& a) {
  std::string s = "an assertion of `" + d.name + "` does not hold";
  if (!a.text.empty()) s += ": " + a.text;
  if (!a.cite.empty()) s += " (" + a.cite.cite + ")";
  if (!a.source.empty()) s += ": `" + a.source + "` is false";
  return s;
}

}  // namespace edict::ir
