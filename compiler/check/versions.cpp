// Versions and amendments. Every instrument of the root file's amendment chain is a version.
// Types are shared by all versions; constants, helpers and decisions are versioned: each version
// has its own table of them (inherited from its base, then changed by its own file: `replace`,
// `amend decision`, `restore`), and each is checked, and lowered to IR, once per version it
// belongs to.
#include <map>
#include <set>

#include "compiler/check/checker.h"

namespace edict::check::internal {

void Checker::ComputeVersions(uint32_t root) {
  file_version_.assign(sm_.size(), 0);
  std::vector<uint32_t> chain;  // file ids, base first
  std::set<uint32_t> seen;
  for (uint32_t f = root; f != UINT32_MAX && File(f); f = File(f)->base_file) {
    if (seen.count(f)) {  // the chain comes back to a file already in it: it has no base
      const ast::File* last = File(chain.front());
      std::string path = sm_.file(f).path;
      auto& d =
          diags_.Emit(DiagKind::InvalidAmendment, last->amends_range,
                      f == chain.front() ? fmt::format("`{}` amends itself", path)
                                         : fmt::format("the amendment chain comes back to `{}`: it has no base", path));
      d.notes.push_back({{}, "each instrument amends an earlier one, and the first amends none"});
      break;
    }
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
          !f->header
              ? "an instrument in an amendment chain needs an `instrument` header"
              : fmt::format("the instrument `{}` is part of an amendment chain but has no `effective` date", ver.name));
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

const ast::File* Checker::File(uint32_t id) const {
  for (const auto& f : files_)
    if (f.file_id == id) return &f;
  return nullptr;
}

// Adds the declarations of one file to a version's table; changes come after, in
// ApplyAmendments, so that a file may both add and change.
void Checker::AddDeclarations(std::map<std::string, ValueEntry>& table, const ast::File& f) {
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

DecisionView Checker::ViewOf(const ast::DecisionDecl& d, std::vector<DiagNote> context) {
  DecisionView v;
  v.sig = &d;
  for (const auto& l : d.lets) v.lets.push_back({&l, {}});
  for (const auto& r : d.rules) v.rules.push_back({&r, context});
  for (const auto& df : d.defaults) v.defaults.push_back({&df, context});
  for (const auto& as : d.asserts) v.asserts.push_back({&as, context});
  return v;
}

// Finds the target of a change; reports it when missing.
const ValueEntry* Checker::Target(std::map<std::string, ValueEntry>& table, const std::string& name, SymKind k,
                                  SourceRange r, const char* what, const char* action, uint32_t version) {
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

void Checker::ApplyAmendments(std::map<std::string, ValueEntry>& table, const ast::File& f, uint32_t version) {
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
  // Scopes are not amended yet (docs/language.md, "Not yet implemented").
  auto scope_refused = [&](const ValueEntry* t, SourceRange r, const char* action) {
    const ast::DecisionDecl* sig = decision_views_[t->view].sig;
    if (sig->scope.empty()) return false;
    auto& d = diags_.Emit(DiagKind::InvalidAmendment, r,
                          sig->scope_entry
                              ? fmt::format("`{}` is a scope: an amendment cannot {} it yet", sig->name, action)
                              : fmt::format("`{}` is a variable of the scope `{}`: an amendment cannot {} it yet",
                                            sig->name, sig->scope, action));
    d.notes.push_back({sig->name_range, "it is declared here"});
    d.notes.push_back({{}, "declare the amended scope under a new name (docs/language.md, \"Not yet implemented\")"});
    return true;
  };
  for (const auto& dd : f.replaced_decisions) {
    const ValueEntry* t = Target(table, dd.name, SymKind::Decision, dd.name_range, "decision", "replace", version);
    if (!t || scope_refused(t, dd.name_range, "replace")) continue;
    DiagNote ctx{decision_views_[t->view].sig->name_range,
                 fmt::format("`{}` replaces the decision `{}` declared here", me, dd.name)};
    decision_views_.push_back(ViewOf(dd, {ctx}));
    table[dd.name] = ValueEntry{SymKind::Decision, uint32_t(decision_views_.size() - 1), dd.name_range};
  }
  for (const auto& rs : f.restores) {
    std::optional<uint32_t> from = EarlierVersion(rs.from, rs.from_range, version, me);
    if (!from) continue;
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
    if (scope_refused(&it->second, rs.name_range, "restore")) continue;
    DecisionView v = decision_views_[it->second.view];
    v.amended_by.push_back(rs.range);
    decision_views_.push_back(std::move(v));
    table[name] = ValueEntry{SymKind::Decision, uint32_t(decision_views_.size() - 1), rs.name_range};
  }
  for (const auto& am : f.amendments) {
    const ValueEntry* t = Target(table, am.decision, SymKind::Decision, am.name_range, "decision", "amend", version);
    if (!t || scope_refused(t, am.name_range, "amend")) continue;
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
        case ast::AmendKind::RestoreRule: {
          if (int i = find_rule(it.target); i >= 0) {
            auto& d = diags_.Emit(DiagKind::DuplicateDeclaration, it.target_range, it.target);
            d.notes.push_back({v.rules[size_t(i)].rule->name_range, "the rule in force is declared here"});
            d.notes.push_back({{}, fmt::format("to change it, write `replace rule {} ...`", it.target)});
            break;
          }
          std::optional<uint32_t> from = EarlierVersion(it.from, it.from_range, version, me);
          if (!from) break;
          auto entry = tables_[*from].find(am.decision);
          const RuleRef* old = nullptr;
          if (entry != tables_[*from].end() && entry->second.kind == SymKind::Decision)
            for (const auto& r : decision_views_[entry->second.view].rules)
              if (r.rule->name == it.target) old = &r;
          if (!old) {
            diags_.Emit(
                DiagKind::UnknownAmendTarget, it.target_range,
                fmt::format("the decision `{}` of `{}` has no rule `{}` to restore", am.decision, it.from, it.target));
            break;
          }
          RuleRef restored = *old;
          restored.context.push_back(
              {it.target_range, fmt::format("`{}` restores the rule `{}` of `{}` here", me, it.target, it.from)});
          if (it.exceptions_given) {
            restored.own_exceptions = false;
            restored.added_exceptions.clear();
            for (size_t k = 0; k < it.rule.exception_to.size(); ++k)
              restored.added_exceptions.emplace_back(it.rule.exception_to[k], it.rule.exception_ranges[k]);
          }
          v.repealed.erase(it.target);
          v.rules.push_back(std::move(restored));
          break;
        }
        case ast::AmendKind::AddLet: v.lets.push_back({&it.let, {}}); break;
        case ast::AmendKind::AddAssert: v.asserts.push_back({&it.assertion, {}}); break;
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
          auto& d = diags_.Emit(
              DiagKind::DanglingException, where,
              fmt::format("`{}` repeals the rule `{}`, but `{}` is still an exception to it", me, name, r.rule->name));
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

void Checker::BuildVersionTables() {
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
void Checker::AllocateVersions() {
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
          // A replaced typical value stays the typical one.
          k.typical = cv.decl->typical;
          if (v > 0)
            if (auto prev = m_.versions[v - 1].consts.find(name); prev != m_.versions[v - 1].consts.end())
              k.typical = k.typical || m_.consts[prev->second].typical;
          m_.consts.push_back(std::move(k));
          ir_index_[v][name] = uint32_t(m_.consts.size() - 1);
          m_.versions[v].consts[name] = uint32_t(m_.consts.size() - 1);
          break;
        }
        case SymKind::Def: {
          const ast::DefDecl* d = def_views_[e.view].decl;
          ir::Def def;
          def.name = name;
          def.unit_params = DeclareUnitParams(*d);
          {
            UnitParamScope units(*this, *d, def.unit_params);
            def.params = Params(d->params);
            def.result = ResolveType(d->result);
          }
          CheckUnitParamsUsed(def, *d);
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
          dec.scope = d->scope;
          if (d->citation) dec.cite = {d->citation->cite, d->citation->assumption};
          m_.decisions.push_back(std::move(dec));
          if (d->scope_entry) scope_entries_[uint32_t(m_.decisions.size() - 1)] = d;
          ir_index_[v][name] = uint32_t(m_.decisions.size() - 1);
          m_.versions[v].decisions[name] = uint32_t(m_.decisions.size() - 1);
          break;
        }
        case SymKind::Enum:
        case SymKind::Record: break;  // types are not versioned
      }
    }
  }
}

// The constant, helper or decision `name` denotes in version v (IR index in `index`).
std::optional<Symbol> Checker::LookupValue(const std::string& name, uint32_t v) const {
  if (v >= tables_.size()) return std::nullopt;
  auto it = tables_[v].find(name);
  if (it == tables_[v].end()) return std::nullopt;
  return Symbol{it->second.kind, ir_index_[v].at(name), it->second.range};
}

std::optional<uint32_t> Checker::EarlierVersion(const std::string& name, SourceRange r, uint32_t version,
                                                const std::string& me) {
  std::optional<uint32_t> from = VersionNamed(name);
  if (from && *from < version) return from;
  auto& d = diags_.Emit(DiagKind::UnknownAmendTarget, r,
                        fmt::format("`{}` is not an earlier version of `{}` to restore from", name, me));
  std::string names;
  for (uint32_t v = 0; v < version; ++v) names += (names.empty() ? "`" : ", `") + m_.versions[v].name + "`";
  if (!names.empty()) d.notes.push_back({{}, "the earlier versions are " + names});
  return std::nullopt;
}

// The version an instrument name denotes (for `r3.d5` and `r0.licence(s)`).
std::optional<uint32_t> Checker::VersionNamed(const std::string& name) const {
  for (uint32_t v = 0; v < m_.versions.size(); ++v)
    if (m_.versions[v].name == name && !name.empty()) return v;
  return std::nullopt;
}

}  // namespace edict::check::internal
