#include "compiler/smt/encode.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "compiler/interp/interp.h"
#include "compiler/ir/source_print.h"
#include "compiler/ir/walk.h"
#include "runtime/date.h"
#include "runtime/errors.h"

namespace edict::smt {

using ir::Op;
using rt::RtErrorKind;
using rt::TypeKind;

namespace {

bool IsZero(const z3::expr& e) {
  int64_t v;
  return e.is_numeral_i64(v) && v == 0;
}
z3::expr And(const z3::expr& a, const z3::expr& b) {
  if (a.is_false() || b.is_false()) return a.ctx().bool_val(false);
  if (a.is_true()) return b;
  if (b.is_true()) return a;
  return a && b;
}
z3::expr Or(const z3::expr& a, const z3::expr& b) {
  if (a.is_true() || b.is_true()) return a.ctx().bool_val(true);
  if (a.is_false()) return b;
  if (b.is_false()) return a;
  return a || b;
}
z3::expr Not(const z3::expr& a) {
  if (a.is_true()) return a.ctx().bool_val(false);
  if (a.is_false()) return a.ctx().bool_val(true);
  return !a;
}
z3::expr Ite(const z3::expr& c, const z3::expr& t, const z3::expr& e) {
  if (c.is_true()) return t;
  if (c.is_false()) return e;
  if (z3::eq(t, e)) return t;
  return z3::ite(c, t, e);
}
int Code(RtErrorKind k) { return 1 + int(k); }
// The largest integer not above a real (Z3's to_int, which this version's C++ API lacks).
z3::expr ToInt(const z3::expr& x) {
  Z3_ast r = Z3_mk_real2int(x.ctx(), x);
  x.ctx().check_error();
  return z3::expr(x.ctx(), r);
}

// 2^127 and the int64 bounds, as Z3 numerals.
z3::expr Pow2_127(z3::context& c) { return c.real_val("170141183460469231731687303715884105728"); }
z3::expr I64Min(z3::context& c) { return c.int_val(INT64_MIN); }
z3::expr I64Max(z3::context& c) { return c.int_val(INT64_MAX); }

std::string I128(rt::i128 v) { return rt::ToString(v); }

// Parses a Z3 integer numeral's decimal text into i128; false when it does not fit.
bool ParseI128(const std::string& s, rt::i128* out) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && s[i] == '-') {
    neg = true;
    ++i;
  }
  rt::i128 v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s[i] - '0', &v)) return false;
  }
  *out = neg ? -v : v;
  return true;
}

}  // namespace

// The printing scope (the decision, whose lets conditions read, and the slots' names) names the
// atoms in Edict's syntax.
struct Encoder::Frame : ir::PrintScope {
  std::vector<std::optional<Sym>> slots;
  std::vector<std::optional<Sym>> lets;
};

Encoder::Encoder(z3::context& ctx, const ir::Module& m, TextTable& texts)
    : c_(ctx), m_(m), texts_(texts), domain_(ctx.bool_val(true)) {
  consts_.resize(m.consts.size());
}
Encoder::~Encoder() = default;

void Encoder::Fail(ir::ExprId id, const std::string& what) {
  throw Unsupported{id == ir::kNoExpr ? SourceRange{} : m_.exprs[id].range, what};
}

z3::expr Encoder::First(const z3::expr& a, const z3::expr& b) {
  if (IsZero(a)) return b;
  if (IsZero(b)) return a;
  return Ite(a != 0, a, b);
}
z3::expr Encoder::Raise(const z3::expr& cond, RtErrorKind k) { return Ite(cond, c_.int_val(Code(k)), c_.int_val(0)); }

size_t Encoder::Width(rt::TypeId t) const {
  const rt::TypeInfo& ti = m_.types.info(t);
  switch (ti.kind) {
    case TypeKind::Duration: return 2;
    case TypeKind::Set: return m_.types.enums[ti.ref].members.size();
    case TypeKind::Record: {
      size_t n = 0;
      for (const auto& f : m_.types.records[ti.ref].fields) n += Width(f.type);
      return n;
    }
    case TypeKind::List: return 0;
    case TypeKind::Sum: {  // the member, then the components of every member's value
      size_t n = 1;
      for (rt::TypeId p : m_.types.enums[ti.ref].payloads)
        if (p != rt::kNoPayload) n += Width(p);
      return n;
    }
    case TypeKind::Error:
    case TypeKind::Bool:
    case TypeKind::Integer:
    case TypeKind::Decimal:
    case TypeKind::Date:
    case TypeKind::Text:
    case TypeKind::Enum: return 1;
  }
  return 1;
}

bool Encoder::HasList(rt::TypeId t) const {
  const rt::TypeInfo& ti = m_.types.info(t);
  if (ti.kind == TypeKind::List) return true;
  if (ti.kind == TypeKind::Record)
    for (const auto& f : m_.types.records[ti.ref].fields)
      if (HasList(f.type)) return true;
  if (ti.kind == TypeKind::Sum)
    for (rt::TypeId p : m_.types.enums[ti.ref].payloads)
      if (p != rt::kNoPayload && HasList(p)) return true;
  return false;
}

// A value of a sum type is its member and, for every member that carries a value, that value's
// components; those of a member the value does not hold are zeros (Zeros), so that equal values
// have equal components. A member that carries a list (of any length) cannot be encoded so.
void Encoder::RequireFixedSum(rt::TypeId t, ir::ExprId id) {
  if (m_.types.kind(t) != TypeKind::Sum || !HasList(t)) return;
  const auto& en = m_.types.enums[m_.types.info(t).ref];
  std::string member;
  for (size_t k = 0; k < en.members.size() && member.empty(); ++k)
    if (en.HasPayload(uint32_t(k)) && HasList(en.payloads[k])) member = en.members[k];
  std::string what = fmt::format(
      "a value of `{}`, whose member `{}` carries a list (of any length): values of a sum type are encoded "
      "member by member, each of a fixed size",
      m_.types.Name(t), member);
  if (id == ir::kNoExpr) throw Unsupported{{}, what};
  Fail(id, what);
}

// The components of a value of type t that no code reads: false, 0, 0.0 by sort.
void Encoder::Zeros(rt::TypeId t, std::vector<z3::expr>& out) {
  const rt::TypeInfo& ti = m_.types.info(t);
  switch (ti.kind) {
    case TypeKind::Bool: out.push_back(c_.bool_val(false)); break;
    case TypeKind::Decimal: out.push_back(c_.real_val(0)); break;
    case TypeKind::Set:
      for (size_t i = 0; i < m_.types.enums[ti.ref].members.size(); ++i) out.push_back(c_.bool_val(false));
      break;
    case TypeKind::Record:
      for (const auto& fld : m_.types.records[ti.ref].fields) Zeros(fld.type, out);
      break;
    case TypeKind::Sum:
      out.push_back(c_.int_val(0));
      for (rt::TypeId p : m_.types.enums[ti.ref].payloads)
        if (p != rt::kNoPayload) Zeros(p, out);
      break;
    case TypeKind::Error:
    case TypeKind::List: break;
    case TypeKind::Integer:
    case TypeKind::Date:
    case TypeKind::Text:
    case TypeKind::Enum: out.push_back(c_.int_val(0)); break;
    case TypeKind::Duration:
      out.push_back(c_.int_val(0));
      out.push_back(c_.int_val(0));
      break;
  }
}

// The components of the value member k of a sum value s (of type t) carries.
Sym Encoder::Payload(const Sym& s, rt::TypeId t, uint32_t k) {
  const auto& en = m_.types.enums[m_.types.info(t).ref];
  size_t off = 1;
  for (uint32_t j = 0; j < k; ++j)
    if (en.HasPayload(j)) off += Width(en.payloads[j]);
  Sym r(c_);
  for (size_t i = 0; i < Width(en.payloads[k]); ++i) r.v.push_back(s.v[off + i]);
  return r;
}

std::string Encoder::Shape(rt::TypeId t) const {
  const rt::TypeInfo& ti = m_.types.info(t);
  switch (ti.kind) {
    case TypeKind::Integer: return "integer[" + m_.types.UnitName(ti.unit) + "]";
    case TypeKind::Decimal: return "decimal[" + m_.types.UnitName(ti.unit) + "]";
    case TypeKind::Enum:
    case TypeKind::Set: {
      std::string s = ti.kind == TypeKind::Set ? "set{" : "enum{";
      for (const auto& mem : m_.types.enums[ti.ref].members) s += mem + ",";
      return s + "}";
    }
    case TypeKind::List: return "list(" + Shape(ti.ref) + ")";
    case TypeKind::Sum: {
      const auto& en = m_.types.enums[ti.ref];
      std::string s = "sum{";
      for (size_t k = 0; k < en.members.size(); ++k)
        s += en.members[k] + (en.HasPayload(uint32_t(k)) ? "(" + Shape(en.payloads[k]) + ")" : "") + ",";
      return s + "}";
    }
    case TypeKind::Record: {
      std::string s = "{";
      for (const auto& f : m_.types.records[ti.ref].fields) {
        s += f.name + ":" + Shape(f.type);
        for (const auto& b : f.bounds) s += " where " + b.text;
        s += ";";
      }
      return s + "}";
    }
    case TypeKind::Error:
    case TypeKind::Bool:
    case TypeKind::Date:
    case TypeKind::Duration:
    case TypeKind::Text: return m_.types.Name(t);
  }
  return m_.types.Name(t);
}

// ------------------------------------------------------------------ inputs

void Encoder::MakeVars(rt::TypeId t, const std::string& path, const std::vector<rt::FieldBound>* bounds,
                       std::vector<z3::expr>& out) {
  const rt::TypeInfo& ti = m_.types.info(t);
  auto add = [&](z3::expr v, int component = 0) {
    inputs_.push_back({path, t, v, component});
    out.push_back(v);
  };
  auto bound = [&](const z3::expr& x) {
    if (!bounds) return;
    for (const rt::FieldBound& b : *bounds) {
      z3::expr k = ti.kind == TypeKind::Date ? c_.int_val(b.date_days)
                   : ti.kind == TypeKind::Integer
                       ? c_.int_val(I128(b.number.num()).c_str())
                       : c_.real_val((I128(b.number.num()) + "/" + I128(b.number.den())).c_str());
      switch (b.cmp) {
        case rt::BoundCmp::Lt: domain_ = And(domain_, x < k); break;
        case rt::BoundCmp::Le: domain_ = And(domain_, x <= k); break;
        case rt::BoundCmp::Gt: domain_ = And(domain_, x > k); break;
        case rt::BoundCmp::Ge: domain_ = And(domain_, x >= k); break;
      }
    }
  };
  switch (ti.kind) {
    case TypeKind::Error: throw Unsupported{{}, "an input of an erroneous type"};
    case TypeKind::Bool: add(c_.bool_const(path.c_str())); break;
    case TypeKind::Integer: {
      z3::expr x = c_.int_const(path.c_str());
      domain_ = And(domain_, x >= I64Min(c_) && x <= I64Max(c_));
      bound(x);
      add(x);
      // A declared finite range lets products with this input stay linear (see Mul).
      std::optional<rt::i128> lo, hi;
      for (const rt::FieldBound& b : bounds ? *bounds : std::vector<rt::FieldBound>{}) {
        rt::i128 k = b.number.num();
        if (b.cmp == rt::BoundCmp::Ge || b.cmp == rt::BoundCmp::Gt)
          lo = b.cmp == rt::BoundCmp::Gt ? k + 1 : k;
        else
          hi = b.cmp == rt::BoundCmp::Lt ? k - 1 : k;
      }
      if (lo && hi && *hi >= *lo && *hi - *lo < (rt::i128(1) << 40)) {
        rt::i128 width = *hi - *lo;
        z3::expr sum = c_.int_val(int64_t(*lo));
        std::vector<z3::expr> bits;
        for (int i = 0; (rt::i128(1) << i) <= width; ++i) {
          bits.push_back(c_.bool_const(fmt::format("{}!bit{}", path, i).c_str()));
          sum = sum + z3::ite(bits.back(), c_.int_val(int64_t(1) << i), c_.int_val(0));
        }
        domain_ = And(domain_, x == sum);
        binary_[x.id()] = {int64_t(*lo), bits};
      }
      break;
    }
    case TypeKind::Decimal: {
      // What a case can hold: a normalised numerator below 2^127 (so the value's magnitude too).
      z3::expr x = c_.real_const(path.c_str());
      domain_ = And(domain_, x < Pow2_127(c_) && x > -Pow2_127(c_));
      bound(x);
      add(x);
      break;
    }
    case TypeKind::Date: {
      z3::expr x = c_.int_const(path.c_str());
      domain_ = And(domain_, x >= rt::kMinDateDays && x <= rt::kMaxDateDays);
      bound(x);
      add(x);
      int32_t lo = rt::kMinDateDays, hi = rt::kMaxDateDays;
      for (const rt::FieldBound& b : bounds ? *bounds : std::vector<rt::FieldBound>{}) {
        if (b.cmp == rt::BoundCmp::Ge || b.cmp == rt::BoundCmp::Gt)
          lo = std::max(lo, b.date_days + (b.cmp == rt::BoundCmp::Gt));
        else
          hi = std::min(hi, b.date_days - (b.cmp == rt::BoundCmp::Lt));
      }
      date_range_[x.id()] = {lo, hi};
      break;
    }
    case TypeKind::Duration: {
      // A case gives "n days", "n months" or "n years" with |n| <= 10^8.
      z3::expr mo = c_.int_const((path + ".months").c_str()), d = c_.int_const((path + ".days").c_str());
      domain_ = And(
          domain_, (mo == 0 && d >= -100000000 && d <= 100000000) || (d == 0 && mo >= -1200000000 && mo <= 1200000000));
      add(mo, 0);
      add(d, 1);
      break;
    }
    case TypeKind::Text: {
      z3::expr x = c_.int_const(path.c_str());
      domain_ = And(domain_, x >= 0);
      add(x);
      break;
    }
    case TypeKind::Enum: {
      // An input an invariant makes equal to one made before shares its variable.
      if (auto it = alias_.find(path); it != alias_.end()) {
        if (auto made = made_.find(it->second); made != made_.end()) {
          out.push_back(made->second);
          break;
        }
      }
      z3::expr x = c_.int_const(path.c_str());
      if (auto it = alias_.find(path); it != alias_.end()) made_.emplace(it->second, x);
      domain_ = And(domain_, x >= 0 && x < int(m_.types.enums[ti.ref].members.size()));
      add(x);
      break;
    }
    case TypeKind::Set: {
      const auto& en = m_.types.enums[ti.ref];
      for (size_t i = 0; i < en.members.size(); ++i)
        add(c_.bool_const((path + "[" + en.members[i] + "]").c_str()), int(i));
      break;
    }
    case TypeKind::Record:
      for (const auto& f : m_.types.records[ti.ref].fields) MakeVars(f.type, path + "." + f.name, &f.bounds, out);
      break;
    case TypeKind::List:
      throw Unsupported{
          {},
          fmt::format("the input `{}`, a list: its length is not bounded, and the symbolic diff encodes inputs "
                      "of a fixed size only (lists written in the program, of fixed length, are encoded)",
                      path)};
    case TypeKind::Sum: {
      // The member (`path`), and the value of each member that carries one (`path.member`),
      // read only when the input holds that member (else its components are zeros).
      RequireFixedSum(t, ir::kNoExpr);
      const auto& en = m_.types.enums[ti.ref];
      z3::expr tag = c_.int_const(path.c_str());
      domain_ = And(domain_, tag >= 0 && tag < int(en.members.size()));
      add(tag);
      for (uint32_t k = 0; k < en.members.size(); ++k) {
        if (!en.HasPayload(k)) continue;
        std::vector<z3::expr> value, zeros;
        MakeVars(en.payloads[k], path + "." + en.members[k], nullptr, value);
        Zeros(en.payloads[k], zeros);
        for (size_t i = 0; i < value.size(); ++i) out.push_back(Ite(tag == int(k), value[i], zeros[i]));
      }
      break;
    }
  }
}

// The enum inputs the decision's invariants make equal (a conjunct `x.a == x.b` of an invariant's
// condition, both fields of one enum type): each path maps to its group's first path.
void Encoder::AliasInputs(const ir::Decision& d) {
  alias_.clear();
  made_.clear();
  auto path_of = [&](ir::ExprId e, const std::string& base) -> std::optional<std::string> {
    std::vector<std::string> names;
    while (m_.exprs[e].op == Op::Field) {
      const ir::Expr& f = m_.exprs[e];
      names.push_back(m_.types.records[m_.types.info(m_.exprs[f.a].type).ref].fields[f.b].name);
      e = f.a;
    }
    if (m_.exprs[e].op != Op::Local || m_.exprs[e].a != 0) return std::nullopt;
    std::string p = base;
    for (size_t i = names.size(); i-- > 0;) p += "." + names[i];
    return p;
  };
  std::function<std::string(const std::string&)> find = [&](const std::string& p) {
    auto it = alias_.find(p);
    return it == alias_.end() || it->second == p ? p : find(it->second);
  };
  for (const ir::Guard& g : d.guards) {
    std::vector<ir::ExprId> todo{m_.defs[m_.invariants[g.invariant].def].body};
    while (!todo.empty()) {
      const ir::Expr& e = m_.exprs[todo.back()];
      todo.pop_back();
      if (e.op == Op::And) {
        todo.push_back(e.a);
        todo.push_back(e.b);
        continue;
      }
      if (e.op != Op::Eq || m_.types.kind(m_.exprs[e.a].type) != TypeKind::Enum ||
          m_.exprs[e.a].type != m_.exprs[e.b].type)
        continue;
      auto a = path_of(e.a, g.path), b = path_of(e.b, g.path);
      if (!a || !b || *a == *b) continue;
      std::string ra = find(*a), rb = find(*b);
      alias_[*a] = ra;
      alias_[*b] = rb;
      if (ra != rb) alias_[std::max(ra, rb)] = std::min(ra, rb);
    }
  }
  for (auto& [p, r] : alias_) r = find(p);
}

std::vector<Sym> Encoder::MakeInputs(const ir::Decision& d) {
  AliasInputs(d);
  std::vector<Sym> out;
  for (const auto& p : d.params) {
    Sym s(c_);
    MakeVars(p.type, p.name, nullptr, s.v);
    out.push_back(std::move(s));
  }
  return out;
}

// The exact product of two numbers. When one is a bounded integer input, written in binary as
// lo + sum of bits b_i 2^i, the product is lo*y + sum of ite(b_i, 2^i y, 0): linear, so the
// solver stays in decidable linear arithmetic. Otherwise the product is nonlinear.
z3::expr Encoder::Mul(const z3::expr& a, const z3::expr& b) {
  auto binary = [&](const z3::expr& x) -> const Binary* {
    z3::expr y = x;
    if (y.is_app() && y.decl().decl_kind() == Z3_OP_TO_REAL) y = y.arg(0);
    auto it = binary_.find(y.id());
    return it == binary_.end() ? nullptr : &it->second;
  };
  const Binary* bx = binary(a);
  z3::expr other = b;
  if (!bx) {
    bx = binary(b);
    other = a;
  }
  if (!bx || a.is_numeral() || b.is_numeral()) return a * b;
  bool real = other.is_real();
  auto k = [&](int64_t v) { return real ? c_.real_val(v) : c_.int_val(v); };
  z3::expr sum = other * k(bx->lo);
  for (size_t i = 0; i < bx->bits.size(); ++i) sum = sum + z3::ite(bx->bits[i], other * k(int64_t(1) << i), k(0));
  return sum;
}

// ------------------------------------------------------------------ constants

void Encoder::ConstantInto(const rt::Value& v, rt::TypeId t, std::vector<z3::expr>& out) {
  const rt::TypeInfo& ti = m_.types.info(t);
  switch (ti.kind) {
    case TypeKind::Error: break;
    case TypeKind::Bool: out.push_back(c_.bool_val(v.AsBool())); break;
    case TypeKind::Integer: out.push_back(c_.int_val(v.AsInt())); break;
    case TypeKind::Decimal:
      out.push_back(c_.real_val((I128(v.AsDec().num()) + "/" + I128(v.AsDec().den())).c_str()));
      break;
    case TypeKind::Date: out.push_back(c_.int_val(v.AsDate().days)); break;
    case TypeKind::Duration:
      out.push_back(c_.int_val(v.AsDur().months));
      out.push_back(c_.int_val(v.AsDur().days));
      break;
    case TypeKind::Text: out.push_back(c_.int_val(texts_.Id(std::string(v.AsText())))); break;
    case TypeKind::Enum: out.push_back(c_.int_val(int(v.AsEnum().index))); break;
    case TypeKind::Set:
      for (size_t i = 0; i < m_.types.enums[ti.ref].members.size(); ++i)
        out.push_back(c_.bool_val(v.AsSet().Contains(uint32_t(i))));
      break;
    case TypeKind::Record: {
      const auto& fs = m_.types.records[ti.ref].fields;
      for (size_t i = 0; i < fs.size(); ++i) ConstantInto((*v.AsRecord().fields)[i], fs[i].type, out);
      break;
    }
    case TypeKind::List: break;
    case TypeKind::Sum: {
      RequireFixedSum(t, ir::kNoExpr);
      const auto& en = m_.types.enums[ti.ref];
      const rt::SumValue& sv = v.AsSum();
      out.push_back(c_.int_val(int(sv.index)));
      for (uint32_t k = 0; k < en.members.size(); ++k) {
        if (!en.HasPayload(k)) continue;
        if (k == sv.index)
          ConstantInto(*sv.payload, en.payloads[k], out);
        else
          Zeros(en.payloads[k], out);
      }
      break;
    }
  }
}

Sym Encoder::Constant(const rt::Value& v, rt::TypeId t) {
  Sym s(c_);
  if (m_.types.kind(t) == TypeKind::List) {
    for (const rt::Value& x : *v.AsList().elems) s.elems.push_back(Constant(x, m_.types.info(t).ref));
  } else {
    ConstantInto(v, t, s.v);
  }
  return s;
}

// ------------------------------------------------------------------ calendar

void Encoder::Civil(const z3::expr& days, z3::expr* y, z3::expr* m, z3::expr* d) {
  z3::expr z = days + 719468;
  z3::expr era = z3::operator/(z, c_.int_val(146097));  // Z3 integer division floors for positive divisors
  z3::expr doe = z - era * 146097;
  z3::expr yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  z3::expr yy = yoe + era * 400;
  z3::expr doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  z3::expr mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = z3::ite(mp < 10, mp + 3, mp - 9);
  *y = z3::ite(*m <= 2, yy + 1, yy);
}

z3::expr Encoder::DaysFromCivil(const z3::expr& y0, const z3::expr& m, const z3::expr& d) {
  z3::expr y = z3::ite(m <= 2, y0 - 1, y0);
  z3::expr era = y / 400;
  z3::expr yoe = y - era * 400;
  z3::expr doy = (153 * z3::ite(m > 2, m - 3, m + 9) + 2) / 5 + d - 1;
  z3::expr doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static z3::expr DaysInMonth(const z3::expr& y, const z3::expr& m) {
  z3::expr leap = (z3::mod(y, 4) == 0 && z3::mod(y, 100) != 0) || z3::mod(y, 400) == 0;
  return z3::ite(m == 2, z3::ite(leap, y.ctx().int_val(29), y.ctx().int_val(28)),
                 z3::ite(m == 4 || m == 6 || m == 9 || m == 11, y.ctx().int_val(30), y.ctx().int_val(31)));
}

z3::expr Encoder::ValidYmd(const z3::expr& y, const z3::expr& m, const z3::expr& d) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m);
}

// ------------------------------------------------------------------ values

z3::expr Encoder::Equal(const Sym& a, const Sym& b, rt::TypeId t) {
  if (m_.types.kind(t) == TypeKind::List) {
    if (a.elems.size() != b.elems.size()) return c_.bool_val(false);
    z3::expr r = c_.bool_val(true);
    for (size_t i = 0; i < a.elems.size(); ++i) r = And(r, Equal(a.elems[i], b.elems[i], m_.types.info(t).ref));
    return r;
  }
  z3::expr r = c_.bool_val(true);
  for (size_t i = 0; i < a.v.size(); ++i) {
    if (z3::eq(a.v[i], b.v[i])) continue;
    r = And(r, a.v[i] == b.v[i]);
  }
  return r;
}

std::vector<z3::expr> Encoder::FiniteParts(const Sym& s, rt::TypeId t) { return Parts(s, t, false); }
std::vector<z3::expr> Encoder::Flags(const Sym& s, rt::TypeId t) { return Parts(s, t, true); }

std::vector<z3::expr> Encoder::Parts(const Sym& s, rt::TypeId t, bool flags) {
  std::vector<z3::expr> out;
  size_t i = 0;
  // Sets inside the value of a sum type's member are not flags (those are the record's own).
  std::function<void(rt::TypeId, bool)> walk = [&](rt::TypeId ty, bool in_sum) {
    const rt::TypeInfo& ti = m_.types.info(ty);
    switch (ti.kind) {
      case TypeKind::Bool:
      case TypeKind::Enum:
      case TypeKind::Text:
        if (!flags) out.push_back(s.v[i]);
        ++i;
        break;
      case TypeKind::Set:
        for (size_t k = 0; k < m_.types.enums[ti.ref].members.size(); ++k, ++i)
          if (flags && !in_sum) out.push_back(s.v[i]);
        break;
      case TypeKind::Record:
        for (const auto& f : m_.types.records[ti.ref].fields) walk(f.type, in_sum);
        break;
      case TypeKind::Sum:  // the member, and the finite parts of the values (zeros unless held)
        if (!flags) out.push_back(s.v[i]);
        ++i;
        for (rt::TypeId p : m_.types.enums[ti.ref].payloads)
          if (p != rt::kNoPayload) walk(p, true);
        break;
      case TypeKind::List: break;
      case TypeKind::Error:
      case TypeKind::Integer:
      case TypeKind::Decimal:
      case TypeKind::Date:
      case TypeKind::Duration: i += Width(ty); break;
    }
  };
  walk(t, false);
  return out;
}

z3::expr Encoder::Compare(const Sym& a, const Sym& b, rt::TypeId t, Op op, z3::expr* err) {
  z3::expr x = a.v[0], y = b.v[0];
  if (m_.types.kind(t) == TypeKind::Duration) {
    z3::expr days = a.v[0] == 0 && b.v[0] == 0;
    z3::expr months = a.v[1] == 0 && b.v[1] == 0;
    *err = Raise(Not(Or(days, months)), RtErrorKind::IncomparableDurations);
    x = z3::ite(days, a.v[1], a.v[0]);
    y = z3::ite(days, b.v[1], b.v[0]);
  } else {
    *err = c_.int_val(0);
  }
  if (op == Op::Lt) return x < y;
  if (op == Op::Le) return x <= y;
  if (op == Op::Gt) return x > y;
  return x >= y;  // Op::Ge, the only other op Compare is given
}

// Whether two values have the same shape: lists of the same lengths, all the way down (a list
// is encoded element by element, so only lists of equal lengths can be chosen between).
static bool SameLengths(const Sym& a, const Sym& b) {
  if (a.elems.size() != b.elems.size()) return false;
  for (size_t i = 0; i < a.elems.size(); ++i)
    if (!SameLengths(a.elems[i], b.elems[i])) return false;
  return true;
}

// c ? a : b, component by component (a and b have the same shape: SameLengths).
static Sym IteSym(const z3::expr& c, const Sym& a, const Sym& b) {
  Sym r = a;
  for (size_t i = 0; i < a.v.size(); ++i) r.v[i] = Ite(c, a.v[i], b.v[i]);
  for (size_t i = 0; i < a.elems.size(); ++i) r.elems[i] = IteSym(c, a.elems[i], b.elems[i]);
  return r;
}

// ------------------------------------------------------------------ atoms

void Encoder::RegisterAtom(const z3::expr& term, ir::ExprId id, Frame& f) {
  if (term.is_true() || term.is_false()) return;
  if (atom_index_.count(term.id())) return;
  // A scalar constant the condition compares with is printed with its value, which decides.
  auto saved = std::move(f.const_note);
  f.const_note = [this](uint32_t c) -> std::string {
    if (!interp_) interp_ = std::make_unique<interp::Interpreter>(m_);
    try {
      return ir::ReadableValue(m_, m_.consts[c].type, interp_->EvalConst(c));
    } catch (const rt::EvalError&) {
      return "";  // the constant fails: its name alone
    }
  };
  std::string text = ir::PrintSource(m_, id, f), negated = ir::PrintNegation(m_, id, f);
  f.const_note = std::move(saved);
  // The scalar constants it reads, through the helpers it calls and the lets it reads too.
  std::vector<std::string> consts;
  std::set<ir::ExprId> seen;
  std::function<void(ir::ExprId)> walk = [&](ir::ExprId x) {
    if (x == ir::kNoExpr || !seen.insert(x).second) return;
    const ir::Expr& e = m_.exprs[x];
    if (e.op == ir::Op::Const) {
      rt::TypeKind k = m_.types.kind(m_.consts[e.a].type);
      if (k != rt::TypeKind::Set && k != rt::TypeKind::List && k != rt::TypeKind::Record &&
          std::find(consts.begin(), consts.end(), m_.consts[e.a].name) == consts.end())
        consts.push_back(m_.consts[e.a].name);
    } else if (e.op == ir::Op::Call) {
      walk(m_.defs[e.a].body);
    } else if (e.op == ir::Op::LetRef && f.decision) {
      walk(f.decision->lets[e.a].value);
    }
    ir::ForEachOperand(m_, e, walk);
  };
  walk(id);
  atom_index_[term.id()] = atoms_.size();
  atoms_.push_back({term, std::move(text), std::move(negated), std::move(consts)});
}

// ------------------------------------------------------------------ expressions

Sym Encoder::Eval(ir::ExprId id, Frame& f) {
  const ir::Expr& e = m_.exprs[id];
  bool atom = false;
  if (m_.types.kind(e.type) == TypeKind::Bool) {
    switch (e.op) {
      case Op::Eq:
      case Op::Ne:
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge:
      case Op::SetHas:
      case Op::ListHas:
      case Op::Field:
      case Op::Local:
      case Op::Call:
      case Op::DecisionCall:
      case Op::Exists:
      case Op::Forall:
      case Op::Builtin:
      case Op::ListIndex:
      case Op::ListArgMin:
      case Op::ListArgMax:
      case Op::Match: atom = suppress_atoms_ == 0; break;
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
      case Op::LetRef:
      case Op::Const:
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
      case Op::SetUnion:
      case Op::SetInter:
      case Op::SetMinus:
      case Op::SumLit:
      case Op::SumMake:
      case Op::ListMap:
      case Op::ListFilter:
      case Op::ListMin:
      case Op::ListMax:
      case Op::ListSort: break;
    }
  }
  if (!atom) return EvalRaw(id, f);
  ++suppress_atoms_;
  Sym s = EvalRaw(id, f);
  --suppress_atoms_;
  RegisterAtom(s.v[0], id, f);
  return s;
}

Sym Encoder::EvalRaw(ir::ExprId id, Frame& f) {
  const ir::Expr& e = m_.exprs[id];
  Sym r(c_);
  auto operands = [&](uint32_t start, uint32_t n) {
    std::vector<Sym> xs;
    for (uint32_t i = 0; i < n; ++i) {
      xs.push_back(Eval(m_.extra[start + i], f));
      r.err = First(r.err, xs.back().err);
    }
    return xs;
  };
  auto one = [&]() {
    Sym a = Eval(e.a, f);
    r.err = a.err;
    return a;
  };
  auto two = [&]() {
    Sym a = Eval(e.a, f), b = Eval(e.b, f);
    r.err = First(a.err, b.err);
    return std::pair<Sym, Sym>{std::move(a), std::move(b)};
  };
  auto int_result = [&](const z3::expr& x) {
    r.v.push_back(x);
    r.err = First(r.err, Raise(x < I64Min(c_) || x > I64Max(c_), RtErrorKind::Overflow));
  };
  auto dec_result = [&](const z3::expr& x) {
    r.v.push_back(x);
    r.err = First(r.err, Raise(x >= Pow2_127(c_) || x <= -Pow2_127(c_), RtErrorKind::Overflow));
  };
  switch (e.op) {
    case Op::Error: Fail(id, "an erroneous expression");
    case Op::BoolLit: r.v.push_back(c_.bool_val(e.a != 0)); return r;
    case Op::IntLit: return Constant(m_.ints[e.a], e.type);
    case Op::DecLit: return Constant(m_.decs[e.a], e.type);
    case Op::DateLit: return Constant(rt::Date{int32_t(e.a)}, e.type);
    case Op::DurLit: return Constant(m_.durs[e.a], e.type);
    case Op::TextLit: r.v.push_back(c_.int_val(texts_.Id(m_.texts[e.a]))); return r;
    case Op::EnumLit: r.v.push_back(c_.int_val(int(e.b))); return r;
    case Op::SetLit: {
      auto xs = operands(e.a, e.b);
      size_t n = m_.types.enums[m_.types.info(e.type).ref].members.size();
      for (size_t i = 0; i < n; ++i) {
        z3::expr bit = c_.bool_val(false);
        for (const Sym& x : xs) bit = Or(bit, x.v[0] == int(i));
        r.v.push_back(bit.simplify());
      }
      return r;
    }
    case Op::ListLit: r.elems = operands(e.a, e.b); return r;
    case Op::RecordLit: {
      auto xs = operands(e.b, uint32_t(m_.types.records[e.a].fields.size()));
      for (Sym& x : xs)
        for (auto& c : x.v) r.v.push_back(c);
      return r;
    }
    case Op::Local:
      if (e.a >= f.slots.size() || !f.slots[e.a]) Fail(id, "a local the encoding has not bound");
      return *f.slots[e.a];
    case Op::LetRef: {
      auto& memo = f.lets[e.a];
      if (!memo) memo = Eval(f.decision->lets[e.a].value, f);
      return *memo;
    }
    case Op::Const: {
      auto& memo = consts_[e.a];
      if (!memo) {
        if (!interp_) interp_ = std::make_unique<interp::Interpreter>(m_);
        try {
          memo = Constant(interp_->EvalConst(e.a), m_.consts[e.a].type);
        } catch (const rt::EvalError& err) {
          // The constant fails wherever it is used: its error, with components that are never
          // read but must have their sorts (a boolean component is used in `and`, a decimal
          // one in real arithmetic).
          Sym s(c_);
          Zeros(e.type, s.v);
          s.err = c_.int_val(Code(err.kind));
          memo = s;
        }
      }
      return *memo;
    }
    case Op::Call: {
      const ir::Def& d = m_.defs[e.a];
      auto args = operands(e.b, uint32_t(d.params.size()));
      std::vector<unsigned> key;
      std::function<void(const Sym&)> ids = [&](const Sym& s) {
        for (const auto& x : s.v) key.push_back(x.id());
        key.push_back(UINT32_MAX);
        for (const auto& el : s.elems) ids(el);
      };
      for (const Sym& a : args) ids(a);
      auto it = call_memo_.find({e.a, key});
      Sym body(c_);
      if (it != call_memo_.end()) {
        body = it->second;
      } else {
        Frame callee;
        callee.decision = nullptr;
        callee.slots.resize(d.slot_count);
        callee.names.resize(d.slot_count);
        for (size_t i = 0; i < args.size(); ++i) {
          callee.slots[i] = args[i];
          callee.names[i] = ir::PrintOperand(m_, m_.extra[e.b + i], f);
        }
        body = Eval(d.body, callee);
        call_memo_.emplace(std::pair{e.a, key}, body);
      }
      z3::expr err = First(r.err, body.err);
      r = body;
      r.err = err;
      return r;
    }
    case Op::DecisionCall: {
      const ir::Decision& d = m_.decisions[e.a];
      auto args = operands(e.b, uint32_t(d.params.size()));
      z3::expr err = r.err;
      DecisionSym ds = Decision(e.a, args);
      r = ds.outcome;
      r.err = First(err, ds.outcome.err);
      return r;
    }
    case Op::Builtin: return Builtin(e, f);
    case Op::Field: {
      Sym a = one();
      const auto& rec = m_.types.records[m_.types.info(m_.exprs[e.a].type).ref];
      size_t off = 0;
      for (uint32_t i = 0; i < e.b; ++i) off += Width(rec.fields[i].type);
      for (size_t i = 0; i < Width(e.type); ++i) r.v.push_back(a.v[off + i]);
      if (m_.types.kind(e.type) == TypeKind::List) Fail(id, "a list field");
      return r;
    }
    case Op::With: {
      Sym a = one();
      r.v = a.v;
      const auto& rec = m_.types.records[m_.types.info(e.type).ref];
      for (uint32_t i = 0; i < e.c; ++i) {
        uint32_t field = m_.extra[e.b + 2 * i];
        Sym x = Eval(m_.extra[e.b + 2 * i + 1], f);
        r.err = First(r.err, x.err);
        size_t off = 0;
        for (uint32_t k = 0; k < field; ++k) off += Width(rec.fields[k].type);
        for (size_t k = 0; k < x.v.size(); ++k) r.v[off + k] = x.v[k];
      }
      return r;
    }
    case Op::Not: r.v.push_back(Not(one().v[0])); return r;
    case Op::And:
    case Op::Or: {
      Sym a = Eval(e.a, f), b = Eval(e.b, f);
      bool is_and = e.op == Op::And;
      r.v.push_back(is_and ? And(a.v[0], b.v[0]) : Or(a.v[0], b.v[0]));
      z3::expr b_runs = is_and ? a.v[0] : Not(a.v[0]);
      r.err = First(a.err, IsZero(b.err) ? b.err : Ite(b_runs, b.err, c_.int_val(0)));
      return r;
    }
    case Op::If: {
      Sym c = Eval(e.a, f), t = Eval(e.b, f), x = Eval(e.c, f);
      if (!SameLengths(t, x)) Fail(id, "an `if` between lists of different lengths");
      r = IteSym(c.v[0], t, x);
      r.err = First(c.err, Ite(c.v[0], t.err, x.err));
      return r;
    }
    case Op::IntNeg: {
      Sym a = one();
      int_result(-a.v[0]);
      return r;
    }
    case Op::IntAdd: {
      auto [a, b] = two();
      int_result(a.v[0] + b.v[0]);
      return r;
    }
    case Op::IntSub: {
      auto [a, b] = two();
      int_result(a.v[0] - b.v[0]);
      return r;
    }
    case Op::IntMul: {
      auto [a, b] = two();
      int_result(Mul(a.v[0], b.v[0]));
      return r;
    }
    case Op::IntToDec: {
      Sym a = one();
      r.v.push_back(z3::to_real(a.v[0]));
      return r;
    }
    case Op::DecNeg: {
      Sym a = one();
      r.v.push_back(-a.v[0]);
      return r;
    }
    case Op::DecAdd: {
      auto [a, b] = two();
      dec_result(a.v[0] + b.v[0]);
      return r;
    }
    case Op::DecSub: {
      auto [a, b] = two();
      dec_result(a.v[0] - b.v[0]);
      return r;
    }
    case Op::DecMul: {
      auto [a, b] = two();
      dec_result(Mul(a.v[0], b.v[0]));
      return r;
    }
    case Op::IntMod: {
      auto [a, b] = two();
      r.err = First(r.err, Raise(b.v[0] == 0, RtErrorKind::DivisionByZero));
      r.v.push_back(z3::mod(a.v[0], b.v[0]));  // SMT-LIB's mod is Euclidean too: 0 <= r < |b|
      return r;
    }
    case Op::DecDiv: {
      auto [a, b] = two();
      r.err = First(r.err, Raise(b.v[0] == 0, RtErrorKind::DivisionByZero));
      dec_result(a.v[0] / b.v[0]);
      return r;
    }
    case Op::DateAddDur:
    case Op::DateSubDur: {
      auto [a, b] = two();
      z3::expr mo = b.v[0], days = b.v[1];
      if (e.op == Op::DateSubDur) {
        r.err = First(r.err, Raise(mo == I64Min(c_) || days == I64Min(c_), RtErrorKind::Overflow));
        mo = -mo;
        days = -days;
      }
      z3::expr mid = a.v[0];
      z3::expr bad = c_.bool_val(false);
      if (!IsZero(mo)) {
        z3::expr y(c_), m(c_), d(c_);
        Civil(a.v[0], &y, &m, &d);
        z3::expr total = y * 12 + (m - 1) + mo;
        z3::expr ny = total / 12, nm = total - ny * 12 + 1;
        z3::expr dim = DaysInMonth(ny, nm);
        bad = mo > 120000 || mo < -120000 || ny < 1 || ny > 9999;
        mid = z3::ite(bad, a.v[0], DaysFromCivil(ny, nm, z3::ite(d > dim, dim, d)));
      }
      z3::expr out = mid + days;
      bad = Or(bad, out < rt::kMinDateDays || out > rt::kMaxDateDays);
      r.err = First(r.err, Raise(bad, RtErrorKind::InvalidDate));
      r.v.push_back(out);
      return r;
    }
    case Op::DateDiff: {
      auto [a, b] = two();
      r.v.push_back(c_.int_val(0));
      r.v.push_back(a.v[0] - b.v[0]);
      return r;
    }
    case Op::DurAdd:
    case Op::DurSub: {
      auto [a, b] = two();
      z3::expr bm = b.v[0], bd = b.v[1];
      if (e.op == Op::DurSub) {
        r.err = First(r.err, Raise(bm == I64Min(c_) || bd == I64Min(c_), RtErrorKind::Overflow));
        bm = -bm;
        bd = -bd;
      }
      z3::expr mo = a.v[0] + bm, d = a.v[1] + bd;
      r.err = First(
          r.err, Raise(mo < I64Min(c_) || mo > I64Max(c_) || d < I64Min(c_) || d > I64Max(c_), RtErrorKind::Overflow));
      r.v = {mo, d};
      return r;
    }
    case Op::DurNeg: {
      Sym a = one();
      r.err = First(r.err, Raise(a.v[0] == I64Min(c_) || a.v[1] == I64Min(c_), RtErrorKind::Overflow));
      r.v = {-a.v[0], -a.v[1]};
      return r;
    }
    case Op::DurMul: {
      auto [a, b] = two();
      z3::expr mo = a.v[0] * b.v[0], d = a.v[1] * b.v[0];
      r.err = First(r.err, Raise(mo < I64Min(c_) || mo > I64Max(c_), RtErrorKind::Overflow));
      r.err = First(r.err, Raise(d < I64Min(c_) || d > I64Max(c_), RtErrorKind::Overflow));
      r.v = {mo, d};
      return r;
    }
    case Op::Eq:
    case Op::Ne: {
      auto [a, b] = two();
      z3::expr eq = Equal(a, b, m_.exprs[e.a].type);
      r.v.push_back(e.op == Op::Eq ? eq : Not(eq));
      return r;
    }
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
      auto [a, b] = two();
      z3::expr err(c_);
      r.v.push_back(Compare(a, b, m_.exprs[e.a].type, e.op, &err));
      r.err = First(r.err, err);
      return r;
    }
    case Op::SetHas: {
      auto [x, s] = two();
      z3::expr has = c_.bool_val(false);
      for (size_t i = 0; i < s.v.size(); ++i) {
        if (s.v[i].is_false()) continue;
        has = Or(has, And(x.v[0] == int(i), s.v[i]));
      }
      r.v.push_back(has);
      return r;
    }
    case Op::ListHas: {
      auto [x, l] = two();
      z3::expr has = c_.bool_val(false);
      for (const Sym& y : l.elems) has = Or(has, Equal(x, y, m_.exprs[e.a].type));
      r.v.push_back(has);
      return r;
    }
    case Op::SetUnion:
    case Op::SetInter:
    case Op::SetMinus: {
      auto [a, b] = two();
      for (size_t i = 0; i < a.v.size(); ++i)
        r.v.push_back(e.op == Op::SetUnion   ? Or(a.v[i], b.v[i])
                      : e.op == Op::SetInter ? And(a.v[i], b.v[i])
                                             : And(a.v[i], Not(b.v[i])));
      return r;
    }
    case Op::Exists:
    case Op::Forall: {
      Sym l = Eval(e.b, f);
      r.err = l.err;
      bool want = e.op == Op::Exists;
      z3::expr decided = c_.bool_val(false);
      std::optional<Sym> saved = e.a < f.slots.size() ? f.slots[e.a] : std::nullopt;
      if (e.a >= f.slots.size()) Fail(id, "a bound variable outside its frame");
      for (const Sym& x : l.elems) {
        f.slots[e.a] = x;
        Sym body = Eval(e.c, f);
        r.err = First(r.err, IsZero(body.err) ? body.err : Ite(decided, c_.int_val(0), body.err));
        decided = Or(decided, want ? body.v[0] : Not(body.v[0]));
      }
      f.slots[e.a] = saved;
      r.v.push_back(want ? decided : Not(decided));
      return r;
    }
    case Op::ListIndex: {
      // The element at a position the case decides: one choice per position of the list (whose
      // length the encoding fixes), and index_out_of_range outside them.
      auto [l, i] = two();
      if (HasList(e.type)) Fail(id, "a position in a list of lists");
      const int64_t n = int64_t(l.elems.size());
      r.err = First(r.err, Raise(i.v[0] < 0 || i.v[0] >= c_.int_val(n), RtErrorKind::IndexOutOfRange));
      if (n == 0) {
        Zeros(e.type, r.v);
        return r;
      }
      Sym pick = l.elems.back();
      for (int64_t k = n - 1; k-- > 0;) pick = IteSym(i.v[0] == c_.int_val(k), l.elems[size_t(k)], pick);
      r.v = pick.v;
      return r;
    }
    case Op::ListMap: {
      // One value per element, each with the element bound; the first element's error first.
      Sym l = Eval(e.b, f);
      r.err = l.err;
      if (e.a >= f.slots.size()) Fail(id, "a bound variable outside its frame");
      std::optional<Sym> saved = f.slots[e.a];
      for (const Sym& x : l.elems) {
        f.slots[e.a] = x;
        Sym v = Eval(e.c, f);
        r.err = First(r.err, v.err);
        r.elems.push_back(std::move(v));
      }
      f.slots[e.a] = saved;
      return r;
    }
    case Op::ListFilter:
      Fail(id,
           "`[... where ...]`: a list whose length depends on the case (the encoding fixes the length of every list)");
    case Op::ListSort:
      Fail(id, "`sort`: an order of the elements that depends on the case (the encoding fixes where each element is)");
    case Op::ListMin:
    case Op::ListMax: {
      Sym l = one();
      if (l.elems.empty()) {
        r.err = First(r.err, c_.int_val(Code(RtErrorKind::EmptyList)));
        Zeros(e.type, r.v);
        return r;
      }
      Sym best = l.elems[0];
      for (size_t k = 1; k < l.elems.size(); ++k) {
        z3::expr err(c_);
        z3::expr better = Compare(l.elems[k], best, e.type, e.op == Op::ListMin ? Op::Lt : Op::Gt, &err);
        best = IteSym(better, l.elems[k], best);
      }
      r.v = best.v;
      return r;
    }
    case Op::ListArgMin:
    case Op::ListArgMax: {
      // The key of every element in order (their errors in that order), then the first element
      // of least (greatest) key.
      Sym l = Eval(e.b, f);
      r.err = l.err;
      if (HasList(e.type)) Fail(id, "`argmin` or `argmax` of a list of lists");
      if (e.a >= f.slots.size()) Fail(id, "a bound variable outside its frame");
      if (l.elems.empty()) {
        r.err = First(r.err, c_.int_val(Code(RtErrorKind::EmptyList)));
        Zeros(e.type, r.v);
        return r;
      }
      std::optional<Sym> saved = f.slots[e.a];
      std::vector<Sym> keys;
      for (const Sym& x : l.elems) {
        f.slots[e.a] = x;
        keys.push_back(Eval(e.c, f));
        r.err = First(r.err, keys.back().err);
      }
      f.slots[e.a] = saved;
      const rt::TypeId kt = m_.exprs[e.c].type;
      Sym best = l.elems[0], best_key = keys[0];
      for (size_t k = 1; k < l.elems.size(); ++k) {
        z3::expr err(c_);
        z3::expr better = Compare(keys[k], best_key, kt, e.op == Op::ListArgMin ? Op::Lt : Op::Gt, &err);
        best = IteSym(better, l.elems[k], best);
        best_key = IteSym(better, keys[k], best_key);
      }
      r.v = best.v;
      return r;
    }
    case Op::SumLit:
    case Op::SumMake: {
      RequireFixedSum(e.type, id);
      const auto& en = m_.types.enums[m_.types.info(e.type).ref];
      Sym x(c_);
      if (e.op == Op::SumMake) x = one();
      r.v.push_back(c_.int_val(int(e.b)));
      for (uint32_t k = 0; k < en.members.size(); ++k) {
        if (!en.HasPayload(k)) continue;
        if (e.op == Op::SumMake && k == e.b)
          r.v.insert(r.v.end(), x.v.begin(), x.v.end());
        else
          Zeros(en.payloads[k], r.v);
      }
      return r;
    }
    case Op::Match: {
      // Every arm, its slot bound to its member's value; the one of the member held is chosen.
      ir::MatchArms arms{m_, e};
      rt::TypeId st = m_.exprs[e.a].type;
      RequireFixedSum(st, id);
      Sym x = Eval(e.a, f);
      std::vector<Sym> values;
      std::vector<z3::expr> taken;
      for (uint32_t i = 0; i < arms.count(); ++i) {
        z3::expr when = c_.bool_val(false);
        uint32_t bound = UINT32_MAX;
        for (uint32_t k = 0; k < arms.members(); ++k)
          if (arms.arm_of(k) == i) {
            when = Or(when, x.v[0] == int(k));
            bound = k;
          }
        uint32_t slot = arms.slot(i);
        std::optional<Sym> saved;
        if (slot != ir::kNoSlot) {
          if (slot >= f.slots.size()) Fail(id, "a bound value outside its frame");
          saved = f.slots[slot];
          f.slots[slot] = Payload(x, st, bound);
        }
        values.push_back(Eval(arms.value(i), f));
        if (slot != ir::kNoSlot) f.slots[slot] = saved;
        taken.push_back(when.simplify());
      }
      r = values.back();
      z3::expr err = values.back().err;
      for (size_t i = values.size() - 1; i-- > 0;) {
        if (!SameLengths(values[i], r)) Fail(id, "a `match` between lists of different lengths");
        z3::expr e2 = Ite(taken[i], values[i].err, err);
        r = IteSym(taken[i], values[i], r);
        err = e2;
      }
      r.err = First(x.err, err);
      return r;
    }
  }
  Fail(id, "an unknown operation");
}

Sym Encoder::Builtin(const ir::Expr& e, Frame& f) {
  using B = ir::Builtin;
  Sym r(c_);
  std::vector<Sym> a;
  for (uint32_t i = 0; i < e.c; ++i) {
    a.push_back(Eval(m_.extra[e.b + i], f));
    r.err = First(r.err, a.back().err);
  }
  auto narrow = [&](const z3::expr& x) {
    r.v.push_back(x);
    r.err = First(r.err, Raise(x < I64Min(c_) || x > I64Max(c_), RtErrorKind::Overflow));
  };
  switch (B(e.a)) {
    case B::YearOf:
    case B::MonthOf:
    case B::DayOf: {
      // The year of a date input of a few centuries is a chain of comparisons with the first
      // days of its years: linear, with no division for the solver to reason about.
      auto range = date_range_.find(a[0].v[0].id());
      if (B(e.a) == B::YearOf && range != date_range_.end()) {
        int32_t y0 = rt::CivilFromDays(range->second.first).year, y1 = rt::CivilFromDays(range->second.second).year;
        if (y1 - y0 <= 400) {
          z3::expr y = c_.int_val(y1);
          for (int32_t year = y1; year > y0; --year)
            y = z3::ite(a[0].v[0] < rt::DaysFromCivil(year, 1, 1), c_.int_val(year - 1), y);
          r.v.push_back(y);
          return r;
        }
      }
      z3::expr y(c_), m(c_), d(c_);
      Civil(a[0].v[0], &y, &m, &d);
      r.v.push_back(B(e.a) == B::YearOf ? y : B(e.a) == B::MonthOf ? m : d);
      return r;
    }
    case B::MakeDate: {
      r.err = First(r.err, Raise(Not(ValidYmd(a[0].v[0], a[1].v[0], a[2].v[0])), RtErrorKind::InvalidDate));
      r.v.push_back(DaysFromCivil(a[0].v[0], a[1].v[0], a[2].v[0]));
      return r;
    }
    case B::AddMonthsStrict:
    case B::AddMonthsUp: {
      z3::expr y(c_), m(c_), d(c_);
      Civil(a[0].v[0], &y, &m, &d);
      z3::expr n = a[1].v[0];
      z3::expr total = y * 12 + (m - 1) + n;
      z3::expr ny = total / 12, nm = total - ny * 12 + 1;
      z3::expr dim = DaysInMonth(ny, nm);
      z3::expr bad = n > 120000 || n < -120000 || ny < 1 || ny > 9999;
      z3::expr out(c_);
      if (B(e.a) == B::AddMonthsStrict) {
        bad = bad || d > dim;
        out = DaysFromCivil(ny, nm, d);
      } else {
        out = z3::ite(d <= dim, DaysFromCivil(ny, nm, d), DaysFromCivil(ny, nm, dim) + 1);
        bad = bad || out > rt::kMaxDateDays;
      }
      r.err = First(r.err, Raise(bad, RtErrorKind::InvalidDate));
      r.v.push_back(out);
      return r;
    }
    case B::DaysOf:
      r.err = First(r.err, Raise(a[0].v[0] != 0, RtErrorKind::IncomparableDurations));
      r.v.push_back(a[0].v[1]);
      return r;
    case B::Floor: narrow(ToInt(a[0].v[0])); return r;
    case B::Ceil: narrow(-ToInt(-a[0].v[0])); return r;
    case B::Truncate: {
      z3::expr x = a[0].v[0];
      narrow(z3::ite(x >= 0, ToInt(x), -ToInt(-x)));
      return r;
    }
    case B::RoundHalfUp: {
      z3::expr x = a[0].v[0], half = c_.real_val(1, 2);
      narrow(z3::ite(x >= 0, ToInt(x + half), -ToInt(-x + half)));
      return r;
    }
    case B::RoundHalfEven: {
      z3::expr x = a[0].v[0], half = c_.real_val(1, 2);
      z3::expr fl = ToInt(x);
      z3::expr frac = x - z3::to_real(fl);
      narrow(z3::ite(frac < half, fl, z3::ite(frac > half, fl + 1, z3::ite(z3::mod(fl, 2) == 0, fl, fl + 1))));
      return r;
    }
    case B::ToInteger: {
      z3::expr x = a[0].v[0];
      r.err = First(r.err, Raise(z3::to_real(ToInt(x)) != x, RtErrorKind::NotAnInteger));
      narrow(ToInt(x));
      return r;
    }
    case B::Abs: {
      z3::expr x = a[0].v[0];
      if (m_.types.kind(e.type) == TypeKind::Integer) {
        r.err = First(r.err, Raise(x == I64Min(c_), RtErrorKind::Overflow));
        r.v.push_back(z3::ite(x < 0, -x, x));
      } else {
        r.v.push_back(z3::ite(x < 0, -x, x));
      }
      return r;
    }
    case B::Min:
    case B::Max: {
      z3::expr err(c_);
      z3::expr take_a = Compare(a[0], a[1], e.type, B(e.a) == B::Min ? Op::Le : Op::Ge, &err);
      r.err = First(r.err, err);
      Sym pick = IteSym(take_a, a[0], a[1]);
      r.v = pick.v;
      return r;
    }
    case B::Count: {
      if (m_.types.kind(m_.exprs[m_.extra[e.b]].type) == TypeKind::List) {
        r.v.push_back(c_.int_val(int64_t(a[0].elems.size())));
      } else {
        z3::expr n = c_.int_val(0);
        for (const auto& bit : a[0].v) n = n + z3::ite(bit, c_.int_val(1), c_.int_val(0));
        r.v.push_back(n);
      }
      return r;
    }
    case B::Sum: {
      bool is_int = m_.types.kind(e.type) == TypeKind::Integer;
      z3::expr s = is_int ? c_.int_val(0) : c_.real_val(0);
      for (const Sym& x : a[0].elems) {
        s = s + x.v[0];
        if (is_int)
          r.err = First(r.err, Raise(s < I64Min(c_) || s > I64Max(c_), RtErrorKind::Overflow));
        else
          r.err = First(r.err, Raise(s >= Pow2_127(c_) || s <= -Pow2_127(c_), RtErrorKind::Overflow));
      }
      r.v.push_back(s);
      return r;
    }
  }
  Fail(ir::kNoExpr, "an unknown built-in");
}

// ------------------------------------------------------------------ decisions

DecisionSym Encoder::Decision(uint32_t decision, const std::vector<Sym>& args, int without) {
  const ir::Decision& d = m_.decisions[decision];
  std::vector<unsigned> key{unsigned(without)};
  for (const Sym& a : args) {
    for (const auto& x : a.v) key.push_back(x.id());
    key.push_back(UINT32_MAX);
  }
  auto memo = decision_memo_.find({decision, key});
  if (memo != decision_memo_.end()) return memo->second;

  Frame f;
  f.decision = &d;
  f.slots.resize(d.slot_count);
  f.names.resize(d.slot_count);
  f.lets.resize(d.lets.size());
  for (size_t i = 0; i < args.size(); ++i) {
    f.slots[i] = args[i];
    f.names[i] = d.params[i].name;
  }
  DecisionSym out(c_);
  // 0. The invariants of the inputs, in order: the first that fails is `invalid_case`. They are
  // not conditions of the rules, so their atoms are not registered.
  z3::expr err = c_.int_val(0);
  ++suppress_atoms_;
  for (const ir::Guard& g : d.guards) {
    Sym s = Eval(g.check, f);
    err = First(err, First(s.err, Raise(Not(s.v[0]), RtErrorKind::InvalidCase)));
    out.valid = And(out.valid, And(s.err == 0, s.v[0]));
  }
  --suppress_atoms_;
  out.valid = out.valid.simplify();
  // 0'. Its assertions, in order: the first that is false is `assertion_failed`, a runtime error
  // like any other (its conditions are atoms, so that a class's region can say where it fails).
  for (const ir::Assertion& a : d.assertions) {
    Sym s = Eval(a.condition, f);
    err = First(err, First(s.err, Raise(Not(s.v[0]), RtErrorKind::AssertionFailed)));
  }
  // 1. Every condition, in order; the first error stops the evaluation.
  std::vector<z3::expr>& applies = out.applies;
  for (const ir::Rule& rule : d.rules) {
    if (int(&rule - d.rules.data()) == without) {
      applies.push_back(c_.bool_val(false));
      continue;
    }
    if (rule.condition == ir::kNoExpr) {
      applies.push_back(c_.bool_val(true));
      continue;
    }
    Sym s = Eval(rule.condition, f);
    err = First(err, s.err);
    applies.push_back(s.v[0]);
  }
  // 2. Winners: applicable and not overridden by an applicable rule.
  z3::expr any = c_.bool_val(false);
  for (uint32_t r = 0; r < d.rules.size(); ++r) {
    z3::expr overridden = c_.bool_val(false);
    for (uint32_t s = 0; s < d.rules.size(); ++s) {
      const auto& ov = d.rules[s].overrides;
      if (std::binary_search(ov.begin(), ov.end(), r)) overridden = Or(overridden, applies[s]);
    }
    out.winners.push_back(And(applies[r], Not(overridden)).simplify());
    any = Or(any, out.winners.back());
  }
  // 3. The outcome: the first winner's; every other winner must agree.
  std::vector<Sym> outcomes;
  for (const ir::Rule& rule : d.rules) outcomes.push_back(Eval(rule.outcome, f));
  Sym fallback(c_);
  z3::expr none_err(c_);
  if (d.has_default) {
    fallback = Eval(d.default_rule.outcome, f);
    none_err = fallback.err;
  } else {
    for (size_t i = 0; i < Width(d.result); ++i)
      fallback.v.push_back(outcomes.empty() ? c_.int_val(0) : outcomes[0].v[i]);
    if (!outcomes.empty()) fallback.elems = outcomes[0].elems;  // never read: there is no default
    none_err = c_.int_val(Code(RtErrorKind::NoApplicableRule));
  }
  for (uint32_t r = 0; r < d.rules.size(); ++r)
    if (!SameLengths(outcomes[r], fallback)) Fail(d.rules[r].outcome, "outcomes that are lists of different lengths");
  Sym value = fallback;
  for (size_t r = d.rules.size(); r-- > 0;) value = IteSym(out.winners[r], outcomes[r], value);
  z3::expr win_err = c_.int_val(0);
  for (size_t r = d.rules.size(); r-- > 0;) {
    z3::expr before = c_.bool_val(false);
    for (size_t j = 0; j < r; ++j) before = Or(before, out.winners[j]);
    z3::expr differs = And(before, Not(Equal(outcomes[r], value, d.result)));
    z3::expr own = First(outcomes[r].err, Raise(differs, RtErrorKind::Conflict));
    if (!IsZero(own)) win_err = Ite(And(out.winners[r], own != 0), own, win_err);
  }
  err = First(err, Ite(any, win_err, none_err));
  value.err = err.simplify();
  out.outcome = value;
  decision_memo_.emplace(std::pair{decision, key}, out);
  return out;
}

// ------------------------------------------------------------------ models

rt::Value Encoder::DecodeAt(const z3::model& model, const std::vector<z3::expr>& v, size_t& i, rt::TypeId t) {
  const rt::TypeInfo& ti = m_.types.info(t);
  auto num = [&](const z3::expr& x) { return model.eval(x, true); };
  auto int64 = [&](const z3::expr& x) {
    int64_t k = 0;
    num(x).is_numeral_i64(k);
    return k;
  };
  switch (ti.kind) {
    case TypeKind::Bool: return num(v[i++]).is_true();
    case TypeKind::Integer: return int64(v[i++]);
    case TypeKind::Decimal: {
      z3::expr x = num(v[i++]);
      rt::i128 n = 0, d = 1;
      ParseI128(x.numerator().get_decimal_string(0), &n);
      ParseI128(x.denominator().get_decimal_string(0), &d);
      rt::Decimal out;
      rt::Decimal::FromRatio(n, d == 0 ? 1 : d, &out);
      return out;
    }
    case TypeKind::Date: return rt::Date{int32_t(int64(v[i++]))};
    case TypeKind::Duration: {
      int64_t mo = int64(v[i++]);
      int64_t d = int64(v[i++]);
      return rt::Duration{mo, d};
    }
    case TypeKind::Text: {
      int64_t id = int64(v[i++]);
      return rt::MakeText(id < int64_t(texts_.texts.size()) ? texts_.texts[size_t(id)]
                                                            : fmt::format("(another text #{})", id));
    }
    case TypeKind::Enum: return rt::EnumValue{ti.ref, uint32_t(int64(v[i++]))};
    case TypeKind::Set: {
      size_t n = m_.types.enums[ti.ref].members.size();
      std::vector<uint32_t> members;
      for (size_t k = 0; k < n; ++k)
        if (num(v[i++]).is_true()) members.push_back(uint32_t(k));
      return rt::MakeSet(ti.ref, n, members);
    }
    case TypeKind::Record: {
      std::vector<rt::Value> fs;
      for (const auto& fld : m_.types.records[ti.ref].fields) fs.push_back(DecodeAt(model, v, i, fld.type));
      return rt::MakeRecord(ti.ref, std::move(fs));
    }
    case TypeKind::Sum: {  // the member held, and its value; the other members' are skipped
      const auto& en = m_.types.enums[ti.ref];
      uint32_t member = uint32_t(int64(v[i++]));
      std::optional<rt::Value> value;
      for (uint32_t k = 0; k < en.members.size(); ++k) {
        if (!en.HasPayload(k)) continue;
        if (k == member)
          value = DecodeAt(model, v, i, en.payloads[k]);
        else
          i += Width(en.payloads[k]);
      }
      return value ? rt::MakeSum(ti.ref, member, std::move(*value)) : rt::MakeSum(ti.ref, member);
    }
    case TypeKind::Error:
    case TypeKind::List: return rt::Value{};
  }
  return rt::Value{};
}

rt::Value Encoder::Decode(const z3::model& model, const Sym& s, rt::TypeId t) {
  size_t i = 0;
  return DecodeAt(model, s.v, i, t);
}

}  // namespace edict::smt
