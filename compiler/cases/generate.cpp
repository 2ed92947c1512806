#include "compiler/cases/generate.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "compiler/interp/interp.h"

namespace edict::cases {

using rt::TypeKind;
using rt::Value;

Generator::Generator(const ir::Module& m, uint32_t decision, uint64_t seed)
    : m_(m),
      decision_(decision),
      rng_(seed),
      favoured_members_(m.types.enums.size()),
      interp_(std::make_unique<interp::Interpreter>(m)) {
  CollectBoundaries();
}

Generator::~Generator() = default;

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
      case ir::Op::Forall:
      case ir::Op::SumLit:
      case ir::Op::SumMake:
      case ir::Op::ListIndex:
      case ir::Op::ListMap:
      case ir::Op::ListFilter:
      case ir::Op::ListMin:
      case ir::Op::ListMax:
      case ir::Op::ListArgMin:
      case ir::Op::ListArgMax:
      case ir::Op::ListSort:
      case ir::Op::Match: break;
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
      case TypeKind::List:
      case TypeKind::Sum: break;
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
      case ir::Op::Forall:
      case ir::Op::SumLit:
      case ir::Op::SumMake:
      case ir::Op::ListIndex:
      case ir::Op::ListMap:
      case ir::Op::ListFilter:
      case ir::Op::ListMin:
      case ir::Op::ListMax:
      case ir::Op::ListArgMin:
      case ir::Op::ListArgMax:
      case ir::Op::ListSort:
      case ir::Op::Match: break;
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
  const ir::Decision& d = m_.decisions[decision_];
  constexpr int kDraws = 1000, kRepairs = 16;
  int broken = -1;
  for (int draw = 0; draw < kDraws; ++draw) {
    std::vector<Value> args;
    for (const auto& p : d.params) args.push_back(Random(p.type, 0));
    for (int pass = 0; pass <= kRepairs; ++pass) {
      broken = d.guards.empty() ? -1 : interp_->BrokenGuard(decision_, args);
      if (broken < 0) return args;
      if (pass == kRepairs || !Repair(args, d.guards[size_t(broken)])) break;
    }
  }
  const ir::Guard& g = d.guards[size_t(broken)];
  const ir::Invariant& inv = m_.invariants[g.invariant];
  throw NoValidCase(fmt::format(
      "no random case of `{}` meets the {} `{}` (for `{}`) in {} draws: its condition is too narrow for random values "
      "(write the cases by hand, or state the condition as comparisons of fields with each other or with literals, "
      "which the generator can satisfy)",
      d.name, inv.assumption ? "assumption" : "invariant", inv.name, g.path, kDraws));
}

// ------------------------------------------------------------------ invariants

// The field indexes from the invariant's parameter (slot 0) to a field, or nothing.
static std::optional<std::vector<uint32_t>> PathOf(const ir::Module& m, ir::ExprId e) {
  std::vector<uint32_t> path;
  while (m.exprs[e].op == ir::Op::Field) {
    path.push_back(m.exprs[e].b);
    e = m.exprs[e].a;
  }
  if (m.exprs[e].op != ir::Op::Local || m.exprs[e].a != 0) return std::nullopt;
  std::reverse(path.begin(), path.end());
  return path;
}

static const Value& ValueAt(const Value& v, const std::vector<uint32_t>& path, size_t k = 0) {
  return k == path.size() ? v : ValueAt((*v.AsRecord().fields)[path[k]], path, k + 1);
}

static Value WithValueAt(const Value& v, const std::vector<uint32_t>& path, const Value& x, size_t k = 0) {
  if (k == path.size()) return x;
  const auto& rec = v.AsRecord();
  std::vector<Value> fields = *rec.fields;
  fields[path[k]] = WithValueAt(fields[path[k]], path, x, k + 1);
  return rt::MakeRecord(rec.record_id, std::move(fields));
}

std::optional<Value> Generator::Literal(ir::ExprId id) const {
  // Only the literals an invariant compares a field with; anything else is not a literal here.
  const ir::Expr& e = m_.exprs[id];
  if (e.op == ir::Op::BoolLit) return Value(e.a != 0);
  if (e.op == ir::Op::IntLit) return Value(m_.ints[e.a]);
  if (e.op == ir::Op::DecLit) return Value(m_.decs[e.a]);
  if (e.op == ir::Op::DateLit) return Value(rt::Date{int32_t(e.a)});
  if (e.op == ir::Op::TextLit) return rt::MakeText(m_.texts[e.a]);
  if (e.op == ir::Op::EnumLit) return Value(rt::EnumValue{e.a, e.b});
  if (e.op == ir::Op::IntToDec && m_.exprs[e.a].op == ir::Op::IntLit)
    return Value(rt::Decimal::FromInt(m_.ints[m_.exprs[e.a].a]));
  return std::nullopt;
}

// Writes the value of `src` (a literal, or a field of the parameter) into the field `dst`, if it
// stays inside that field's declared domain.
bool Generator::Assign(ir::ExprId dst, ir::ExprId src, Value& root, rt::TypeId type) {
  auto to = PathOf(m_, dst);
  if (!to || to->empty()) return false;
  std::optional<Value> v = Literal(src);
  if (!v) {
    auto from = PathOf(m_, src);
    if (!from) return false;
    v = ValueAt(root, *from);
  }
  const rt::FieldInfo* field = nullptr;
  for (uint32_t i : *to) {
    field = &m_.types.records[m_.types.info(type).ref].fields[i];
    type = field->type;
  }
  if (m_.exprs[dst].type != m_.exprs[src].type &&
      m_.types.kind(m_.exprs[dst].type) != m_.types.kind(m_.exprs[src].type))
    return false;
  if (rt::OutsideDomain(*v, field->type, m_.types, field->bounds)) return false;
  if (rt::ValuesEqual(ValueAt(root, *to), *v)) return false;
  root = WithValueAt(root, *to, *v);
  return true;
}

// Changes the parameter value `root` (of record type `type`) so that the condition e evaluates to
// `want`, where its shape says how: `and`, `or`, `not`, a field equal (or at most, or at least)
// another field or a literal, a boolean field, an enum field in a set literal.
bool Generator::Satisfy(ir::ExprId id, bool want, Value& root, rt::TypeId type) {
  const ir::Expr& e = m_.exprs[id];
  bool first = rng_() % 2 == 0;
  // The shapes it knows; any other condition is left to drawing again.
  if (e.op == ir::Op::Not) return Satisfy(e.a, !want, root, type);
  if (e.op == ir::Op::And || e.op == ir::Op::Or) {
    if ((e.op == ir::Op::And) == want) {  // every operand must become `want`
      bool a = Satisfy(e.a, want, root, type);
      bool b = Satisfy(e.b, want, root, type);
      return a || b;
    }
    // One operand suffices: try one, then the other.
    return Satisfy(first ? e.a : e.b, want, root, type) || Satisfy(first ? e.b : e.a, want, root, type);
  }
  if (e.op == ir::Op::Eq || e.op == ir::Op::Ne || e.op == ir::Op::Le || e.op == ir::Op::Ge) {
    bool equalize = e.op == ir::Op::Ne ? !want : want;
    if (!equalize) return false;
    return first ? Assign(e.a, e.b, root, type) || Assign(e.b, e.a, root, type)
                 : Assign(e.b, e.a, root, type) || Assign(e.a, e.b, root, type);
  }
  if (e.op == ir::Op::Field && m_.types.kind(e.type) == TypeKind::Bool) {
    auto path = PathOf(m_, id);
    if (!path || rt::ValuesEqual(ValueAt(root, *path), Value(want))) return false;
    root = WithValueAt(root, *path, Value(want));
    return true;
  }
  if (e.op == ir::Op::SetHas && want) {
    const ir::Expr& set = m_.exprs[e.b];
    if (set.op != ir::Op::SetLit || set.b == 0) return false;
    return Assign(e.a, m_.extra[set.a + uint32_t(rng_() % set.b)], root, type);
  }
  return false;
}

bool Generator::Repair(std::vector<Value>& args, const ir::Guard& g) {
  const ir::Expr& call = m_.exprs[g.check];
  const ir::Invariant& inv = m_.invariants[g.invariant];
  // The guarded value: a parameter, or a record field inside one.
  std::vector<uint32_t> path;
  ir::ExprId e = m_.extra[call.b];
  while (m_.exprs[e].op == ir::Op::Field) {
    path.push_back(m_.exprs[e].b);
    e = m_.exprs[e].a;
  }
  std::reverse(path.begin(), path.end());
  uint32_t slot = m_.exprs[e].a;
  Value value = ValueAt(args[slot], path);
  if (!Satisfy(m_.defs[inv.def].body, true, value, inv.type)) return false;
  args[slot] = WithValueAt(args[slot], path, value);
  return true;
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
    case TypeKind::Sum: {  // any member, and a random value of it if it carries one
      const auto& en = m_.types.enums[ti.ref];
      uint32_t k = uint32_t(pick(en.members.size()));
      if (!en.HasPayload(k)) return rt::MakeSum(ti.ref, k);
      return rt::MakeSum(ti.ref, k, Random(en.payloads[k], depth + 1));
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
      case TypeKind::List:
      case TypeKind::Sum: break;
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
