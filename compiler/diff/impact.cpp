#include "compiler/diff/impact.h"

namespace edict::diff {

const char* ImpactName(ImpactKind k) {
  switch (k) {
    case ImpactKind::Tightened: return "tightened";
    case ImpactKind::Loosened: return "loosened";
    case ImpactKind::Mixed: return "mixed";
    case ImpactKind::Error: return "error";
    case ImpactKind::Detail: return "detail";
    case ImpactKind::Explanation: return "explanation";
  }
  return "";
}

const char* ImpactMeaning(ImpactKind k) {
  switch (k) {
    case ImpactKind::Tightened: return "the new version is stricter";
    case ImpactKind::Loosened: return "the new version is more permissive";
    case ImpactKind::Mixed: return "the verdict changes, but not in one declared direction";
    case ImpactKind::Error: return "a runtime error on one side: a defect of the encoding";
    case ImpactKind::Detail: return "the verdict stands; a detail changes";
    case ImpactKind::Explanation: return "the verdict stands; only its explanation changes";
  }
  return "";
}

ir::Impact ImpactFor(const ir::Module& m, const ir::Module& fallback, rt::TypeId t) {
  if (const ir::Impact* i = m.ImpactOf(t)) return *i;
  // The other side's declaration, for the same type (found by name: the modules differ).
  std::string name = m.types.Name(t);
  for (const auto& i : fallback.impacts)
    if (fallback.types.Name(i.type) == name && fallback.types.kind(i.type) == m.types.kind(t)) {
      ir::Impact copy = i;
      copy.type = t;
      return copy;
    }
  ir::Impact d;
  d.type = t;
  if (m.types.kind(t) == rt::TypeKind::Record) {
    for (const auto& f : m.types.records[m.types.info(t).ref].fields)
      d.fields.push_back(
          {m.types.kind(f.type) == rt::TypeKind::Text ? ir::ImpactRole::Explanation : ir::ImpactRole::Verdict, {}});
  } else {
    d.fields.push_back({ir::ImpactRole::Verdict, {}});
  }
  return d;
}

bool SameValue(const rt::Value& a, const rt::Value& b) {
  if (a.index() != b.index()) return false;
  if (std::holds_alternative<rt::EnumValue>(a)) return a.AsEnum().index == b.AsEnum().index;
  if (std::holds_alternative<rt::SumValue>(a)) {
    const auto &x = a.AsSum(), &y = b.AsSum();
    return x.index == y.index && bool(x.payload) == bool(y.payload) &&
           (!x.payload || SameValue(*x.payload, *y.payload));
  }
  if (std::holds_alternative<rt::RecordValue>(a)) {
    const auto &x = *a.AsRecord().fields, &y = *b.AsRecord().fields;
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!SameValue(x[i], y[i])) return false;
    return true;
  }
  if (std::holds_alternative<rt::ListValue>(a)) {
    const auto &x = *std::get<rt::ListValue>(a).elems, &y = *std::get<rt::ListValue>(b).elems;
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!SameValue(x[i], y[i])) return false;
    return true;
  }
  return rt::ValuesEqual(a, b);
}

namespace {

// The severity rank of a bool or enum value under `rank`, or -1 when unordered.
long Rank(const ir::ImpactField& f, const rt::Value& v) {
  if (f.rank.empty()) return -1;
  size_t i = std::holds_alternative<bool>(v) ? (v.AsBool() ? 1 : 0) : v.AsEnum().index;
  return i < f.rank.size() ? long(f.rank[i]) : -1;
}

}  // namespace

ImpactKind FieldImpact(const ir::Impact& impact, size_t field) {
  if (field >= impact.fields.size()) return ImpactKind::Mixed;
  switch (impact.fields[field].role) {
    case ir::ImpactRole::Verdict: return ImpactKind::Mixed;
    case ir::ImpactRole::Detail: return ImpactKind::Detail;
    case ir::ImpactRole::Explanation: return ImpactKind::Explanation;
  }
  return ImpactKind::Mixed;
}

ImpactKind ClassImpact(const ir::Impact& impact, const rt::Value* a, const rt::Value* b,
                       const std::vector<bool>& ignored, ImpactKind otherwise) {
  if (!a || !b) return ImpactKind::Error;
  bool record = std::holds_alternative<rt::RecordValue>(*a);
  size_t n = record ? a->AsRecord().fields->size() : 1;
  bool up = false, down = false, unordered = false, detail = false, explanation = false;
  for (size_t i = 0; i < n && i < impact.fields.size(); ++i) {
    if (i < ignored.size() && ignored[i]) continue;
    const rt::Value& x = record ? (*a->AsRecord().fields)[i] : *a;
    const rt::Value& y = record ? (*b->AsRecord().fields)[i] : *b;
    if (SameValue(x, y)) continue;
    const ir::ImpactField& f = impact.fields[i];
    switch (f.role) {
      case ir::ImpactRole::Verdict: {
        long rx = Rank(f, x), ry = Rank(f, y);
        if (rx < 0 || ry < 0)
          unordered = true;
        else if (ry > rx)
          up = true;
        else
          down = true;
        break;
      }
      case ir::ImpactRole::Detail: detail = true; break;
      case ir::ImpactRole::Explanation: explanation = true; break;
    }
  }
  if (up || down || unordered) {
    if (unordered || (up && down)) return ImpactKind::Mixed;
    return up ? ImpactKind::Tightened : ImpactKind::Loosened;
  }
  if (detail) return ImpactKind::Detail;
  if (explanation) return ImpactKind::Explanation;
  return otherwise;
}

std::string ClassNumbers(const std::vector<size_t>& zero_based, const std::function<std::string(size_t)>& number,
                         const std::string& separator, const std::string& dash) {
  auto one = [&](size_t k) { return number ? number(k + 1) : std::to_string(k + 1); };
  std::string r;
  for (size_t i = 0; i < zero_based.size();) {
    size_t j = i;
    while (j + 1 < zero_based.size() && zero_based[j + 1] == zero_based[j] + 1) ++j;
    if (!r.empty()) r += separator;
    if (j >= i + 2) {
      r += one(zero_based[i]) + dash + one(zero_based[j]);
      i = j + 1;
    } else {
      r += one(zero_based[i]);
      ++i;
    }
  }
  return r;
}

}  // namespace edict::diff
