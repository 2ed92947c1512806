// Declarations: instrument headers, units, enums and records (collected from every file before
// any body is checked, so declaration order never matters), the domains of record fields
// (`where`), records that contain themselves, and the parameters of signatures.
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "compiler/base/limits.h"
#include "compiler/check/checker.h"

namespace edict::check::internal {
namespace {

// The comparison of a bound (`where x >= 0`), or nothing for another operator.
std::optional<rt::BoundCmp> BoundCmpOf(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::Lt: return rt::BoundCmp::Lt;
    case ast::BinaryOp::Le: return rt::BoundCmp::Le;
    case ast::BinaryOp::Gt: return rt::BoundCmp::Gt;
    case ast::BinaryOp::Ge: return rt::BoundCmp::Ge;
    case ast::BinaryOp::Mul:
    case ast::BinaryOp::Div:
    case ast::BinaryOp::Mod:
    case ast::BinaryOp::Add:
    case ast::BinaryOp::Sub:
    case ast::BinaryOp::Union:
    case ast::BinaryOp::Inter:
    case ast::BinaryOp::Minus:
    case ast::BinaryOp::Eq:
    case ast::BinaryOp::Ne:
    case ast::BinaryOp::And:
    case ast::BinaryOp::Or: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

void Checker::CollectHeader(const ast::File& f) {
  if (!f.header) return;
  static const std::set<std::string> kKnown = {"title",     "citation", "published", "effective", "compliance",
                                               "authority", "status",   "url",       "note",      "amends"};
  ir::Instrument ins;
  ins.name = f.header->name;
  ins.file = f.file_id;
  for (const auto& fld : f.header->fields) {
    if (!kKnown.count(fld.key)) {
      auto& d = diags_.Emit(DiagKind::UnknownHeaderField, fld.key_range, fld.key);
      d.notes.push_back(
          {{},
           "known fields: title, citation, published, effective, compliance, authority, status, url, note, amends"});
      continue;
    }
    if ((fld.key == "published" || fld.key == "effective" || fld.key == "compliance") && !rt::ParseDate(fld.value)) {
      diags_.Emit(DiagKind::InvalidLiteral, fld.range, fmt::format("`{}` must be a date such as 2025-01-13", fld.key));
      continue;
    }
    ins.fields.emplace_back(fld.key, fld.value);
  }
  m_.instruments.push_back(std::move(ins));
  m_.file_instrument[f.file_id] = int(m_.instruments.size() - 1);
}

bool Checker::CheckFresh(const std::string& name, SourceRange r) {
  auto it = globals_.find(name);
  if (it != globals_.end()) {
    auto& d = diags_.Emit(DiagKind::DuplicateDeclaration, r, name);
    d.notes.push_back({it->second.range, "the first declaration is here"});
    return false;
  }
  return true;
}

void Checker::DeclareUnit(const ast::UnitDecl& u) {
  if (u.name.empty()) return;
  auto it = units_.find(u.name);
  if (it != units_.end()) {
    auto& d = diags_.Emit(DiagKind::DuplicateDeclaration, u.name_range, u.name);
    d.notes.push_back({m_.types.base_units[it->second].range, "the first declaration is here"});
    return;
  }
  units_[u.name] = uint32_t(m_.types.base_units.size());
  m_.types.base_units.push_back({u.name, u.doc, u.name_range});
}

void Checker::DeclareEnum(const ast::EnumDecl& e) {
  if (e.name.empty() || !CheckFresh(e.name, e.name_range)) return;
  uint32_t id = uint32_t(m_.types.enums.size());
  globals_[e.name] = Symbol{SymKind::Enum, id, e.name_range};
  rt::EnumInfo info;
  info.name = e.name;
  info.doc = e.doc;
  info.range = e.name_range;
  std::map<std::string, SourceRange> seen;
  std::vector<const ast::TypeExpr*> payloads;
  for (const auto& mem : e.members) {
    if (seen.count(mem.name)) {
      auto& d = diags_.Emit(DiagKind::DuplicateDeclaration, mem.range, mem.name);
      d.notes.push_back({seen[mem.name], "the first declaration is here"});
      continue;
    }
    seen[mem.name] = mem.range;
    members_[mem.name].push_back({id, uint32_t(info.members.size())});
    info.members.push_back(mem.name);
    info.member_docs.push_back(mem.doc);
    payloads.push_back(mem.payload ? &*mem.payload : nullptr);
    if (mem.payload) info.sum = true;
  }
  // A member that carries a value makes the enum a sum type; the types of the values are
  // resolved once every type is declared (ResolveEnumPayloads).
  if (info.sum) info.payloads.assign(info.members.size(), rt::kNoPayload);
  m_.types.enums.push_back(std::move(info));
  payload_asts_.resize(id + 1);
  payload_asts_[id] = std::move(payloads);
}

void Checker::ResolveEnumPayloads() {
  for (uint32_t en = 0; en < payload_asts_.size(); ++en)
    for (size_t k = 0; k < payload_asts_[en].size(); ++k)
      if (const ast::TypeExpr* t = payload_asts_[en][k]) {
        TypeId p = ResolveType(*t);
        m_.types.enums[en].payloads[k] = p;
      }
}

void Checker::DeclareRecord(const ast::RecordDecl& r) {
  if (r.name.empty() || !CheckFresh(r.name, r.name_range)) return;
  uint32_t id = uint32_t(m_.types.records.size());
  globals_[r.name] = Symbol{SymKind::Record, id, r.name_range};
  rt::RecordInfo info;
  info.name = r.name;
  info.doc = r.doc;
  info.range = r.name_range;
  m_.types.records.push_back(std::move(info));
  record_asts_.push_back(&r);
}

void Checker::ResolveRecordFields() {
  for (size_t i = 0; i < record_asts_.size(); ++i) {
    std::map<std::string, SourceRange> seen;
    for (const auto& f : record_asts_[i]->fields) {
      if (seen.count(f.name)) {
        auto& d = diags_.Emit(DiagKind::DuplicateDeclaration, f.range, f.name);
        d.notes.push_back({seen[f.name], "the first declaration is here"});
        continue;
      }
      seen[f.name] = f.range;
      m_.types.records[i].fields.push_back({f.name, ResolveType(f.type), f.doc, f.range, {}});
      if (f.where) FieldBounds(*f.where, m_.types.records[i].fields.back());
      if (f.default_value)
        field_defaults_[{uint32_t(i), uint32_t(m_.types.records[i].fields.size() - 1)}] = f.default_value.get();
    }
  }
}

// A field's domain: `where` with comparisons of the field with literals, joined by `and`
// (`quantity >= 1 [chip] and quantity <= 1e9 [chip]`). Integer, decimal and date fields.
void Checker::FieldBounds(const ast::Expr& e, rt::FieldInfo& field) {
  if (e.kind == ast::ExprKind::Binary && e.binary_op == ast::BinaryOp::And) {
    FieldBounds(*e.kids[0], field);
    FieldBounds(*e.kids[1], field);
    return;
  }
  if (e.kind == ast::ExprKind::Error) return;
  const rt::TypeInfo& ti = m_.types.info(field.type);
  auto fail = [&](const std::string& why) {
    auto& d = diags_.Emit(DiagKind::TypeMismatch, e.range, fmt::format("the domain of `{}` {}", field.name, why));
    if (ti.kind == TypeKind::Integer || ti.kind == TypeKind::Decimal || ti.kind == TypeKind::Date)
      d.notes.push_back(
          {{},
           fmt::format("write comparisons of `{0}` with literals joined by `and`, such as `{0} >= 0`", field.name)});
  };
  if (ti.kind != TypeKind::Integer && ti.kind != TypeKind::Decimal && ti.kind != TypeKind::Date) {
    if (ti.kind != TypeKind::Error)
      fail(fmt::format("cannot be bounded: only integer, decimal and date fields have bounds, and it is `{}`",
                       m_.types.Name(field.type)));
    return;
  }
  std::optional<rt::BoundCmp> cmp = e.kind == ast::ExprKind::Binary ? BoundCmpOf(e.binary_op) : std::nullopt;
  if (!cmp) return fail("must be a comparison (<, <=, >, >=)");
  const ast::Expr* lhs = e.kids[0].get();
  const ast::Expr* rhs = e.kids[1].get();
  rt::FieldBound b;
  b.cmp = *cmp;
  b.range = e.range;
  b.text = std::string(sm_.Text(e.range));
  auto is_field = [&](const ast::Expr* x) { return x->kind == ast::ExprKind::Name && x->text == field.name; };
  if (!is_field(lhs)) {
    if (!is_field(rhs)) return fail(fmt::format("must compare `{}` itself with a literal", field.name));
    std::swap(lhs, rhs);  // `0 <= x` is `x >= 0`
    static const rt::BoundCmp kFlip[] = {rt::BoundCmp::Gt, rt::BoundCmp::Ge, rt::BoundCmp::Lt, rt::BoundCmp::Le};
    b.cmp = kFlip[int(b.cmp)];
  }
  if (ti.kind == TypeKind::Date) {
    auto d = rhs->kind == ast::ExprKind::DateLit ? rt::ParseDate(rhs->text) : std::nullopt;
    if (!d) return fail("compares a date with something that is not a date literal");
    b.date_days = d->days;
  } else {
    bool neg = rhs->kind == ast::ExprKind::Unary && rhs->unary_op == ast::UnaryOp::Neg;
    const ast::Expr* num = neg ? rhs->kids[0].get() : rhs;
    if (num->kind != ast::ExprKind::Number)
      return fail("compares a number with something that is not a number literal");
    auto d = NumberValue(num->text);
    rt::UnitId u = ResolveUnit(num->unit);
    if (!d || u == kBadUnit) return fail("has a literal out of range or with an unknown unit");
    if (u != ti.unit) {
      diags_.Emit(DiagKind::UnitMismatch, num->range,
                  fmt::format("the bound is in `[{}]` but `{}` is in `[{}]`", m_.types.UnitName(u), field.name,
                              m_.types.UnitName(ti.unit)));
      return;
    }
    if (ti.kind == TypeKind::Integer && !d->IsInteger()) return fail("bounds an integer field with a fraction");
    if (neg && !rt::Decimal::Neg(*d, &*d)) return fail("has a literal out of range");
    b.number = *d;
  }
  field.bounds.push_back(std::move(b));
}

void Checker::CheckRecursiveRecords() {
  // A record or sum type that contains itself directly (not through a list) has no finite value:
  // the types of a strongly connected component of "contains a value of" (Tarjan), or containing
  // their own type. Nodes are the records, then the enums (a sum type contains the values its
  // members carry). The others nest, and their nesting depth is limited.
  size_t R = m_.types.records.size(), N = R + m_.types.enums.size();
  auto node_of = [&](TypeId t) -> uint32_t {
    const auto& ti = m_.types.info(t);
    if (ti.kind == TypeKind::Record) return ti.ref;
    if (ti.kind == TypeKind::Sum) return uint32_t(R + ti.ref);
    return UINT32_MAX;
  };
  auto next_nodes = [&](uint32_t n) {
    std::vector<uint32_t> out;
    auto add = [&](TypeId t) {
      if (uint32_t x = node_of(t); x != UINT32_MAX) out.push_back(x);
    };
    if (n < R) {
      for (const auto& f : m_.types.records[n].fields) add(f.type);
    } else {
      for (TypeId p : m_.types.enums[n - R].payloads)
        if (p != rt::kNoPayload) add(p);
    }
    return out;
  };
  std::vector<uint32_t> index(N, UINT32_MAX), low(N, 0), depth(N, 0);
  std::vector<bool> on_stack(N, false), cyclic(N, false);
  std::vector<uint32_t> stack;
  uint32_t counter = 0;
  std::function<void(uint32_t)> connect = [&](uint32_t r) {
    index[r] = low[r] = counter++;
    stack.push_back(r);
    on_stack[r] = true;
    for (uint32_t n : next_nodes(r)) {
      if (n == r) cyclic[r] = true;
      if (index[n] == UINT32_MAX) {
        connect(n);
        low[r] = std::min(low[r], low[n]);
      } else if (on_stack[n]) {
        low[r] = std::min(low[r], index[n]);
      }
    }
    if (low[r] != index[r]) return;
    std::vector<uint32_t> component;
    uint32_t n;
    do {
      n = stack.back();
      stack.pop_back();
      on_stack[n] = false;
      component.push_back(n);
    } while (n != r);
    if (component.size() > 1)
      for (uint32_t c : component) cyclic[c] = true;
    // Components complete in reverse topological order: what a type contains is done first.
    if (component.size() == 1 && !cyclic[r]) {
      uint32_t d = 1;
      for (uint32_t x : next_nodes(r))
        if (!cyclic[x]) d = std::max(d, depth[x] + 1);
      depth[r] = d;
    }
  };
  for (uint32_t r = 0; r < N; ++r)
    if (index[r] == UINT32_MAX) connect(r);
  auto what = [&](uint32_t n) {
    return n < R ? fmt::format("the record `{}`", m_.types.records[n].name)
                 : fmt::format("the enum `{}`", m_.types.enums[n - R].name);
  };
  auto range = [&](uint32_t n) { return n < R ? m_.types.records[n].range : m_.types.enums[n - R].range; };
  auto poison = [&](uint32_t n) {
    if (n < R)
      for (auto& f : m_.types.records[n].fields) f.type = m_.types.error();
    else
      for (TypeId& p : m_.types.enums[n - R].payloads)
        if (p != rt::kNoPayload) p = m_.types.error();
  };
  bool too_deep = false;
  for (uint32_t r = 0; r < N; ++r) {
    if (cyclic[r]) {
      // `optional T` is part of the cycle of the type T that contains it: that one reports.
      if (r < R || !m_.types.enums[r - R].optional()) {
        auto& d = diags_.Emit(DiagKind::RecursiveType, range(r), what(r));
        if (r >= R)
          d.notes.push_back({{},
                             "a value that contains a value of its own type never ends; a list can hold a chain "
                             "of values (`list of ...`)"});
      }
      poison(r);
    } else if (depth[r] > limits::kMaxNestingDepth && !too_deep) {
      too_deep = true;  // the deepest type reports; the types it contains are deep too
      uint32_t deepest = r;
      for (uint32_t x = 0; x < N; ++x)
        if (!cyclic[x] && depth[x] > depth[deepest]) deepest = x;
      diags_.Emit(DiagKind::NestingTooDeep, range(deepest),
                  deepest < R ? fmt::format("the record `{}` (records in records)", m_.types.records[deepest].name)
                              : fmt::format("the enum `{}` (values in values)", m_.types.enums[deepest - R].name),
                  limits::kMaxNestingDepth);
      poison(deepest);
    }
  }
}

std::vector<ir::Param> Checker::Params(const std::vector<ast::Param>& ps) {
  std::vector<ir::Param> out;
  std::map<std::string, SourceRange> seen;
  for (const auto& p : ps) {
    if (seen.count(p.name)) {
      auto& d = diags_.Emit(DiagKind::DuplicateDeclaration, p.range, p.name);
      d.notes.push_back({seen[p.name], "the first declaration is here"});
    }
    seen[p.name] = p.range;
    out.push_back({p.name, ResolveType(p.type), p.range});
  }
  return out;
}

}  // namespace edict::check::internal

namespace edict::check::internal {

// Field defaults (`income: decimal[eur] = 0 [eur];`): each must be a literal of the field's type
// inside its domain; it is kept as the JSON a case would give (rt::FieldInfo::default_json).
void Checker::CheckFieldDefaults() {
  current_version_ = 0;
  current_owner_ = Owner{SymKind::Decision, UINT32_MAX};
  for (const auto& [key, expr] : field_defaults_) {
    auto [rid, fi] = key;
    rt::FieldInfo& field = m_.types.records[rid].fields[fi];
    ResetScope();
    ExprId v = Coerce(CheckExpr(*expr, field.type), field.type, fmt::format("the default of `{}`", field.name));
    if (IsError(v)) continue;
    std::optional<std::string> json = DefaultJson(v);
    if (!json) {
      auto& d = diags_.Emit(DiagKind::InvalidDefault, expr->range,
                            fmt::format("the default of `{}` must be a literal", field.name));
      d.notes.push_back({{},
                         "write a number, a percentage, `true` or `false`, a text, a date, a duration, an enum "
                         "member, or a set or list of them"});
      continue;
    }
    // Inside the field's domain, as a case's value must be.
    const ir::Expr& x = m_.exprs[v];
    for (const auto& b : field.bounds) {
      int c = 0;
      if (x.op == Op::DateLit) {
        int32_t days = int32_t(x.a);
        c = days < b.date_days ? -1 : days > b.date_days ? 1 : 0;
      } else {
        auto n = rt::Decimal::Parse(*json);
        if (!n) continue;
        c = rt::Decimal::Compare(*n, b.number);
      }
      if (b.Holds(c)) continue;
      diags_.Emit(DiagKind::InvalidDefault, expr->range,
                  fmt::format("the default of `{}` is outside its domain: `{}` must hold", field.name, b.text));
      json.reset();
      break;
    }
    if (json) field.default_json = *json;
  }
}

// A literal as JSON (a case's spelling of the value), or nothing when the expression is not one.
std::optional<std::string> Checker::DefaultJson(ExprId id) {
  const ir::Expr& e = m_.exprs[id];
  auto list = [&](uint32_t start, uint32_t count) -> std::optional<std::string> {
    std::string s = "[";
    for (uint32_t i = 0; i < count; ++i) {
      auto x = DefaultJson(m_.extra[start + i]);
      if (!x) return std::nullopt;
      s += (i ? "," : "") + *x;
    }
    return s + "]";
  };
  // Not a switch over ir::Op: only these few ops are literals, every other op is not one.
  if (e.op == Op::BoolLit) return std::string(e.a ? "true" : "false");
  if (e.op == Op::IntLit) return std::to_string(m_.ints[e.a]);
  if (e.op == Op::DecLit) return m_.decs[e.a].ToString();
  if (e.op == Op::IntToDec) return DefaultJson(e.a);
  if (e.op == Op::IntNeg || e.op == Op::DecNeg) {
    auto x = DefaultJson(e.a);
    if (!x || x->empty() || !std::isdigit(static_cast<unsigned char>(x->front()))) return std::nullopt;
    return *x == "0" ? *x : "-" + *x;
  }
  if (e.op == Op::TextLit) return rt::JsonQuote(m_.texts[e.a]);
  if (e.op == Op::DateLit) return "\"" + rt::ToString(rt::Date{int32_t(e.a)}) + "\"";
  if (e.op == Op::DurLit) {
    const rt::Duration& d = m_.durs[e.a];
    if (d.months != 0 && d.days != 0) return std::nullopt;
    return d.months != 0 ? fmt::format("\"{} months\"", d.months) : fmt::format("\"{} days\"", d.days);
  }
  if (e.op == Op::EnumLit) return rt::JsonQuote(m_.types.enums[e.a].members[e.b]);
  if (e.op == Op::SetLit || e.op == Op::ListLit) return list(e.a, e.b);
  return std::nullopt;
}

}  // namespace edict::check::internal
