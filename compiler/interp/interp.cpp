#include "compiler/interp/interp.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "compiler/base/limits.h"
#include "compiler/ir/walk.h"
#include "runtime/ops.h"

namespace edict::interp {

using ir::ExprId;
using ir::Op;
using rt::TypeKind;

// The values of the decisions called so far in one scope frame (ir::Decision::scope): every
// decision of the frame has the same arguments, so a decision's value is its value for all.
struct Interpreter::ScopeFrame {
  std::unordered_map<uint32_t, Value> decided;
};

struct Interpreter::Frame {
  std::vector<Value> slots;
  const ir::Decision* decision = nullptr;
  std::vector<std::optional<Value>> lets;
  // The scope frame this decision's evaluation shares with its caller's, or the one it made for
  // the calls that share its own (ir::Expr::c of a DecisionCall); null until one is needed.
  ScopeFrame* scope = nullptr;
  std::unique_ptr<ScopeFrame> own_scope;

  // The frame of a call of decision d with these arguments.
  static Frame ForDecision(const ir::Decision& d, std::vector<Value> args) {
    Frame f;
    f.decision = &d;
    f.slots = std::move(args);
    f.slots.resize(std::max<size_t>(d.slot_count, f.slots.size()));
    f.lets.resize(d.lets.size());
    return f;
  }
};

Interpreter::Interpreter(const ir::Module& m)
    : m_(m), const_cache_(m.consts.size()), const_busy_(m.consts.size(), false) {}

void Interpreter::EnableCoverage() {
  coverage_ = true;
  decided_.assign(m_.decisions.size(), {});
  for (size_t d = 0; d < m_.decisions.size(); ++d) decided_[d].assign(m_.decisions[d].rules.size() + 1, 0);
}

const Value& Interpreter::EvalConst(uint32_t c) {
  if (!const_cache_[c]) {
    Frame f;
    f.slots.resize(m_.consts[c].slot_count);
    const_cache_[c] = Eval(m_.consts[c].value, f);
  }
  return *const_cache_[c];
}

int Interpreter::Compare(const Value& a, const Value& b, TypeKind k, SourceRange at) {
  switch (k) {
    case TypeKind::Integer: return a.AsInt() < b.AsInt() ? -1 : (a.AsInt() > b.AsInt() ? 1 : 0);
    case TypeKind::Decimal: return rt::Decimal::Compare(a.AsDec(), b.AsDec());
    case TypeKind::Date: return a.AsDate().days < b.AsDate().days ? -1 : (a.AsDate().days > b.AsDate().days ? 1 : 0);
    case TypeKind::Duration: return rt::DurCompare(a.AsDur(), b.AsDur(), at);
    case TypeKind::Error:
    case TypeKind::Bool:
    case TypeKind::Text:
    case TypeKind::Enum:
    case TypeKind::Set:
    case TypeKind::Record:
    case TypeKind::List:
    case TypeKind::Sum: return 0;  // the checker allows ordering only on the kinds above
  }
  return 0;
}

Value Interpreter::CallDef(uint32_t def, const uint32_t* args, Frame& caller) {
  const ir::Def& d = m_.defs[def];
  Frame f;
  f.slots.resize(d.slot_count);
  for (size_t i = 0; i < d.params.size(); ++i) f.slots[i] = Eval(args[i], caller);
  return Eval(d.body, f);
}

Value Interpreter::CallDef(uint32_t def, std::vector<Value> args) {
  const ir::Def& d = m_.defs[def];
  Frame f;
  f.slots = std::move(args);
  f.slots.resize(std::max<size_t>(d.slot_count, f.slots.size()));
  return Eval(d.body, f);
}

Value Interpreter::Eval(ExprId id, Frame& f) {
  const ir::Expr& e = m_.exprs[id];
  const SourceRange at = e.range;
  // Operands are evaluated left to right, so that when both raise an error every engine reports
  // the left one (C++ leaves the evaluation order of function arguments unspecified).
  auto both = [&]() {
    Value a = Eval(e.a, f);
    Value b = Eval(e.b, f);
    return std::pair<Value, Value>{std::move(a), std::move(b)};
  };
  switch (e.op) {
    case Op::Error: throw std::logic_error("evaluated an error node");
    case Op::BoolLit: return bool(e.a);
    case Op::IntLit: return m_.ints[e.a];
    case Op::DecLit: return m_.decs[e.a];
    case Op::DateLit: return rt::Date{int32_t(e.a)};
    case Op::DurLit: return m_.durs[e.a];
    case Op::TextLit: return rt::MakeText(m_.texts[e.a]);
    case Op::EnumLit: return rt::EnumValue{e.a, e.b};
    case Op::SetLit: {
      std::vector<uint32_t> members;
      for (uint32_t i = 0; i < e.b; ++i) members.push_back(Eval(m_.extra[e.a + i], f).AsEnum().index);
      uint32_t en = m_.types.info(e.type).ref;
      return rt::MakeSet(en, m_.types.enums[en].members.size(), members);
    }
    case Op::ListLit: {
      std::vector<Value> xs;
      xs.reserve(e.b);
      for (uint32_t i = 0; i < e.b; ++i) xs.push_back(Eval(m_.extra[e.a + i], f));
      return rt::MakeList(std::move(xs));
    }
    case Op::RecordLit: {
      size_t n = m_.types.records[e.a].fields.size();
      std::vector<Value> fs;
      fs.reserve(n);
      for (size_t i = 0; i < n; ++i) fs.push_back(Eval(m_.extra[e.b + i], f));
      return rt::MakeRecord(e.a, std::move(fs));
    }
    case Op::Local: return f.slots[e.a];
    case Op::LetRef: {
      auto& memo = f.lets[e.a];
      if (!memo) memo = Eval(f.decision->lets[e.a].value, f);
      return *memo;
    }
    case Op::Const: return EvalConst(e.a);
    case Op::Call: {
      if (!calls_) return CallDef(e.a, m_.operands(e.b), f);
      const uint32_t* ops = m_.operands(e.b);
      std::vector<Value> args;
      for (size_t i = 0; i < m_.defs[e.a].params.size(); ++i) args.push_back(Eval(ops[i], f));
      return TraceCall(id, std::move(args));
    }
    case Op::DecisionCall: {
      const ir::Decision& d = m_.decisions[e.a];
      std::vector<Value> args;
      for (size_t i = 0; i < d.params.size(); ++i) args.push_back(Eval(m_.extra[e.b + i], f));
      if (engine_ && in_test_) return engine_(e.a, std::move(args));
      if (calls_) return TraceCall(id, std::move(args));
      if (e.c == 0) return EvalDecision(e.a, std::move(args));
      // A decision of the caller's scope frame: evaluated once per frame, its value reused.
      if (!f.scope) {
        f.own_scope = std::make_unique<ScopeFrame>();
        f.scope = f.own_scope.get();
      }
      if (auto it = f.scope->decided.find(e.a); it != f.scope->decided.end()) return it->second;
      Value v = Decide(e.a, std::move(args), nullptr, f.scope);
      return f.scope->decided.emplace(e.a, std::move(v)).first->second;
    }
    case Op::Builtin: return Builtin(e, f);
    case Op::Field: return (*Eval(e.a, f).AsRecord().fields)[e.b];
    case Op::With: {
      Value base = Eval(e.a, f);
      std::vector<Value> fs = *base.AsRecord().fields;
      for (uint32_t i = 0; i < e.c; ++i) fs[m_.extra[e.b + 2 * i]] = Eval(m_.extra[e.b + 2 * i + 1], f);
      return rt::MakeRecord(base.AsRecord().record_id, std::move(fs));
    }
    case Op::Not: return !EvalBool(e.a, f);
    case Op::And: return EvalBool(e.a, f) && EvalBool(e.b, f);
    case Op::Or: return EvalBool(e.a, f) || EvalBool(e.b, f);
    case Op::If: return EvalBool(e.a, f) ? Eval(e.b, f) : Eval(e.c, f);
    case Op::IntNeg: return rt::IntNeg(Eval(e.a, f).AsInt(), at);
    case Op::IntAdd: {
      auto [a, b] = both();
      return rt::IntAdd(a.AsInt(), b.AsInt(), at);
    }
    case Op::IntSub: {
      auto [a, b] = both();
      return rt::IntSub(a.AsInt(), b.AsInt(), at);
    }
    case Op::IntMul: {
      auto [a, b] = both();
      return rt::IntMul(a.AsInt(), b.AsInt(), at);
    }
    case Op::IntMod: {
      auto [a, b] = both();
      return rt::IntMod(a.AsInt(), b.AsInt(), at);
    }
    case Op::IntToDec: return rt::Decimal::FromInt(Eval(e.a, f).AsInt());
    case Op::DecNeg: return rt::DecNeg(Eval(e.a, f).AsDec(), at);
    case Op::DecAdd: {
      auto [a, b] = both();
      return rt::DecAdd(a.AsDec(), b.AsDec(), at);
    }
    case Op::DecSub: {
      auto [a, b] = both();
      return rt::DecSub(a.AsDec(), b.AsDec(), at);
    }
    case Op::DecMul: {
      auto [a, b] = both();
      return rt::DecMul(a.AsDec(), b.AsDec(), at);
    }
    case Op::DecDiv: {
      auto [a, b] = both();
      return rt::DecDiv(a.AsDec(), b.AsDec(), at);
    }
    case Op::DateAddDur: {
      auto [a, b] = both();
      return rt::DateAddDuration(a.AsDate(), b.AsDur(), at);
    }
    case Op::DateSubDur: {
      auto [a, b] = both();
      return rt::DateSubDuration(a.AsDate(), b.AsDur(), at);
    }
    case Op::DateDiff: {
      auto [a, b] = both();
      return rt::Duration{0, int64_t(a.AsDate().days) - b.AsDate().days};
    }
    case Op::DurAdd: {
      auto [a, b] = both();
      return rt::DurAdd(a.AsDur(), b.AsDur(), at);
    }
    case Op::DurSub: {
      auto [a, b] = both();
      return rt::DurAdd(a.AsDur(), rt::DurNeg(b.AsDur(), at), at);
    }
    case Op::DurNeg: return rt::DurNeg(Eval(e.a, f).AsDur(), at);
    case Op::DurMul: {
      auto [a, b] = both();
      return rt::DurScale(a.AsDur(), b.AsInt(), at);
    }
    case Op::Eq: {
      auto [a, b] = both();
      return rt::ValuesEqual(a, b);
    }
    case Op::Ne: {
      auto [a, b] = both();
      return !rt::ValuesEqual(a, b);
    }
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
      // One case, operands straight into locals (not through both()): the comparisons are the
      // interpreter's hottest nodes, and a pair's moves cost 8% of its instructions on the peers
      // decision (docs/performance.md).
      Value a = Eval(e.a, f);
      Value b = Eval(e.b, f);
      int c = Compare(a, b, m_.types.kind(m_.exprs[e.a].type), at);
      return e.op == Op::Lt ? c < 0 : e.op == Op::Le ? c <= 0 : e.op == Op::Gt ? c > 0 : c >= 0;
    }
    case Op::SetHas: {
      Value x = Eval(e.a, f);
      // A constant set (a country group) is tested in place, without copying it.
      if (m_.exprs[e.b].op == Op::Const) return EvalConst(m_.exprs[e.b].a).AsSet().Contains(x.AsEnum().index);
      return Eval(e.b, f).AsSet().Contains(x.AsEnum().index);
    }
    case Op::ListHas: {
      Value x = Eval(e.a, f);
      Value l = Eval(e.b, f);
      for (const Value& y : *l.AsList().elems)
        if (rt::ValuesEqual(x, y)) return true;
      return false;
    }
    case Op::SetUnion:
    case Op::SetInter:
    case Op::SetMinus: {
      Value a = Eval(e.a, f), b = Eval(e.b, f);
      const auto& x = *a.AsSet().bits;
      const auto& y = *b.AsSet().bits;
      std::vector<uint64_t> r(x.size());
      for (size_t i = 0; i < r.size(); ++i)
        r[i] = e.op == Op::SetUnion ? (x[i] | y[i]) : e.op == Op::SetInter ? (x[i] & y[i]) : (x[i] & ~y[i]);
      return rt::MakeSetFromBits(a.AsSet().enum_id, std::move(r));
    }
    case Op::Exists:
    case Op::Forall: {
      Value l = Eval(e.b, f);
      bool want = e.op == Op::Exists;
      for (const Value& x : *l.AsList().elems) {
        f.slots[e.a] = x;
        if (EvalBool(e.c, f) == want) return want;
      }
      return !want;
    }
    case Op::ListIndex: {
      auto [l, i] = both();
      const auto& xs = *l.AsList().elems;
      return xs[rt::ListPosition(i.AsInt(), int64_t(xs.size()), at)];
    }
    case Op::ListMap:
    case Op::ListFilter: {
      Value l = Eval(e.b, f);
      std::vector<Value> out;
      out.reserve(l.AsList().elems->size());
      for (const Value& x : *l.AsList().elems) {
        f.slots[e.a] = x;
        if (e.op == Op::ListMap)
          out.push_back(Eval(e.c, f));
        else if (EvalBool(e.c, f))
          out.push_back(x);
      }
      return rt::MakeList(std::move(out));
    }
    case Op::ListMin:
    case Op::ListMax: {
      Value l = Eval(e.a, f);
      const auto& xs = *l.AsList().elems;
      if (xs.empty()) rt::EmptyList(e.op == Op::ListMin ? "min" : "max", at);
      const TypeKind k = m_.types.kind(e.type);
      size_t best = 0;
      for (size_t i = 1; i < xs.size(); ++i) {
        int c = Compare(xs[i], xs[best], k, at);
        if (e.op == Op::ListMin ? c < 0 : c > 0) best = i;
      }
      return xs[best];
    }
    case Op::ListArgMin:
    case Op::ListArgMax:
    case Op::ListSort: {
      // The key of every element, first to last, then the first of least (greatest) key, or the
      // elements in a stable order of their keys.
      Value l = Eval(e.b, f);
      const auto& xs = *l.AsList().elems;
      if (xs.empty() && e.op != Op::ListSort) rt::EmptyList(e.op == Op::ListArgMin ? "argmin" : "argmax", at);
      const TypeKind k = m_.types.kind(m_.exprs[e.c].type);
      std::vector<Value> keys;
      keys.reserve(xs.size());
      for (const Value& x : xs) {
        f.slots[e.a] = x;
        keys.push_back(Eval(e.c, f));
      }
      if (e.op == Op::ListSort) {
        std::vector<size_t> order(xs.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t a, size_t b) { return Compare(keys[a], keys[b], k, at) < 0; });
        std::vector<Value> out;
        out.reserve(xs.size());
        for (size_t i : order) out.push_back(xs[i]);
        return rt::MakeList(std::move(out));
      }
      size_t best = 0;
      for (size_t i = 1; i < xs.size(); ++i) {
        int c = Compare(keys[i], keys[best], k, at);
        if (e.op == Op::ListArgMin ? c < 0 : c > 0) best = i;
      }
      return xs[best];
    }
    case Op::SumLit: return rt::MakeSum(e.a, e.b);
    case Op::SumMake: return rt::MakeSum(m_.types.info(e.type).ref, e.b, Eval(e.a, f));
    case Op::Match: {
      ir::MatchArms arms{m_, e};
      Value v = Eval(e.a, f);
      uint32_t arm = arms.arm_of(MemberOf(v));
      if (arms.slot(arm) != ir::kNoSlot) f.slots[arms.slot(arm)] = *v.AsSum().payload;
      return Eval(arms.value(arm), f);
    }
  }
  throw std::logic_error("unknown op");
}

Value Interpreter::Builtin(const ir::Expr& e, Frame& f) {
  const uint32_t* args = m_.operands(e.b);
  const SourceRange at = e.range;
  using B = ir::Builtin;
  switch (B(e.a)) {
    case B::YearOf: return int64_t(rt::CivilFromDays(Eval(args[0], f).AsDate().days).year);
    case B::MonthOf: return int64_t(rt::CivilFromDays(Eval(args[0], f).AsDate().days).month);
    case B::DayOf: return int64_t(rt::CivilFromDays(Eval(args[0], f).AsDate().days).day);
    case B::MakeDate: {
      int64_t y = Eval(args[0], f).AsInt();
      int64_t mo = Eval(args[1], f).AsInt();
      int64_t d = Eval(args[2], f).AsInt();
      return rt::MakeDate(y, mo, d, at);
    }
    case B::AddMonthsStrict: {
      rt::Date d = Eval(args[0], f).AsDate(), out;
      int64_t n = Eval(args[1], f).AsInt();
      bool missing = false;
      if (!rt::AddMonthsStrict(d, n, &out, &missing))
        throw rt::EvalError(
            rt::RtErrorKind::InvalidDate, at,
            missing ? fmt::format("{} plus {} months falls on a day that does not exist", rt::ToString(d), n)
                    : fmt::format("{} plus {} months is outside years 1 to 9999", rt::ToString(d), n));
      return out;
    }
    case B::AddMonthsUp: {
      rt::Date d = Eval(args[0], f).AsDate(), out;
      int64_t n = Eval(args[1], f).AsInt();
      if (!rt::AddMonthsUp(d, n, &out))
        throw rt::EvalError(rt::RtErrorKind::InvalidDate, at,
                            fmt::format("{} plus {} months is outside years 1 to 9999", rt::ToString(d), n));
      return out;
    }
    case B::DaysOf: return rt::DaysOf(Eval(args[0], f).AsDur(), at);
    case B::Floor: return rt::NarrowToInt(Eval(args[0], f).AsDec().Floor(), at);
    case B::Ceil: return rt::NarrowToInt(Eval(args[0], f).AsDec().Ceil(), at);
    case B::Truncate: return rt::NarrowToInt(Eval(args[0], f).AsDec().Truncate(), at);
    case B::RoundHalfUp: return rt::NarrowToInt(Eval(args[0], f).AsDec().RoundHalfUp(), at);
    case B::RoundHalfEven: return rt::NarrowToInt(Eval(args[0], f).AsDec().RoundHalfEven(), at);
    case B::ToInteger: return rt::DecToInt(Eval(args[0], f).AsDec(), at);
    case B::Abs: {
      Value v = Eval(args[0], f);
      if (m_.types.kind(e.type) == TypeKind::Integer) return v.AsInt() < 0 ? Value(rt::IntNeg(v.AsInt(), at)) : v;
      return v.AsDec().Sign() < 0 ? Value(rt::DecNeg(v.AsDec(), at)) : v;
    }
    case B::Min:
    case B::Max: {
      Value a = Eval(args[0], f), b = Eval(args[1], f);
      int c = Compare(a, b, m_.types.kind(e.type), at);
      bool take_a = B(e.a) == B::Min ? c <= 0 : c >= 0;
      return take_a ? a : b;
    }
    case B::Count: {
      Value v = Eval(args[0], f);
      if (m_.types.kind(m_.exprs[args[0]].type) == TypeKind::List) return int64_t(v.AsList().elems->size());
      int64_t n = 0;
      for (uint64_t w : *v.AsSet().bits) n += __builtin_popcountll(w);
      return n;
    }
    case B::Sum: {
      Value l = Eval(args[0], f);
      if (m_.types.kind(e.type) == TypeKind::Integer) {
        int64_t s = 0;
        for (const Value& x : *l.AsList().elems) s = rt::IntAdd(s, x.AsInt(), at);
        return s;
      }
      rt::Decimal s;
      for (const Value& x : *l.AsList().elems) s = rt::DecAdd(s, x.AsDec(), at);
      return s;
    }
  }
  throw std::logic_error("unknown builtin");
}

// Evaluates a rule condition, recording its atoms (the non-connective subconditions) in order.
bool Interpreter::EvalCondition(ExprId id, Frame& f, std::vector<AtomTrace>* atoms) {
  if (!atoms) return EvalBool(id, f);
  const ir::Expr& e = m_.exprs[id];
  // The connectives are walked into; anything else is an atom.
  if (e.op == Op::And) return EvalCondition(e.a, f, atoms) && EvalCondition(e.b, f, atoms);
  if (e.op == Op::Or) return EvalCondition(e.a, f, atoms) || EvalCondition(e.b, f, atoms);
  if (e.op == Op::Not && (m_.exprs[e.a].op == Op::And || m_.exprs[e.a].op == Op::Or || m_.exprs[e.a].op == Op::Not))
    return !EvalCondition(e.a, f, atoms);
  AtomTrace atom{id, false, {}, {}};
  atom.value = EvalBool(id, f);
  atoms->push_back(std::move(atom));
  return atoms->back().value;
}

// The values an atom read: inputs (parameters and their fields), lets, constants and calls. Only
// what its evaluation read: the branch of an `if` not taken and the right side of a
// short-circuited `and` / `or` are left out, since evaluating them could fail (a constant that
// overflows, a helper dividing by zero) where the atom itself did not. The atom was evaluated
// before, so every value read here is one that evaluation computed.
void Interpreter::CollectInputs(ExprId id, Frame& f, std::vector<std::pair<ExprId, Value>>* out) {
  const ir::Expr& e = m_.exprs[id];
  auto is_path = [&](ExprId x) {
    while (m_.exprs[x].op == Op::Field) x = m_.exprs[x].a;
    return m_.exprs[x].op == Op::Local || m_.exprs[x].op == Op::LetRef;
  };
  switch (e.op) {
    case Op::Local:
    case Op::LetRef:
    case Op::Const: out->emplace_back(id, Eval(id, f)); return;
    case Op::Call:
    case Op::DecisionCall:
      // The call's value, then what its arguments read; but not a record passed whole (what the
      // callee read of it is in the call's own trace).
      out->emplace_back(id, Eval(id, f));
      ir::ForEachOperand(m_, e, [&](ExprId k) {
        if (!is_path(k) || m_.types.kind(m_.exprs[k].type) != TypeKind::Record) CollectInputs(k, f, out);
      });
      return;
    case Op::Field:
      if (is_path(id)) {
        out->emplace_back(id, Eval(id, f));
        return;
      }
      CollectInputs(e.a, f, out);
      return;
    case Op::Exists:
    case Op::Forall:
    case Op::ListMap:
    case Op::ListFilter:
    case Op::ListArgMin:
    case Op::ListArgMax:
    case Op::ListSort: CollectInputs(e.b, f, out); return;
    case Op::If:
      CollectInputs(e.a, f, out);
      CollectInputs(EvalBool(e.a, f) ? e.b : e.c, f, out);
      return;
    case Op::Match: {  // the value matched, and the arm taken (its member's value bound)
      ir::MatchArms arms{m_, e};
      CollectInputs(e.a, f, out);
      Value v = Eval(e.a, f);
      uint32_t arm = arms.arm_of(MemberOf(v));
      if (arms.slot(arm) != ir::kNoSlot) f.slots[arms.slot(arm)] = *v.AsSum().payload;
      CollectInputs(arms.value(arm), f, out);
      return;
    }
    case Op::And:
    case Op::Or:
      CollectInputs(e.a, f, out);
      if (EvalBool(e.a, f) != (e.op == Op::Or)) CollectInputs(e.b, f, out);  // otherwise b was not evaluated
      return;
    case Op::Error:
    case Op::BoolLit:
    case Op::IntLit:
    case Op::DecLit:
    case Op::DateLit:
    case Op::DurLit:
    case Op::TextLit:
    case Op::EnumLit:
    case Op::SetLit:
    case Op::ListLit:
    case Op::RecordLit:
    case Op::Builtin:
    case Op::With:
    case Op::Not:
    case Op::IntNeg:
    case Op::IntAdd:
    case Op::IntSub:
    case Op::IntMul:
    case Op::IntMod:
    case Op::IntToDec:
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
    case Op::SumLit:
    case Op::SumMake:
    case Op::ListIndex:
    case Op::ListMin:
    case Op::ListMax:
      // Every operand was evaluated: walk them all.
      ir::ForEachOperand(m_, e, [&](ExprId k) { CollectInputs(k, f, out); });
      return;
  }
}

namespace {
// Sets where the calls evaluated are recorded, for one scope.
struct CallSink {
  std::vector<CallTrace>*& calls;
  std::vector<CallTrace>* saved;
  CallSink(std::vector<CallTrace>*& c, std::vector<CallTrace>* to) : calls(c), saved(c) { calls = to; }
  ~CallSink() { calls = saved; }
};
}  // namespace

Value Interpreter::TraceCall(ExprId id, std::vector<Value> args) {
  const ir::Expr& e = m_.exprs[id];
  std::vector<CallTrace>& sink = *calls_;
  auto plain = [&](std::vector<Value> a) {
    CallSink off(calls_, nullptr);
    return e.op == Op::DecisionCall ? EvalDecision(e.a, std::move(a)) : CallDef(e.a, std::move(a));
  };
  // A call site evaluated again here (in a list operation): counted, not traced again.
  for (CallTrace& c : sink)
    if (c.expr == id) {
      ++c.times;
      return plain(std::move(args));
    }
  size_t index = sink.size();
  sink.emplace_back();
  sink[index].expr = id;
  sink[index].args = args;
  if (traced_calls_ >= limits::kMaxTracedCalls) {
    sink[index].omitted = true;
    Value v = plain(std::move(args));
    sink[index].result = v;
    return v;
  }
  ++traced_calls_;
  Value v;
  if (e.op == Op::DecisionCall) {
    auto child = std::make_shared<DecisionTrace>();
    sink[index].decision = child;
    CallSink off(calls_, nullptr);
    try {
      v = EvalDecision(e.a, std::move(args), child.get());
    } catch (const rt::EvalError&) {
      Explain(child.get());
      throw;
    }
    Explain(child.get());
  } else {
    CallTrace body;
    v = TraceDefBody(e.a, std::move(args), &body);
    sink[index].inputs = std::move(body.inputs);
    sink[index].calls = std::move(body.calls);
  }
  sink[index].result = v;
  return v;
}

Value Interpreter::TraceDefBody(uint32_t def, std::vector<Value> args, CallTrace* out) {
  const ir::Def& d = m_.defs[def];
  Frame f;
  f.slots = std::move(args);
  f.slots.resize(std::max<size_t>(d.slot_count, f.slots.size()));
  Value v;
  {
    CallSink to(calls_, &out->calls);
    v = Eval(d.body, f);
  }
  CallSink off(calls_, nullptr);
  std::vector<std::pair<ExprId, Value>> read;
  CollectInputs(d.body, f, &read);
  // The parameters are shown as the call's arguments already.
  for (auto& [x, value] : read)
    if (!(m_.exprs[x].op == Op::Local && m_.exprs[x].a < d.params.size()))
      out->inputs.emplace_back(x, std::move(value));
  return v;
}

void Interpreter::Explain(DecisionTrace* t) {
  const ir::Decision& d = m_.decisions[t->decision];
  struct Nesting {
    size_t& n;
    size_t& traced;
    explicit Nesting(size_t& depth, size_t& count) : n(depth), traced(count) {
      if (n++ == 0) traced = 0;  // the limit is per explanation, nested ones included
    }
    ~Nesting() { --n; }
  } nesting(explaining_, traced_calls_);
  // One frame for the whole decision, as in its evaluation: a local definition's calls are shown
  // under the first atom that read it.
  Frame f = Frame::ForDecision(d, t->args);
  for (RuleTrace& r : t->rules)
    for (AtomTrace& a : r.atoms) {
      a.inputs.clear();
      a.calls.clear();
      {
        CallSink to(calls_, &a.calls);
        Eval(a.expr, f);
      }
      CallSink off(calls_, nullptr);
      CollectInputs(a.expr, f, &a.inputs);
    }
  // How the deciding rule's outcome was built: each field of a record written out, or the whole.
  t->outcome_parts.clear();
  if (!t->outcome) return;
  const ir::Rule* decided = nullptr;
  for (const RuleTrace& r : t->rules)
    if (r.decided && !decided) decided = r.rule == UINT32_MAX ? &d.default_rule : &d.rules[r.rule];
  if (!decided) return;
  const ir::Expr& oe = m_.exprs[decided->outcome];
  std::vector<std::pair<int32_t, ExprId>> parts;
  if (oe.op == Op::RecordLit)
    for (size_t i = 0; i < m_.types.records[oe.a].fields.size(); ++i)
      parts.emplace_back(int32_t(i), m_.extra[oe.b + i]);
  else
    parts.emplace_back(-1, decided->outcome);
  for (const auto& [field, x] : parts) {
    OutcomePart p;
    p.field = field;
    p.expr = x;
    {
      CallSink to(calls_, &p.calls);
      p.value = Eval(x, f);
    }
    CallSink off(calls_, nullptr);
    CollectInputs(x, f, &p.inputs);
    if (!p.inputs.empty() || !p.calls.empty()) t->outcome_parts.push_back(std::move(p));
  }
}

int Interpreter::BrokenGuard(uint32_t decision, const std::vector<Value>& args) {
  const ir::Decision& d = m_.decisions[decision];
  Frame f = Frame::ForDecision(d, args);
  for (size_t i = 0; i < d.guards.size(); ++i) {
    try {
      if (!Eval(d.guards[i].check, f).AsBool()) return int(i);
    } catch (const rt::EvalError&) { return int(i); }
  }
  return -1;
}

Value Interpreter::EvalDecision(uint32_t decision, std::vector<Value> args, DecisionTrace* trace) {
  return Decide(decision, std::move(args), trace, nullptr);
}

Value Interpreter::Decide(uint32_t decision, std::vector<Value> args, DecisionTrace* trace, ScopeFrame* scope) {
  const ir::Decision& d = m_.decisions[decision];
  if (trace) trace->args = args;
  Frame f = Frame::ForDecision(d, std::move(args));
  f.scope = scope;
  if (trace) {
    trace->decision = decision;
    trace->rules.clear();
    trace->outcome.reset();
    trace->outcome_parts.clear();
  }
  // 0. The invariants of its inputs.
  for (const auto& g : d.guards) {
    if (Eval(g.check, f).AsBool()) continue;
    const ir::Invariant& inv = m_.invariants[g.invariant];
    throw rt::EvalError(rt::RtErrorKind::InvalidCase, inv.range, ir::BrokenInvariantMessage(inv, g.path));
  }
  // 0'. Its assertions, in order.
  for (const auto& a : d.assertions)
    if (!Eval(a.condition, f).AsBool())
      throw rt::EvalError(rt::RtErrorKind::AssertionFailed, a.range, ir::FailedAssertionMessage(d, a));
  // 1. Which rules apply.
  struct Depth {
    size_t& d;
    explicit Depth(size_t& depth) : d(depth) { ++d; }
    ~Depth() { --d; }
  } depth(depth_);
  if (rule_sets_.size() < depth_) rule_sets_.resize(depth_);
  // A nested call may grow rule_sets_: index it, do not keep a reference across calls.
  const size_t level = depth_ - 1;
  std::vector<uint32_t> applicable = std::move(rule_sets_[level].applicable);
  applicable.clear();
  for (uint32_t r = 0; r < d.rules.size(); ++r) {
    const ir::Rule& rule = d.rules[r];
    RuleTrace* rt_ = nullptr;
    if (trace) {
      trace->rules.push_back(RuleTrace{r, false, false, {}, {}});
      rt_ = &trace->rules.back();
    }
    bool applies = rule.condition == ir::kNoExpr || EvalCondition(rule.condition, f, rt_ ? &rt_->atoms : nullptr);
    if (applies) applicable.push_back(r);
    if (rt_) rt_->applicable = applies;
  }
  // 2. Which applicable rules are not overridden by another applicable rule.
  std::vector<std::vector<uint32_t>> overridden_by;
  if (trace) overridden_by.resize(d.rules.size());
  std::vector<uint32_t> winners = std::move(rule_sets_[level].winners);
  ir::Winners(d, applicable, &winners, trace ? &overridden_by : nullptr);
  struct GiveBack {  // the buffers return to their level however this call ends
    std::vector<RuleSets>& sets;
    size_t level;
    std::vector<uint32_t>& a;
    std::vector<uint32_t>& w;
    ~GiveBack() {
      sets[level].applicable = std::move(a);
      sets[level].winners = std::move(w);
    }
  } give_back{rule_sets_, level, applicable, winners};
  if (trace)
    for (uint32_t r : applicable) trace->rules[r].overridden_by = std::move(overridden_by[r]);
  auto cite = [](const ir::Rule& r) { return r.cite.empty() ? std::string() : " (" + r.cite.cite + ")"; };
  // 3. The outcome.
  if (winners.empty()) {
    if (!d.has_default) {
      std::vector<rt::RtNote> notes;
      for (const auto& r : d.rules)
        if (r.condition != ir::kNoExpr)
          notes.push_back({m_.exprs[r.condition].range, fmt::format("`{}` does not apply", r.name)});
      throw rt::EvalError(rt::RtErrorKind::NoApplicableRule, d.range,
                          fmt::format("no rule of `{}` applies to this case, and it has no default", d.name),
                          std::move(notes));
    }
    Value out = Eval(d.default_rule.outcome, f);
    if (coverage_) ++decided_[decision][d.rules.size()];
    if (trace) {
      trace->rules.push_back(RuleTrace{UINT32_MAX, true, true, {}, {}});
      trace->outcome = out;
    }
    return out;
  }
  Value out = Eval(d.rules[winners[0]].outcome, f);
  for (size_t i = 1; i < winners.size(); ++i) {
    Value other = Eval(d.rules[winners[i]].outcome, f);
    if (!rt::ValuesEqual(out, other)) {
      const ir::Rule& a = d.rules[winners[0]];
      const ir::Rule& b = d.rules[winners[i]];
      throw rt::EvalError(rt::RtErrorKind::Conflict, b.name_range,
                          fmt::format("rules `{}`{} and `{}`{} both apply and give different outcomes: {} and {}",
                                      a.name, cite(a), b.name, cite(b), rt::FormatValue(out, d.result, m_.types),
                                      rt::FormatValue(other, d.result, m_.types)),
                          {{a.name_range, fmt::format("`{}` is here", a.name)},
                           {{}, fmt::format("neither is an exception to the other; declare which one prevails")}});
    }
  }
  if (coverage_)
    for (uint32_t w : winners) ++decided_[decision][w];
  if (trace) {
    for (uint32_t w : winners) trace->rules[w].decided = true;
    trace->outcome = out;
  }
  return out;
}

Interpreter::TestResult Interpreter::RunTest(uint32_t test) {
  const ir::Test& t = m_.tests[test];
  TestResult result;
  in_test_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{in_test_};
  Frame f;
  f.slots.resize(t.slot_count);
  for (const ir::TestStep& s : t.steps) {
    try {
      switch (s.kind) {
        case ir::TestStepKind::Let: f.slots[s.slot] = Eval(s.expr, f); break;
        case ir::TestStepKind::Assert: {
          const ir::Expr& e = m_.exprs[s.expr];
          if (EvalBool(s.expr, f)) break;
          std::string msg = "assertion failed";
          if (e.op == Op::Eq || e.op == Op::Ne) {
            Value a = Eval(e.a, f), b = Eval(e.b, f);
            rt::TypeId ta = m_.exprs[e.a].type;
            msg += fmt::format("\n    left:  {}\n    right: {}", rt::FormatValue(a, ta, m_.types),
                               rt::FormatValue(b, ta, m_.types));
          }
          result.failures.push_back({s.range, msg});
          return result;
        }
        case ir::TestStepKind::AssertFails: {
          Value v = Eval(s.expr, f);
          result.failures.push_back({s.range, fmt::format("expected the runtime error `{}`, but it evaluated to {}",
                                                          rt::Spelling(s.expected_error),
                                                          rt::FormatValue(v, m_.exprs[s.expr].type, m_.types))});
          return result;
        }
      }
    } catch (const rt::EvalError& err) {
      if (s.kind == ir::TestStepKind::AssertFails && err.kind == s.expected_error) continue;
      std::string msg = s.kind == ir::TestStepKind::AssertFails
                            ? fmt::format("expected the runtime error `{}`, got `{}`: {}",
                                          rt::Spelling(s.expected_error), rt::Spelling(err.kind), err.message)
                            : fmt::format("runtime error `{}`: {}", rt::Spelling(err.kind), err.message);
      // A case that breaks an invariant is the test's mistake: point at the step, not the invariant.
      bool at_step = !err.range.valid() || err.kind == rt::RtErrorKind::InvalidCase;
      result.failures.push_back({at_step ? s.range : err.range, msg});
      return result;
    }
  }
  return result;
}

}  // namespace edict::interp
