#include <fmt/format.h>

#include <algorithm>

#include "compiler/ir/ir.h"
#include "compiler/ir/walk.h"

namespace edict::ir {

namespace {

class Verifier {
 public:
  explicit Verifier(const Module& m) : m_(m) {}
  std::vector<std::string> problems;

  void Fail(ExprId id, const std::string& what) {
    problems.push_back(fmt::format("expr {} ({}): {}", id, OpName(m_.exprs[id].op), what));
  }
  rt::TypeKind K(ExprId id) const { return m_.types.kind(m_.exprs[id].type); }
  // Whether two types differ at most in their units.
  bool SameButUnits(rt::TypeId a, rt::TypeId b) const {
    const rt::TypeInfo& x = m_.types.info(a);
    const rt::TypeInfo& y = m_.types.info(b);
    if (x.kind != y.kind) return false;
    if (x.kind == rt::TypeKind::List) return SameButUnits(x.ref, y.ref);
    return x.ref == y.ref;
  }
  bool Valid(ExprId id) const { return id < m_.exprs.size(); }

  void Check(ExprId id) {
    if (!Valid(id)) {
      problems.push_back(fmt::format("dangling expr id {}", id));
      return;
    }
    const Expr& e = m_.exprs[id];
    if (!OperandsValid(id, e)) return;
    using TK = rt::TypeKind;
    auto operand = [&](ExprId x, TK want) {
      if (!Valid(x)) {
        Fail(id, "dangling operand");
        return;
      }
      if (K(x) != want) Fail(id, fmt::format("operand has type {}", m_.types.Name(m_.exprs[x].type)));
    };
    auto same = [&](ExprId a, ExprId b) {
      if (!Valid(a) || !Valid(b)) {
        Fail(id, "dangling operand");
        return;
      }
      if (m_.exprs[a].type != m_.exprs[b].type) Fail(id, "operands of different types");
    };
    auto result = [&](TK want) {
      if (K(id) != want) Fail(id, "wrong result type");
    };
    switch (e.op) {
      case Op::Error: Fail(id, "error node in a module without errors"); break;
      case Op::BoolLit: result(TK::Bool); break;
      case Op::IntLit:
        result(TK::Integer);
        if (e.a >= m_.ints.size()) Fail(id, "bad pool index");
        break;
      case Op::DecLit:
        result(TK::Decimal);
        if (e.a >= m_.decs.size()) Fail(id, "bad pool index");
        break;
      case Op::DateLit: result(TK::Date); break;
      case Op::DurLit:
        result(TK::Duration);
        if (e.a >= m_.durs.size()) Fail(id, "bad pool index");
        break;
      case Op::TextLit:
        result(TK::Text);
        if (e.a >= m_.texts.size()) Fail(id, "bad pool index");
        break;
      case Op::EnumLit:
        result(TK::Enum);
        if (e.a >= m_.types.enums.size() || e.b >= m_.types.enums[e.a].members.size()) Fail(id, "bad enum member");
        break;
      case Op::SetLit:
        result(TK::Set);
        for (uint32_t i = 0; i < e.b; ++i) operand(m_.extra[e.a + i], TK::Enum);
        break;
      case Op::ListLit: result(TK::List); break;
      case Op::RecordLit: {
        result(TK::Record);
        const auto& rec = m_.types.records[e.a];
        for (size_t i = 0; i < rec.fields.size(); ++i)
          if (m_.exprs[m_.extra[e.b + i]].type != rec.fields[i].type)
            Fail(id, "field " + rec.fields[i].name + " mistyped");
        break;
      }
      case Op::Local:
      case Op::LetRef: break;
      case Op::Const:
        if (e.a >= m_.consts.size() || m_.consts[e.a].type != e.type) Fail(id, "bad const");
        break;
      case Op::Call:
        // A helper generic over units returns its result type with the call's units.
        if (e.a >= m_.defs.size() || (m_.defs[e.a].unit_params.empty() ? m_.defs[e.a].result != e.type
                                                                       : !SameButUnits(m_.defs[e.a].result, e.type)))
          Fail(id, "bad call");
        break;
      case Op::DecisionCall:
        if (e.a >= m_.decisions.size() || m_.decisions[e.a].result != e.type) Fail(id, "bad call");
        break;
      case Op::Builtin: break;
      case Op::Field: operand(e.a, TK::Record); break;
      case Op::With:
        operand(e.a, TK::Record);
        if (e.type != m_.exprs[e.a].type) Fail(id, "type changed");
        break;
      case Op::Not:
        operand(e.a, TK::Bool);
        result(TK::Bool);
        break;
      case Op::And:
      case Op::Or:
        operand(e.a, TK::Bool);
        operand(e.b, TK::Bool);
        result(TK::Bool);
        break;
      case Op::If:
        operand(e.a, TK::Bool);
        same(e.b, e.c);
        break;
      case Op::IntNeg:
        operand(e.a, TK::Integer);
        result(TK::Integer);
        break;
      case Op::IntAdd:
      case Op::IntSub:
        same(e.a, e.b);
        operand(e.a, TK::Integer);
        result(TK::Integer);
        break;
      case Op::IntMul:
      case Op::IntMod:
        operand(e.a, TK::Integer);
        operand(e.b, TK::Integer);
        result(TK::Integer);
        break;
      case Op::IntToDec:
        operand(e.a, TK::Integer);
        result(TK::Decimal);
        break;
      case Op::DecNeg:
        operand(e.a, TK::Decimal);
        result(TK::Decimal);
        break;
      case Op::DecAdd:
      case Op::DecSub:
        same(e.a, e.b);
        operand(e.a, TK::Decimal);
        result(TK::Decimal);
        break;
      case Op::DecMul:
      case Op::DecDiv:
        operand(e.a, TK::Decimal);
        operand(e.b, TK::Decimal);
        result(TK::Decimal);
        break;
      case Op::DateAddDur:
      case Op::DateSubDur:
        operand(e.a, TK::Date);
        operand(e.b, TK::Duration);
        result(TK::Date);
        break;
      case Op::DateDiff:
        operand(e.a, TK::Date);
        operand(e.b, TK::Date);
        result(TK::Duration);
        break;
      case Op::DurAdd:
      case Op::DurSub:
        operand(e.a, TK::Duration);
        operand(e.b, TK::Duration);
        break;
      case Op::DurNeg: operand(e.a, TK::Duration); break;
      case Op::DurMul:
        operand(e.a, TK::Duration);
        operand(e.b, TK::Integer);
        break;
      case Op::Eq:
      case Op::Ne:
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge:
        same(e.a, e.b);
        result(TK::Bool);
        break;
      case Op::SetHas:
        operand(e.a, TK::Enum);
        operand(e.b, TK::Set);
        break;
      case Op::ListHas: operand(e.b, TK::List); break;
      case Op::SetUnion:
      case Op::SetInter:
      case Op::SetMinus:
        same(e.a, e.b);
        operand(e.a, TK::Set);
        break;
      case Op::Exists:
      case Op::Forall:
        operand(e.b, TK::List);
        operand(e.c, TK::Bool);
        break;
      case Op::ListIndex:
        operand(e.a, TK::List);
        operand(e.b, TK::Integer);
        if (e.type != m_.types.info(m_.exprs[e.a].type).ref) Fail(id, "not the element type");
        break;
      case Op::ListMap:
        operand(e.b, TK::List);
        result(TK::List);
        if (m_.types.info(e.type).ref != m_.exprs[e.c].type) Fail(id, "not a list of the values");
        break;
      case Op::ListFilter:
      case Op::ListSort:
        operand(e.b, TK::List);
        if (e.op == Op::ListFilter) operand(e.c, TK::Bool);
        if (e.type != m_.exprs[e.b].type) Fail(id, "type changed");
        break;
      case Op::ListMin:
      case Op::ListMax:
        operand(e.a, TK::List);
        if (e.type != m_.types.info(m_.exprs[e.a].type).ref) Fail(id, "not the element type");
        break;
      case Op::ListArgMin:
      case Op::ListArgMax:
        operand(e.b, TK::List);
        if (e.type != m_.types.info(m_.exprs[e.b].type).ref) Fail(id, "not the element type");
        break;
      case Op::SumLit:
        result(TK::Sum);
        if (e.a != m_.types.info(e.type).ref || e.b >= m_.types.enums[e.a].members.size() ||
            m_.types.enums[e.a].HasPayload(e.b))
          Fail(id, "bad member without a value");
        break;
      case Op::SumMake: {
        result(TK::Sum);
        const auto& en = m_.types.enums[m_.types.info(e.type).ref];
        if (!en.HasPayload(e.b) || en.payloads[e.b] != m_.exprs[e.a].type) Fail(id, "bad member value");
        break;
      }
      case Op::Match: {
        MatchArms arms{m_, e};
        for (uint32_t i = 0; i < arms.count(); ++i)
          if (m_.exprs[arms.value(i)].type != e.type) Fail(id, "arms of different types");
        const auto& en = m_.types.enums[m_.types.info(m_.exprs[e.a].type).ref];
        for (uint32_t k = 0; k < arms.members(); ++k) {
          uint32_t arm = arms.arm_of(k);
          if (arm >= arms.count()) {
            Fail(id, "a member without an arm");
          } else if (arms.slot(arm) != kNoSlot && !en.HasPayload(k)) {
            Fail(id, "an arm binds the value of a member that carries none");
          }
        }
        break;
      }
    }
    if (K(id) == TK::Error) Fail(id, "error type");
  }

  // Whether every operand of e, by its op's shape (ops.def), is an expression of the module; the
  // type checks of Check read operands only after this.
  bool OperandsValid(ExprId id, const Expr& e) {
    Shape s = ShapeOf(e.op);
    if ((s == Shape::CallArgs && e.a >= m_.defs.size()) || (s == Shape::DecisionArgs && e.a >= m_.decisions.size()) ||
        (s == Shape::RecordFields && e.a >= m_.types.records.size())) {
      Fail(id, "bad callee or record");
      return false;
    }
    if (s == Shape::Arms) {
      if (!Valid(e.a) || (K(e.a) != rt::TypeKind::Enum && K(e.a) != rt::TypeKind::Sum)) {
        Fail(id, "a match on no enum value");
        return false;
      }
      if (uint64_t(e.b) + 2 * uint64_t(e.c) + MatchArms{m_, e}.members() > m_.extra.size()) {
        Fail(id, "arm list out of range");
        return false;
      }
    }
    OperandSpan list = OperandList(m_, e);
    if (uint64_t(list.start) + (s == Shape::Pairs ? 2 : 1) * uint64_t(list.count) > m_.extra.size()) {
      Fail(id, "operand list out of range");
      return false;
    }
    bool dangling = false;
    ForEachOperand(m_, e, [&](ExprId k) { dangling = dangling || !Valid(k); });
    if (dangling) Fail(id, "dangling operand");
    return !dangling;
  }

 private:
  const Module& m_;
};

}  // namespace

std::vector<uint32_t> Winners(const Decision& d, const std::vector<uint32_t>& applicable,
                              std::vector<std::vector<uint32_t>>* overridden_by) {
  std::vector<uint32_t> winners;
  Winners(d, applicable, &winners, overridden_by);
  return winners;
}

void Winners(const Decision& d, const std::vector<uint32_t>& applicable, std::vector<uint32_t>* winners,
             std::vector<std::vector<uint32_t>>* overridden_by) {
  winners->clear();
  for (uint32_t r : applicable) {
    bool overridden = false;
    for (uint32_t s : applicable) {
      const auto& ov = d.rules[s].overrides;
      if (std::binary_search(ov.begin(), ov.end(), r)) {
        overridden = true;
        if (overridden_by) (*overridden_by)[r].push_back(s);
      }
    }
    if (!overridden) winners->push_back(r);
  }
}

bool SharesScopeFrame(const Module& m, const Expr& call, const std::string& scope, size_t params) {
  if (call.op != Op::DecisionCall || scope.empty() || call.a >= m.decisions.size()) return false;
  const Decision& callee = m.decisions[call.a];
  if (callee.scope != scope || callee.params.size() != params) return false;
  for (uint32_t i = 0; i < params; ++i) {
    const Expr& arg = m.exprs[m.extra[call.b + i]];
    if (arg.op != Op::Local || arg.a != i || arg.type != callee.params[i].type) return false;
  }
  return true;
}

std::vector<std::string> Verify(const Module& m) {
  Verifier v(m);
  // A call that shares its caller's scope frame does so in the decision it belongs to.
  std::vector<bool> shared_ok(m.exprs.size(), false);
  for (const auto& d : m.decisions) {
    std::vector<ExprId> todo;
    ForEachRoot(d, [&](ExprId x) { todo.push_back(x); });
    while (!todo.empty()) {
      ExprId x = todo.back();
      todo.pop_back();
      if (x >= m.exprs.size()) continue;
      const Expr& e = m.exprs[x];
      if (e.op == Op::DecisionCall && e.c == 1 && SharesScopeFrame(m, e, d.scope, d.params.size())) shared_ok[x] = true;
      ForEachOperand(m, e, [&](ExprId k) { todo.push_back(k); });
    }
  }
  for (ExprId i = 0; i < m.exprs.size(); ++i)
    if (m.exprs[i].op == Op::DecisionCall && m.exprs[i].c != 0 && !shared_ok[i])
      v.problems.push_back(fmt::format("expr {} (DecisionCall): shares a scope frame it is not in", i));
  for (ExprId i = 0; i < m.exprs.size(); ++i) v.Check(i);
  for (const auto& iv : m.invariants)
    if (iv.def >= m.defs.size() || m.defs[iv.def].params.size() != 1 || m.defs[iv.def].params[0].type != iv.type ||
        m.types.kind(m.defs[iv.def].result) != rt::TypeKind::Bool)
      v.problems.push_back(fmt::format("invariant {}: its helper is not a bool of one {}", iv.name, iv.type));
  for (const auto& d : m.decisions) {
    for (const auto& g : d.guards)
      if (g.invariant >= m.invariants.size() || g.check == kNoExpr || g.check >= m.exprs.size() ||
          m.types.kind(m.exprs[g.check].type) != rt::TypeKind::Bool)
        v.problems.push_back(fmt::format("decision {}: guard {} is not a bool check of an invariant", d.name, g.path));
    for (const auto& a : d.assertions)
      if (a.condition == kNoExpr || a.condition >= m.exprs.size() ||
          m.types.kind(m.exprs[a.condition].type) != rt::TypeKind::Bool)
        v.problems.push_back(fmt::format("decision {}: an assertion is not a bool", d.name));
    for (const auto& r : d.rules) {
      if (r.outcome == kNoExpr || m.exprs[r.outcome].type != d.result)
        v.problems.push_back(fmt::format("rule {}.{}: outcome type differs from the decision's", d.name, r.name));
      if (r.condition != kNoExpr && m.types.kind(m.exprs[r.condition].type) != rt::TypeKind::Bool)
        v.problems.push_back(fmt::format("rule {}.{}: condition is not bool", d.name, r.name));
      for (uint32_t o : r.overrides)
        if (o >= d.rules.size()) v.problems.push_back(fmt::format("rule {}.{}: bad exception target", d.name, r.name));
    }
  }
  return v.problems;
}

}  // namespace edict::ir
