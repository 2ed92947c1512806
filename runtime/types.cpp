#include "runtime/types.h"

#include <algorithm>
#include <map>

namespace edict::rt {

TypeTable::TypeTable() {
  units_.push_back({});  // dimensionless
  for (TypeKind k : {TypeKind::Error, TypeKind::Bool, TypeKind::Integer, TypeKind::Decimal, TypeKind::Date,
                     TypeKind::Duration, TypeKind::Text}) {
    types_.push_back(TypeInfo{k, 0, 0});
  }
}

TypeId TypeTable::Intern(TypeInfo info) {
  for (size_t i = 0; i < types_.size(); ++i)
    if (types_[i] == info) return TypeId(i);
  types_.push_back(info);
  return TypeId(types_.size() - 1);
}

UnitId TypeTable::InternUnit(UnitFactors f) {
  std::map<uint32_t, int> m;
  for (auto [b, e] : f) m[b] += e;
  UnitFactors norm;
  for (auto [b, e] : m)
    if (e != 0) norm.emplace_back(b, e);
  for (size_t i = 0; i < units_.size(); ++i)
    if (units_[i] == norm) return UnitId(i);
  units_.push_back(std::move(norm));
  return UnitId(units_.size() - 1);
}

UnitId TypeTable::MulUnits(UnitId a, UnitId b) {
  UnitFactors f = units_[a];
  for (auto p : units_[b]) f.push_back(p);
  return InternUnit(std::move(f));
}

UnitId TypeTable::DivUnits(UnitId a, UnitId b) {
  UnitFactors f = units_[a];
  for (auto [base, e] : units_[b]) f.emplace_back(base, -e);
  return InternUnit(std::move(f));
}

std::string TypeTable::UnitName(UnitId u) const {
  std::string num, den;
  int nden = 0;
  for (auto [b, e] : units_[u]) {
    std::string& s = e > 0 ? num : den;
    if (!s.empty()) s += "*";
    s += base_units[b].name;
    int a = e > 0 ? e : -e;
    if (a != 1) s += "^" + std::to_string(a);
    if (e < 0) ++nden;
  }
  if (den.empty()) return num;
  if (num.empty()) num = "1";
  if (nden > 1) den = "(" + den + ")";
  return num + "/" + den;
}

std::string TypeTable::Name(TypeId t) const {
  const TypeInfo& i = types_[t];
  auto with_unit = [&](const char* base) {
    std::string s = base;
    if (i.unit != 0) s += "[" + UnitName(i.unit) + "]";
    return s;
  };
  switch (i.kind) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Bool: return "bool";
    case TypeKind::Integer: return with_unit("integer");
    case TypeKind::Decimal: return with_unit("decimal");
    case TypeKind::Date: return "date";
    case TypeKind::Duration: return "duration";
    case TypeKind::Text: return "text";
    case TypeKind::Enum: return enums[i.ref].name;
    case TypeKind::Set: return "set of " + enums[i.ref].name;
    case TypeKind::Record: return records[i.ref].name;
    case TypeKind::List: return "list of " + Name(i.ref);
    case TypeKind::Sum: return enums[i.ref].name;
  }
  return "?";
}

TypeId TypeTable::Optional(TypeId t) {
  for (uint32_t e = 0; e < enums.size(); ++e)
    if (enums[e].optional_of == t) return EnumType(e);
  EnumInfo info;
  info.name = "optional " + Name(t);
  info.members = {"none", "some"};
  info.member_docs = {"", ""};
  info.sum = true;
  info.payloads = {kNoPayload, t};
  info.optional_of = t;
  enums.push_back(std::move(info));
  return EnumType(uint32_t(enums.size() - 1));
}

}  // namespace edict::rt
