#include "compiler/check/check.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "compiler/base/limits.h"

namespace edict::check {
namespace {

using ir::ExprId;
using ir::kNoExpr;
using ir::Op;
using rt::TypeId;
using rt::TypeKind;

// Levenshtein distance, for "did you mean" notes.
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

enum class SymKind { Enum, Record, Const, Def, Decision };

struct Symbol {
  SymKind kind;
  uint32_t index;
  SourceRange range;
};

// What a version's name denotes. `view` indexes the checker's views of that kind.
struct ValueEntry {
  SymKind kind;
  uint32_t view;
  SourceRange range;
};

// A constant as a version sees it: the declaration, and the type (a `replace const` without a
// type keeps its target's). `context` notes go on every diagnostic about it.
struct ConstView {
  const ast::ConstDecl* decl;
  const ast::TypeExpr* type;
  std::vector<DiagNote> context;
};
struct DefView {
  const ast::DefDecl* decl;
  std::vector<DiagNote> context;
};
struct LetRef {
  const ast::LetItem* let;
  std::vector<DiagNote> context;
};
struct RuleRef {
  const ast::RuleItem* rule;
  std::vector<DiagNote> context;
  // Exceptions an amendment added (`rule x exception to y;`): labels and where they are named.
  std::vector<std::pair<std::string, SourceRange>> added_exceptions = {};
};
struct DefaultRef {
  const ast::DefaultItem* dflt;
  std::vector<DiagNote> context;
};
// A decision as a version sees it: its signature, and the lets, rules and default left after
// the amendments of every version up to this one.
struct DecisionView {
  const ast::DecisionDecl* sig;
  std::vector<LetRef> lets;
  std::vector<RuleRef> rules;
  std::vector<DefaultRef> defaults;
  std::map<std::string, SourceRange> repealed;  // rule label -> the repeal
  std::vector<SourceRange> amended_by;
};

struct LocalVar {
  std::string name;
  TypeId type;
  bool is_let;     // a decision let: LetRef to `index`
  uint32_t index;  // slot or let index
};

struct BuiltinSpec {
  ir::Builtin id;
  const char* name;
  int arity;
};
constexpr BuiltinSpec kBuiltins[] = {
#define EDICT_BUILTIN(Id, spelling, arity, summary) {ir::Builtin::Id, spelling, arity},
#include "compiler/ir/builtins.def"
#undef EDICT_BUILTIN
};

class Checker {
 public:
  Checker(const std::vector<ast::File>& files, const SourceManager& sm, Diagnostics& d)
      : files_(files), sm_(sm), diags_(d) {}

  ir::Module Run(uint32_t root) {
    m_.file_instrument.assign(sm_.size(), -1);
    for (const auto& f : files_) CollectHeader(f);
    for (const auto& f : files_)
      for (const auto& u : f.units) DeclareUnit(u);
    for (const auto& f : files_)
      for (const auto& e : f.enums) DeclareEnum(e);
    for (const auto& f : files_)
      for (const auto& r : f.records) DeclareRecord(r);
    ResolveRecordFields();
    CheckRecursiveRecords();
    ComputeVersions(root);
    BuildVersionTables();
    AllocateVersions();
    for (uint32_t v = 0; v < tables_.size(); ++v) CheckVersionBodies(v);
    for (const auto& f : files_) {
      current_version_ = file_version_[f.file_id];
      for (const auto& t : f.tests) CheckTest(t, f.file_id);
    }
    CheckCycles();
    return std::move(m_);
  }

 private:
  // ---------------------------------------------------------------- declarations

  void CollectHeader(const ast::File& f) {
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
        diags_.Emit(DiagKind::InvalidLiteral, fld.range,
                    fmt::format("`{}` must be a date such as 2025-01-13", fld.key));
        continue;
      }
      ins.fields.emplace_back(fld.key, fld.value);
    }
    m_.instruments.push_back(std::move(ins));
    m_.file_instrument[f.file_id] = int(m_.instruments.size() - 1);
  }

  bool CheckFresh(const std::string& name, SourceRange r) {
    auto it = globals_.find(name);
    if (it != globals_.end()) {
      auto& d = diags_.Emit(DiagKind::DuplicateDeclaration, r, name);
      d.notes.push_back({it->second.range, "the first declaration is here"});
      return false;
    }
    return true;
  }

  void DeclareUnit(const ast::UnitDecl& u) {
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

  void DeclareEnum(const ast::EnumDecl& e) {
    if (e.name.empty() || !CheckFresh(e.name, e.name_range)) return;
    uint32_t id = uint32_t(m_.types.enums.size());
    globals_[e.name] = Symbol{SymKind::Enum, id, e.name_range};
    rt::EnumInfo info;
    info.name = e.name;
    info.doc = e.doc;
    info.range = e.name_range;
    std::map<std::string, SourceRange> seen;
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
    }
    m_.types.enums.push_back(std::move(info));
  }

  void DeclareRecord(const ast::RecordDecl& r) {
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

  void ResolveRecordFields() {
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
      }
    }
  }

  // A field's domain: `where` with comparisons of the field with literals, joined by `and`
  // (`quantity >= 1 [chip] and quantity <= 1e9 [chip]`). Integer, decimal and date fields.
  void FieldBounds(const ast::Expr& e, rt::FieldInfo& field) {
    if (e.kind == ast::ExprKind::Binary && e.text == "and") {
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
    static const std::map<std::string, rt::BoundCmp> kCmp = {
        {"<", rt::BoundCmp::Lt}, {"<=", rt::BoundCmp::Le}, {">", rt::BoundCmp::Gt}, {">=", rt::BoundCmp::Ge}};
    auto cmp = kCmp.find(e.text);
    if (e.kind != ast::ExprKind::Binary || cmp == kCmp.end()) return fail("must be a comparison (<, <=, >, >=)");
    const ast::Expr* lhs = e.kids[0].get();
    const ast::Expr* rhs = e.kids[1].get();
    rt::FieldBound b;
    b.cmp = cmp->second;
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
      bool neg = rhs->kind == ast::ExprKind::Unary && rhs->text == "-";
      const ast::Expr* num = neg ? rhs->kids[0].get() : rhs;
      if (num->kind != ast::ExprKind::Number)
        return fail("compares a number with something that is not a number literal");
      auto d = rt::Decimal::Parse(num->text);
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

  void CheckRecursiveRecords() {
    // A record that contains itself directly (not through a list) has no finite value: the
    // records of a strongly connected component of "has a field of record type" (Tarjan), or
    // with a field of their own type. The others nest, and their nesting depth is limited.
    size_t R = m_.types.records.size();
    auto next_records = [&](uint32_t r) {
      std::vector<uint32_t> out;
      for (const auto& f : m_.types.records[r].fields) {
        const auto& ti = m_.types.info(f.type);
        if (ti.kind == TypeKind::Record) out.push_back(ti.ref);
      }
      return out;
    };
    std::vector<uint32_t> index(R, UINT32_MAX), low(R, 0), depth(R, 0);
    std::vector<bool> on_stack(R, false), cyclic(R, false);
    std::vector<uint32_t> stack;
    uint32_t counter = 0;
    std::function<void(uint32_t)> connect = [&](uint32_t r) {
      index[r] = low[r] = counter++;
      stack.push_back(r);
      on_stack[r] = true;
      for (uint32_t n : next_records(r)) {
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
      // Components complete in reverse topological order: what a record contains is done first.
      if (component.size() == 1 && !cyclic[r]) {
        uint32_t d = 1;
        for (uint32_t x : next_records(r))
          if (!cyclic[x]) d = std::max(d, depth[x] + 1);
        depth[r] = d;
      }
    };
    for (uint32_t r = 0; r < R; ++r)
      if (index[r] == UINT32_MAX) connect(r);
    bool too_deep = false;
    for (uint32_t r = 0; r < R; ++r) {
      if (cyclic[r]) {
        diags_.Emit(DiagKind::RecursiveType, m_.types.records[r].range, m_.types.records[r].name);
        for (auto& f : m_.types.records[r].fields) f.type = m_.types.error();  // poison
      } else if (depth[r] > limits::kMaxNestingDepth && !too_deep) {
        too_deep = true;  // the deepest record reports; the records it contains are deep too
        uint32_t deepest = r;
        for (uint32_t x = 0; x < R; ++x)
          if (!cyclic[x] && depth[x] > depth[deepest]) deepest = x;
        diags_.Emit(DiagKind::NestingTooDeep, m_.types.records[deepest].range,
                    fmt::format("the record `{}` (records in records)", m_.types.records[deepest].name),
                    limits::kMaxNestingDepth);
        for (auto& f : m_.types.records[deepest].fields) f.type = m_.types.error();
      }
    }
  }

  bool Incomplete(uint32_t record) const { return record < record_asts_.size() && record_asts_[record]->incomplete; }

  // ---------------------------------------------------------------- types and units

  rt::UnitId ResolveUnit(const std::optional<ast::UnitExpr>& u) {
    if (!u) return 0;
    rt::UnitFactors f;
    for (const auto& t : u->terms) {
      auto it = units_.find(t.name);
      if (it == units_.end()) {
        auto& d = diags_.Emit(DiagKind::UnknownUnit, t.range, t.name);
        Suggest(d, t.name, [&](auto add) {
          for (auto& [n, _] : units_) add(n);
        });
        if (units_.empty()) d.notes.push_back({{}, fmt::format("declare it with `unit {};`", t.name)});
        return kBadUnit;
      }
      f.emplace_back(it->second, t.power);
    }
    return m_.types.InternUnit(std::move(f));
  }
  static constexpr rt::UnitId kBadUnit = UINT32_MAX;

  TypeId ResolveType(const ast::TypeExpr& t) {
    auto& T = m_.types;
    switch (t.kind) {
      case ast::TypeKind::Error: return T.error();
      case ast::TypeKind::Bool: return T.boolean();
      case ast::TypeKind::Integer:
      case ast::TypeKind::Decimal: {
        rt::UnitId u = ResolveUnit(t.unit);
        if (u == kBadUnit) return T.error();
        return T.Intern({t.kind == ast::TypeKind::Integer ? TypeKind::Integer : TypeKind::Decimal, u, 0});
      }
      case ast::TypeKind::Date: return T.date();
      case ast::TypeKind::Duration: return T.duration();
      case ast::TypeKind::Text: return T.text();
      case ast::TypeKind::Set: {
        TypeId e = ResolveType(*t.elem);
        if (T.kind(e) == TypeKind::Error) return e;
        if (T.kind(e) != TypeKind::Enum) {
          diags_.Emit(DiagKind::TypeMismatch, t.elem->range,
                      fmt::format("a set holds members of an enum, not `{}`", T.Name(e)));
          return T.error();
        }
        return T.Intern({TypeKind::Set, 0, T.info(e).ref});
      }
      case ast::TypeKind::List: {
        TypeId e = ResolveType(*t.elem);
        if (T.kind(e) == TypeKind::Error) return e;
        return T.Intern({TypeKind::List, 0, e});
      }
      case ast::TypeKind::Named: {
        auto it = globals_.find(t.name);
        if (it != globals_.end() && it->second.kind == SymKind::Enum)
          return T.Intern({TypeKind::Enum, 0, it->second.index});
        if (it != globals_.end() && it->second.kind == SymKind::Record)
          return T.Intern({TypeKind::Record, 0, it->second.index});
        auto& d = diags_.Emit(DiagKind::UnknownType, t.range, t.name);
        if (it != globals_.end())
          d.notes.push_back({it->second.range, fmt::format("`{}` is declared here, but not as a type", t.name)});
        else
          Suggest(d, t.name, [&](auto add) {
            for (auto& [n, s] : globals_)
              if (s.kind == SymKind::Enum || s.kind == SymKind::Record) add(n);
            for (const char* b : {"bool", "integer", "decimal", "date", "duration", "text"}) add(b);
          });
        return T.error();
      }
    }
    return T.error();
  }

  // A "did you mean" note: the closest candidate within a third of the name's length. Typos are
  // in short names: longer names get no suggestion, candidates whose length alone is too far are
  // not compared, and the comparisons of one run are bounded (a file of thousands of unknown
  // names against thousands of declarations must not take quadratic time).
  template <class F>
  void Suggest(Diagnostic& d, const std::string& name, F each) {
    static constexpr size_t kMaxName = 64, kBudget = size_t(20) << 20;  // characters compared per run
    if (name.size() > kMaxName || suggest_cost_ > kBudget) return;
    size_t limit = std::max<size_t>(1, name.size() / 3);
    std::string best;
    size_t best_d = SIZE_MAX;
    each([&](const std::string& cand) {
      size_t gap = cand.size() > name.size() ? cand.size() - name.size() : name.size() - cand.size();
      if (gap > limit || suggest_cost_ > kBudget) return;
      suggest_cost_ += name.size() * cand.size();
      size_t dist = Distance(name, cand);
      if (dist < best_d) {
        best_d = dist;
        best = cand;
      }
    });
    if (!best.empty() && best_d <= limit) d.notes.push_back({{}, fmt::format("did you mean `{}`?", best)});
  }

  // ---------------------------------------------------------------- IR building

  ExprId Emit(Op op, TypeId t, SourceRange r, uint32_t a = 0, uint32_t b = 0, uint32_t c = 0) {
    m_.exprs.push_back(ir::Expr{op, t, r, a, b, c});
    return ExprId(m_.exprs.size() - 1);
  }
  ExprId Poison(SourceRange r) { return Emit(Op::Error, m_.types.error(), r); }
  uint32_t Extra(const std::vector<uint32_t>& xs) {
    uint32_t start = uint32_t(m_.extra.size());
    m_.extra.insert(m_.extra.end(), xs.begin(), xs.end());
    return start;
  }
  TypeId TypeOf(ExprId e) const { return m_.exprs[e].type; }
  TypeKind KindOf(ExprId e) const { return m_.types.kind(TypeOf(e)); }
  bool IsError(ExprId e) const { return KindOf(e) == TypeKind::Error; }
  bool IsNumeric(TypeId t) const {
    auto k = m_.types.kind(t);
    return k == TypeKind::Integer || k == TypeKind::Decimal;
  }
  std::string Name(TypeId t) const { return "`" + m_.types.Name(t) + "`"; }
  TypeId DecimalWithUnit(rt::UnitId u) { return m_.types.Intern({TypeKind::Decimal, u, 0}); }
  TypeId IntegerWithUnit(rt::UnitId u) { return m_.types.Intern({TypeKind::Integer, u, 0}); }

  ExprId ToDec(ExprId e) {
    if (KindOf(e) != TypeKind::Integer) return e;
    return Emit(Op::IntToDec, DecimalWithUnit(m_.types.info(TypeOf(e)).unit), m_.exprs[e].range, e);
  }

  bool IsUnitlessLiteral(ExprId e) const {
    const auto& x = m_.exprs[e];
    return (x.op == Op::IntLit || x.op == Op::DecLit) && m_.types.info(x.type).unit == 0;
  }

  // Converts e to type `want` where the language allows it (integer -> decimal of the same
  // unit), or reports why not. `what` names the place: "the argument `x`".
  ExprId Coerce(ExprId e, TypeId want, const std::string& what) {
    TypeId have = TypeOf(e);
    if (have == want || IsError(e) || m_.types.kind(want) == TypeKind::Error) return e;
    const auto& hi = m_.types.info(have);
    const auto& wi = m_.types.info(want);
    if (IsNumeric(have) && IsNumeric(want)) {
      if (hi.unit != wi.unit) {
        auto& d = diags_.Emit(DiagKind::UnitMismatch, m_.exprs[e].range,
                              fmt::format("{} must be in {}, found {}", what, UnitDesc(wi.unit), UnitDesc(hi.unit)));
        if (IsUnitlessLiteral(e) && wi.unit != 0)
          d.notes.push_back({{},
                             fmt::format("write the unit after the number: `{} [{}]`", sm_.Text(m_.exprs[e].range),
                                         m_.types.UnitName(wi.unit))});
        return Poison(m_.exprs[e].range);
      }
      if (hi.kind == TypeKind::Integer && wi.kind == TypeKind::Decimal) return ToDec(e);
      auto& d = diags_.Emit(DiagKind::TypeMismatch, m_.exprs[e].range,
                            fmt::format("{} must be {}, found {}", what, Name(want), Name(have)));
      d.notes.push_back({{}, "round it explicitly, e.g. with `floor`, `round_half_even` or `to_integer`"});
      return Poison(m_.exprs[e].range);
    }
    diags_.Emit(DiagKind::TypeMismatch, m_.exprs[e].range,
                fmt::format("{} must be {}, found {}", what, Name(want), Name(have)));
    return Poison(m_.exprs[e].range);
  }

  std::string UnitDesc(rt::UnitId u) const { return u == 0 ? "no unit" : "`" + m_.types.UnitName(u) + "`"; }

  // ---------------------------------------------------------------- signatures and bodies

  // ---------------------------------------------------------------- versions
  //
  // Every instrument of the root file's amendment chain is a version. Types are shared by all
  // versions; constants, helpers and decisions are versioned: each version has its own table of
  // them (inherited from its base, then changed by its own file), and each is checked, and
  // lowered to IR, once per version it belongs to.

  void ComputeVersions(uint32_t root) {
    file_version_.assign(sm_.size(), 0);
    std::vector<uint32_t> chain;  // file ids, base first
    std::set<uint32_t> seen;
    for (uint32_t f = root; f != UINT32_MAX && File(f) && !seen.count(f); f = File(f)->base_file) {
      seen.insert(f);
      chain.insert(chain.begin(), f);
    }
    if (chain.empty()) chain.push_back(files_.empty() ? 0 : files_[0].file_id);
    for (uint32_t v = 0; v < chain.size(); ++v) {
      const ast::File* f = File(chain[v]);
      ir::Version ver;
      ver.file = chain[v];
      ver.instrument = m_.file_instrument[chain[v]];
      if (ver.instrument >= 0) {
        const ir::Instrument& ins = m_.instruments[size_t(ver.instrument)];
        ver.name = ins.name;
        ver.effective = ins.Field("effective");
        ver.compliance = ins.Field("compliance");
      }
      if (chain.size() > 1 && f && (!f->header || ver.effective.empty())) {
        SourceRange at = f->header ? f->header->range : SourceRange{f->file_id, 0, 0};
        auto& d = diags_.Emit(
            DiagKind::InvalidAmendment, at,
            !f->header ? "an instrument in an amendment chain needs an `instrument` header"
                       : fmt::format("the instrument `{}` is part of an amendment chain but has no `effective` date",
                                     ver.name));
        (void)d;
      }
      if (v > 0 && !ver.effective.empty() && !m_.versions[v - 1].effective.empty() &&
          ver.effective < m_.versions[v - 1].effective) {
        auto& d = diags_.Emit(DiagKind::AmendmentDates, f->amends_range,
                              fmt::format("`{}` takes effect on {}, before its base `{}` takes effect on {}", ver.name,
                                          ver.effective, m_.versions[v - 1].name, m_.versions[v - 1].effective));
        const ast::File* base = File(chain[v - 1]);
        if (base && base->header)
          d.notes.push_back({base->header->range, fmt::format("`{}` is declared here", m_.versions[v - 1].name)});
      }
      m_.versions.push_back(std::move(ver));
    }
    // Each file belongs to the earliest version whose instrument imports it (directly or not).
    std::vector<uint32_t> order(sm_.size(), UINT32_MAX);
    for (uint32_t v = 0; v < chain.size(); ++v) {
      std::vector<uint32_t> stack{chain[v]};
      while (!stack.empty()) {
        uint32_t f = stack.back();
        stack.pop_back();
        if (order[f] != UINT32_MAX) continue;
        order[f] = v;
        if (const ast::File* af = File(f))
          for (uint32_t i : af->import_files) stack.push_back(i);
      }
    }
    for (uint32_t f = 0; f < sm_.size(); ++f) file_version_[f] = order[f] == UINT32_MAX ? 0 : order[f];
    chain_ = chain;
    for (const auto& f : files_) {
      bool amending = !f.amendments.empty() || !f.replaced_consts.empty() || !f.replaced_defs.empty() ||
                      !f.replaced_decisions.empty() || !f.restores.empty();
      if (amending && f.amends.empty()) {
        SourceRange at = !f.restores.empty()          ? f.restores[0].range
                         : !f.amendments.empty()      ? f.amendments[0].range
                         : !f.replaced_consts.empty() ? f.replaced_consts[0].range
                         : !f.replaced_defs.empty()   ? f.replaced_defs[0].range
                                                      : f.replaced_decisions[0].range;
        auto& d = diags_.Emit(DiagKind::InvalidAmendment, at,
                              "only an instrument that amends a base can `amend`, `replace`, `repeal` or `restore`");
        d.notes.push_back({{}, "name the base in the header: `instrument x { amends: \"base.edict\"; ... }`"});
      }
    }
  }

  const ast::File* File(uint32_t id) const {
    for (const auto& f : files_)
      if (f.file_id == id) return &f;
    return nullptr;
  }

  // Adds the declarations of one file to a version's table; changes come after, in
  // ApplyAmendments, so that a file may both add and change.
  void AddDeclarations(std::map<std::string, ValueEntry>& table, const ast::File& f) {
    auto add = [&](const std::string& name, SymKind k, uint32_t view, SourceRange r) {
      if (name.empty()) return;
      auto it = table.find(name);
      if (it != table.end()) {
        auto& d = diags_.Emit(DiagKind::DuplicateDeclaration, r, name);
        d.notes.push_back({it->second.range, "the first declaration is here"});
        if (File(it->second.range.file) && file_version_[it->second.range.file] < file_version_[r.file])
          d.notes.push_back({{}, fmt::format("an amendment changes a declaration of its base with `replace`")});
        return;
      }
      if (globals_.count(name)) {
        auto& d = diags_.Emit(DiagKind::DuplicateDeclaration, r, name);
        d.notes.push_back({globals_[name].range, "the first declaration is here"});
        return;
      }
      table[name] = ValueEntry{k, view, r};
    };
    for (const auto& c : f.consts) {
      const_views_.push_back({&c, &c.type, {}});
      add(c.name, SymKind::Const, uint32_t(const_views_.size() - 1), c.name_range);
    }
    for (const auto& d : f.defs) {
      def_views_.push_back({&d, {}});
      add(d.name, SymKind::Def, uint32_t(def_views_.size() - 1), d.name_range);
    }
    for (const auto& d : f.decisions) {
      decision_views_.push_back(ViewOf(d, {}));
      add(d.name, SymKind::Decision, uint32_t(decision_views_.size() - 1), d.name_range);
    }
  }

  DecisionView ViewOf(const ast::DecisionDecl& d, std::vector<DiagNote> context) {
    DecisionView v;
    v.sig = &d;
    for (const auto& l : d.lets) v.lets.push_back({&l, {}});
    for (const auto& r : d.rules) v.rules.push_back({&r, context});
    for (const auto& df : d.defaults) v.defaults.push_back({&df, context});
    return v;
  }

  // Finds the target of a change; reports it when missing.
  const ValueEntry* Target(std::map<std::string, ValueEntry>& table, const std::string& name, SymKind k, SourceRange r,
                           const char* what, const char* action, uint32_t version) {
    auto it = table.find(name);
    if (it != table.end() && it->second.kind == k) return &it->second;
    std::string base = version > 0 ? m_.versions[version - 1].name : "the base";
    auto& d = diags_.Emit(DiagKind::UnknownAmendTarget, r,
                          fmt::format("the base version `{}` has no {} `{}` to {}", base, what, name, action));
    Suggest(d, name, [&](auto add) {
      for (auto& [n, e] : table)
        if (e.kind == k) add(n);
    });
    if (version > 0 && chain_.size() >= version) {
      const ast::File* bf = File(chain_[version - 1]);
      if (bf && bf->header) d.notes.push_back({bf->header->range, fmt::format("the base `{}` is declared here", base)});
    }
    return nullptr;
  }

  void ApplyAmendments(std::map<std::string, ValueEntry>& table, const ast::File& f, uint32_t version) {
    std::string me = m_.versions[version].name;
    for (const auto& c : f.replaced_consts) {
      const ValueEntry* t = Target(table, c.name, SymKind::Const, c.name_range, "constant", "replace", version);
      if (!t) continue;
      const ast::TypeExpr* old_type = const_views_[t->view].type;  // copied: push_back below reallocates
      DiagNote ctx{const_views_[t->view].decl->name_range,
                   fmt::format("`{}` replaces the constant `{}` declared here", me, c.name)};
      bool type_changed = c.type_given && ResolveType(c.type) != ResolveType(*old_type);
      if (type_changed) {
        auto& d = diags_.Emit(
            DiagKind::TypeMismatch, c.type.range,
            fmt::format("the replacement of `{}` must keep its type {}", c.name, Name(ResolveType(*old_type))));
        d.notes.push_back(ctx);
      }
      // A replacement of another type would break every use in the base: keep the base's type.
      const_views_.push_back({&c, type_changed || !c.type_given ? old_type : &c.type, {ctx}});
      table[c.name] = ValueEntry{SymKind::Const, uint32_t(const_views_.size() - 1), c.name_range};
    }
    for (const auto& df : f.replaced_defs) {
      const ValueEntry* t = Target(table, df.name, SymKind::Def, df.name_range, "helper", "replace", version);
      if (!t) continue;
      DiagNote ctx{def_views_[t->view].decl->name_range,
                   fmt::format("`{}` replaces the helper `{}` declared here", me, df.name)};
      def_views_.push_back({&df, {ctx}});
      table[df.name] = ValueEntry{SymKind::Def, uint32_t(def_views_.size() - 1), df.name_range};
    }
    for (const auto& dd : f.replaced_decisions) {
      const ValueEntry* t = Target(table, dd.name, SymKind::Decision, dd.name_range, "decision", "replace", version);
      if (!t) continue;
      DiagNote ctx{decision_views_[t->view].sig->name_range,
                   fmt::format("`{}` replaces the decision `{}` declared here", me, dd.name)};
      decision_views_.push_back(ViewOf(dd, {ctx}));
      table[dd.name] = ValueEntry{SymKind::Decision, uint32_t(decision_views_.size() - 1), dd.name_range};
    }
    for (const auto& rs : f.restores) {
      std::optional<uint32_t> from = VersionNamed(rs.from);
      if (!from || *from >= version) {
        auto& d = diags_.Emit(DiagKind::UnknownAmendTarget, rs.from_range,
                              fmt::format("`{}` is not an earlier version of `{}` to restore from", rs.from, me));
        std::string names;
        for (uint32_t v = 0; v < version; ++v) names += (names.empty() ? "`" : ", `") + m_.versions[v].name + "`";
        if (!names.empty()) d.notes.push_back({{}, "the earlier versions are " + names});
        continue;
      }
      auto it = tables_[*from].find(rs.name);
      if (it == tables_[*from].end() || it->second.kind != SymKind::Decision) {
        diags_.Emit(DiagKind::UnknownAmendTarget, rs.name_range,
                    fmt::format("the version `{}` has no decision `{}` to restore", rs.from, rs.name));
        continue;
      }
      std::string name = rs.alias.empty() ? rs.name : rs.alias;
      if (!rs.alias.empty() && table.count(name)) {
        auto& d = diags_.Emit(DiagKind::DuplicateDeclaration, rs.range, name);
        d.notes.push_back({table[name].range, "the first declaration is here"});
        continue;
      }
      DecisionView v = decision_views_[it->second.view];
      v.amended_by.push_back(rs.range);
      decision_views_.push_back(std::move(v));
      table[name] = ValueEntry{SymKind::Decision, uint32_t(decision_views_.size() - 1), rs.name_range};
    }
    for (const auto& am : f.amendments) {
      const ValueEntry* t = Target(table, am.decision, SymKind::Decision, am.name_range, "decision", "amend", version);
      if (!t) continue;
      DecisionView v = decision_views_[t->view];  // a copy: the base's view is unchanged
      v.amended_by.push_back(am.name_range);
      auto find_rule = [&](const std::string& n) {
        for (size_t i = 0; i < v.rules.size(); ++i)
          if (v.rules[i].rule->name == n) return int(i);
        return -1;
      };
      for (const auto& it : am.items) {
        switch (it.kind) {
          case ast::AmendKind::RepealRule:
          case ast::AmendKind::ReplaceRule:
          case ast::AmendKind::AddExceptions: {
            int i = find_rule(it.target);
            if (i < 0) {
              auto& d = diags_.Emit(DiagKind::UnknownAmendTarget, it.target_range,
                                    fmt::format("the decision `{}` of `{}` has no rule `{}` to {}", am.decision,
                                                version > 0 ? m_.versions[version - 1].name : "the base", it.target,
                                                it.kind == ast::AmendKind::RepealRule    ? "repeal"
                                                : it.kind == ast::AmendKind::ReplaceRule ? "replace"
                                                                                         : "give exceptions to"));
              Suggest(d, it.target, [&](auto add) {
                for (const auto& r : v.rules) add(r.rule->name);
              });
              d.notes.push_back({v.sig->name_range, fmt::format("`{}` is declared here", am.decision)});
              break;
            }
            if (it.kind == ast::AmendKind::RepealRule) {
              v.repealed[it.target] = it.range;
              v.rules.erase(v.rules.begin() + i);
            } else if (it.kind == ast::AmendKind::AddExceptions) {
              for (size_t k = 0; k < it.rule.exception_to.size(); ++k)
                v.rules[size_t(i)].added_exceptions.emplace_back(it.rule.exception_to[k], it.rule.exception_ranges[k]);
            } else {
              v.rules[size_t(i)] = RuleRef{&it.rule,
                                           {{v.rules[size_t(i)].rule->name_range,
                                             fmt::format("`{}` replaces the rule `{}` declared here", me, it.target)}}};
            }
            break;
          }
          case ast::AmendKind::AddRule: {
            int i = find_rule(it.target);
            if (i >= 0) {
              auto& d = diags_.Emit(DiagKind::DuplicateDeclaration, it.target_range, it.target);
              d.notes.push_back({v.rules[size_t(i)].rule->name_range, "the first declaration is here"});
              d.notes.push_back({{}, fmt::format("to change it, write `replace rule {} ...`", it.target)});
              break;
            }
            v.repealed.erase(it.target);
            v.rules.push_back({&it.rule, {}});
            break;
          }
          case ast::AmendKind::AddLet: v.lets.push_back({&it.let, {}}); break;
          case ast::AmendKind::ReplaceDefault:
            v.defaults.clear();
            v.defaults.push_back({&it.dflt, {}});
            break;
          case ast::AmendKind::RepealDefault:
            if (v.defaults.empty()) {
              diags_.Emit(DiagKind::UnknownAmendTarget, it.range,
                          fmt::format("the decision `{}` has no default to repeal", am.decision));
            }
            v.defaults.clear();
            break;
        }
      }
      // A rule that remains an exception to a repealed rule would apply on its own: say so.
      for (const auto& [name, where] : v.repealed) {
        for (const auto& r : v.rules) {
          for (size_t k = 0; k < r.rule->exception_to.size(); ++k) {
            if (r.rule->exception_to[k] != name) continue;
            auto& d = diags_.Emit(DiagKind::DanglingException, where,
                                  fmt::format("`{}` repeals the rule `{}`, but `{}` is still an exception to it", me,
                                              name, r.rule->name));
            d.notes.push_back(
                {r.rule->exception_ranges[k], fmt::format("`{}` is an exception to `{}` here", r.rule->name, name)});
            d.notes.push_back({{}, fmt::format("repeal or replace `{}` too", r.rule->name)});
          }
        }
      }
      decision_views_.push_back(std::move(v));
      table[am.decision] = ValueEntry{SymKind::Decision, uint32_t(decision_views_.size() - 1), t->range};
    }
  }

  void BuildVersionTables() {
    for (uint32_t v = 0; v < m_.versions.size(); ++v) {
      std::map<std::string, ValueEntry> table = v > 0 ? tables_[v - 1] : std::map<std::string, ValueEntry>{};
      // Library files first (in load order), then the instrument's own file.
      for (const auto& f : files_)
        if (file_version_[f.file_id] == v && f.file_id != chain_[v]) AddDeclarations(table, f);
      if (const ast::File* f = File(chain_[v])) {
        AddDeclarations(table, *f);
        if (v > 0) ApplyAmendments(table, *f, v);
      }
      tables_.push_back(std::move(table));
    }
  }

  // Creates the IR declaration (with its signature) of every entry of every version.
  void AllocateVersions() {
    ir_index_.resize(tables_.size());
    for (uint32_t v = 0; v < tables_.size(); ++v) {
      for (const auto& [name, e] : tables_[v]) {
        switch (e.kind) {
          case SymKind::Const: {
            const ConstView& cv = const_views_[e.view];
            ir::Const k;
            k.name = name;
            k.type = ResolveType(*cv.type);
            k.range = cv.decl->name_range;
            k.version = v;
            if (cv.decl->citation) k.cite = {cv.decl->citation->cite, cv.decl->citation->assumption};
            m_.consts.push_back(std::move(k));
            ir_index_[v][name] = uint32_t(m_.consts.size() - 1);
            m_.versions[v].consts[name] = uint32_t(m_.consts.size() - 1);
            break;
          }
          case SymKind::Def: {
            const ast::DefDecl* d = def_views_[e.view].decl;
            ir::Def def;
            def.name = name;
            def.params = Params(d->params);
            def.result = ResolveType(d->result);
            def.range = d->name_range;
            def.version = v;
            if (d->citation) def.cite = {d->citation->cite, d->citation->assumption};
            m_.defs.push_back(std::move(def));
            ir_index_[v][name] = uint32_t(m_.defs.size() - 1);
            m_.versions[v].defs[name] = uint32_t(m_.defs.size() - 1);
            break;
          }
          case SymKind::Decision: {
            const ast::DecisionDecl* d = decision_views_[e.view].sig;
            ir::Decision dec;
            dec.name = name;
            dec.params = Params(d->params);
            dec.result = ResolveType(d->result);
            dec.range = d->name_range;
            dec.file = d->range.file;
            dec.version = v;
            if (d->citation) dec.cite = {d->citation->cite, d->citation->assumption};
            m_.decisions.push_back(std::move(dec));
            ir_index_[v][name] = uint32_t(m_.decisions.size() - 1);
            m_.versions[v].decisions[name] = uint32_t(m_.decisions.size() - 1);
            break;
          }
          default: break;
        }
      }
    }
  }

  void CheckVersionBodies(uint32_t v) {
    current_version_ = v;
    for (const auto& [name, e] : tables_[v]) {
      uint32_t ir = ir_index_[v][name];
      switch (e.kind) {
        case SymKind::Const: BodyConst(ir, const_views_[e.view]); break;
        case SymKind::Def: BodyDef(ir, def_views_[e.view]); break;
        case SymKind::Decision: BodyDecision(ir, decision_views_[e.view]); break;
        default: break;
      }
    }
  }

  // Notes that every diagnostic emitted while checking a changed declaration carries.
  struct ContextScope {
    Diagnostics& d;
    ContextScope(Diagnostics& diags, const std::vector<DiagNote>& notes) : d(diags) { d.PushContext(notes); }
    ~ContextScope() { d.PopContext(); }
  };

  std::vector<ir::Param> Params(const std::vector<ast::Param>& ps) {
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

  void BodyConst(uint32_t i, const ConstView& view) {
    ContextScope ctx(diags_, view.context);
    current_owner_ = Owner{SymKind::Const, i};
    ResetScope();
    ExprId v = CheckExpr(*view.decl->value, m_.consts[i].type);
    m_.consts[i].value = Coerce(v, m_.consts[i].type, fmt::format("the value of `{}`", m_.consts[i].name));
    m_.consts[i].slot_count = max_slots_;
  }

  void BodyDef(uint32_t i, const DefView& view) {
    ContextScope ctx(diags_, view.context);
    current_owner_ = Owner{SymKind::Def, i};
    ResetScope();
    for (const auto& p : m_.defs[i].params) Bind(p.name, p.type);
    ExprId b = CheckExpr(*view.decl->body, m_.defs[i].result);
    m_.defs[i].body = Coerce(b, m_.defs[i].result, fmt::format("the result of `{}`", m_.defs[i].name));
    m_.defs[i].slot_count = max_slots_;
  }

  void BodyDecision(uint32_t i, const DecisionView& a) {
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
    for (size_t ri = 0; ri < a.rules.size(); ++ri) {
      const auto& r = *a.rules[ri].rule;
      std::vector<std::pair<std::string, SourceRange>> targets;
      for (size_t k = 0; k < r.exception_to.size(); ++k) targets.emplace_back(r.exception_to[k], r.exception_ranges[k]);
      for (const auto& x : a.rules[ri].added_exceptions) targets.push_back(x);
      for (const auto& [name, range] : targets) {
        auto it = rule_index.find(name);
        if (it == rule_index.end()) {
          if (a.repealed.count(name)) continue;  // reported as a dangling exception
          auto& d = diags_.Emit(DiagKind::UnknownRule, range, a.sig->name, name);
          Suggest(d, name, [&](auto add) {
            for (auto& [n, _] : rule_index) add(n);
          });
          continue;
        }
        m_.decisions[i].rules[ri].exception_to.push_back(it->second);
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
    if (a.rules.empty() && a.defaults.empty())
      diags_.Emit(DiagKind::DecisionWithoutRules, a.sig->name_range, a.sig->name);
    m_.decisions[i].slot_count = max_slots_;
    CloseExceptions(m_.decisions[i]);
    StaticConflicts(m_.decisions[i]);
  }

  // Computes the transitive closure of `exception to`, reporting cycles once.
  void CloseExceptions(ir::Decision& d) {
    size_t n = d.rules.size();
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
          auto& diag = diags_.Emit(DiagKind::ExceptionCycle, d.rules[r].name_range, d.rules[r].name);
          for (uint32_t x : d.rules[r].exception_to)
            diag.notes.push_back(
                {d.rules[x].name_range, fmt::format("`{}` is an exception to `{}`", d.rules[r].name, d.rules[x].name)});
        }
        d.rules[r].overrides.clear();  // poison: no priority from a cycle
        d.rules[r].exception_to.clear();
      }
    }
  }

  bool Overrides(const ir::Rule& a, uint32_t b) const {
    return std::binary_search(a.overrides.begin(), a.overrides.end(), b);
  }

  // Two rules conflict for certain when neither overrides the other, their conditions are the
  // same (or both absent) and their outcomes are different constants.
  void StaticConflicts(const ir::Decision& d) {
    for (uint32_t i = 0; i < d.rules.size(); ++i) {
      for (uint32_t j = i + 1; j < d.rules.size(); ++j) {
        const ir::Rule& a = d.rules[i];
        const ir::Rule& b = d.rules[j];
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

  bool IsConstant(ExprId e) const {
    const ir::Expr& x = m_.exprs[e];
    switch (x.op) {
      case Op::BoolLit:
      case Op::IntLit:
      case Op::DecLit:
      case Op::DateLit:
      case Op::DurLit:
      case Op::TextLit:
      case Op::EnumLit: return true;
      case Op::IntToDec: return IsConstant(x.a);
      case Op::RecordLit: {
        size_t n = m_.types.records[m_.types.info(x.type).ref].fields.size();
        for (size_t k = 0; k < n; ++k)
          if (!IsConstant(m_.extra[x.b + k])) return false;
        return true;
      }
      case Op::SetLit:
      case Op::ListLit:
        for (uint32_t k = 0; k < x.b; ++k)
          if (!IsConstant(m_.extra[x.a + k])) return false;
        return true;
      default: return false;
    }
  }

  // Structural equality of two expressions (same ops, same operands, same literals).
  bool SameExpr(ExprId a, ExprId b) const {
    const ir::Expr& x = m_.exprs[a];
    const ir::Expr& y = m_.exprs[b];
    if (x.op != y.op || x.type != y.type) return false;
    auto list = [&](uint32_t sa, uint32_t sb, uint32_t n) {
      for (uint32_t k = 0; k < n; ++k)
        if (!SameExpr(m_.extra[sa + k], m_.extra[sb + k])) return false;
      return true;
    };
    switch (x.op) {
      case Op::IntLit: return m_.ints[x.a] == m_.ints[y.a];
      case Op::DecLit: return m_.decs[x.a] == m_.decs[y.a];
      case Op::DurLit: return m_.durs[x.a] == m_.durs[y.a];
      case Op::TextLit: return m_.texts[x.a] == m_.texts[y.a];
      case Op::BoolLit:
      case Op::DateLit:
      case Op::Local:
      case Op::LetRef:
      case Op::Const: return x.a == y.a;
      case Op::EnumLit: return x.a == y.a && x.b == y.b;
      case Op::SetLit:
      case Op::ListLit: return x.b == y.b && list(x.a, y.a, x.b);
      case Op::RecordLit: return x.a == y.a && list(x.b, y.b, uint32_t(m_.types.records[x.a].fields.size()));
      case Op::Call:
      case Op::DecisionCall: {
        size_t n = x.op == Op::Call ? m_.defs[x.a].params.size() : m_.decisions[x.a].params.size();
        return x.a == y.a && list(x.b, y.b, uint32_t(n));
      }
      case Op::Builtin: return x.a == y.a && x.c == y.c && list(x.b, y.b, x.c);
      case Op::Field: return x.b == y.b && SameExpr(x.a, y.a);
      case Op::With: {
        if (x.c != y.c || !SameExpr(x.a, y.a)) return false;
        for (uint32_t k = 0; k < x.c; ++k)
          if (m_.extra[x.b + 2 * k] != m_.extra[y.b + 2 * k] ||
              !SameExpr(m_.extra[x.b + 2 * k + 1], m_.extra[y.b + 2 * k + 1]))
            return false;
        return true;
      }
      case Op::Exists:
      case Op::Forall: return x.a == y.a && SameExpr(x.b, y.b) && SameExpr(x.c, y.c);
      case Op::If: return SameExpr(x.a, y.a) && SameExpr(x.b, y.b) && SameExpr(x.c, y.c);
      case Op::Not:
      case Op::IntNeg:
      case Op::IntToDec:
      case Op::DecNeg:
      case Op::DurNeg: return SameExpr(x.a, y.a);
      case Op::And:
      case Op::Or:
      case Op::IntAdd:
      case Op::IntSub:
      case Op::IntMul:
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
      case Op::SetMinus: return SameExpr(x.a, y.a) && SameExpr(x.b, y.b);
      case Op::Error: return false;
    }
    return false;
  }

  void CheckTest(const ast::TestDecl& t, uint32_t file) {
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
  void CheckCycles() {
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
          fmt::format("evaluating `{}` (its expressions and those of the helpers and constants it uses, in turn)",
                      name),
          limits::kMaxEvaluationDepth);
      d.notes.push_back({SourceRange{}, fmt::format("it nests {} levels deep", height[n])});
      return;
    }
  }

  std::pair<std::string, SourceRange> NodeName(size_t n, size_t C, size_t D) const {
    if (n < C) return {m_.consts[n].name, m_.consts[n].range};
    if (n < C + D) return {m_.defs[n - C].name, m_.defs[n - C].range};
    return {m_.decisions[n - C - D].name, m_.decisions[n - C - D].range};
  }

  void AddDep(SymKind k, uint32_t index) {
    if (current_owner_.index == UINT32_MAX) return;
    size_t from = OwnerNode(current_owner_.kind, current_owner_.index), to = OwnerNode(k, index);
    deps_[from].insert(to);
    uint32_t& at = dep_depth_[{from, to}];
    at = std::max(at, depth_);
  }

  // The node of a constant, helper or decision in the dependency graph.
  size_t OwnerNode(SymKind kind, uint32_t i) const {
    switch (kind) {
      case SymKind::Const: return i;
      case SymKind::Def: return m_.consts.size() + i;
      default: return m_.consts.size() + m_.defs.size() + i;
    }
  }

  // The constant, helper or decision `name` denotes in version v (IR index in `index`).
  std::optional<Symbol> LookupValue(const std::string& name, uint32_t v) const {
    if (v >= tables_.size()) return std::nullopt;
    auto it = tables_[v].find(name);
    if (it == tables_[v].end()) return std::nullopt;
    return Symbol{it->second.kind, ir_index_[v].at(name), it->second.range};
  }
  std::optional<Symbol> LookupValue(const std::string& name) const { return LookupValue(name, current_version_); }

  // The version an instrument name denotes (for `r3.d5` and `r0.licence(s)`).
  std::optional<uint32_t> VersionNamed(const std::string& name) const {
    for (uint32_t v = 0; v < m_.versions.size(); ++v)
      if (m_.versions[v].name == name && !name.empty()) return v;
    return std::nullopt;
  }

  // ---------------------------------------------------------------- scopes

  void ResetScope() {
    scope_.clear();
    next_slot_ = 0;
    max_slots_ = 0;
  }
  uint32_t Bind(const std::string& name, TypeId t) {
    uint32_t slot = next_slot_++;
    max_slots_ = std::max(max_slots_, next_slot_);
    scope_.push_back({name, t, false, slot});
    return slot;
  }
  const LocalVar* Lookup(const std::string& name) const {
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it)
      if (it->name == name) return &*it;
    return nullptr;
  }

  // ---------------------------------------------------------------- expressions

  // `expected` guides enum members and empty literals; it is not enforced here (callers Coerce).
  // Checks an expression, keeping the depth of the current one (the parser bounds it) and the
  // deepest of each definition, for the limit on nesting through calls (CheckCycles).
  ExprId CheckExpr(const ast::Expr& e, TypeId expected) {
    ++depth_;
    if (current_owner_.index != UINT32_MAX) {
      uint32_t& deepest = owner_depth_[OwnerNode(current_owner_.kind, current_owner_.index)];
      deepest = std::max(deepest, depth_);
    }
    ExprId id = CheckExprAt(e, expected);
    --depth_;
    return id;
  }

  ExprId CheckExprAt(const ast::Expr& e, TypeId expected) {
    switch (e.kind) {
      case ast::ExprKind::Error: return Poison(e.range);
      case ast::ExprKind::Number: return Number(e);
      case ast::ExprKind::DurationLit: return DurationLit(e);
      case ast::ExprKind::DateLit: {
        auto d = rt::ParseDate(e.text);
        if (!d) {
          diags_.Emit(DiagKind::InvalidLiteral, e.range, fmt::format("`{}` is not a calendar date", e.text));
          return Poison(e.range);
        }
        return Emit(Op::DateLit, m_.types.date(), e.range, uint32_t(d->days));
      }
      case ast::ExprKind::StringLit:
        m_.texts.push_back(e.text);
        return Emit(Op::TextLit, m_.types.text(), e.range, uint32_t(m_.texts.size() - 1));
      case ast::ExprKind::BoolLit: return Emit(Op::BoolLit, m_.types.boolean(), e.range, e.text == "true");
      case ast::ExprKind::Name: return NameExpr(e, expected);
      case ast::ExprKind::Call: return CallExpr(e);
      case ast::ExprKind::RecordLit: return RecordLit(e);
      case ast::ExprKind::SetLit: return SetLit(e, expected);
      case ast::ExprKind::ListLit: return ListLit(e, expected);
      case ast::ExprKind::Field: return FieldExpr(e);
      case ast::ExprKind::With: return WithExpr(e);
      case ast::ExprKind::Unary: return UnaryExpr(e);
      case ast::ExprKind::Binary: return BinaryExpr(e);
      case ast::ExprKind::In: return InExpr(e);
      case ast::ExprKind::If: return IfExpr(e, expected);
      case ast::ExprKind::Quant: return QuantExpr(e);
    }
    return Poison(e.range);
  }

  ExprId Number(const ast::Expr& e) {
    rt::UnitId u = ResolveUnit(e.unit);
    if (u == kBadUnit) return Poison(e.range);
    bool is_dec = e.text.find_first_of(".eE") != std::string::npos;
    rt::Decimal::ParseProblem problem;
    auto d = rt::Decimal::Parse(e.text, &problem);
    if (!d) {
      diags_.Emit(DiagKind::InvalidLiteral, e.range, fmt::format("`{}` is {}", e.text, rt::Decimal::Describe(problem)));
      return Poison(e.range);
    }
    if (!is_dec) {
      if (d->num() > INT64_MAX) {
        auto& diag = diags_.Emit(DiagKind::InvalidLiteral, e.range,
                                 fmt::format("`{}` does not fit in an integer (64-bit)", e.text));
        diag.notes.push_back({{}, "write a decimal literal instead, such as `1e26` or `100000000000000000000.0`"});
        return Poison(e.range);
      }
      m_.ints.push_back(int64_t(d->num()));
      return Emit(Op::IntLit, IntegerWithUnit(u), e.range, uint32_t(m_.ints.size() - 1));
    }
    m_.decs.push_back(*d);
    return Emit(Op::DecLit, DecimalWithUnit(u), e.range, uint32_t(m_.decs.size() - 1));
  }

  ExprId DurationLit(const ast::Expr& e) {
    const std::string& num = e.kids[0]->text;
    auto d = rt::Decimal::Parse(num);
    if (!d || !d->IsInteger() || d->num() > 1000000) {
      diags_.Emit(DiagKind::InvalidLiteral, e.range,
                  fmt::format("a duration needs a whole number of at most 1000000, found `{}`", num));
      return Poison(e.range);
    }
    int64_t n = int64_t(d->num());
    rt::Duration dur;
    if (e.text.rfind("day", 0) == 0)
      dur.days = n;
    else if (e.text.rfind("month", 0) == 0)
      dur.months = n;
    else
      dur.months = n * 12;
    m_.durs.push_back(dur);
    return Emit(Op::DurLit, m_.types.duration(), e.range, uint32_t(m_.durs.size() - 1));
  }

  ExprId NameExpr(const ast::Expr& e, TypeId expected) {
    if (const LocalVar* l = Lookup(e.text))
      return l->is_let ? Emit(Op::LetRef, l->type, e.range, l->index) : Emit(Op::Local, l->type, e.range, l->index);
    if (auto val = LookupValue(e.text)) {
      if (val->kind == SymKind::Const) {
        AddDep(SymKind::Const, val->index);
        return Emit(Op::Const, m_.consts[val->index].type, e.range, val->index);
      }
      auto& d = diags_.Emit(DiagKind::TypeMismatch, e.range,
                            fmt::format("`{}` is a function; call it with arguments", e.text));
      d.notes.push_back({val->range, "declared here"});
      return Poison(e.range);
    }
    auto g = globals_.find(e.text);
    if (g != globals_.end()) {
      switch (g->second.kind) {
        case SymKind::Const:
        case SymKind::Def:
        case SymKind::Decision: return Poison(e.range);  // values live in the version tables
        case SymKind::Enum:
        case SymKind::Record: {
          auto& d = diags_.Emit(DiagKind::TypeMismatch, e.range, fmt::format("`{}` is a type, not a value", e.text));
          if (g->second.kind == SymKind::Enum)
            d.notes.push_back({{},
                               fmt::format("name a member, such as `{}.{}`", e.text,
                                           m_.types.enums[g->second.index].members.empty()
                                               ? "x"
                                               : m_.types.enums[g->second.index].members[0])});
          return Poison(e.range);
        }
      }
    }
    auto mem = members_.find(e.text);
    if (mem != members_.end()) {
      const auto& cands = mem->second;
      if (cands.size() == 1) return EnumMember(cands[0].first, cands[0].second, e.range);
      // Several enums have this member: the expected type decides.
      const auto& ei = m_.types.info(expected);
      uint32_t want_enum = ei.kind == TypeKind::Enum || ei.kind == TypeKind::Set ? ei.ref : UINT32_MAX;
      for (auto [en, idx] : cands)
        if (en == want_enum) return EnumMember(en, idx, e.range);
      auto& d = diags_.Emit(DiagKind::AmbiguousName, e.range, e.text);
      for (auto [en, idx] : cands)
        d.notes.push_back(
            {m_.types.enums[en].range, fmt::format("write `{}.{}` for the member of `{}`", m_.types.enums[en].name,
                                                   e.text, m_.types.enums[en].name)});
      return Poison(e.range);
    }
    if (e.text == "default" || e.text.empty()) return Poison(e.range);
    auto& d = diags_.Emit(DiagKind::UnknownName, e.range, e.text);
    Suggest(d, e.text, [&](auto add) {
      for (const auto& l : scope_) add(l.name);
      for (const auto& [n, s] : tables_[current_version_])
        if (s.kind == SymKind::Const) add(n);
      for (const auto& [n, _] : members_) add(n);
    });
    return Poison(e.range);
  }

  ExprId EnumMember(uint32_t en, uint32_t idx, SourceRange r) {
    return Emit(Op::EnumLit, m_.types.Intern({TypeKind::Enum, 0, en}), r, en, idx);
  }

  // Matches call arguments (all positional or all named) to parameters.
  std::vector<uint32_t> Args(const ast::Expr& e, const std::vector<ir::Param>& params, const std::string& callee) {
    std::vector<uint32_t> out(params.size(), kNoExpr);
    bool named = !e.names.empty() && !e.names[0].empty();
    bool bad = false;
    if (named) {
      for (size_t i = 0; i < e.kids.size(); ++i) {
        const std::string& n = i < e.names.size() ? e.names[i] : "";
        auto it = std::find_if(params.begin(), params.end(), [&](const ir::Param& p) { return p.name == n; });
        if (n.empty() || it == params.end()) {
          auto& d =
              diags_.Emit(DiagKind::WrongArguments, e.kids[i]->range,
                          n.empty() ? fmt::format("mix of named and positional arguments in the call of `{}`", callee)
                                    : fmt::format("`{}` has no parameter `{}`", callee, n));
          (void)d;
          CheckExpr(*e.kids[i], m_.types.error());
          bad = true;
          continue;
        }
        size_t pi = size_t(it - params.begin());
        if (out[pi] != kNoExpr) {
          diags_.Emit(DiagKind::WrongArguments, e.kids[i]->range, fmt::format("the parameter `{}` is given twice", n));
          bad = true;
          continue;
        }
        out[pi] = Coerce(CheckExpr(*e.kids[i], params[pi].type), params[pi].type, fmt::format("the argument `{}`", n));
      }
      for (size_t pi = 0; pi < params.size(); ++pi) {
        if (out[pi] == kNoExpr && !bad) {
          diags_.Emit(DiagKind::WrongArguments, e.range,
                      fmt::format("the call of `{}` is missing the argument `{}`", callee, params[pi].name));
          bad = true;
        }
        if (out[pi] == kNoExpr) out[pi] = Poison(e.range);
      }
      return out;
    }
    if (e.kids.size() != params.size()) {
      diags_.Emit(DiagKind::WrongArguments, e.range,
                  fmt::format("`{}` takes {} argument{}, found {}", callee, params.size(),
                              params.size() == 1 ? "" : "s", e.kids.size()));
      for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
      for (auto& o : out) o = Poison(e.range);
      return out;
    }
    for (size_t i = 0; i < params.size(); ++i)
      out[i] = Coerce(CheckExpr(*e.kids[i], params[i].type), params[i].type,
                      fmt::format("the argument `{}`", params[i].name));
    return out;
  }

  ExprId CallExpr(const ast::Expr& e) {
    SourceRange callee_range = e.name_ranges.empty() ? e.range : e.name_ranges[0];
    // `r0.licence(args)`: a declaration of another version of the law.
    std::optional<Symbol> val;
    std::string callee = e.text;
    if (size_t dot = e.text.find('.'); dot != std::string::npos) {
      std::string vname = e.text.substr(0, dot);
      callee = e.text.substr(dot + 1);
      auto v = VersionNamed(vname);
      if (!v) {
        auto& d = diags_.Emit(DiagKind::UnknownName, callee_range, vname);
        std::string names;
        for (const auto& ver : m_.versions)
          if (!ver.name.empty()) names += (names.empty() ? "`" : ", `") + ver.name + "`";
        d.notes.push_back({{},
                           names.empty() ? "this program has no versions to qualify a name with"
                                         : "the versions of this program are " + names});
        for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
        return Poison(e.range);
      }
      val = LookupValue(callee, *v);
    } else {
      val = LookupValue(callee);
    }
    if (val && val->kind == SymKind::Def) {
      const ir::Def& d = m_.defs[val->index];
      AddDep(SymKind::Def, val->index);
      auto args = Args(e, d.params, e.text);
      return Emit(Op::Call, d.result, e.range, val->index, Extra(args));
    }
    if (val && val->kind == SymKind::Decision) {
      const ir::Decision& d = m_.decisions[val->index];
      AddDep(SymKind::Decision, val->index);
      auto args = Args(e, d.params, e.text);
      return Emit(Op::DecisionCall, d.result, e.range, val->index, Extra(args));
    }
    if (callee == e.text)
      for (const auto& b : kBuiltins)
        if (e.text == b.name) return BuiltinCall(e, b);
    if (val || globals_.count(callee) || Lookup(e.text)) {
      diags_.Emit(DiagKind::NotCallable, callee_range, e.text);
    } else {
      auto& d = diags_.Emit(DiagKind::UnknownName, callee_range, e.text);
      Suggest(d, callee, [&](auto add) {
        for (const auto& [n, s] : tables_[current_version_])
          if (s.kind == SymKind::Def || s.kind == SymKind::Decision) add(n);
        for (const auto& b : kBuiltins) add(b.name);
      });
    }
    for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
    return Poison(e.range);
  }

  ExprId BuiltinCall(const ast::Expr& e, const BuiltinSpec& b) {
    if (int(e.kids.size()) != b.arity || (!e.names.empty() && !e.names[0].empty())) {
      diags_.Emit(DiagKind::WrongArguments, e.range,
                  fmt::format("`{}` takes {} positional argument{}, found {}", b.name, b.arity, b.arity == 1 ? "" : "s",
                              e.kids.size()));
      for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
      return Poison(e.range);
    }
    std::vector<uint32_t> args;
    for (const auto& k : e.kids) args.push_back(CheckExpr(*k, m_.types.error()));
    for (uint32_t a : args)
      if (IsError(a)) return Poison(e.range);
    auto& T = m_.types;
    auto need = [&](size_t i, TypeId t) {
      args[i] = Coerce(args[i], t, fmt::format("the argument of `{}`", b.name));
      return !IsError(args[i]);
    };
    auto need_numeric = [&](size_t i) {
      if (IsNumeric(TypeOf(args[i]))) return true;
      diags_.Emit(DiagKind::TypeMismatch, m_.exprs[args[i]].range,
                  fmt::format("`{}` needs a number, found {}", b.name, Name(TypeOf(args[i]))));
      return false;
    };
    TypeId result = T.error();
    using B = ir::Builtin;
    switch (b.id) {
      case B::YearOf:
      case B::MonthOf:
      case B::DayOf:
        if (!need(0, T.date())) return Poison(e.range);
        result = T.integer();
        break;
      case B::MakeDate:
        for (size_t i = 0; i < 3; ++i)
          if (!need(i, T.integer())) return Poison(e.range);
        result = T.date();
        break;
      case B::AddMonthsStrict:
      case B::AddMonthsUp:
        if (!need(0, T.date()) || !need(1, T.integer())) return Poison(e.range);
        result = T.date();
        break;
      case B::DaysOf:
        if (!need(0, T.duration())) return Poison(e.range);
        result = T.integer();
        break;
      case B::Floor:
      case B::Ceil:
      case B::Truncate:
      case B::RoundHalfUp:
      case B::RoundHalfEven:
      case B::ToInteger:
        if (!need_numeric(0)) return Poison(e.range);
        args[0] = ToDec(args[0]);
        result = IntegerWithUnit(T.info(TypeOf(args[0])).unit);
        break;
      case B::Abs:
        if (!need_numeric(0)) return Poison(e.range);
        result = TypeOf(args[0]);
        break;
      case B::Min:
      case B::Max: {
        if (!need_numeric(0) || !need_numeric(1)) return Poison(e.range);
        if (!UnifyNumeric(args[0], args[1], e, fmt::format("the arguments of `{}`", b.name))) return Poison(e.range);
        result = TypeOf(args[0]);
        break;
      }
      case B::Count: {
        auto k = KindOf(args[0]);
        if (k != TypeKind::List && k != TypeKind::Set) {
          diags_.Emit(DiagKind::TypeMismatch, m_.exprs[args[0]].range,
                      fmt::format("`count` needs a list or a set, found {}", Name(TypeOf(args[0]))));
          return Poison(e.range);
        }
        result = T.integer();
        break;
      }
      case B::Sum: {
        const auto& li = T.info(TypeOf(args[0]));
        if (li.kind != TypeKind::List || !IsNumeric(li.ref)) {
          diags_.Emit(DiagKind::TypeMismatch, m_.exprs[args[0]].range,
                      fmt::format("`sum` needs a list of numbers, found {}", Name(TypeOf(args[0]))));
          return Poison(e.range);
        }
        result = li.ref;
        break;
      }
    }
    return Emit(Op::Builtin, result, e.range, uint32_t(b.id), Extra(args), uint32_t(args.size()));
  }

  // Brings two numeric operands to one type (integer -> decimal); reports a unit mismatch.
  bool UnifyNumeric(uint32_t& a, uint32_t& b, const ast::Expr& e, const std::string& what) {
    const auto& ai = m_.types.info(TypeOf(a));
    const auto& bi = m_.types.info(TypeOf(b));
    if (ai.unit != bi.unit) {
      auto& d =
          diags_.Emit(DiagKind::UnitMismatch, e.range,
                      fmt::format("{} have different units: {} and {}", what, UnitDesc(ai.unit), UnitDesc(bi.unit)));
      d.notes.push_back({m_.exprs[a].range, fmt::format("this is {}", Name(TypeOf(a)))});
      d.notes.push_back({m_.exprs[b].range, fmt::format("this is {}", Name(TypeOf(b)))});
      return false;
    }
    if (ai.kind != bi.kind) {
      a = ToDec(a);
      b = ToDec(b);
    }
    return true;
  }

  ExprId RecordLit(const ast::Expr& e) {
    SourceRange type_range = e.name_ranges.empty() ? e.range : e.name_ranges[0];
    auto g = globals_.find(e.text);
    if (g == globals_.end() || g->second.kind != SymKind::Record) {
      auto& d = diags_.Emit(DiagKind::UnknownType, type_range, e.text);
      if (g == globals_.end())
        Suggest(d, e.text, [&](auto add) {
          for (auto& [n, s] : globals_)
            if (s.kind == SymKind::Record) add(n);
        });
      else
        d.notes.push_back({g->second.range, fmt::format("`{}` is declared here, but not as a record", e.text)});
      for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
      return Poison(e.range);
    }
    uint32_t rid = g->second.index;
    const rt::RecordInfo& rec = m_.types.records[rid];
    std::vector<uint32_t> vals(rec.fields.size(), kNoExpr);
    bool bad = false;
    for (size_t i = 0; i < e.kids.size(); ++i) {
      const std::string& fname = e.names[i];
      SourceRange fr = i + 1 < e.name_ranges.size() ? e.name_ranges[i + 1] : e.range;
      int fi = rec.FieldIndex(fname);
      if (fi < 0) {
        if (!Incomplete(rid)) {
          auto& d = diags_.Emit(DiagKind::UnknownField, fr, rec.name, fname);
          Suggest(d, fname, [&](auto add) {
            for (const auto& f : rec.fields) add(f.name);
          });
        }
        CheckExpr(*e.kids[i], m_.types.error());
        bad = true;
        continue;
      }
      if (vals[size_t(fi)] != kNoExpr) {
        diags_.Emit(DiagKind::DuplicateField, fr, fname);
        bad = true;
        continue;
      }
      TypeId ft = rec.fields[size_t(fi)].type;
      vals[size_t(fi)] = Coerce(CheckExpr(*e.kids[i], ft), ft, fmt::format("the field `{}`", fname));
    }
    for (size_t fi = 0; fi < vals.size(); ++fi) {
      if (vals[fi] == kNoExpr) {
        if (!bad && !Incomplete(rid)) {
          auto& d = diags_.Emit(DiagKind::MissingField, e.range, rec.name, rec.fields[fi].name);
          d.notes.push_back({rec.fields[fi].range, "the field is declared here"});
        }
        bad = true;
        vals[fi] = Poison(e.range);
      }
    }
    if (bad) return Poison(e.range);
    return Emit(Op::RecordLit, m_.types.Intern({TypeKind::Record, 0, rid}), e.range, rid, Extra(vals));
  }

  ExprId SetLit(const ast::Expr& e, TypeId expected) {
    const auto& ei = m_.types.info(expected);
    uint32_t en = ei.kind == TypeKind::Set ? ei.ref : UINT32_MAX;
    std::vector<uint32_t> elems;
    TypeId hint = en != UINT32_MAX ? m_.types.Intern({TypeKind::Enum, 0, en}) : m_.types.error();
    bool bad = false;
    for (const auto& k : e.kids) {
      ExprId x = CheckExpr(*k, hint);
      if (IsError(x)) {
        bad = true;
        continue;
      }
      if (KindOf(x) != TypeKind::Enum) {
        diags_.Emit(DiagKind::TypeMismatch, k->range,
                    fmt::format("a set holds members of an enum, found {}", Name(TypeOf(x))));
        bad = true;
        continue;
      }
      if (en == UINT32_MAX) {
        en = m_.types.info(TypeOf(x)).ref;
        hint = TypeOf(x);
      }
      if (m_.types.info(TypeOf(x)).ref != en) {
        diags_.Emit(DiagKind::TypeMismatch, k->range,
                    fmt::format("this set holds `{}` members, found {}", m_.types.enums[en].name, Name(TypeOf(x))));
        bad = true;
        continue;
      }
      elems.push_back(x);
    }
    if (bad) return Poison(e.range);
    if (en == UINT32_MAX) {
      diags_.Emit(DiagKind::CannotInferType, e.range, "cannot tell which enum this empty set is of");
      return Poison(e.range);
    }
    return Emit(Op::SetLit, m_.types.Intern({TypeKind::Set, 0, en}), e.range, Extra(elems), uint32_t(elems.size()));
  }

  ExprId ListLit(const ast::Expr& e, TypeId expected) {
    const auto& ei = m_.types.info(expected);
    TypeId elem = ei.kind == TypeKind::List ? ei.ref : TypeId(-1);
    std::vector<uint32_t> xs;
    for (const auto& k : e.kids) xs.push_back(CheckExpr(*k, elem == TypeId(-1) ? m_.types.error() : elem));
    for (uint32_t x : xs)
      if (IsError(x)) return Poison(e.range);
    if (elem == TypeId(-1)) {
      if (xs.empty()) {
        diags_.Emit(DiagKind::CannotInferType, e.range, "cannot tell the element type of this empty list");
        return Poison(e.range);
      }
      elem = TypeOf(xs[0]);
      for (uint32_t x : xs)
        if (KindOf(x) == TypeKind::Decimal && IsNumeric(elem)) elem = DecimalWithUnit(m_.types.info(TypeOf(x)).unit);
    }
    for (auto& x : xs) {
      x = Coerce(x, elem, "a list element");
      if (IsError(x)) return Poison(e.range);
    }
    return Emit(Op::ListLit, m_.types.Intern({TypeKind::List, 0, elem}), e.range, Extra(xs), uint32_t(xs.size()));
  }

  ExprId FieldExpr(const ast::Expr& e) {
    const ast::Expr& base = *e.kids[0];
    SourceRange fr = e.name_ranges.empty() ? e.range : e.name_ranges[0];
    // `r3.d5`: a constant of another version, when the base names a version.
    if (base.kind == ast::ExprKind::Name && !Lookup(base.text) && !LookupValue(base.text) &&
        !globals_.count(base.text)) {
      if (auto v = VersionNamed(base.text)) {
        auto val = LookupValue(e.text, *v);
        if (val && val->kind == SymKind::Const) {
          AddDep(SymKind::Const, val->index);
          return Emit(Op::Const, m_.consts[val->index].type, e.range, val->index);
        }
        auto& d = diags_.Emit(DiagKind::UnknownName, fr, fmt::format("{}.{}", base.text, e.text));
        d.notes.push_back({{}, fmt::format("the version `{}` has no constant `{}`", base.text, e.text)});
        return Poison(e.range);
      }
    }
    // `Enum.member` when the base names an enum (and nothing closer shadows it).
    if (base.kind == ast::ExprKind::Name && !Lookup(base.text)) {
      auto g = globals_.find(base.text);
      if (g != globals_.end() && g->second.kind == SymKind::Enum) {
        const rt::EnumInfo& en = m_.types.enums[g->second.index];
        for (size_t i = 0; i < en.members.size(); ++i)
          if (en.members[i] == e.text) return EnumMember(g->second.index, uint32_t(i), e.range);
        auto& d = diags_.Emit(DiagKind::UnknownMember, fr, en.name, e.text);
        Suggest(d, e.text, [&](auto add) {
          for (const auto& m : en.members) add(m);
        });
        return Poison(e.range);
      }
    }
    ExprId b = CheckExpr(base, m_.types.error());
    if (IsError(b)) return Poison(e.range);
    const auto& bi = m_.types.info(TypeOf(b));
    if (bi.kind != TypeKind::Record) {
      diags_.Emit(DiagKind::InvalidOperands, fr,
                  fmt::format("`.{}` needs a record, found {}", e.text, Name(TypeOf(b))));
      return Poison(e.range);
    }
    const rt::RecordInfo& rec = m_.types.records[bi.ref];
    int fi = rec.FieldIndex(e.text);
    if (fi < 0 && Incomplete(bi.ref)) return Poison(e.range);
    if (fi < 0) {
      auto& d = diags_.Emit(DiagKind::UnknownField, fr, rec.name, e.text);
      Suggest(d, e.text, [&](auto add) {
        for (const auto& f : rec.fields) add(f.name);
      });
      return Poison(e.range);
    }
    return Emit(Op::Field, rec.fields[size_t(fi)].type, e.range, b, uint32_t(fi));
  }

  ExprId WithExpr(const ast::Expr& e) {
    ExprId b = CheckExpr(*e.kids[0], m_.types.error());
    if (IsError(b)) {
      for (size_t i = 1; i < e.kids.size(); ++i) CheckExpr(*e.kids[i], m_.types.error());
      return Poison(e.range);
    }
    const auto& bi = m_.types.info(TypeOf(b));
    if (bi.kind != TypeKind::Record) {
      diags_.Emit(DiagKind::InvalidOperands, e.kids[0]->range,
                  fmt::format("`with` needs a record, found {}", Name(TypeOf(b))));
      return Poison(e.range);
    }
    const rt::RecordInfo& rec = m_.types.records[bi.ref];
    std::vector<uint32_t> pairs;
    std::set<int> seen;
    bool bad = false;
    for (size_t i = 1; i < e.kids.size(); ++i) {
      const std::string& fname = e.names[i - 1];
      SourceRange fr = i - 1 < e.name_ranges.size() ? e.name_ranges[i - 1] : e.range;
      int fi = rec.FieldIndex(fname);
      if (fi < 0) {
        auto& d = diags_.Emit(DiagKind::UnknownField, fr, rec.name, fname);
        Suggest(d, fname, [&](auto add) {
          for (const auto& f : rec.fields) add(f.name);
        });
        bad = true;
        continue;
      }
      if (!seen.insert(fi).second) {
        diags_.Emit(DiagKind::DuplicateField, fr, fname);
        bad = true;
        continue;
      }
      TypeId ft = rec.fields[size_t(fi)].type;
      ExprId v = Coerce(CheckExpr(*e.kids[i], ft), ft, fmt::format("the field `{}`", fname));
      if (IsError(v)) bad = true;
      pairs.push_back(uint32_t(fi));
      pairs.push_back(v);
    }
    if (bad) return Poison(e.range);
    return Emit(Op::With, TypeOf(b), e.range, b, Extra(pairs), uint32_t(pairs.size() / 2));
  }

  ExprId UnaryExpr(const ast::Expr& e) {
    if (e.text == "not") {
      ExprId x = Coerce(CheckExpr(*e.kids[0], m_.types.boolean()), m_.types.boolean(), "the operand of `not`");
      if (IsError(x)) return Poison(e.range);
      return Emit(Op::Not, m_.types.boolean(), e.range, x);
    }
    // `-9223372036854775808`, the least integer: its digits alone do not fit in one.
    const ast::Expr& operand = *e.kids[0];
    if (operand.kind == ast::ExprKind::Number && operand.text.find_first_of(".eE") == std::string::npos) {
      auto d = rt::Decimal::Parse(operand.text);
      if (d && d->num() == rt::i128(INT64_MAX) + 1) {
        rt::UnitId u = ResolveUnit(operand.unit);
        if (u == kBadUnit) return Poison(e.range);
        m_.ints.push_back(INT64_MIN);
        return Emit(Op::IntLit, IntegerWithUnit(u), e.range, uint32_t(m_.ints.size() - 1));
      }
    }
    ExprId x = CheckExpr(*e.kids[0], m_.types.error());
    if (IsError(x)) return Poison(e.range);
    switch (KindOf(x)) {
      case TypeKind::Integer: return Emit(Op::IntNeg, TypeOf(x), e.range, x);
      case TypeKind::Decimal: return Emit(Op::DecNeg, TypeOf(x), e.range, x);
      case TypeKind::Duration: return Emit(Op::DurNeg, TypeOf(x), e.range, x);
      default:
        diags_.Emit(DiagKind::InvalidOperands, e.range, fmt::format("cannot negate {}", Name(TypeOf(x))));
        return Poison(e.range);
    }
  }

  ExprId BinaryExpr(const ast::Expr& e) {
    const std::string& op = e.text;
    if (op == "and" || op == "or") {
      ExprId a = Coerce(CheckExpr(*e.kids[0], m_.types.boolean()), m_.types.boolean(),
                        fmt::format("the left operand of `{}`", op));
      ExprId b = Coerce(CheckExpr(*e.kids[1], m_.types.boolean()), m_.types.boolean(),
                        fmt::format("the right operand of `{}`", op));
      if (IsError(a) || IsError(b)) return Poison(e.range);
      return Emit(op == "and" ? Op::And : Op::Or, m_.types.boolean(), e.range, a, b);
    }
    ExprId a = CheckExpr(*e.kids[0], m_.types.error());
    ExprId b = CheckExpr(*e.kids[1], TypeOf(a));
    if (IsError(a) || IsError(b)) return Poison(e.range);
    TypeKind ka = KindOf(a), kb = KindOf(b);
    auto& T = m_.types;
    auto invalid = [&]() {
      diags_.Emit(DiagKind::InvalidOperands, e.range,
                  fmt::format("`{}` cannot combine {} and {}", op, Name(TypeOf(a)), Name(TypeOf(b))));
      return Poison(e.range);
    };
    bool na = IsNumeric(TypeOf(a)), nb = IsNumeric(TypeOf(b));
    if (op == "+" || op == "-") {
      bool plus = op == "+";
      if (na && nb) {
        if (!UnifyNumeric(a, b, e, fmt::format("the operands of `{}`", op))) return Poison(e.range);
        bool is_int = KindOf(a) == TypeKind::Integer;
        return Emit(is_int ? (plus ? Op::IntAdd : Op::IntSub) : (plus ? Op::DecAdd : Op::DecSub), TypeOf(a), e.range, a,
                    b);
      }
      if (ka == TypeKind::Date && kb == TypeKind::Duration)
        return Emit(plus ? Op::DateAddDur : Op::DateSubDur, T.date(), e.range, a, b);
      if (plus && ka == TypeKind::Duration && kb == TypeKind::Date)
        return Emit(Op::DateAddDur, T.date(), e.range, b, a);
      if (!plus && ka == TypeKind::Date && kb == TypeKind::Date) return Emit(Op::DateDiff, T.duration(), e.range, a, b);
      if (ka == TypeKind::Duration && kb == TypeKind::Duration)
        return Emit(plus ? Op::DurAdd : Op::DurSub, T.duration(), e.range, a, b);
      return invalid();
    }
    if (op == "*") {
      if (na && nb) {
        rt::UnitId u = T.MulUnits(T.info(TypeOf(a)).unit, T.info(TypeOf(b)).unit);
        if (ka == TypeKind::Integer && kb == TypeKind::Integer)
          return Emit(Op::IntMul, IntegerWithUnit(u), e.range, a, b);
        return Emit(Op::DecMul, DecimalWithUnit(u), e.range, ToDec(a), ToDec(b));
      }
      if (ka == TypeKind::Duration && kb == TypeKind::Integer && T.info(TypeOf(b)).unit == 0)
        return Emit(Op::DurMul, T.duration(), e.range, a, b);
      if (kb == TypeKind::Duration && ka == TypeKind::Integer && T.info(TypeOf(a)).unit == 0)
        return Emit(Op::DurMul, T.duration(), e.range, b, a);
      return invalid();
    }
    if (op == "/") {
      if (na && nb) {
        rt::UnitId u = T.DivUnits(T.info(TypeOf(a)).unit, T.info(TypeOf(b)).unit);
        return Emit(Op::DecDiv, DecimalWithUnit(u), e.range, ToDec(a), ToDec(b));
      }
      return invalid();
    }
    if (op == "union" || op == "inter" || op == "minus") {
      if (ka != TypeKind::Set || kb != TypeKind::Set) return invalid();
      if (TypeOf(a) != TypeOf(b)) {
        diags_.Emit(
            DiagKind::TypeMismatch, e.range,
            fmt::format("`{}` needs two sets of one enum, found {} and {}", op, Name(TypeOf(a)), Name(TypeOf(b))));
        return Poison(e.range);
      }
      Op o = op == "union" ? Op::SetUnion : (op == "inter" ? Op::SetInter : Op::SetMinus);
      return Emit(o, TypeOf(a), e.range, a, b);
    }
    // Comparisons.
    Op o = op == "=="   ? Op::Eq
           : op == "!=" ? Op::Ne
           : op == "<"  ? Op::Lt
           : op == "<=" ? Op::Le
           : op == ">"  ? Op::Gt
                        : Op::Ge;
    bool ordering = o != Op::Eq && o != Op::Ne;
    if (na && nb) {
      if (!UnifyNumeric(a, b, e, "the operands of `" + op + "`")) return Poison(e.range);
      return Emit(o, T.boolean(), e.range, a, b);
    }
    if (TypeOf(a) != TypeOf(b)) {
      diags_.Emit(DiagKind::TypeMismatch, e.range,
                  fmt::format("cannot compare {} with {}", Name(TypeOf(a)), Name(TypeOf(b))));
      return Poison(e.range);
    }
    if (ordering && ka != TypeKind::Date && ka != TypeKind::Duration) {
      diags_.Emit(DiagKind::InvalidOperands, e.range,
                  fmt::format("`{}` needs numbers, dates or durations, found {}", op, Name(TypeOf(a))));
      return Poison(e.range);
    }
    return Emit(o, T.boolean(), e.range, a, b);
  }

  ExprId InExpr(const ast::Expr& e) {
    ExprId coll = CheckExpr(*e.kids[1], m_.types.error());
    TypeId elem_hint = m_.types.error();
    const auto& ci = m_.types.info(TypeOf(coll));
    if (ci.kind == TypeKind::Set) elem_hint = m_.types.Intern({TypeKind::Enum, 0, ci.ref});
    if (ci.kind == TypeKind::List) elem_hint = ci.ref;
    ExprId x = CheckExpr(*e.kids[0], elem_hint);
    if (IsError(x) || IsError(coll)) return Poison(e.range);
    ExprId r;
    if (ci.kind == TypeKind::Set) {
      x = Coerce(x, elem_hint, "the left operand of `in`");
      if (IsError(x)) return Poison(e.range);
      r = Emit(Op::SetHas, m_.types.boolean(), e.range, x, coll);
    } else if (ci.kind == TypeKind::List) {
      x = Coerce(x, elem_hint, "the left operand of `in`");
      if (IsError(x)) return Poison(e.range);
      r = Emit(Op::ListHas, m_.types.boolean(), e.range, x, coll);
    } else {
      diags_.Emit(DiagKind::InvalidOperands, e.kids[1]->range,
                  fmt::format("`in` needs a set or a list on its right, found {}", Name(TypeOf(coll))));
      return Poison(e.range);
    }
    if (e.text == "not in") r = Emit(Op::Not, m_.types.boolean(), e.range, r);
    return r;
  }

  ExprId IfExpr(const ast::Expr& e, TypeId expected) {
    ExprId c = Coerce(CheckExpr(*e.kids[0], m_.types.boolean()), m_.types.boolean(), "the condition of `if`");
    ExprId a = CheckExpr(*e.kids[1], expected);
    ExprId b = CheckExpr(*e.kids[2], IsError(a) ? expected : TypeOf(a));
    if (IsError(c) || IsError(a) || IsError(b)) return Poison(e.range);
    if (IsNumeric(TypeOf(a)) && IsNumeric(TypeOf(b))) {
      if (!UnifyNumeric(a, b, e, "the branches of `if`")) return Poison(e.range);
    } else if (TypeOf(a) != TypeOf(b)) {
      diags_.Emit(
          DiagKind::TypeMismatch, e.range,
          fmt::format("the branches of `if` have different types: {} and {}", Name(TypeOf(a)), Name(TypeOf(b))));
      return Poison(e.range);
    }
    return Emit(Op::If, TypeOf(a), e.range, c, a, b);
  }

  ExprId QuantExpr(const ast::Expr& e) {
    ExprId list = CheckExpr(*e.kids[0], m_.types.error());
    if (IsError(list)) return Poison(e.range);
    const auto& li = m_.types.info(TypeOf(list));
    if (li.kind != TypeKind::List) {
      diags_.Emit(DiagKind::InvalidOperands, e.kids[0]->range,
                  fmt::format("`{}` ranges over a list, found {}", e.text, Name(TypeOf(list))));
      return Poison(e.range);
    }
    size_t mark = scope_.size();
    uint32_t saved_next = next_slot_;
    uint32_t slot = Bind(e.names[0], li.ref);
    ExprId body =
        Coerce(CheckExpr(*e.kids[1], m_.types.boolean()), m_.types.boolean(), fmt::format("the body of `{}`", e.text));
    scope_.resize(mark);
    next_slot_ = saved_next;
    if (IsError(body)) return Poison(e.range);
    return Emit(e.text == "exists" ? Op::Exists : Op::Forall, m_.types.boolean(), e.range, slot, list, body);
  }

  struct Owner {
    SymKind kind = SymKind::Const;
    uint32_t index = UINT32_MAX;
  };

  const std::vector<ast::File>& files_;
  const SourceManager& sm_;
  Diagnostics& diags_;
  ir::Module m_;
  std::map<std::string, Symbol> globals_;
  std::map<std::string, uint32_t> units_;
  std::map<std::string, std::vector<std::pair<uint32_t, uint32_t>>> members_;
  std::vector<const ast::RecordDecl*> record_asts_;
  std::vector<ConstView> const_views_;
  std::vector<DefView> def_views_;
  std::vector<DecisionView> decision_views_;
  std::vector<std::map<std::string, ValueEntry>> tables_;  // per version
  std::vector<std::map<std::string, uint32_t>> ir_index_;  // per version: name -> IR index
  std::vector<uint32_t> file_version_;                     // per file: the version that introduces it
  std::vector<uint32_t> chain_;                            // per version: its instrument's file
  uint32_t current_version_ = 0;
  std::vector<LocalVar> scope_;
  uint32_t next_slot_ = 0, max_slots_ = 0;
  Owner current_owner_;
  std::map<size_t, std::set<size_t>> deps_;
  size_t suggest_cost_ = 0;                                  // characters compared by Suggest
  uint32_t depth_ = 0;                                       // CheckExpr calls in progress
  std::map<size_t, uint32_t> owner_depth_;                   // node -> its deepest expression
  std::map<std::pair<size_t, size_t>, uint32_t> dep_depth_;  // (node, what it uses) -> deepest use
};

}  // namespace

ir::Module Check(const std::vector<ast::File>& files, const SourceManager& sources, Diagnostics& diags, uint32_t root) {
  if (root == UINT32_MAX) root = files.empty() ? 0 : files[0].file_id;
  return Checker(files, sources, diags).Run(root);
}

}  // namespace edict::check
