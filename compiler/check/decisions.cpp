// Decisions and default logic: lets, rules and the default of each decision, the resolution of
// `exception to` and its transitive closure (the priorities; cycles are reported), and the
// conflicts that are certain without evaluation.
#include <algorithm>
#include <map>

#include "compiler/check/checker.h"
#include "compiler/ir/walk.h"

namespace edict::check::internal {

void Checker::BodyDecision(uint32_t i, const DecisionView& a) {
  current_owner_ = Owner{SymKind::Decision, i};
  ResetScope();
  for (const auto& p : m_.decisions[i].params) Bind(p.name, p.type);
  TypeId result = m_.decisions[i].result;
  m_.decisions[i].amended_by = a.amended_by;
  for (const auto& lr : a.lets) {
    ContextScope ctx(diags_, lr.context);
    const ast::LetItem& l = *lr.let;
    TypeId want = l.type ? ResolveType(*l.type) : TypeId(-1);
    ExprId v = CheckExpr(*l.value, want == TypeId(-1) ? m_.types.error() : want);
    if (want != TypeId(-1)) v = Coerce(v, want, fmt::format("the value of `{}`", l.name));
    uint32_t idx = uint32_t(m_.decisions[i].lets.size());
    m_.decisions[i].lets.push_back({l.name, TypeOf(v), v, l.name_range});
    scope_.push_back({l.name, TypeOf(v), true, idx});
  }
  std::map<std::string, uint32_t> rule_index;
  for (const auto& rr : a.rules) {
    ContextScope ctx(diags_, rr.context);
    const ast::RuleItem& r = *rr.rule;
    ir::Rule rule;
    rule.name = r.name;
    rule.range = r.range;
    rule.name_range = r.name_range;
    if (r.citation) rule.cite = {r.citation->cite, r.citation->assumption};
    if (r.condition)
      rule.condition = Coerce(CheckExpr(*r.condition, m_.types.boolean()), m_.types.boolean(), "a rule's condition");
    if (NeverApplies(rule)) diags_.Emit(DiagKind::RuleNeverApplies, r.name_range, r.name);
    rule.outcome = Coerce(CheckExpr(*r.outcome, result), result, fmt::format("the outcome of rule `{}`", r.name));
    if (rule_index.count(r.name)) {
      auto& d = diags_.Emit(DiagKind::DuplicateDeclaration, r.name_range, r.name);
      d.notes.push_back({m_.decisions[i].rules[rule_index[r.name]].name_range, "the first declaration is here"});
    } else {
      rule_index[r.name] = uint32_t(m_.decisions[i].rules.size());
    }
    m_.decisions[i].rules.push_back(std::move(rule));
  }
  // Exceptions name rules of the same decision (the rule's own, and those amendments added).
  std::vector<std::vector<SourceRange>> clause(a.rules.size());
  std::vector<bool> unresolved(a.rules.size(), false);
  for (size_t ri = 0; ri < a.rules.size(); ++ri) {
    const auto& r = *a.rules[ri].rule;
    std::vector<std::pair<std::string, SourceRange>> targets;
    if (a.rules[ri].own_exceptions)
      for (size_t k = 0; k < r.exception_to.size(); ++k) targets.emplace_back(r.exception_to[k], r.exception_ranges[k]);
    for (const auto& x : a.rules[ri].added_exceptions) targets.push_back(x);
    for (const auto& [name, range] : targets) {
      auto it = rule_index.find(name);
      if (it == rule_index.end()) {
        unresolved[ri] = true;                 // its priorities are unknown: no certain conflict
        if (a.repealed.count(name)) continue;  // reported as a dangling exception
        auto& d = diags_.Emit(DiagKind::UnknownRule, range, a.sig->name, name);
        Suggest(d, name, [&](auto add) {
          for (auto& [n, _] : rule_index) add(n);
        });
        continue;
      }
      m_.decisions[i].rules[ri].exception_to.push_back(it->second);
      clause[ri].push_back(range);
    }
  }
  if (a.defaults.size() > 1) {
    auto& d = diags_.Emit(DiagKind::DuplicateDefault, a.defaults[1].dflt->range, a.sig->name);
    d.notes.push_back({a.defaults[0].dflt->range, "the first default is here"});
  }
  if (!a.defaults.empty()) {
    ContextScope ctx(diags_, a.defaults[0].context);
    const auto& df = *a.defaults[0].dflt;
    ir::Rule rule;
    rule.name = "default";
    rule.range = df.range;
    rule.name_range = df.range;
    if (df.citation) rule.cite = {df.citation->cite, df.citation->assumption};
    rule.outcome = Coerce(CheckExpr(*df.outcome, result), result, "the default outcome");
    m_.decisions[i].has_default = true;
    m_.decisions[i].default_rule = std::move(rule);
  }
  // Assertions: conditions over the inputs and lets, each citing its provision (or the decision's).
  for (const auto& ar : a.asserts) {
    ContextScope ctx(diags_, ar.context);
    const ast::AssertItem& as = *ar.assertion;
    ir::Assertion x;
    x.condition = Coerce(CheckExpr(*as.condition, m_.types.boolean()), m_.types.boolean(), "an assertion");
    x.text = as.text;
    x.source = std::string(sm_.Text(as.condition->range));
    x.cite = as.citation ? ir::Citation{as.citation->cite, as.citation->assumption} : m_.decisions[i].cite;
    x.range = as.range;
    m_.decisions[i].assertions.push_back(std::move(x));
  }
  if (a.rules.empty() && a.defaults.empty()) {
    auto& d = diags_.Emit(DiagKind::DecisionWithoutRules, a.sig->name_range, a.sig->name);
    if (!a.sig->scope.empty() && !a.sig->scope_entry) {
      std::string var = a.sig->name.substr(a.sig->scope.size() + 1);
      d.notes.push_back({{},
                         fmt::format("`{}` is a variable of the scope `{}`: give it a rule (`rule r for {} when ... "
                                     "then ...;`) or a default (`default for {} then ...;`)",
                                     var, a.sig->scope, var, var)});
    }
  }
  m_.decisions[i].slot_count = max_slots_;
  CloseExceptions(m_.decisions[i], clause, unresolved);
  StaticConflicts(m_.decisions[i], unresolved);
}

// The rules of a shortest cycle of `exception to` through rule r, starting with r (each an
// exception to the next, the last to r), or none.
std::vector<uint32_t> Checker::ExceptionCycle(const ir::Decision& d, uint32_t r) const {
  size_t n = d.rules.size();
  std::vector<uint32_t> parent(n, UINT32_MAX);
  std::vector<uint32_t> queue = {r};
  for (size_t q = 0; q < queue.size(); ++q) {
    uint32_t x = queue[q];
    for (uint32_t y : d.rules[x].exception_to) {
      if (y == r) {
        std::vector<uint32_t> path;
        for (uint32_t z = x; z != r; z = parent[z]) path.push_back(z);
        path.push_back(r);
        std::reverse(path.begin(), path.end());
        return path;
      }
      if (parent[y] != UINT32_MAX) continue;
      parent[y] = x;
      queue.push_back(y);
    }
  }
  return {};
}

// Computes the transitive closure of `exception to`, reporting cycles once.
void Checker::CloseExceptions(ir::Decision& d, const std::vector<std::vector<SourceRange>>& clause,
                              std::vector<bool>& unresolved) {
  size_t n = d.rules.size();
  // Every rule of a cycle, before any is cut below, has no known priorities.
  for (size_t r = 0; r < n; ++r)
    if (!ExceptionCycle(d, uint32_t(r)).empty()) unresolved[r] = true;
  for (size_t r = 0; r < n; ++r) {
    std::vector<bool> seen(n, false);
    std::vector<uint32_t> stack(d.rules[r].exception_to.begin(), d.rules[r].exception_to.end());
    bool cycle = false;
    while (!stack.empty()) {
      uint32_t x = stack.back();
      stack.pop_back();
      if (x == r) {
        cycle = true;
        continue;
      }
      if (seen[x]) continue;
      seen[x] = true;
      d.rules[r].overrides.push_back(x);
      for (uint32_t y : d.rules[x].exception_to) stack.push_back(y);
    }
    std::sort(d.rules[r].overrides.begin(), d.rules[r].overrides.end());
    if (cycle) {
      bool first = true;
      for (uint32_t x : d.rules[r].overrides)
        if (x < r) {
          bool back = false;
          for (uint32_t y : d.rules[x].overrides) back |= y == r;
          if (back) first = false;
        }
      if (first) {
        // Every rule of the cycle, each at the `exception to` clause naming the next.
        auto& diag = diags_.Emit(DiagKind::ExceptionCycle, d.rules[r].name_range, d.rules[r].name);
        std::vector<uint32_t> path = ExceptionCycle(d, uint32_t(r));
        for (size_t k = 0; k < path.size(); ++k) {
          uint32_t from = path[k], to = path[(k + 1) % path.size()];
          SourceRange at = d.rules[from].name_range;
          for (size_t e = 0; e < d.rules[from].exception_to.size(); ++e)
            if (d.rules[from].exception_to[e] == to && from < clause.size() && e < clause[from].size())
              at = clause[from][e];
          diag.notes.push_back({at, fmt::format("`{}` is an exception to `{}`", d.rules[from].name, d.rules[to].name)});
        }
      }
      d.rules[r].overrides.clear();  // poison: no priority from a cycle
      d.rules[r].exception_to.clear();
    }
  }
}

// A rule whose condition is the literal `false`.
bool Checker::NeverApplies(const ir::Rule& r) const {
  if (r.condition == kNoExpr || IsError(r.condition)) return false;
  const ir::Expr& x = m_.exprs[r.condition];
  return x.op == Op::BoolLit && x.a == 0;
}

// Two rules conflict for certain when neither overrides the other, their conditions are the
// same (or both absent) and their outcomes are different constants. A rule whose `exception to`
// names an unknown rule or forms a cycle (already reported) has no known priorities: it is left
// out rather than reported again as a conflict.
void Checker::StaticConflicts(const ir::Decision& d, const std::vector<bool>& unresolved) {
  for (uint32_t i = 0; i < d.rules.size(); ++i) {
    for (uint32_t j = i + 1; j < d.rules.size(); ++j) {
      const ir::Rule& a = d.rules[i];
      const ir::Rule& b = d.rules[j];
      if ((i < unresolved.size() && unresolved[i]) || (j < unresolved.size() && unresolved[j])) continue;
      if (NeverApplies(a) || NeverApplies(b)) continue;  // `when false`: it cannot conflict
      if (Overrides(a, j) || Overrides(b, i)) continue;
      if (a.outcome == kNoExpr || b.outcome == kNoExpr || IsError(a.outcome) || IsError(b.outcome)) continue;
      bool same_cond = (a.condition == kNoExpr && b.condition == kNoExpr) ||
                       (a.condition != kNoExpr && b.condition != kNoExpr && !IsError(a.condition) &&
                        !IsError(b.condition) && SameExpr(a.condition, b.condition));
      if (!same_cond) continue;
      if (!IsConstant(a.outcome) || !IsConstant(b.outcome) || SameExpr(a.outcome, b.outcome)) continue;
      auto& diag = diags_.Emit(DiagKind::StaticConflict, b.name_range, a.name, b.name);
      diag.notes.push_back({a.name_range, fmt::format("`{}` is here", a.name)});
      diag.notes.push_back(
          {{}, fmt::format("declare one an exception to the other, e.g. `rule {} exception to {}`", b.name, a.name)});
    }
  }
}

bool Checker::IsConstant(ExprId e) const {
  const ir::Expr& x = m_.exprs[e];
  switch (x.op) {
    case Op::BoolLit:
    case Op::IntLit:
    case Op::DecLit:
    case Op::DateLit:
    case Op::DurLit:
    case Op::TextLit:
    case Op::EnumLit:
    case Op::SumLit: return true;
    case Op::IntToDec:
    case Op::SumMake:
    case Op::RecordLit:
    case Op::SetLit:
    case Op::ListLit: {  // constant when every operand is
      bool constant = true;
      ir::ForEachOperand(m_, x, [&](ExprId k) { constant = constant && IsConstant(k); });
      return constant;
    }
    case Op::Error:
    case Op::Local:
    case Op::LetRef:
    case Op::Const:
    case Op::Call:
    case Op::DecisionCall:
    case Op::Builtin:
    case Op::Field:
    case Op::With:
    case Op::Not:
    case Op::And:
    case Op::Or:
    case Op::If:
    case Op::IntNeg:
    case Op::IntAdd:
    case Op::IntSub:
    case Op::IntMul:
    case Op::IntMod:
    case Op::DecNeg:
    case Op::DecAdd:
    case Op::DecSub:
    case Op::DecMul:
    case Op::DecDiv:
    case Op::DateAddDur:
    case Op::DateSubDur:
    case Op::DateDiff:
    case Op::DurAdd:
    case Op::DurSub:
    case Op::DurNeg:
    case Op::DurMul:
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
    case Op::SetHas:
    case Op::ListHas:
    case Op::SetUnion:
    case Op::SetInter:
    case Op::SetMinus:
    case Op::Exists:
    case Op::Forall:
    case Op::ListIndex:
    case Op::ListMap:
    case Op::ListFilter:
    case Op::ListMin:
    case Op::ListMax:
    case Op::ListArgMin:
    case Op::ListArgMax:
    case Op::ListSort:
    case Op::Match: return false;
  }
  return false;
}

// Structural equality of two expressions (same ops, same operands, same literals).
bool Checker::SameExpr(ExprId a, ExprId b) const {
  const ir::Expr& x = m_.exprs[a];
  const ir::Expr& y = m_.exprs[b];
  if (!ir::SameNode(m_, x, y)) return false;
  std::vector<ExprId> xs, ys;
  ir::ForEachOperand(m_, x, [&](ExprId k) { xs.push_back(k); });
  ir::ForEachOperand(m_, y, [&](ExprId k) { ys.push_back(k); });
  if (xs.size() != ys.size()) return false;
  for (size_t k = 0; k < xs.size(); ++k)
    if (!SameExpr(xs[k], ys[k])) return false;
  return true;
}

}  // namespace edict::check::internal
