// The expansion of a scope into decisions and a record (scopes.h).
#include "compiler/parse/scopes.h"
#include "compiler/parse/parse.h"

#include <functional>
#include <map>
#include <set>

namespace edict::parse {
namespace {

ast::ExprPtr NameNode(const std::string& name, SourceRange r) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = ast::ExprKind::Name;
  e->text = name;
  e->range = r;
  return e;
}

// Calls f on each slot of the expression in `slot` that holds the name of a variable of `vars`,
// but those a binder inside it hides.
void EachFreeVariable(ast::ExprPtr& slot, const std::map<std::string, size_t>& vars, std::multiset<std::string>& bound,
                      const std::function<void(ast::ExprPtr&, size_t)>& f) {
  ast::Expr* e = slot.get();
  if (!e) return;
  if (e->kind == ast::ExprKind::Name) {
    auto it = vars.find(e->text);
    if (it != vars.end() && !bound.count(e->text)) f(slot, it->second);
    return;
  }
  // A binder covers every operand but the first (the list of `exists`, `all` and the list
  // operations, the value a `match` looks at).
  std::vector<std::string> binders;
  if ((e->kind == ast::ExprKind::Quant || e->kind == ast::ExprKind::ListOp) && !e->names.empty())
    binders.push_back(e->names[0]);
  for (size_t i = 0; i < e->kids.size(); ++i) {
    std::vector<std::multiset<std::string>::iterator> added;
    if (i > 0) {
      for (const auto& b : binders) added.push_back(bound.insert(b));
      if (e->kind == ast::ExprKind::Match && i - 1 < e->arms.size())
        for (const auto& p : e->arms[i - 1].patterns)
          if (!p.binder.empty()) added.push_back(bound.insert(p.binder));
    }
    EachFreeVariable(e->kids[i], vars, bound, f);
    for (auto it : added) bound.erase(it);
  }
}

// The variables an expression reads, but those a binder inside it hides.
void FreeVariables(ast::ExprPtr& e, const std::map<std::string, size_t>& vars, std::multiset<std::string>& bound,
                   std::set<size_t>& used) {
  EachFreeVariable(e, vars, bound, [&](ast::ExprPtr&, size_t i) { used.insert(i); });
}

class Expander {
 public:
  Expander(ast::ScopeDecl& sc, ast::File& out, Diagnostics& diags) : sc_(sc), out_(out), diags_(diags) {}

  void Run() {
    std::map<std::string, SourceRange> declared;
    for (const auto& p : sc_.params) declared.emplace(p.name, p.range);
    for (size_t i = 0; i < sc_.vars.size(); ++i) {
      const ast::ScopeVar& v = sc_.vars[i];
      auto [it, fresh] = declared.emplace(v.name, v.name_range);
      if (!fresh) {
        auto& d = diags_.Emit(DiagKind::DuplicateDeclaration, v.name_range, v.name);
        d.notes.push_back({it->second, "the first declaration is here"});
        continue;
      }
      index_[v.name] = i;
      if (v.context) contexts_.push_back(i);
    }
    bool has_output = false;
    for (const auto& v : sc_.vars) has_output = has_output || v.output;
    if (!has_output) {
      auto& d = diags_.Emit(DiagKind::ScopeWithoutOutput, sc_.name_range, sc_.name);
      d.notes.push_back({{}, "declare what it computes with `output name: type;`"});
    }
    // The rules and defaults of each variable; the variable of each rule label.
    std::vector<std::vector<ast::RuleItem>> rules(sc_.vars.size());
    std::vector<std::vector<ast::DefaultItem>> defaults(sc_.vars.size());
    std::map<std::string, std::set<size_t>> label_vars;
    std::vector<std::pair<size_t, ast::ScopeRule*>> placed;
    for (auto& r : sc_.rules) {
      auto it = index_.find(r.var);
      if (it == index_.end()) {
        auto& d = diags_.Emit(DiagKind::UnknownScopeVariable, r.var_range, sc_.name, r.var);
        std::string names;
        for (const auto& v : sc_.vars) names += (names.empty() ? "`" : ", `") + v.name + "`";
        d.notes.push_back({{},
                           names.empty()
                               ? "declare it with `output " + r.var + ": type;` or `internal " + r.var + ": type;`"
                               : "the variables of `" + sc_.name + "` are " + names});
        continue;
      }
      if (!r.is_default) label_vars[r.rule.name].insert(it->second);
      placed.emplace_back(it->second, &r);
    }
    for (auto& [var, r] : placed) {
      ast::ScopeRule& sr = *r;
      if (sr.is_default) {
        defaults[var].push_back(std::move(sr.dflt));
        continue;
      }
      for (size_t k = 0; k < sr.rule.exception_to.size(); ++k) {
        auto lv = label_vars.find(sr.rule.exception_to[k]);
        if (lv == label_vars.end() || lv->second.count(var)) continue;  // unknown: the checker says so
        size_t other = *lv->second.begin();
        auto& d = diags_.Emit(DiagKind::ExceptionAcrossVariables, sr.rule.exception_ranges[k], sr.rule.name,
                              sc_.vars[var].name, sr.rule.exception_to[k], sc_.vars[other].name);
        d.notes.push_back({{},
                           "each variable is decided by its own rules: a rule prevails only over rules of the "
                           "same variable"});
        sr.rule.exception_to.erase(sr.rule.exception_to.begin() + long(k));
        sr.rule.exception_ranges.erase(sr.rule.exception_ranges.begin() + long(k));
        --k;
      }
      rules[var].push_back(std::move(sr.rule));
    }
    sc_.rules.clear();

    ast::RecordDecl rec;
    rec.name = sc_.name + "_outputs";
    rec.doc = "the outputs of the scope " + sc_.name;
    rec.range = sc_.range;
    rec.name_range = sc_.name_range;
    for (const auto& v : sc_.vars)
      if (v.output) rec.fields.push_back({v.name, v.doc, ast::CloneType(v.type), v.range, nullptr, nullptr});
    out_.records.push_back(std::move(rec));

    for (const auto& [name, i] : index_) Variable(i, std::move(rules[i]), std::move(defaults[i]));
    Entry();
    out_.scopes.push_back(std::move(sc_));
  }

 private:
  // The parameters of the scope's decisions: its inputs, then the context variables, optional,
  // named as written (`suffix` empty: the scope's own decision, whose parameters cases name) or
  // with a `?` (the variables' decisions, where the name is the variable's value).
  std::vector<ast::Param> Params(const std::string& suffix) const {
    std::vector<ast::Param> ps;
    for (const auto& p : sc_.params) ps.push_back({p.name, ast::CloneType(p.type), p.range});
    for (size_t c : contexts_) {
      const ast::ScopeVar& v = sc_.vars[c];
      ast::TypeExpr t;
      t.kind = ast::TypeKind::Optional;
      t.range = v.type.range;
      t.elem = std::make_unique<ast::TypeExpr>(ast::CloneType(v.type));
      ps.push_back({v.name + suffix, std::move(t), v.range});
    }
    return ps;
  }

  // The value of variable i where the context variables are named with `suffix`: the call of its
  // decision; for a context variable, what the caller gave if it gave it.
  ast::ExprPtr Value(size_t i, const std::string& suffix) const {
    const ast::ScopeVar& v = sc_.vars[i];
    SourceRange r = v.name_range;
    auto call = std::make_unique<ast::Expr>();
    call->kind = ast::ExprKind::Call;
    call->text = sc_.name + "." + v.name;
    call->range = r;
    call->name_ranges.push_back(r);
    // An input is passed as written `h` (explanations show a record argument by its text).
    for (const auto& p : sc_.params)
      call->kids.push_back(NameNode(p.name, {p.range.file, p.range.begin, uint32_t(p.range.begin + p.name.size())}));
    for (size_t c : contexts_) call->kids.push_back(NameNode(sc_.vars[c].name + suffix, r));
    call->names.assign(call->kids.size(), "");
    if (!v.context) return call;
    // match c? { when some(c) then c, when none then S.c(...) }
    auto m = std::make_unique<ast::Expr>();
    m->kind = ast::ExprKind::Match;
    m->range = r;
    m->kids.push_back(NameNode(v.name + suffix, r));
    ast::MatchArm given;
    given.range = r;
    given.patterns.push_back({"", "some", v.name, r, r, r});
    m->arms.push_back(std::move(given));
    m->kids.push_back(NameNode(v.name, r));
    ast::MatchArm absent;
    absent.range = r;
    absent.patterns.push_back({"", "none", "", r, r, {}});
    m->arms.push_back(std::move(absent));
    m->kids.push_back(std::move(call));
    return m;
  }

  void Variable(size_t i, std::vector<ast::RuleItem> rules, std::vector<ast::DefaultItem> defaults) {
    const ast::ScopeVar& v = sc_.vars[i];
    ast::DecisionDecl d;
    d.name = sc_.name + "." + v.name;
    d.params = Params("?");
    d.result = ast::CloneType(v.type);
    d.citation = sc_.citation;
    d.range = v.range;
    d.name_range = v.name_range;
    d.scope = sc_.name;
    std::set<size_t> used;
    std::multiset<std::string> bound;
    for (auto& r : rules) {
      FreeVariables(r.condition, index_, bound, used);
      FreeVariables(r.outcome, index_, bound, used);
    }
    for (auto& df : defaults) FreeVariables(df.outcome, index_, bound, used);
    for (size_t u : used) {
      ast::LetItem l;
      l.name = sc_.vars[u].name;
      l.type = ast::CloneType(sc_.vars[u].type);
      l.value = Value(u, "?");
      l.range = sc_.vars[u].range;
      l.name_range = sc_.vars[u].name_range;
      d.lets.push_back(std::move(l));
    }
    d.rules = std::move(rules);
    d.defaults = std::move(defaults);
    out_.decisions.push_back(std::move(d));
  }

  void Entry() {
    ast::DecisionDecl d;
    d.name = sc_.name;
    d.params = Params("");
    d.result.kind = ast::TypeKind::Named;
    d.result.name = sc_.name + "_outputs";
    d.result.range = sc_.name_range;
    d.citation = sc_.citation;
    d.range = sc_.range;
    d.name_range = sc_.name_range;
    d.scope = sc_.name;
    d.scope_entry = true;
    d.scope_inputs = sc_.params.size();
    auto rec = std::make_unique<ast::Expr>();
    rec->kind = ast::ExprKind::RecordLit;
    rec->text = d.result.name;
    rec->range = sc_.name_range;
    rec->name_ranges.push_back(sc_.name_range);
    for (const auto& [name, i] : index_) {
      if (!sc_.vars[i].output) continue;
      rec->kids.push_back(Value(i, ""));
      rec->names.push_back(name);
      rec->name_ranges.push_back(sc_.vars[i].name_range);
    }
    d.defaults.push_back({sc_.citation, std::move(rec), sc_.name_range});
    // The scope's assertions are the decision's, checked before its record is built: each
    // variable they read is its value as this decision reads it (the call of its decision,
    // evaluated once in the scope's frame; for a context variable, what the caller gave if it did).
    for (auto& as : sc_.asserts) {
      std::multiset<std::string> bound;
      EachFreeVariable(as.condition, index_, bound, [&](ast::ExprPtr& slot, size_t i) {
        SourceRange r = slot->range;
        slot = Value(i, "");
        slot->range = r;  // the assertion's text and explanations show the name as written
      });
      d.asserts.push_back(std::move(as));
    }
    sc_.asserts.clear();
    out_.decisions.push_back(std::move(d));
  }

  ast::ScopeDecl& sc_;
  ast::File& out_;
  Diagnostics& diags_;
  std::map<std::string, size_t> index_;  // variable name -> index in sc_.vars (the first of a name)
  std::vector<size_t> contexts_;         // the context variables, in order of declaration
};

}  // namespace

void ExpandScope(ast::ScopeDecl sc, ast::File& out, Diagnostics& diags) { Expander(sc, out, diags).Run(); }

bool HasSyntaxError(const Diagnostics& parsed) {
  // Of the kinds below, the parser reports only the scopes' (ExpandScope).
  for (const Diagnostic& d : parsed.all())
    if (d.severity == Severity::Error && d.kind != DiagKind::ScopeWithoutOutput &&
        d.kind != DiagKind::UnknownScopeVariable && d.kind != DiagKind::ExceptionAcrossVariables &&
        d.kind != DiagKind::DuplicateDeclaration)
      return true;
  return false;
}

}  // namespace edict::parse
