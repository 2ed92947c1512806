// Calls of scopes (docs/language.md, "Scopes"): `benefits(h, rate: 0.5)` gives the scope's
// inputs by position (or by name) and, by name, the context variables the caller decides instead
// of the scope's rules. The scope's decision takes each context variable as an optional
// parameter (parse/scopes.h): one given is `some(value)`, one left out `none`.
#include "compiler/check/checker.h"

namespace edict::check::internal {

std::vector<uint32_t> Checker::ScopeArgs(const ast::Expr& e, const ir::Decision& d, const ast::DecisionDecl& sig) {
  size_t inputs = std::min(sig.scope_inputs, d.params.size()), n = d.params.size();
  std::vector<uint32_t> out(n, kNoExpr);
  auto contexts = [&]() {
    std::string names;
    for (size_t j = inputs; j < n; ++j) names += (names.empty() ? "`" : ", `") + d.params[j].name + "`";
    return names.empty() ? fmt::format("`{}` has no context variable", d.name)
                         : fmt::format("the context variables of `{}` are {}", d.name, names);
  };
  bool bad = false;
  size_t next = 0;
  for (size_t i = 0; i < e.kids.size(); ++i) {
    const std::string& name = i < e.names.size() ? e.names[i] : "";
    size_t pi = n;
    if (name.empty()) {
      if (next < inputs) pi = next++;
    } else {
      for (size_t j = 0; j < n; ++j)
        if (d.params[j].name == name) pi = j;
    }
    if (pi == n || out[pi] != kNoExpr) {
      Diagnostic* dg;
      if (name.empty())
        dg = &diags_.Emit(DiagKind::WrongArguments, e.kids[i]->range,
                          fmt::format("the scope `{}` takes {} input{}, found more: a context variable is given "
                                      "by name",
                                      d.name, inputs, inputs == 1 ? "" : "s"));
      else if (pi == n)
        dg = &diags_.Emit(DiagKind::WrongArguments, e.kids[i]->range,
                          fmt::format("the scope `{}` has no input or context variable `{}`", d.name, name));
      else
        dg = &diags_.Emit(DiagKind::WrongArguments, e.kids[i]->range,
                          fmt::format("`{}` is given twice in the call of `{}`", name, d.name));
      dg->notes.push_back({{}, contexts()});
      CheckExpr(*e.kids[i], m_.types.error());
      bad = true;
      continue;
    }
    TypeId want = d.params[pi].type;
    if (pi < inputs) {
      out[pi] = Coerce(CheckExpr(*e.kids[i], want), want, fmt::format("the input `{}`", d.params[pi].name));
      continue;
    }
    // A context variable: the value of its own type, as `some(value)`.
    const auto& oi = m_.types.info(want);
    if (!IsOptional(want)) {  // the optional type of the parameter was not resolved: reported
      CheckExpr(*e.kids[i], m_.types.error());
      out[pi] = Poison(e.kids[i]->range);
      continue;
    }
    TypeId inner = m_.types.enums[oi.ref].payloads[rt::TypeTable::kSome];
    ExprId x = Coerce(CheckExpr(*e.kids[i], inner), inner, fmt::format("the context variable `{}`", d.params[pi].name));
    out[pi] = IsError(x) ? x : Emit(Op::SumMake, want, e.kids[i]->range, x, rt::TypeTable::kSome);
  }
  for (size_t pi = 0; pi < n; ++pi) {
    if (out[pi] != kNoExpr) continue;
    if (pi < inputs) {
      if (!bad)
        diags_.Emit(DiagKind::WrongArguments, e.range,
                    fmt::format("the call of the scope `{}` is missing the input `{}`", d.name, d.params[pi].name));
      bad = true;
      out[pi] = Poison(e.range);
      continue;
    }
    const auto& oi = m_.types.info(d.params[pi].type);
    out[pi] = IsOptional(d.params[pi].type) ? Emit(Op::SumLit, d.params[pi].type, e.range, oi.ref, rt::TypeTable::kNone)
                                            : Poison(e.range);
  }
  return out;
}

}  // namespace edict::check::internal
