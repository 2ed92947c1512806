#include "compiler/names/names.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string_view>

#include "compiler/ast/ast.h"
#include "compiler/ir/ir.h"
#include "compiler/ir/walk.h"

namespace edict::names {
namespace {

// The offset in `text` of the first (or last) occurrence of `name` as a whole word; npos if none.
size_t FindWord(std::string_view text, std::string_view name, bool first) {
  size_t found = std::string_view::npos;
  if (name.empty()) return found;
  for (size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
    bool starts = at == 0 || !WordByte(text[at - 1]);
    bool ends = at + name.size() == text.size() || !WordByte(text[at + name.size()]);
    if (!starts || !ends) continue;
    found = at;
    if (first) break;
  }
  return found;
}

class Indexer {
 public:
  explicit Indexer(const load::Program& p) : p_(p) {}
  std::vector<Occurrence> Run() {
    Index();
    return std::move(out_);
  }

 private:
  void Index();
  void IndexExpr(uint32_t e, int decision, int def);
  void IndexAst(const ast::File& f);
  void AddUse(SourceRange use, const std::string& name, bool first, SymbolKind kind, Place decl, uint32_t index,
              uint32_t owner = 0);

  const load::Program& p_;
  std::vector<Occurrence> out_;
  std::map<std::pair<uint32_t, uint32_t>, Place> member_decls_;  // (enum, member) -> its name
};

void Indexer::AddUse(SourceRange use, const std::string& name, bool first, SymbolKind kind, Place decl, uint32_t index,
                     uint32_t owner) {
  if (use.file >= p_.sources.size() || decl.file >= p_.sources.size()) return;
  std::string_view text = p_.sources.Text(use);
  size_t at = FindWord(text, name, first);
  if (at == std::string_view::npos) return;
  Place p{use.file, use.begin + uint32_t(at), use.begin + uint32_t(at + name.size())};
  out_.push_back({p, decl, kind, index, owner});
}

void Indexer::IndexExpr(uint32_t id, int decision, int def) {
  const ir::Module& m = p_.module;
  std::vector<uint32_t> stack{id};
  while (!stack.empty()) {
    uint32_t e = stack.back();
    stack.pop_back();
    if (e == ir::kNoExpr || e >= m.exprs.size()) continue;
    const ir::Expr& x = m.exprs[e];
    const rt::TypeTable& t = m.types;
    if (x.op == ir::Op::Const) {
      const ir::Const& c = m.consts[x.a];
      AddUse(x.range, c.name, false, SymbolKind::Const, PlaceOf(c.range), x.a);
    } else if (x.op == ir::Op::Call) {
      const ir::Def& d = m.defs[x.a];
      AddUse(x.range, d.name, true, SymbolKind::Def, PlaceOf(d.range), x.a);
    } else if (x.op == ir::Op::DecisionCall) {
      const ir::Decision& d = m.decisions[x.a];
      AddUse(x.range, d.name, true, SymbolKind::Decision, PlaceOf(d.range), x.a);
    } else if (x.op == ir::Op::Field) {
      const rt::TypeInfo& base = t.info(m.exprs[x.a].type);
      if (base.kind == rt::TypeKind::Record && x.b < t.records[base.ref].fields.size()) {
        const rt::FieldInfo& f = t.records[base.ref].fields[x.b];
        AddUse(x.range, f.name, false, SymbolKind::Field, NamePrefix(f.range, f.name), x.b, base.ref);
      }
    } else if (x.op == ir::Op::RecordLit) {
      const rt::RecordInfo& r = t.records[x.a];
      AddUse(x.range, r.name, true, SymbolKind::Record, PlaceOf(r.range), x.a);
    } else if (x.op == ir::Op::EnumLit || x.op == ir::Op::SumLit || x.op == ir::Op::SumMake) {
      uint32_t en = x.op == ir::Op::SumMake ? t.info(x.type).ref : x.a;
      if (en < t.enums.size() && x.b < t.enums[en].members.size()) {
        auto it = member_decls_.find({en, x.b});
        if (it != member_decls_.end())
          AddUse(x.range, t.enums[en].members[x.b], x.op == ir::Op::SumMake, SymbolKind::Member, it->second, x.b, en);
      }
    } else if (x.op == ir::Op::LetRef && decision >= 0) {
      const ir::Let& l = m.decisions[size_t(decision)].lets[x.a];
      AddUse(x.range, l.name, false, SymbolKind::Let, PlaceOf(l.range), x.a, uint32_t(decision));
    } else if (x.op == ir::Op::Local) {
      const std::vector<ir::Param>* params = decision >= 0 ? &m.decisions[size_t(decision)].params
                                             : def >= 0    ? &m.defs[size_t(def)].params
                                                           : nullptr;
      if (params && x.a < params->size()) {
        const ir::Param& p = (*params)[x.a];
        AddUse(x.range, p.name, false, SymbolKind::Param, NamePrefix(p.range, p.name), x.a,
               uint32_t(decision >= 0 ? decision : def));
      }
    }
    ir::ForEachOperand(m, x, [&](ir::ExprId k) { stack.push_back(k); });
  }
}

void Indexer::Index() {
  const ir::Module& m = p_.module;
  const rt::TypeTable& t = m.types;
  // Enum members are declared in the AST only (the type table keeps the enum's name).
  for (const ast::File& f : p_.files)
    for (const ast::EnumDecl& e : f.enums)
      for (uint32_t en = 0; en < t.enums.size(); ++en)
        if (t.enums[en].range == e.name_range)
          for (const ast::EnumMember& mem : e.members)
            for (uint32_t k = 0; k < t.enums[en].members.size(); ++k)
              if (t.enums[en].members[k] == mem.name) member_decls_[{en, k}] = NamePrefix(mem.range, mem.name);

  // Declarations name themselves.
  auto self = [&](SourceRange r, const std::string& name, SymbolKind kind, uint32_t index, uint32_t owner = 0) {
    if (!r.valid() || r.file >= p_.sources.size()) return;
    Place p = NamePrefix(r, name);
    out_.push_back({p, p, kind, index, owner});
  };
  for (uint32_t i = 0; i < m.consts.size(); ++i) self(m.consts[i].range, m.consts[i].name, SymbolKind::Const, i);
  for (uint32_t i = 0; i < m.defs.size(); ++i) self(m.defs[i].range, m.defs[i].name, SymbolKind::Def, i);
  for (uint32_t i = 0; i < m.decisions.size(); ++i) {
    const ir::Decision& d = m.decisions[i];
    self(d.range, d.name, SymbolKind::Decision, i);
    for (uint32_t k = 0; k < d.params.size(); ++k) self(d.params[k].range, d.params[k].name, SymbolKind::Param, k, i);
    for (uint32_t k = 0; k < d.lets.size(); ++k) self(d.lets[k].range, d.lets[k].name, SymbolKind::Let, k, i);
  }
  for (uint32_t i = 0; i < m.defs.size(); ++i)
    for (uint32_t k = 0; k < m.defs[i].params.size(); ++k)
      self(m.defs[i].params[k].range, m.defs[i].params[k].name, SymbolKind::Param, k, i);
  for (uint32_t i = 0; i < t.records.size(); ++i) {
    self(t.records[i].range, t.records[i].name, SymbolKind::Record, i);
    for (uint32_t k = 0; k < t.records[i].fields.size(); ++k)
      self(t.records[i].fields[k].range, t.records[i].fields[k].name, SymbolKind::Field, k, i);
  }
  for (uint32_t i = 0; i < t.enums.size(); ++i) self(t.enums[i].range, t.enums[i].name, SymbolKind::Enum, i);
  for (const auto& [key, place] : member_decls_)
    out_.push_back({place, place, SymbolKind::Member, key.second, key.first});
  for (uint32_t i = 0; i < t.base_units.size(); ++i)
    if (!t.base_units[i].parameter) self(t.base_units[i].range, t.base_units[i].name, SymbolKind::Unit, i);

  // Rules declare themselves (an inherited rule keeps the place of its declaration).
  for (uint32_t i = 0; i < m.decisions.size(); ++i)
    for (uint32_t k = 0; k < m.decisions[i].rules.size(); ++k) {
      const ir::Rule& r = m.decisions[i].rules[k];
      if (r.name != "default") self(r.name_range, r.name, SymbolKind::Rule, k, i);
    }

  // Uses the checker resolved, read from the IR of every declaration of every version.
  for (uint32_t i = 0; i < m.decisions.size(); ++i)
    ir::ForEachRoot(m.decisions[i], [&](ir::ExprId e) { IndexExpr(e, int(i), -1); });
  for (uint32_t i = 0; i < m.defs.size(); ++i) IndexExpr(m.defs[i].body, -1, int(i));
  for (const ir::Const& c : m.consts) IndexExpr(c.value, -1, -1);
  for (const ir::Test& test : m.tests)
    for (const ir::TestStep& s : test.steps) IndexExpr(s.expr, -1, -1);

  // Uses the AST tells: type names, units, rule labels.
  for (const ast::File& f : p_.files) IndexAst(f);

  std::sort(out_.begin(), out_.end(),
            [](const Occurrence& a, const Occurrence& b) { return std::tie(a.use, a.decl) < std::tie(b.use, b.decl); });
  out_.erase(std::unique(out_.begin(), out_.end(),
                         [](const Occurrence& a, const Occurrence& b) { return a.use == b.use && a.decl == b.decl; }),
             out_.end());
}

void Indexer::IndexAst(const ast::File& f) {
  const rt::TypeTable& t = p_.module.types;
  auto unit_term = [&](const ast::UnitTerm& u) {
    for (uint32_t i = 0; i < t.base_units.size(); ++i)
      if (!t.base_units[i].parameter && t.base_units[i].name == u.name) {
        AddUse(u.range, u.name, true, SymbolKind::Unit, NamePrefix(t.base_units[i].range, u.name), i);
        return;
      }
  };
  auto unit = [&](const std::optional<ast::UnitExpr>& u) {
    if (u)
      for (const ast::UnitTerm& term : u->terms) unit_term(term);
  };
  std::function<void(const ast::TypeExpr&)> type = [&](const ast::TypeExpr& te) {
    if (te.kind == ast::TypeKind::Named) {
      for (uint32_t i = 0; i < t.records.size(); ++i)
        if (t.records[i].name == te.name)
          AddUse(te.range, te.name, false, SymbolKind::Record, PlaceOf(t.records[i].range), i);
      for (uint32_t i = 0; i < t.enums.size(); ++i)
        if (t.enums[i].name == te.name && t.enums[i].range.valid())
          AddUse(te.range, te.name, false, SymbolKind::Enum, PlaceOf(t.enums[i].range), i);
    }
    if (te.elem) type(*te.elem);
    unit(te.unit);
  };
  std::function<void(const ast::ExprPtr&)> expr = [&](const ast::ExprPtr& e) {
    if (!e) return;
    unit(e->unit);
    for (const ast::ExprPtr& k : e->kids) expr(k);
  };
  // A rule label of decision `decision` written in this file: the rule of that name in the
  // decision as version `v` has it (for an amendment, as its base has it, else as amended).
  const ir::Module& m = p_.module;
  int version = -1;
  for (size_t v = 0; v < m.versions.size(); ++v)
    if (m.versions[v].file == f.file_id) version = int(v);
  auto rule_label = [&](const std::string& decision, const std::string& label, SourceRange at, bool amendment) {
    auto find = [&](int v) -> bool {
      std::vector<uint32_t> candidates;
      if (v >= 0) {
        auto it = m.versions[size_t(v)].decisions.find(decision);
        if (it != m.versions[size_t(v)].decisions.end()) candidates.push_back(it->second);
      } else {
        for (uint32_t i = 0; i < m.decisions.size(); ++i)
          if (m.decisions[i].name == decision && m.decisions[i].range.file == f.file_id) candidates.push_back(i);
      }
      for (uint32_t i : candidates)
        for (uint32_t k = 0; k < m.decisions[i].rules.size(); ++k)
          if (m.decisions[i].rules[k].name == label) {
            AddUse(at, label, true, SymbolKind::Rule, PlaceOf(m.decisions[i].rules[k].name_range), k, i);
            return true;
          }
      return false;
    };
    if (amendment && version > 0 && find(version - 1)) return;
    find(version);
  };
  // `restore rule r from v`: the rule as version `v` had it.
  auto restored = [&](const std::string& decision, const std::string& label, SourceRange at, const std::string& from) {
    for (size_t v = 0; v < m.versions.size(); ++v) {
      if (m.versions[v].name != from) continue;
      auto it = m.versions[v].decisions.find(decision);
      if (it == m.versions[v].decisions.end()) return;
      const ir::Decision& d = m.decisions[it->second];
      for (uint32_t k = 0; k < d.rules.size(); ++k)
        if (d.rules[k].name == label)
          AddUse(at, label, true, SymbolKind::Rule, PlaceOf(d.rules[k].name_range), k, it->second);
      return;
    }
  };
  auto rule = [&](const std::string& decision, const ast::RuleItem& r, bool amendment) {
    if (!r.name.empty()) rule_label(decision, r.name, r.name_range, amendment);
    for (size_t i = 0; i < r.exception_to.size() && i < r.exception_ranges.size(); ++i)
      rule_label(decision, r.exception_to[i], r.exception_ranges[i], amendment);
    expr(r.condition);
    expr(r.outcome);
  };
  for (const ast::RecordDecl& r : f.records)
    for (const ast::FieldDecl& fd : r.fields) {
      type(fd.type);
      expr(fd.where);
      expr(fd.default_value);
    }
  for (const ast::EnumDecl& e : f.enums)
    for (const ast::EnumMember& mem : e.members)
      if (mem.payload) type(*mem.payload);
  for (const auto* consts : {&f.consts, &f.replaced_consts})
    for (const ast::ConstDecl& c : *consts) {
      type(c.type);
      expr(c.value);
    }
  for (const auto* defs : {&f.defs, &f.replaced_defs})
    for (const ast::DefDecl& d : *defs) {
      for (const ast::Param& p : d.params) type(p.type);
      type(d.result);
      expr(d.body);
    }
  for (const auto* decisions : {&f.decisions, &f.replaced_decisions})
    for (const ast::DecisionDecl& d : *decisions) {
      for (const ast::Param& p : d.params) type(p.type);
      type(d.result);
      for (const ast::LetItem& l : d.lets) {
        if (l.type) type(*l.type);
        expr(l.value);
      }
      for (const ast::RuleItem& r : d.rules) rule(d.name, r, false);
      for (const ast::DefaultItem& df : d.defaults) expr(df.outcome);
      for (const ast::AssertItem& a : d.asserts) expr(a.condition);
    }
  for (const ast::AmendDecision& a : f.amendments)
    for (const ast::AmendItem& it : a.items) {
      switch (it.kind) {
        case ast::AmendKind::RepealRule: rule_label(a.decision, it.target, it.target_range, true); break;
        case ast::AmendKind::ReplaceRule:
        case ast::AmendKind::AddRule:
        case ast::AmendKind::AddExceptions:
        case ast::AmendKind::RestoreRule:
          restored(a.decision, it.target, it.target_range, it.from);
          rule(a.decision, it.rule, true);
          break;
        case ast::AmendKind::AddLet:
          if (it.let.type) type(*it.let.type);
          expr(it.let.value);
          break;
        case ast::AmendKind::ReplaceDefault: expr(it.dflt.outcome); break;
        case ast::AmendKind::RepealDefault: break;
        case ast::AmendKind::AddAssert: expr(it.assertion.condition); break;
      }
    }
  for (const ast::TestDecl& test : f.tests)
    for (const ast::TestStmt& s : test.stmts) {
      if (s.is_let && s.let.type) type(*s.let.type);
      expr(s.is_let ? s.let.value : s.assertion);
    }
}

}  // namespace

bool WordByte(char c) {
  auto b = static_cast<unsigned char>(c);
  return b >= 0x80 || std::isalnum(b) || c == '_';
}

Place NamePrefix(SourceRange r, const std::string& name) {
  return {r.file, r.begin, std::min(r.end, r.begin + uint32_t(name.size()))};
}

std::vector<Occurrence> Index(const load::Program& p) { return Indexer(p).Run(); }

}  // namespace edict::names
