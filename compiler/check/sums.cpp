// Sum types: enum members that carry a value (`most_recent(p)`, `Sale.most_recent(p)`), the
// optional type (`none`, `some(x)`), and `match`, whose arms must cover every member.
#include <algorithm>

#include "compiler/check/checker.h"
#include "compiler/ir/walk.h"

namespace edict::check::internal {

// `none` (or a bare `some`) where no enum of the program has a member of that name, or where an
// optional value is expected.
ExprId Checker::OptionalNone(const ast::Expr& e, TypeId expected) {
  if (e.text == "some") {
    diags_.Emit(DiagKind::TypeMismatch, e.range, "`some` carries a value: give it, as in `some(...)`");
    return Poison(e.range);
  }
  if (!IsOptional(expected)) {
    auto& d = diags_.Emit(DiagKind::CannotInferType, e.range, "cannot tell which optional type this `none` is of");
    d.notes.push_back({{},
                       "write it where an optional value is expected (`let last: optional Sale = none;`), or after "
                       "the value it is compared with (`last == none`)"});
    return Poison(e.range);
  }
  return Emit(Op::SumLit, expected, e.range, m_.types.info(expected).ref, rt::TypeTable::kNone);
}

// `m(x)` naming a member that carries a value rather than a helper: the member of the expected
// enum if it has one, else of the only enum that has it; `some(x)` is the optional type's.
// Nothing when no member carrying a value has that name.
std::optional<ExprId> Checker::MemberCall(const ast::Expr& e, TypeId expected) {
  SourceRange callee_range = e.name_ranges.empty() ? e.range : e.name_ranges[0];
  const auto& ei = m_.types.info(expected);
  std::vector<std::pair<uint32_t, uint32_t>> cands;
  if (auto mem = members_.find(e.text); mem != members_.end())
    for (auto [en, idx] : mem->second)
      if (m_.types.enums[en].HasPayload(idx)) cands.push_back({en, idx});
  if (e.text == "some" && (IsOptional(expected) || cands.empty())) {
    if (IsOptional(expected)) return Construct(e, ei.ref, rt::TypeTable::kSome);
    // The optional type of the value given.
    if (e.kids.size() != 1 || (!e.names.empty() && !e.names[0].empty())) {
      diags_.Emit(DiagKind::WrongArguments, e.range, fmt::format("`some` carries one value, found {}", e.kids.size()));
      for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
      return Poison(e.range);
    }
    ExprId x = CheckExpr(*e.kids[0], m_.types.error());
    if (IsError(x)) return Poison(e.range);
    if (IsOptional(TypeOf(x))) {
      diags_.Emit(DiagKind::TypeMismatch, e.kids[0]->range,
                  fmt::format("`some` of {}: a value that may be absent cannot be optional again", Name(TypeOf(x))));
      return Poison(e.range);
    }
    TypeId t = m_.types.Optional(TypeOf(x));
    return Emit(Op::SumMake, t, e.range, x, rt::TypeTable::kSome);
  }
  if (cands.empty()) {
    // `none(x)`: a member that carries no value, called as if it carried one.
    if (e.text == "none" && IsOptional(expected)) return Construct(e, ei.ref, rt::TypeTable::kNone);
    auto mem = members_.find(e.text);
    if ((mem == members_.end() || mem->second.empty()) && e.text == "none") {
      diags_.Emit(DiagKind::TypeMismatch, e.range, "`none` carries no value: write `none` without parentheses");
      for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
      return Poison(e.range);
    }
    if (mem == members_.end() || mem->second.empty()) return std::nullopt;
    return Construct(e, mem->second[0].first, mem->second[0].second);
  }
  if (cands.size() == 1) return Construct(e, cands[0].first, cands[0].second);
  uint32_t want = ei.kind == TypeKind::Sum ? ei.ref : UINT32_MAX;
  for (auto [en, idx] : cands)
    if (en == want) return Construct(e, en, idx);
  auto& d = diags_.Emit(DiagKind::AmbiguousName, callee_range, e.text);
  for (auto [en, idx] : cands)
    d.notes.push_back(
        {m_.types.enums[en].range, fmt::format("write `{}.{}(...)` for the member of `{}`", m_.types.enums[en].name,
                                               e.text, m_.types.enums[en].name)});
  for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
  return Poison(e.range);
}

// `member(x)`: the member of enum `en` with the value it carries.
ExprId Checker::Construct(const ast::Expr& e, uint32_t en, uint32_t member) {
  const rt::EnumInfo& info = m_.types.enums[en];
  const std::string& name = info.members[member];
  if (!info.HasPayload(member)) {
    diags_.Emit(DiagKind::TypeMismatch, e.range,
                fmt::format("`{}` carries no value: write `{}` without parentheses", name, name));
    for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
    return Poison(e.range);
  }
  if (e.kids.size() != 1 || (!e.names.empty() && !e.names[0].empty())) {
    diags_.Emit(DiagKind::WrongArguments, e.range,
                e.kids.size() == 1 ? fmt::format("`{}` carries one value, given without a name", name)
                                   : fmt::format("`{}` carries one value, found {}", name, e.kids.size()));
    for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
    return Poison(e.range);
  }
  TypeId pt = info.payloads[member];
  ExprId x = Coerce(CheckExpr(*e.kids[0], pt), pt, fmt::format("the value of `{}`", name));
  if (IsError(x)) return Poison(e.range);
  return Emit(Op::SumMake, m_.types.EnumType(en), e.range, x, member);
}

namespace {

// `a`, `a and b`, `a, b and c`.
std::string Listed(const std::vector<std::string>& xs) {
  std::string s;
  for (size_t i = 0; i < xs.size(); ++i) s += (i == 0 ? "" : i + 1 == xs.size() ? " and " : ", ") + xs[i];
  return s;
}

}  // namespace

// `match x { when a or b then ..., when c(v) then ..., else ... }`: x is a value of an enum; each
// member is named by at most one arm, and every member by one (or `else` covers the rest).
ExprId Checker::MatchExpr(const ast::Expr& e, TypeId expected) {
  ExprId x = CheckExpr(*e.kids[0], m_.types.error());
  if (IsError(x)) return Poison(e.range);
  TypeKind k = KindOf(x);
  if (k != TypeKind::Enum && k != TypeKind::Sum) {
    diags_.Emit(DiagKind::InvalidOperands, e.kids[0]->range,
                fmt::format("`match` needs a value of an enum, found {}", Name(TypeOf(x))));
    return Poison(e.range);
  }
  const uint32_t en = m_.types.info(TypeOf(x)).ref;
  const rt::EnumInfo& info = m_.types.enums[en];
  const size_t n = info.members.size();
  std::vector<uint32_t> arm_of(n, UINT32_MAX);
  std::vector<SourceRange> named_at(n);
  std::vector<uint32_t> slots, values;
  bool bad = false;
  int else_arm = -1;
  TypeId result = m_.types.error();  // the type of the first arm that has one
  for (size_t i = 0; i < e.arms.size(); ++i) {
    const ast::MatchArm& arm = e.arms[i];
    const ast::Expr& value = *e.kids[i + 1];
    uint32_t slot = ir::kNoSlot;
    TypeId bound_type = m_.types.error();
    std::string bound_name;
    if (arm.is_else) {
      if (i + 1 != e.arms.size()) {
        diags_.Emit(DiagKind::InvalidMatch, arm.range, "`else` must be the last arm of a `match`");
        bad = true;
      }
      else_arm = int(i);
    }
    for (const ast::MatchPattern& p : arm.patterns) {
      if (!p.qualifier.empty() && p.qualifier != info.name) {
        diags_.Emit(DiagKind::InvalidMatch, p.range,
                    fmt::format("the value matched is {}, not a `{}`", Name(TypeOf(x)), p.qualifier));
        bad = true;
        continue;
      }
      auto it = std::find(info.members.begin(), info.members.end(), p.member);
      if (it == info.members.end()) {
        auto& d = diags_.Emit(DiagKind::UnknownMember, p.member_range, info.name, p.member);
        Suggest(d, p.member, [&](auto add) {
          for (const auto& m : info.members) add(m);
        });
        bad = true;
        continue;
      }
      uint32_t idx = uint32_t(it - info.members.begin());
      if (arm_of[idx] != UINT32_MAX) {
        auto& d = diags_.Emit(DiagKind::InvalidMatch, p.member_range,
                              fmt::format("`{}` has two arms in this `match`", p.member));
        d.notes.push_back({named_at[idx], "its first arm is here"});
        bad = true;
        continue;
      }
      arm_of[idx] = uint32_t(i);
      named_at[idx] = p.member_range;
      if (p.binder.empty()) continue;
      if (!info.HasPayload(idx)) {
        diags_.Emit(DiagKind::InvalidMatch, p.binder_range,
                    fmt::format("`{}` carries no value for `{}` to name", p.member, p.binder));
        bad = true;
      } else if (arm.patterns.size() > 1) {
        auto& d = diags_.Emit(DiagKind::InvalidMatch, p.binder_range,
                              fmt::format("an arm for several members cannot name the value of `{}`", p.member));
        d.notes.push_back({{}, fmt::format("give `{}` an arm of its own", p.member)});
        bad = true;
      } else {
        bound_name = p.binder;
        bound_type = info.payloads[idx];
      }
    }
    // The arm's value, with the member's value bound to its name.
    size_t mark = scope_.size();
    uint32_t saved_next = next_slot_;
    if (!bound_name.empty()) slot = Bind(bound_name, bound_type);
    ExprId v = CheckExpr(value, m_.types.kind(result) == TypeKind::Error ? expected : result);
    scope_.resize(mark);
    next_slot_ = saved_next;
    if (IsError(v)) bad = true;
    if (!IsError(v) && m_.types.kind(result) == TypeKind::Error) result = TypeOf(v);
    slots.push_back(slot);
    values.push_back(v);
  }
  // Every member must have its arm: a legal engineer states what happens in each case.
  std::vector<std::string> missing, hints;
  for (size_t m = 0; m < n; ++m) {
    if (arm_of[m] != UINT32_MAX) continue;
    if (else_arm >= 0) {
      arm_of[m] = uint32_t(else_arm);
      continue;
    }
    missing.push_back("`" + info.members[m] + "`");
    hints.push_back("`when " + info.members[m] + (info.HasPayload(uint32_t(m)) ? "(x)" : "") + " then ...`");
  }
  if (!missing.empty() && !bad) {
    auto& d = diags_.Emit(DiagKind::NonExhaustiveMatch, e.range,
                          fmt::format("{} {}", missing.size() == 1 ? "the member" : "the members", Listed(missing)),
                          m_.types.Name(TypeOf(x)));
    d.notes.push_back({{}, fmt::format("add {}, or `else ...` for every member not named", Listed(hints))});
    bad = true;
  }
  if (else_arm >= 0 && !bad &&
      std::none_of(arm_of.begin(), arm_of.end(), [&](uint32_t a) { return a == uint32_t(else_arm); })) {
    diags_.Emit(DiagKind::InvalidMatch, e.arms[size_t(else_arm)].range,
                "this `else` covers no member: every member has an arm of its own");
    bad = true;
  }
  if (bad) return Poison(e.range);
  if (values.empty()) {  // only over an enum without members, whose every member has its arm
    diags_.Emit(DiagKind::InvalidMatch, e.range, "a `match` needs at least one arm");
    return Poison(e.range);
  }
  // One type for every arm: numbers of one unit become decimals if one arm is a decimal.
  bool numeric = std::all_of(values.begin(), values.end(), [&](ExprId v) { return IsNumeric(TypeOf(v)); });
  if (numeric) {
    rt::UnitId u = m_.types.info(TypeOf(values[0])).unit;
    bool any_dec = false;
    for (size_t i = 0; i < values.size(); ++i) {
      const auto& vi = m_.types.info(TypeOf(values[i]));
      if (vi.unit != u) {
        auto& d = diags_.Emit(
            DiagKind::UnitMismatch, m_.exprs[values[i]].range,
            fmt::format("the arms of `match` have different units: {} and {}", UnitDesc(u), UnitDesc(vi.unit)));
        d.notes.push_back({m_.exprs[values[0]].range, fmt::format("this is {}", Name(TypeOf(values[0])))});
        return Poison(e.range);
      }
      any_dec = any_dec || vi.kind == TypeKind::Decimal;
    }
    if (any_dec)
      for (auto& v : values) v = ToDec(v);
  } else {
    for (size_t i = 1; i < values.size(); ++i)
      if (TypeOf(values[i]) != TypeOf(values[0])) {
        auto& d = diags_.Emit(DiagKind::TypeMismatch, m_.exprs[values[i]].range,
                              fmt::format("the arms of `match` have different types: {} and {}",
                                          Name(TypeOf(values[0])), Name(TypeOf(values[i]))));
        d.notes.push_back({m_.exprs[values[0]].range, fmt::format("this is {}", Name(TypeOf(values[0])))});
        return Poison(e.range);
      }
  }
  std::vector<uint32_t> extra;
  for (size_t i = 0; i < values.size(); ++i) {
    extra.push_back(slots[i]);
    extra.push_back(values[i]);
  }
  extra.insert(extra.end(), arm_of.begin(), arm_of.end());
  return Emit(Op::Match, TypeOf(values[0]), e.range, x, Extra(extra), uint32_t(values.size()));
}

}  // namespace edict::check::internal
