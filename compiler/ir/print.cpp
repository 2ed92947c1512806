#include <fmt/format.h>

#include "compiler/ir/ir.h"
#include "compiler/ir/walk.h"
#include "runtime/value.h"

namespace edict::ir {

const char* OpName(Op op) {
  switch (op) {
#define EDICT_IR_OP(Name, OperandShape, Doc) \
  case Op::Name:                             \
    return #Name;
#include "compiler/ir/ops.def"
#undef EDICT_IR_OP
  }
  return "?";
}

const char* BuiltinName(Builtin b) {
  switch (b) {
#define EDICT_BUILTIN(Id, spelling, arity, summary) \
  case Builtin::Id:                                 \
    return spelling;
#include "compiler/ir/builtins.def"
#undef EDICT_BUILTIN
  }
  return "?";
}

namespace {

class Printer {
 public:
  explicit Printer(const Module& m) : m_(m) {}

  // S-expression with the type of every node: (IntAdd:integer[chip] (Local:... %0) ...)
  std::string Expr(ExprId id) {
    if (id == kNoExpr) return "<none>";
    const ir::Expr& e = m_.exprs[id];
    std::string head = fmt::format("({}:{}", OpName(e.op), m_.types.Name(e.type));
    auto kids = [&](std::initializer_list<ExprId> ks) {
      std::string s;
      for (ExprId k : ks) s += " " + Expr(k);
      return s;
    };
    auto list = [&](uint32_t start, uint32_t n) {
      std::string s;
      for (uint32_t i = 0; i < n; ++i) s += " " + Expr(m_.extra[start + i]);
      return s;
    };
    switch (e.op) {
      case Op::Error: return head + ")";
      case Op::BoolLit: return head + (e.a ? " true)" : " false)");
      case Op::IntLit: return head + " " + std::to_string(m_.ints[e.a]) + ")";
      case Op::DecLit: return head + " " + m_.decs[e.a].ToString() + ")";
      case Op::DateLit: return head + " " + rt::ToString(rt::Date{int32_t(e.a)}) + ")";
      case Op::DurLit: return head + " " + rt::ToString(m_.durs[e.a]) + ")";
      case Op::TextLit: return head + " " + rt::JsonQuote(m_.texts[e.a]) + ")";
      case Op::EnumLit: return head + " " + m_.types.enums[e.a].members[e.b] + ")";
      case Op::SetLit:
      case Op::ListLit: return head + list(e.a, e.b) + ")";
      case Op::RecordLit: return head + list(e.b, uint32_t(m_.types.records[e.a].fields.size())) + ")";
      case Op::Local: return head + " %" + std::to_string(e.a) + ")";
      case Op::LetRef: return head + " let#" + std::to_string(e.a) + ")";
      case Op::Const: return head + " " + Qualified(m_.consts[e.a].version, m_.consts[e.a].name) + ")";
      case Op::Call:
        return head + " " + Qualified(m_.defs[e.a].version, m_.defs[e.a].name) +
               list(e.b, uint32_t(m_.defs[e.a].params.size())) + ")";
      case Op::DecisionCall:
        return head + " " + Qualified(m_.decisions[e.a].version, m_.decisions[e.a].name) +
               list(e.b, uint32_t(m_.decisions[e.a].params.size())) + ")";
      case Op::Builtin: return head + " " + BuiltinName(Builtin(e.a)) + list(e.b, e.c) + ")";
      case Op::Field: return head + " " + Expr(e.a) + " ." + FieldName(e.a, e.b) + ")";
      case Op::With: {
        std::string s = head + " " + Expr(e.a);
        for (uint32_t i = 0; i < e.c; ++i)
          s += " ." + FieldName(e.a, m_.extra[e.b + 2 * i]) + "=" + Expr(m_.extra[e.b + 2 * i + 1]);
        return s + ")";
      }
      case Op::Exists:
      case Op::Forall:
      case Op::ListMap:
      case Op::ListFilter:
      case Op::ListArgMin:
      case Op::ListArgMax:
      case Op::ListSort: return head + " %" + std::to_string(e.a) + kids({e.b, e.c}) + ")";
      case Op::If: return head + kids({e.a, e.b, e.c}) + ")";
      case Op::SumLit: return head + " " + m_.types.enums[e.a].members[e.b] + ")";
      case Op::SumMake: return head + " " + m_.types.enums[m_.types.info(e.type).ref].members[e.b] + kids({e.a}) + ")";
      case Op::Match: {
        // (Match:T value (when a|b %slot value) ...)
        MatchArms arms{m_, e};
        const rt::EnumInfo& en = m_.types.enums[m_.types.info(m_.exprs[e.a].type).ref];
        std::string s = head + " " + Expr(e.a);
        for (uint32_t i = 0; i < arms.count(); ++i) {
          std::string names;
          for (uint32_t k = 0; k < arms.members(); ++k)
            if (arms.arm_of(k) == i) names += (names.empty() ? "" : "|") + en.members[k];
          s += " (when " + names + (arms.slot(i) == kNoSlot ? "" : " %" + std::to_string(arms.slot(i))) + " " +
               Expr(arms.value(i)) + ")";
        }
        return s + ")";
      }
      case Op::ListMin:
      case Op::ListMax:
      case Op::Not:
      case Op::IntNeg:
      case Op::IntToDec:
      case Op::DecNeg:
      case Op::DurNeg: return head + kids({e.a}) + ")";
      case Op::ListIndex:
      case Op::And:
      case Op::Or:
      case Op::IntAdd:
      case Op::IntSub:
      case Op::IntMul:
      case Op::IntMod:
      case Op::DecAdd:
      case Op::DecSub:
      case Op::DecMul:
      case Op::DecDiv:
      case Op::DateAddDur:
      case Op::DateSubDur:
      case Op::DateDiff:
      case Op::DurAdd:
      case Op::DurSub:
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
      case Op::SetMinus: return head + kids({e.a, e.b}) + ")";
    }
    return head + ")";
  }

  std::string Qualified(uint32_t version, const std::string& name) const {
    return m_.versions.size() <= 1 ? name : m_.versions[version].name + "." + name;
  }

  std::string FieldName(ExprId record_expr, uint32_t field) {
    const auto& ti = m_.types.info(m_.exprs[record_expr].type);
    return m_.types.records[ti.ref].fields[field].name;
  }

  static std::string Cite(const Citation& c) {
    if (c.empty()) return "";
    return " cite " + rt::JsonQuote(c.cite) + (c.assumption.empty() ? "" : " assuming " + rt::JsonQuote(c.assumption));
  }

  std::string Params(const std::vector<Param>& ps) {
    std::string s;
    for (size_t i = 0; i < ps.size(); ++i)
      s += fmt::format("{}%{} {}: {}", i ? ", " : "", i, ps[i].name, m_.types.Name(ps[i].type));
    return s;
  }

 private:
  const Module& m_;
};

}  // namespace

std::string Print(const Module& m) {
  Printer p(m);
  std::string s;
  // With several versions, every value declaration is printed once per version, qualified.
  auto q = [&](uint32_t version, const std::string& name) {
    if (m.versions.size() <= 1) return name;
    return m.versions[version].name + "." + name;
  };
  for (size_t v = 0; v < m.versions.size() && m.versions.size() > 1; ++v)
    s += fmt::format("version {} {}{}\n", v, m.versions[v].name,
                     m.versions[v].effective.empty() ? "" : " effective " + m.versions[v].effective);
  for (const auto& ins : m.instruments) {
    s += "instrument " + ins.name + "\n";
    for (const auto& [k, v] : ins.fields) s += "  " + k + " = " + v + "\n";
  }
  for (const auto& u : m.types.base_units)
    if (!u.parameter) s += "unit " + u.name + "\n";
  for (const auto& e : m.types.enums) s += fmt::format("enum {} ({} members)\n", e.name, e.members.size());
  for (const auto& r : m.types.records) {
    s += "record " + r.name + "\n";
    for (const auto& f : r.fields) s += "  " + f.name + ": " + m.types.Name(f.type) + "\n";
  }
  for (const auto& c : m.consts)
    s += fmt::format("const {}: {}{}\n  = {}\n", q(c.version, c.name), m.types.Name(c.type), Printer::Cite(c.cite),
                     p.Expr(c.value));
  for (const auto& d : m.defs) {
    std::string us;
    for (uint32_t u : d.unit_params) us += (us.empty() ? "<" : ", ") + m.types.base_units[u].name;
    if (!us.empty()) us += ">";
    s += fmt::format("def {}{}({}): {}{} slots={}\n  = {}\n", q(d.version, d.name), us, p.Params(d.params),
                     m.types.Name(d.result), Printer::Cite(d.cite), d.slot_count, p.Expr(d.body));
  }
  for (const auto& iv : m.invariants)
    s += fmt::format("{} {} on {}: def {}\n", iv.assumption ? "assumption" : "invariant", iv.name,
                     m.types.Name(iv.type), q(m.defs[iv.def].version, m.defs[iv.def].name));
  for (const auto& d : m.decisions) {
    s += fmt::format("decision {}({}) -> {}{} slots={}\n", q(d.version, d.name), p.Params(d.params),
                     m.types.Name(d.result), Printer::Cite(d.cite), d.slot_count);
    for (const auto& g : d.guards)
      s += fmt::format("  guard {} ({}) = {}\n", g.path, m.invariants[g.invariant].name, p.Expr(g.check));
    for (const auto& a : d.assertions)
      s += fmt::format("  assert{} = {}\n", Printer::Cite(a.cite), p.Expr(a.condition));
    for (size_t i = 0; i < d.lets.size(); ++i)
      s += fmt::format("  let#{} {}: {} = {}\n", i, d.lets[i].name, m.types.Name(d.lets[i].type),
                       p.Expr(d.lets[i].value));
    auto rule = [&](const Rule& r) {
      std::string ex;
      for (uint32_t x : r.overrides) ex += (ex.empty() ? " overrides " : ", ") + d.rules[x].name;
      s += fmt::format("  rule {}{}{}\n", r.name, Printer::Cite(r.cite), ex);
      if (r.condition != kNoExpr) s += "    when " + p.Expr(r.condition) + "\n";
      s += "    then " + p.Expr(r.outcome) + "\n";
    };
    for (const auto& r : d.rules) rule(r);
    if (d.has_default) rule(d.default_rule);
  }
  for (const auto& t : m.tests) {
    s += fmt::format("test {} slots={}\n", t.name, t.slot_count);
    for (const auto& st : t.steps) {
      switch (st.kind) {
        case TestStepKind::Let: s += fmt::format("  %{} = {}\n", st.slot, p.Expr(st.expr)); break;
        case TestStepKind::Assert: s += "  assert " + p.Expr(st.expr) + "\n"; break;
        case TestStepKind::AssertFails:
          s += fmt::format("  assert {} fails with {}\n", p.Expr(st.expr), rt::Spelling(st.expected_error));
          break;
      }
    }
  }
  return s;
}

}  // namespace edict::ir
