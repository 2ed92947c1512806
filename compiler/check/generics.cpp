// Helpers generic over units: `def round_cents<u>(x: decimal[u]): decimal[u] = ...`. Inside the
// helper, `u` is an opaque base unit of its own (rt::BaseUnitInfo::parameter), so its body is
// checked once and holds for every unit; a call infers what each unit parameter stands for from
// the units of its arguments, and gives its arguments and its result those units. Units do not
// change how a value is represented, so every engine runs one body for every instantiation.
#include "compiler/check/checker.h"

namespace edict::check::internal {

// A fresh base unit for each unit parameter of `d` (per version that sees the helper).
std::vector<uint32_t> Checker::DeclareUnitParams(const ast::DefDecl& d) {
  std::vector<uint32_t> out;
  std::map<std::string, SourceRange> seen;
  for (size_t i = 0; i < d.unit_params.size(); ++i) {
    const std::string& name = d.unit_params[i];
    SourceRange r = i < d.unit_param_ranges.size() ? d.unit_param_ranges[i] : d.name_range;
    if (auto it = seen.find(name); it != seen.end()) {
      auto& diag = diags_.Emit(DiagKind::DuplicateDeclaration, r, name);
      diag.notes.push_back({it->second, "the first declaration is here"});
    } else if (auto u = units_.find(name); u != units_.end()) {
      auto& diag = diags_.Emit(DiagKind::DuplicateDeclaration, r, name);
      diag.notes.push_back({m_.types.base_units[u->second].range,
                            "a unit of this name is declared here; give the unit parameter a name of its own"});
    }
    seen.emplace(name, r);
    out.push_back(uint32_t(m_.types.base_units.size()));
    m_.types.base_units.push_back({name, fmt::format("a unit parameter of `{}`", d.name), r, true});
  }
  return out;
}

// The unit parameters are unit names while the helper's signature and body are checked.
Checker::UnitParamScope::UnitParamScope(Checker& c, const ast::DefDecl& d, const std::vector<uint32_t>& ids) : c_(c) {
  for (size_t i = 0; i < d.unit_params.size() && i < ids.size(); ++i) {
    auto it = c_.units_.find(d.unit_params[i]);
    saved_.push_back({d.unit_params[i], it == c_.units_.end() ? std::nullopt : std::optional(it->second)});
    c_.units_[d.unit_params[i]] = ids[i];
  }
}
Checker::UnitParamScope::~UnitParamScope() {
  for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
    if (it->second)
      c_.units_[it->first] = *it->second;
    else
      c_.units_.erase(it->first);
  }
}

// A unit parameter that no parameter's type mentions could never be inferred: said at the helper.
void Checker::CheckUnitParamsUsed(const ir::Def& def, const ast::DefDecl& d) {
  for (size_t i = 0; i < def.unit_params.size(); ++i) {
    uint32_t u = def.unit_params[i];
    if (std::count(d.unit_params.begin(), d.unit_params.end(), d.unit_params[i]) > 1) continue;  // reported
    bool used = false;
    for (const auto& p : def.params) used = used || MentionsUnit(p.type, u);
    if (used) continue;
    auto& diag = diags_.Emit(
        DiagKind::CannotInferType, i < d.unit_param_ranges.size() ? d.unit_param_ranges[i] : d.name_range,
        fmt::format("the unit parameter `{}` of `{}` appears in no parameter's type, so no call could tell what it "
                    "is",
                    d.unit_params[i], d.name));
    diag.notes.push_back({{}, fmt::format("use it in a parameter, such as `x: decimal[{}]`", d.unit_params[i])});
  }
}

bool Checker::MentionsUnit(TypeId t, uint32_t base) const {
  const rt::TypeInfo& ti = m_.types.info(t);
  if (ti.kind == TypeKind::List) return MentionsUnit(ti.ref, base);
  if (ti.kind != TypeKind::Integer && ti.kind != TypeKind::Decimal) return false;
  for (auto [b, e] : m_.types.unit(ti.unit))
    if (b == base) return true;
  return false;
}

rt::UnitId Checker::SubstituteUnit(rt::UnitId u, const std::map<uint32_t, rt::UnitId>& sub) {
  rt::UnitFactors f;
  for (auto [b, e] : m_.types.unit(u)) {
    auto it = sub.find(b);
    if (it == sub.end()) {
      f.emplace_back(b, e);
      continue;
    }
    for (auto [b2, e2] : m_.types.unit(it->second)) f.emplace_back(b2, e2 * e);
  }
  return m_.types.InternUnit(std::move(f));
}

TypeId Checker::SubstituteUnits(TypeId t, const std::map<uint32_t, rt::UnitId>& sub) {
  rt::TypeInfo ti = m_.types.info(t);
  switch (ti.kind) {
    case TypeKind::Integer:
    case TypeKind::Decimal: ti.unit = SubstituteUnit(ti.unit, sub); return m_.types.Intern(ti);
    case TypeKind::List: ti.ref = SubstituteUnits(ti.ref, sub); return m_.types.Intern(ti);
    case TypeKind::Error:
    case TypeKind::Bool:
    case TypeKind::Date:
    case TypeKind::Duration:
    case TypeKind::Text:
    case TypeKind::Enum:
    case TypeKind::Set:
    case TypeKind::Record:
    case TypeKind::Sum: return t;  // a unit parameter inside a sum type's members is not substituted
  }
  return t;
}

// What the unit parameters of `def` stand for in a call whose arguments have types `args`:
// each parameter type is matched with its argument's type, and a unit `v^k * known` against the
// argument's unit solves v, repeatedly until nothing more is solved. Reports at the call what
// cannot be solved; returns nothing then.
std::optional<std::map<uint32_t, rt::UnitId>> Checker::InferUnits(const ir::Def& def, const std::vector<ExprId>& args,
                                                                  const ast::Expr& call) {
  std::map<uint32_t, rt::UnitId> sub;
  auto is_param = [&](uint32_t b) {
    return std::find(def.unit_params.begin(), def.unit_params.end(), b) != def.unit_params.end();
  };
  // (parameter's unit, argument's unit, argument index) for every number inside the types.
  struct Pair {
    rt::UnitId param, arg;
    size_t index;
  };
  std::vector<Pair> pairs;
  std::function<void(TypeId, TypeId, size_t)> collect = [&](TypeId p, TypeId a, size_t i) {
    const rt::TypeInfo& pi = m_.types.info(p);
    const rt::TypeInfo& ai = m_.types.info(a);
    if (pi.kind == TypeKind::List && ai.kind == TypeKind::List) return collect(pi.ref, ai.ref, i);
    bool pn = pi.kind == TypeKind::Integer || pi.kind == TypeKind::Decimal;
    bool an = ai.kind == TypeKind::Integer || ai.kind == TypeKind::Decimal;
    if (pn && an) pairs.push_back({pi.unit, ai.unit, i});
  };
  for (size_t i = 0; i < args.size() && i < def.params.size(); ++i)
    if (!IsError(args[i])) collect(def.params[i].type, TypeOf(args[i]), i);
  for (bool progress = true; progress;) {
    progress = false;
    for (const Pair& p : pairs) {
      // The parameter's unit as `v^k * known`, with v the one unknown parameter in it.
      uint32_t unknown = UINT32_MAX;
      int power = 0;
      bool several = false;
      rt::UnitFactors known;
      for (auto [b, e] : m_.types.unit(p.param)) {
        if (!is_param(b)) {
          known.emplace_back(b, e);
        } else if (auto it = sub.find(b); it != sub.end()) {
          for (auto [b2, e2] : m_.types.unit(it->second)) known.emplace_back(b2, e2 * e);
        } else if (unknown == UINT32_MAX) {
          unknown = b, power = e;
        } else {
          several = true;
        }
      }
      if (unknown == UINT32_MAX || several) continue;
      rt::UnitId rest = m_.types.DivUnits(p.arg, m_.types.InternUnit(known));
      rt::UnitFactors root;
      bool whole = true;
      for (auto [b, e] : m_.types.unit(rest)) {
        if (e % power != 0) whole = false;
        root.emplace_back(b, e / power);
      }
      if (!whole) {
        const ir::Param& param = def.params[p.index];
        diags_.Emit(DiagKind::UnitMismatch, m_.exprs[args[p.index]].range,
                    fmt::format("the argument `{}` of `{}` must be in a unit of the form `{}`, found {}", param.name,
                                def.name, m_.types.UnitName(p.param), UnitDesc(p.arg)));
        return std::nullopt;
      }
      sub[unknown] = m_.types.InternUnit(std::move(root));
      progress = true;
    }
  }
  for (uint32_t u : def.unit_params) {
    if (sub.count(u)) continue;
    bool any_error = false;
    for (ExprId a : args) any_error = any_error || IsError(a);
    if (any_error) return std::nullopt;  // the argument's own mistake was reported
    auto& diag = diags_.Emit(DiagKind::CannotInferType, call.range,
                             fmt::format("cannot tell the unit `{}` of `{}` from the arguments of this call",
                                         m_.types.base_units[u].name, def.name));
    diag.notes.push_back({def.range, "the helper is declared here"});
    return std::nullopt;
  }
  return sub;
}

}  // namespace edict::check::internal
