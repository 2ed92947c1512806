#include "compiler/cases/generate.h"

#include <algorithm>
#include <set>

#include "compiler/interp/interp.h"

namespace edict::cases {

using rt::TypeKind;
using rt::Value;

Generator::Generator(const ir::Module& m, uint32_t decision, uint64_t seed)
    : m_(m), decision_(decision), rng_(seed), favoured_members_(m.types.enums.size()) {
  CollectBoundaries();
}

void Generator::AddBoundary(rt::TypeId t, const Value& v) {
  auto& list = boundaries_[t];
  for (const Value& x : list)
    if (rt::ValuesEqual(x, v)) return;
  list.push_back(v);
}

// Every comparison with a constant side gives boundary values for the type compared: the
// constant and its neighbours (one unit of the last decimal place, one day, one).
void Generator::CollectBoundaries() {
  interp::Interpreter in(m_);
  auto constant = [&](ir::ExprId id, Value* out) -> bool {
    const ir::Expr& e = m_.exprs[id];
    switch (e.op) {
      case ir::Op::IntLit: *out = m_.ints[e.a]; return true;
      case ir::Op::DecLit: *out = m_.decs[e.a]; return true;
      case ir::Op::DateLit: *out = rt::Date{int32_t(e.a)}; return true;
      case ir::Op::IntToDec:
        if (m_.exprs[e.a].op == ir::Op::IntLit) {
          *out = rt::Decimal::FromInt(m_.ints[m_.exprs[e.a].a]);
          return true;
        }
        if (m_.exprs[e.a].op == ir::Op::Const) {
          try {
            *out = rt::Decimal::FromInt(in.EvalConst(m_.exprs[e.a].a).AsInt());
            return true;
          } catch (...) { return false; }
        }
        return false;
      case ir::Op::Const:
        try {
          *out = in.EvalConst(e.a);
          return true;
        } catch (...) { return false; }
      case ir::Op::Error:
      case ir::Op::BoolLit:
      case ir::Op::DurLit:
      case ir::Op::TextLit:
      case ir::Op::EnumLit:
      case ir::Op::SetLit:
      case ir::Op::ListLit:
      case ir::Op::RecordLit:
      case ir::Op::Local:
      case ir::Op::LetRef:
      case ir::Op::Call:
      case ir::Op::DecisionCall:
      case ir::Op::Builtin:
      case ir::Op::Field:
      case ir::Op::With:
      case ir::Op::Not:
      case ir::Op::And:
      case ir::Op::Or:
      case ir::Op::If:
      case ir::Op::IntNeg:
      case ir::Op::IntAdd:
      case ir::Op::IntSub:
      case ir::Op::IntMul:
      case ir::Op::IntMod:
      case ir::Op::DecNeg:
      case ir::Op::DecAdd:
      case ir::Op::DecSub:
      case ir::Op::DecMul:
      case ir::Op::DecDiv:
      case ir::Op::DateAddDur:
      case ir::Op::DateSubDur:
      case ir::Op::DateDiff:
      case ir::Op::DurAdd:
      case ir::Op::DurSub:
      case ir::Op::DurNeg:
      case ir::Op::DurMul:
      case ir::Op::Eq:
      case ir::Op::Ne:
      case ir::Op::Lt:
      case ir::Op::Le:
      case ir::Op::Gt:
      case ir::Op::Ge:
      case ir::Op::SetHas:
      case ir::Op::ListHas:
      case ir::Op::SetUnion:
      case ir::Op::SetInter:
      case ir::Op::SetMinus:
      case ir::Op::Exists:
      case ir::Op::Forall: break;
    }
    return false;
  };
  auto neighbours = [&](rt::TypeId t, const Value& v) {
    AddBoundary(t, v);
    switch (m_.types.kind(t)) {
      case TypeKind::Integer:
        if (v.AsInt() > INT64_MIN) AddBoundary(t, v.AsInt() - 1);
        if (v.AsInt() < INT64_MAX) AddBoundary(t, v.AsInt() + 1);
        break;
      case TypeKind::Decimal: {
        // One unit of the last decimal place of the constant (at least 0.1), and 0.01 for good measure.
        rt::Decimal step = *rt::Decimal::Parse("0.1");
        rt::Decimal d = v.AsDec();
        if (!d.IsInteger()) {
          rt::Decimal s;
          rt::Decimal::FromRatio(1, d.den(), &s);
          step = s;
        }
        for (const rt::Decimal& st : {step, *rt::Decimal::Parse("0.01")}) {
          rt::Decimal a, b;
          if (rt::Decimal::Sub(d, st, &a)) AddBoundary(t, a);
          if (rt::Decimal::Add(d, st, &b)) AddBoundary(t, b);
        }
        break;
      }
      case TypeKind::Date:  // a neighbour past the calendar (9999-12-31 + 1 day) is no date
        if (v.AsDate().days > rt::kMinDateDays) AddBoundary(t, rt::Date{v.AsDate().days - 1});
        if (v.AsDate().days < rt::kMaxDateDays) AddBoundary(t, rt::Date{v.AsDate().days + 1});
        break;
      case TypeKind::Error:
      case TypeKind::Bool:
      case TypeKind::Duration:
      case TypeKind::Text:
      case TypeKind::Enum:
      case TypeKind::Set:
      case TypeKind::Record:
      case TypeKind::List: break;
    }
  };
  for (const ir::Expr& e : m_.exprs) {
    switch (e.op) {
      case ir::Op::Lt:
      case ir::Op::Le:
      case ir::Op::Gt:
      case ir::Op::Ge:
      case ir::Op::Eq:
      case ir::Op::Ne: {
        Value v;
        if (constant(e.b, &v)) neighbours(m_.exprs[e.b].type, v);
        if (constant(e.a, &v)) neighbours(m_.exprs[e.a].type, v);
        break;
      }
      case ir::Op::EnumLit: {
        auto& fav = favoured_members_[e.a];
        if (std::find(fav.begin(), fav.end(), e.b) == fav.end()) fav.push_back(e.b);
        break;
      }
      case ir::Op::TextLit: texts_.push_back(m_.texts[e.a]); break;
      case ir::Op::Error:
      case ir::Op::BoolLit:
      case ir::Op::IntLit:
      case ir::Op::DecLit:
      case ir::Op::DateLit:
      case ir::Op::DurLit:
      case ir::Op::SetLit:
      case ir::Op::ListLit:
      case ir::Op::RecordLit:
      case ir::Op::Local:
      case ir::Op::LetRef:
      case ir::Op::Const:
      case ir::Op::Call:
      case ir::Op::DecisionCall:
      case ir::Op::Builtin:
      case ir::Op::Field:
      case ir::Op::With:
      case ir::Op::Not:
      case ir::Op::And:
      case ir::Op::Or:
      case ir::Op::If:
      case ir::Op::IntNeg:
      case ir::Op::IntAdd:
      case ir::Op::IntSub:
      case ir::Op::IntMul:
      case ir::Op::IntMod:
      case ir::Op::IntToDec:
      case ir::Op::DecNeg:
      case ir::Op::DecAdd:
      case ir::Op::DecSub:
      case ir::Op::DecMul:
      case ir::Op::DecDiv:
      case ir::Op::DateAddDur:
      case ir::Op::DateSubDur:
      case ir::Op::DateDiff:
      case ir::Op::DurAdd:
      case ir::Op::DurSub:
      case ir::Op::DurNeg:
      case ir::Op::DurMul:
      case ir::Op::SetHas:
      case ir::Op::ListHas:
      case ir::Op::SetUnion:
      case ir::Op::SetInter:
      case ir::Op::SetMinus:
      case ir::Op::Exists:
      case ir::Op::Forall: break;
    }
  }
  // Members of constant sets (country groups) are favoured too.
  for (uint32_t c = 0; c < m_.consts.size(); ++c) {
    const auto& ti = m_.types.info(m_.consts[c].type);
    if (ti.kind != TypeKind::Set) continue;
    try {
      Value s = in.EvalConst(c);
      for (uint32_t i = 0; i < m_.types.enums[ti.ref].members.size(); ++i) {
        auto& fav = favoured_members_[ti.ref];
        if (s.AsSet().Contains(i) && std::find(fav.begin(), fav.end(), i) == fav.end()) fav.push_back(i);
      }
    } catch (...) {}
  }
  if (texts_.empty()) texts_.push_back("");
}

std::vector<Value> Generator::Next() {
  std::vector<Value> args;
  for (const auto& p : m_.decisions[decision_].params) args.push_back(Random(p.type, 0));
  return args;
}

Value Generator::Random(rt::TypeId t, int depth) {
  const auto& ti = m_.types.info(t);
  auto pick = [&](size_t n) { return size_t(rng_() % std::max<size_t>(n, 1)); };
  auto chance = [&](int percent) { return int(rng_() % 100) < percent; };
  auto it = boundaries_.find(t);
  if (it != boundaries_.end() && !it->second.empty() && chance(30)) return it->second[pick(it->second.size())];
  switch (ti.kind) {
    case TypeKind::Error: return Value{};
    case TypeKind::Bool: return chance(50);
    case TypeKind::Integer: {
      if (chance(2)) return chance(50) ? INT64_MAX : INT64_MIN + 1;
      if (chance(5)) return int64_t(pick(3)) - 1;
      // Log-uniform magnitudes up to a million.
      int64_t mag = int64_t(1) << pick(21);
      return int64_t(pick(size_t(mag))) + 1;
    }
    case TypeKind::Decimal: {
      if (chance(2)) return *rt::Decimal::Parse(chance(50) ? "1e35" : "-1e30");
      int64_t mag = int64_t(1) << pick(31);
      int64_t units = int64_t(pick(size_t(mag)));
      int scale = int(pick(3));  // 0, 1 or 2 decimal places
      int64_t den = scale == 0 ? 1 : scale == 1 ? 10 : 100;
      rt::Decimal d;
      rt::Decimal::FromRatio(units, den, &d);
      if (chance(3)) rt::Decimal::Neg(d, &d);
      return d;
    }
    case TypeKind::Date: {
      // 2020-01-01 to 2030-12-31.
      return rt::Date{18262 + int32_t(pick(4018))};
    }
    case TypeKind::Duration:
      return chance(50) ? rt::Duration{0, int64_t(pick(800))} : rt::Duration{int64_t(pick(36)), 0};
    case TypeKind::Text: return rt::MakeText(texts_[pick(texts_.size())]);
    case TypeKind::Enum: {
      const auto& fav = favoured_members_[ti.ref];
      if (!fav.empty() && chance(60)) return rt::EnumValue{ti.ref, fav[pick(fav.size())]};
      return rt::EnumValue{ti.ref, uint32_t(pick(m_.types.enums[ti.ref].members.size()))};
    }
    case TypeKind::Set: {
      size_t n = m_.types.enums[ti.ref].members.size();
      std::vector<uint32_t> members;
      size_t k = pick(4);
      for (size_t i = 0; i < k; ++i) members.push_back(uint32_t(pick(n)));
      return rt::MakeSet(ti.ref, n, members);
    }
    case TypeKind::List: {
      std::vector<Value> elems;
      size_t k = depth > 2 ? 0 : pick(4);
      for (size_t i = 0; i < k; ++i) elems.push_back(Random(ti.ref, depth + 1));
      return rt::MakeList(std::move(elems));
    }
    case TypeKind::Record: {
      std::vector<Value> fields;
      for (const auto& f : m_.types.records[ti.ref].fields)
        fields.push_back(f.bounds.empty() ? Random(f.type, depth + 1) : InDomain(f, depth + 1));
      return rt::MakeRecord(ti.ref, std::move(fields));
    }
  }
  return Value{};
}

// A value of a field with a declared domain: random values until one lies in it, else the
// nearest bound (just inside it when the bound is strict). Bounds are boundary values too.
Value Generator::InDomain(const rt::FieldInfo& f, int depth) {
  auto inside = [&](const rt::FieldBound& b) -> Value {
    bool strict = b.cmp == rt::BoundCmp::Lt || b.cmp == rt::BoundCmp::Gt;
    int dir = b.cmp == rt::BoundCmp::Gt ? 1 : (b.cmp == rt::BoundCmp::Lt ? -1 : 0);
    switch (m_.types.kind(f.type)) {
      case TypeKind::Integer: return int64_t(b.number.num()) + (strict ? dir : 0);
      case TypeKind::Date: return rt::Date{b.date_days + (strict ? dir : 0)};
      case TypeKind::Error:
      case TypeKind::Bool:
      case TypeKind::Decimal:
      case TypeKind::Duration:
      case TypeKind::Text:
      case TypeKind::Enum:
      case TypeKind::Set:
      case TypeKind::Record:
      case TypeKind::List: break;
    }
    rt::Decimal d = b.number, step;
    rt::Decimal::FromRatio(dir, 100, &step);
    if (strict) rt::Decimal::Add(d, step, &d);
    return d;
  };
  if (rng_() % 100 < 10) {
    Value v = inside(f.bounds[rng_() % f.bounds.size()]);
    if (!rt::OutsideDomain(v, f.type, m_.types, f.bounds)) return v;
  }
  Value v;
  for (int tries = 0; tries < 16; ++tries) {
    v = Random(f.type, depth);
    const rt::FieldBound* broken = rt::OutsideDomain(v, f.type, m_.types, f.bounds);
    if (!broken) return v;
    if (tries == 15) v = inside(*broken);
  }
  return v;
}

std::string Generator::ToJson(const std::vector<Value>& args) const {
  std::string s = "{";
  const auto& params = m_.decisions[decision_].params;
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) s += ",";
    s += rt::JsonQuote(params[i].name) + ":" + rt::ValueToJson(args[i], params[i].type, m_.types);
  }
  return s + "}";
}

}  // namespace edict::cases
