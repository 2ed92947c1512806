// Bodies of constants, helpers and tests, checked once per version; and the graph of uses
// between definitions: cyclic definitions, and the evaluation depth summed along chains of uses.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "compiler/base/limits.h"
#include "compiler/check/checker.h"

namespace edict::check::internal {

void Checker::CheckVersionBodies(uint32_t v) {
  current_version_ = v;
  for (const auto& [name, e] : tables_[v]) {
    uint32_t ir = ir_index_[v][name];
    switch (e.kind) {
      case SymKind::Const: BodyConst(ir, const_views_[e.view]); break;
      case SymKind::Def: BodyDef(ir, def_views_[e.view]); break;
      case SymKind::Decision: BodyDecision(ir, decision_views_[e.view]); break;
      case SymKind::Enum:
      case SymKind::Record: break;  // types are not versioned
    }
  }
}

void Checker::BodyConst(uint32_t i, const ConstView& view) {
  ContextScope ctx(diags_, view.context);
  current_owner_ = Owner{SymKind::Const, i};
  ResetScope();
  ExprId v = CheckExpr(*view.decl->value, m_.consts[i].type);
  m_.consts[i].value = Coerce(v, m_.consts[i].type, fmt::format("the value of `{}`", m_.consts[i].name));
  m_.consts[i].slot_count = max_slots_;
}

void Checker::BodyDef(uint32_t i, const DefView& view) {
  ContextScope ctx(diags_, view.context);
  current_owner_ = Owner{SymKind::Def, i};
  ResetScope();
  UnitParamScope units(*this, *view.decl, m_.defs[i].unit_params);
  for (const auto& p : m_.defs[i].params) Bind(p.name, p.type);
  ExprId b = CheckExpr(*view.decl->body, m_.defs[i].result);
  bool invariant = std::any_of(files_.begin(), files_.end(), [&](const ast::File& f) {
    return std::any_of(f.invariants.begin(), f.invariants.end(),
                       [&](const ast::InvariantDecl& iv) { return &f.defs[iv.def] == view.decl; });
  });
  m_.defs[i].body =
      Coerce(b, m_.defs[i].result,
             fmt::format("{} `{}`", invariant ? "the condition of the invariant" : "the result of", m_.defs[i].name));
  m_.defs[i].slot_count = max_slots_;
}

void Checker::CheckTest(const ast::TestDecl& t, uint32_t file) {
  current_owner_ = Owner{SymKind::Decision, UINT32_MAX};  // tests may call anything
  ResetScope();
  ir::Test test;
  test.name = t.name;
  test.range = t.name_range;
  test.file = file;
  for (const auto& s : t.stmts) {
    ir::TestStep step;
    step.range = s.range;
    if (s.is_let) {
      TypeId want = s.let.type ? ResolveType(*s.let.type) : TypeId(-1);
      ExprId v = CheckExpr(*s.let.value, want == TypeId(-1) ? m_.types.error() : want);
      if (want != TypeId(-1)) v = Coerce(v, want, fmt::format("the value of `{}`", s.let.name));
      step.kind = ir::TestStepKind::Let;
      step.expr = v;
      step.slot = Bind(s.let.name, TypeOf(v));
    } else if (!s.fails_with.empty()) {
      step.kind = ir::TestStepKind::AssertFails;
      step.expr = CheckExpr(*s.assertion, m_.types.error());
      auto k = rt::RtErrorKindFromSpelling(s.fails_with);
      if (!k) {
        auto& d = diags_.Emit(DiagKind::UnknownErrorKind, s.fails_range, s.fails_with);
        std::string all;
        for (auto kind : rt::AllRtErrorKinds())
          all += (all.empty() ? "`" : ", `") + std::string(rt::Spelling(kind)) + "`";
        d.notes.push_back({{}, "the runtime errors are " + all});
      } else {
        step.expected_error = *k;
      }
    } else {
      step.kind = ir::TestStepKind::Assert;
      step.expr = Coerce(CheckExpr(*s.assertion, m_.types.boolean()), m_.types.boolean(), "an assertion");
    }
    test.steps.push_back(step);
  }
  test.slot_count = max_slots_;
  m_.tests.push_back(std::move(test));
}

// Definitions must not depend on themselves (evaluation would never end).
void Checker::CheckCycles() {
  // nodes: consts [0, C), defs [C, C+D), decisions [C+D, ...)
  size_t C = m_.consts.size(), D = m_.defs.size(), N = C + D + m_.decisions.size();
  std::vector<int> state(N, 0);
  std::vector<size_t> path;
  std::set<size_t> reported;
  std::function<void(size_t)> visit = [&](size_t n) {
    state[n] = 1;
    path.push_back(n);
    for (size_t next : deps_[n]) {
      if (state[next] == 1) {
        if (reported.insert(next).second) {
          auto [name, range] = NodeName(next, C, D);
          auto& d = diags_.Emit(DiagKind::CyclicDefinition, range, name);
          auto it = std::find(path.begin(), path.end(), next);
          for (; it != path.end(); ++it) {
            auto [n2, r2] = NodeName(*it, C, D);
            (void)r2;
            if (*it != next) d.notes.push_back({r2, fmt::format("through `{}`", n2)});
          }
        }
      } else if (state[next] == 0) {
        visit(next);
      }
    }
    path.pop_back();
    state[n] = 2;
  };
  for (size_t n = 0; n < N; ++n)
    if (state[n] == 0) visit(n);
  if (!reported.empty()) return;
  // Evaluating a definition evaluates what it uses where it uses it, recursively: the engines
  // and the compiler's passes recurse through the nesting of each expression and on into the
  // helpers and constants it calls. That depth, summed along the deepest chain of uses, is
  // limited like the nesting of one expression.
  std::vector<uint32_t> height(N, 0);
  std::function<uint32_t(size_t)> measure = [&](size_t n) -> uint32_t {
    if (height[n]) return height[n];
    auto own = owner_depth_.find(n);
    uint64_t h = own == owner_depth_.end() ? 1 : own->second;
    for (size_t next : deps_[n]) h = std::max<uint64_t>(h, uint64_t(dep_depth_[{n, next}]) + measure(next));
    return height[n] = uint32_t(std::min<uint64_t>(h, UINT32_MAX));
  };
  for (size_t n = 0; n < N; ++n) {
    if (measure(n) <= limits::kMaxEvaluationDepth) continue;
    auto [name, range] = NodeName(n, C, D);
    Diagnostic& d = diags_.Emit(
        DiagKind::NestingTooDeep, range,
        fmt::format("evaluating `{}` (its expressions and those of the helpers and constants it uses, in turn)", name),
        limits::kMaxEvaluationDepth);
    d.notes.push_back({SourceRange{}, fmt::format("it nests {} levels deep", height[n])});
    return;
  }
}

std::pair<std::string, SourceRange> Checker::NodeName(size_t n, size_t C, size_t D) const {
  if (n < C) return {m_.consts[n].name, m_.consts[n].range};
  if (n < C + D) return {m_.defs[n - C].name, m_.defs[n - C].range};
  return {m_.decisions[n - C - D].name, m_.decisions[n - C - D].range};
}

void Checker::AddDep(SymKind k, uint32_t index) {
  if (current_owner_.index == UINT32_MAX) return;
  size_t from = OwnerNode(current_owner_.kind, current_owner_.index), to = OwnerNode(k, index);
  deps_[from].insert(to);
  uint32_t& at = dep_depth_[{from, to}];
  at = std::max(at, depth_);
}

// The node of a constant, helper or decision in the dependency graph.
size_t Checker::OwnerNode(SymKind kind, uint32_t i) const {
  switch (kind) {
    case SymKind::Const: return i;
    case SymKind::Def: return m_.consts.size() + i;
    case SymKind::Decision:
    case SymKind::Enum:  // never an owner
    case SymKind::Record: break;
  }
  return m_.consts.size() + m_.defs.size() + i;
}

}  // namespace edict::check::internal
