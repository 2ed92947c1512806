#include "compiler/lsp/analysis.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/interp/explain.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"
#include "compiler/verify/verify.h"
#include "runtime/case_json.h"
#include "runtime/errors.h"
#include "runtime/value.h"

namespace edict::lsp {
namespace {

using names::NamePrefix;
using names::PlaceOf;
using names::WordByte;

SourceRange NameAt(SourceRange r, const std::string& name) {
  return {r.file, r.begin, std::min(r.end, r.begin + uint32_t(name.size()))};
}

std::string CiteText(const ir::Citation& c) {
  if (c.empty()) return "";
  std::string s = fmt::format("\n\nCites *{}*.", c.cite);
  if (!c.assumption.empty()) s += fmt::format("\n\nAssumption: {}", c.assumption);
  return s;
}

// "1 rule", "3 rules".
std::string Count(size_t n, const char* noun) { return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s"); }

}  // namespace

Analysis::Analysis(const std::string& path, const load::Unsaved& unsaved, load::ParseCache* trees) {
  edict::Diagnostics d;
  load::Load({path}, program_, d, &unsaved, trees);
  diags_ = d.Sorted();
  if (!program_.roots.empty()) root_ = program_.roots[0];
  if (loaded()) occurrences_ = names::Index(program_);
}

std::string Analysis::PathOf(uint32_t file) const { return program_.sources.file(file).path; }

Json Analysis::RangeOf(const Place& p) const {
  auto pos = [&](uint32_t offset) {
    LineCol lc = program_.sources.Position(p.file, offset);
    std::string_view line = program_.sources.LineText(p.file, lc.line);
    Position q = PositionOf(line, lc.column - 1);
    return Json{{"line", lc.line - 1}, {"character", q.character}};
  };
  return Json{{"start", pos(p.begin)}, {"end", pos(p.end)}};
}

Json Analysis::LocationOf(const Place& p) const {
  return Json{{"uri", UriOfPath(load::Canonical(PathOf(p.file)))}, {"range", RangeOf(p)}};
}

Json Analysis::Diagnostics() const {
  Json out = Json::array();
  for (const edict::Diagnostic& d : diags_) {
    Json range;
    if (d.range.file == root_) {
      range = RangeOf(PlaceOf(d.range));
    } else if (d.range.file == UINT32_MAX || !loaded()) {
      range = Json{{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}};
    } else {
      continue;  // in another file: reported when that file is open
    }
    std::string message = d.message;
    Json related = Json::array();
    for (const DiagNote& n : d.notes) {
      if (n.range.valid() && n.range.file < program_.sources.size())
        related.push_back({{"location", LocationOf(PlaceOf(n.range))}, {"message", n.message}});
      else
        message += "\n" + n.message;
    }
    Json j = {{"range", range},
              {"severity", d.severity == Severity::Error ? 1 : 2},
              {"code", DiagName(d.kind)},
              {"source", "edict"},
              {"message", message}};
    if (!related.empty()) j["relatedInformation"] = related;
    out.push_back(j);
  }
  return out;
}

bool Analysis::checked() const {
  if (!loaded()) return false;
  for (const edict::Diagnostic& d : diags_)
    if (d.severity == Severity::Error) return false;
  return true;
}

// ---------------------------------------------------------------- code lenses, commands, verify

Json Analysis::CodeLenses(const std::string& uri) const {
  Json out = Json::array();
  if (!checked()) return out;
  const ir::Module& m = program_.module;
  // On the declaration's name (where its range starts), with the document and the name as arguments.
  auto lens = [&](SourceRange r, const std::string& name, const std::string& title, const std::string& command) {
    out.push_back({{"range", RangeOf(PlaceOf(NameAt(r, name)))},
                   {"command", {{"title", title}, {"command", command}, {"arguments", {uri, name}}}}});
  };
  for (const ir::Test& t : m.tests)
    if (t.file == root_) lens(t.range, t.name, "Run test " + t.name, "edict.runTest");
  for (const auto& [name, index] : m.versions.back().decisions) {
    const ir::Decision& d = m.decisions[index];
    if (d.range.file == root_) lens(d.range, name, "Explain " + name + " on a case file", "edict.explain");
  }
  std::sort(out.begin(), out.end(), [](const Json& a, const Json& b) {
    return std::pair(a["range"]["start"]["line"].get<int>(), a["range"]["start"]["character"].get<int>()) <
           std::pair(b["range"]["start"]["line"].get<int>(), b["range"]["start"]["character"].get<int>());
  });
  return out;
}

Json Analysis::RunTest(const std::string& name) const {
  if (!checked()) return {{"passed", false}, {"message", "the document has errors: fix them to run its tests"}};
  const ir::Module& m = program_.module;
  for (uint32_t t = 0; t < m.tests.size(); ++t) {
    if (m.tests[t].file != root_ || m.tests[t].name != name) continue;
    interp::Interpreter in(m);
    auto r = in.RunTest(t);
    std::string message = r.failures.empty() ? fmt::format("PASS {}", name) : fmt::format("FAIL {}", name);
    for (const auto& fl : r.failures)
      message += fmt::format("\n  {}: {}", program_.sources.Where(fl.range), fl.message);
    return {{"passed", r.failures.empty()}, {"message", message}};
  }
  return {{"passed", false}, {"message", fmt::format("the document has no test `{}`", name)}};
}

Json Analysis::Explain(const std::string& name, const std::string& case_path) const {
  auto fail = [](const std::string& why) { return Json{{"ok", false}, {"message", why}}; };
  if (!checked()) return fail("the document has errors: fix them to explain a decision");
  const ir::Module& m = program_.module;
  int di = m.FindDecision(name);
  if (di < 0) return fail(fmt::format("the document declares no decision `{}`", name));
  std::string text, error;
  if (!ReadInputFile(case_path, kConfiguredLimit, &text, &error))
    return fail(fmt::format("cannot read `{}`: {}", case_path, error));
  const ir::Decision& d = m.decisions[size_t(di)];
  std::vector<rt::CaseParam> params;
  for (const auto& p : d.params) params.push_back({p.name, p.type});
  rt::DecodedCase c = rt::CaseDecoder(m.types, std::move(params)).Decode(text);
  if (!c.issues.empty())
    return fail(fmt::format("{}: {}{}", case_path, c.issues[0].field.empty() ? "" : c.issues[0].field + ": ",
                            c.issues[0].message));
  interp::Interpreter in(m);
  interp::DecisionTrace trace;
  try {
    in.EvalDecision(uint32_t(di), std::move(c.args), &trace);
  } catch (const rt::EvalError& e) {
    return fail(fmt::format("{}: {}: {}", program_.sources.Where(e.range), rt::Spelling(e.kind), e.message));
  }
  in.Explain(&trace);
  return {{"ok", true}, {"message", interp::ExplainText(m, program_.sources, trace)}};
}

Json Analysis::VerifyDiagnostics(uint64_t solver_limit) const {
  Json out = Json::array();
  if (!checked()) return out;
  const ir::Module& m = program_.module;
  for (const auto& [name, index] : m.versions.back().decisions) {
    if (m.decisions[index].range.file != root_) continue;
    verify::DecisionReport r = verify::VerifyDecision(m, program_.sources, index, {solver_limit, true});
    for (const verify::Finding& f : r.findings) {
      if (f.severity == verify::Severity::Note || f.range.file != root_) continue;
      std::string message = f.message;
      for (const auto& rule : f.rules)
        if (!rule.cite.empty()) message += fmt::format("\nrule `{}`: \"{}\"", rule.name, rule.cite);
      if (!f.witness.empty()) message += "\nwitness: " + f.witness + "\non the interpreter: " + f.replay;
      out.push_back({{"range", RangeOf(PlaceOf(f.range))},
                     {"severity", 2},
                     {"code", f.kind},
                     {"source", "edict verify"},
                     {"message", message}});
    }
  }
  return out;
}

// ---------------------------------------------------------------- definitions, references, renames

const Occurrence* Analysis::At(size_t offset) const {
  const Occurrence* best = nullptr;
  for (const Occurrence& o : occurrences_) {
    if (o.use.file != root_ || offset < o.use.begin || offset > o.use.end) continue;
    // The narrowest; at equal width the one the offset is strictly inside, then a declaration.
    if (!best || o.use.end - o.use.begin < best->use.end - best->use.begin ||
        (offset < o.use.end && offset == best->use.end))
      best = &o;
  }
  return best;
}

std::optional<Place> Analysis::Definition(size_t offset) const {
  const Occurrence* o = At(offset);
  if (!o) return std::nullopt;
  return o->decl;
}

std::vector<Place> Analysis::References(size_t offset, bool with_declaration) const {
  std::vector<Place> out;
  const Occurrence* o = At(offset);
  if (!o) return out;
  for (const Occurrence& x : occurrences_)
    if (x.decl == o->decl && (with_declaration || x.use != x.decl)) out.push_back(x.use);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<std::pair<Place, std::string>> Analysis::RenameTarget(size_t offset) const {
  const Occurrence* o = At(offset);
  if (!o) return std::nullopt;
  // Declarations of the standard library are not the user's to rename.
  std::string stdlib = load::Canonical(load::StdlibDir());
  std::string decl_path = load::Canonical(PathOf(o->decl.file));
  if (decl_path.rfind(stdlib + "/", 0) == 0) return std::nullopt;
  Place p = o->use;
  return std::pair(p, std::string(program_.sources.Text({p.file, p.begin, p.end})));
}

// ---------------------------------------------------------------- hover

std::string Analysis::TypeName(uint32_t type) const { return program_.module.types.Name(type); }

Json Analysis::Describe(const Occurrence& o) const {
  const ir::Module& m = program_.module;
  const rt::TypeTable& t = m.types;
  std::string code, more;
  // The instrument whose file declares it (a declaration's copy in a later version keeps the place).
  auto declared_in = [&]() -> std::string {
    for (const ir::Version& v : m.versions)
      if (v.file == o.decl.file && !v.name.empty())
        return fmt::format("\n\nDeclared in instrument `{}`{}.", v.name,
                           v.effective.empty() ? "" : " (effective " + v.effective + ")");
    return "";
  };
  auto params = [&](const std::vector<ir::Param>& ps) {
    std::string s;
    for (const ir::Param& p : ps) s += (s.empty() ? "" : ", ") + p.name + ": " + TypeName(p.type);
    return s;
  };
  switch (o.kind) {
    case SymbolKind::Const: {
      const ir::Const& c = m.consts[o.index];
      code = fmt::format("const {}: {}", c.name, TypeName(c.type));
      // The value, when the program is free of errors (the interpreter runs only checked IR).
      if (diags_.empty() || std::none_of(diags_.begin(), diags_.end(),
                                         [](const edict::Diagnostic& d) { return d.severity == Severity::Error; })) {
        try {
          interp::Interpreter in(m);
          const rt::Value& v = in.EvalConst(o.index);
          std::string shown = rt::FormatValue(v, c.type, t);
          if (shown.size() <= 300) code += " = " + shown;
        } catch (const rt::EvalError& e) { more += fmt::format("\n\nIts value fails: {}", e.message); }
      }
      more += CiteText(c.cite) + declared_in();
      break;
    }
    case SymbolKind::Def: {
      const ir::Def& d = m.defs[o.index];
      code = fmt::format("def {}({}): {}", d.name, params(d.params), TypeName(d.result));
      more = CiteText(d.cite) + declared_in();
      break;
    }
    case SymbolKind::Decision: {
      const ir::Decision& d = m.decisions[o.index];
      code = fmt::format("decision {}({}) -> {}", d.name, params(d.params), TypeName(d.result));
      more = CiteText(d.cite) + declared_in();
      more += "\n\n" + Count(d.rules.size(), "rule") + (d.has_default ? " and a default." : ".");
      if (!d.amended_by.empty()) more += " Amended " + Count(d.amended_by.size(), "time") + ".";
      break;
    }
    case SymbolKind::Record: {
      const rt::RecordInfo& r = t.records[o.index];
      code = fmt::format("record {}", r.name);
      if (!r.doc.empty()) more = "\n\n" + r.doc;
      more += "\n\n" + Count(r.fields.size(), "field") + ".";
      break;
    }
    case SymbolKind::Field: {
      const rt::RecordInfo& r = t.records[o.owner];
      const rt::FieldInfo& f = r.fields[o.index];
      code = fmt::format("{}.{}: {}", r.name, f.name, TypeName(f.type));
      if (!f.doc.empty()) more = "\n\n" + f.doc;
      for (const rt::FieldBound& b : f.bounds) more += fmt::format("\n\nDomain: `{}`", b.text);
      if (!f.default_json.empty()) more += fmt::format("\n\nDefault: `{}`", f.default_json);
      break;
    }
    case SymbolKind::Enum: {
      const rt::EnumInfo& e = t.enums[o.index];
      code = fmt::format("enum {}", e.name);
      if (!e.doc.empty()) more = "\n\n" + e.doc;
      more += "\n\n" + Count(e.members.size(), "member") + ".";
      break;
    }
    case SymbolKind::Member: {
      const rt::EnumInfo& e = t.enums[o.owner];
      code = fmt::format("{}.{}", e.name, e.members[o.index]);
      if (e.HasPayload(o.index)) code += "(" + TypeName(e.payloads[o.index]) + ")";
      if (o.index < e.member_docs.size() && !e.member_docs[o.index].empty()) more = "\n\n" + e.member_docs[o.index];
      break;
    }
    case SymbolKind::Unit: {
      const rt::BaseUnitInfo& u = t.base_units[o.index];
      code = fmt::format("unit {}", u.name);
      if (!u.doc.empty()) more = "\n\n" + u.doc;
      break;
    }
    case SymbolKind::Rule: {
      const ir::Decision& d = m.decisions[o.owner];
      const ir::Rule& r = d.rules[o.index];
      code = fmt::format("rule {} of decision {}", r.name, d.name);
      std::string exc;
      for (uint32_t k : r.exception_to) exc += (exc.empty() ? "" : ", ") + ("`" + d.rules[k].name + "`");
      more = CiteText(r.cite);
      if (!exc.empty()) more += "\n\nException to " + exc + ".";
      more += declared_in();
      break;
    }
    case SymbolKind::Let: {
      const ir::Let& l = m.decisions[o.owner].lets[o.index];
      code = fmt::format("let {}: {}", l.name, TypeName(l.type));
      more = fmt::format("\n\nIn decision `{}`.", m.decisions[o.owner].name);
      break;
    }
    case SymbolKind::Param: {
      // The owner is a decision when the declaration lies in one's parameters, else a helper.
      const ir::Param* p = nullptr;
      if (o.owner < m.decisions.size() && o.index < m.decisions[o.owner].params.size() &&
          NamePrefix(m.decisions[o.owner].params[o.index].range, m.decisions[o.owner].params[o.index].name) == o.decl)
        p = &m.decisions[o.owner].params[o.index];
      else if (o.owner < m.defs.size() && o.index < m.defs[o.owner].params.size())
        p = &m.defs[o.owner].params[o.index];
      if (!p) return nullptr;
      code = fmt::format("{}: {}", p->name, TypeName(p->type));
      break;
    }
  }
  return Json{{"kind", "markdown"}, {"value", "```edict\n" + code + "\n```" + more}};
}

Json Analysis::Hover(size_t offset) const {
  if (!loaded()) return nullptr;
  if (const Occurrence* o = At(offset)) {
    Json contents = Describe(*o);
    if (!contents.is_null()) return Json{{"contents", contents}, {"range", RangeOf(o->use)}};
  }
  // Any other expression: its type, as the checker found it.
  const ir::Module& m = program_.module;
  const ir::Expr* best = nullptr;
  for (const ir::Expr& e : m.exprs) {
    if (e.range.file != root_ || offset < e.range.begin || offset >= e.range.end || e.op == ir::Op::Error) continue;
    if (!best || e.range.end - e.range.begin < best->range.end - best->range.begin) best = &e;
  }
  if (!best) return nullptr;
  return Json{{"contents", {{"kind", "markdown"}, {"value", "```edict\n" + TypeName(best->type) + "\n```"}}},
              {"range", RangeOf(PlaceOf(best->range))}};
}

// ---------------------------------------------------------------- symbols

namespace {
// LSP's SymbolKind numbers.
enum : int {
  kFile = 1,
  kModule = 2,
  kNamespace = 3,
  kClass = 5,
  kField = 8,
  kEnum = 10,
  kFunction = 12,
  kVariable = 13,
  kConstant = 14,
  kEnumMember = 22,
  kStruct = 23,
  kEvent = 24,
  kOperator = 25,
};
}  // namespace

Json Analysis::DocumentSymbols() const {
  Json out = Json::array();
  if (!loaded()) return out;
  const ast::File* f = nullptr;
  for (const ast::File& x : program_.files)
    if (x.file_id == root_) f = &x;
  if (!f) return out;
  auto sym = [&](const std::string& name, int kind, SourceRange range, SourceRange sel,
                 const std::string& detail = "") {
    if (sel.begin < range.begin || sel.end > range.end) sel = range;
    Json j = {{"name", name.empty() ? "(unnamed)" : name},
              {"kind", kind},
              {"range", RangeOf(PlaceOf(range))},
              {"selectionRange", RangeOf(PlaceOf(sel))}};
    if (!detail.empty()) j["detail"] = detail;
    return j;
  };
  auto rules = [&](const std::vector<ast::RuleItem>& rs, Json& children) {
    for (const ast::RuleItem& r : rs)
      children.push_back(sym(r.name, kEvent, r.range, r.name_range, r.citation ? r.citation->cite : ""));
  };
  if (f->header) out.push_back(sym(f->header->name, kModule, f->header->range, f->header->range, "instrument"));
  for (const ast::UnitDecl& u : f->units) out.push_back(sym(u.name, kOperator, u.range, u.name_range, "unit"));
  for (const ast::EnumDecl& e : f->enums) {
    Json j = sym(e.name, kEnum, e.range, e.name_range);
    j["children"] = Json::array();
    for (const ast::EnumMember& mem : e.members)
      j["children"].push_back(sym(mem.name, kEnumMember, mem.range, NameAt(mem.range, mem.name)));
    out.push_back(j);
  }
  // A scope's record and decisions (parse/scopes.h) are shown as the scope: its variables, each
  // with its rules.
  auto from_scope = [&](const ast::RecordDecl& r) {
    for (const ast::ScopeDecl& sc : f->scopes)
      if (r.range == sc.range && r.name == sc.name + "_outputs") return true;
    return false;
  };
  for (const ast::ScopeDecl& sc : f->scopes) {
    Json j = sym(sc.name, kClass, sc.range, sc.name_range, sc.citation ? sc.citation->cite : "scope");
    j["children"] = Json::array();
    for (const ast::ScopeVar& v : sc.vars) {
      Json var = sym(v.name, kVariable, v.range, v.name_range,
                     std::string(v.context ? "context " : "") + (v.output ? "output" : "internal"));
      var["children"] = Json::array();
      for (const ast::DecisionDecl& d : f->decisions)
        if (d.scope == sc.name && !d.scope_entry && d.name == sc.name + "." + v.name) rules(d.rules, var["children"]);
      j["children"].push_back(var);
    }
    out.push_back(j);
  }
  for (const ast::RecordDecl& r : f->records) {
    if (from_scope(r)) continue;
    Json j = sym(r.name, kStruct, r.range, r.name_range);
    j["children"] = Json::array();
    for (const ast::FieldDecl& fd : r.fields)
      j["children"].push_back(sym(fd.name, kField, fd.range, NameAt(fd.range, fd.name)));
    out.push_back(j);
  }
  for (const auto* consts : {&f->consts, &f->replaced_consts})
    for (const ast::ConstDecl& c : *consts)
      out.push_back(sym(c.name, kConstant, c.range, c.name_range, c.citation ? c.citation->cite : ""));
  for (const auto* defs : {&f->defs, &f->replaced_defs})
    for (const ast::DefDecl& d : *defs)
      out.push_back(sym(d.name, kFunction, d.range, d.name_range, d.citation ? d.citation->cite : ""));
  for (const auto* decisions : {&f->decisions, &f->replaced_decisions})
    for (const ast::DecisionDecl& d : *decisions) {
      if (!d.scope.empty()) continue;  // shown with its scope
      Json j = sym(d.name, kClass, d.range, d.name_range, d.citation ? d.citation->cite : "");
      j["children"] = Json::array();
      for (const ast::LetItem& l : d.lets) j["children"].push_back(sym(l.name, kVariable, l.range, l.name_range));
      rules(d.rules, j["children"]);
      out.push_back(j);
    }
  for (const ast::AmendDecision& a : f->amendments) {
    Json j = sym("amend " + a.decision, kNamespace, a.range, a.name_range, a.citation ? a.citation->cite : "");
    j["children"] = Json::array();
    for (const ast::AmendItem& it : a.items)
      if (!it.rule.name.empty() && (it.kind == ast::AmendKind::AddRule || it.kind == ast::AmendKind::ReplaceRule))
        j["children"].push_back(sym(it.rule.name, kEvent, it.rule.range, it.rule.name_range));
    out.push_back(j);
  }
  for (const ast::TestDecl& test : f->tests) out.push_back(sym(test.name, kFile, test.range, test.name_range, "test"));
  return out;
}

void Analysis::WorkspaceSymbols(const std::string& query, Json& out, std::set<std::string>& seen) const {
  if (!loaded()) return;
  auto lower = [](std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::string q = lower(query);
  auto add = [&](const std::string& name, int kind, SourceRange at, const std::string& container) {
    if (name.empty() || lower(name).find(q) == std::string::npos) return;
    Json location = LocationOf(PlaceOf(at));
    if (!seen.insert(location.dump()).second) return;
    Json j = {{"name", name}, {"kind", kind}, {"location", location}};
    if (!container.empty()) j["containerName"] = container;
    out.push_back(j);
  };
  for (const ast::File& f : program_.files) {
    if (f.header) add(f.header->name, kModule, f.header->range, "");
    for (const ast::EnumDecl& e : f.enums) add(e.name, kEnum, e.name_range, "");
    for (const ast::RecordDecl& r : f.records) add(r.name, kStruct, r.name_range, "");
    for (const ast::ConstDecl& c : f.consts) add(c.name, kConstant, c.name_range, "");
    for (const ast::DefDecl& d : f.defs) add(d.name, kFunction, d.name_range, "");
    for (const ast::DecisionDecl& d : f.decisions) {
      add(d.name, kClass, d.name_range, "");
      for (const ast::RuleItem& r : d.rules) add(r.name, kEvent, r.name_range, d.name);
    }
    for (const ast::AmendDecision& a : f.amendments)
      for (const ast::AmendItem& it : a.items)
        if (it.kind == ast::AmendKind::AddRule || it.kind == ast::AmendKind::ReplaceRule)
          add(it.rule.name, kEvent, it.rule.name_range, a.decision);
    for (const ast::TestDecl& test : f.tests) add(test.name, kFile, test.name_range, "");
  }
}

// ---------------------------------------------------------------- completion

Json Analysis::Completion(const std::string& text, size_t offset) const {
  Json items = Json::array();
  offset = std::min(offset, text.size());
  size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_start = line_start == std::string::npos || offset == 0 ? 0 : line_start + 1;
  // The line up to the cursor, at most its last 300 bytes: what completion looks at is short, and
  // std::regex's matching is recursive.
  line_start = std::max(line_start, offset > 300 ? offset - 300 : size_t(0));
  std::string prefix = text.substr(line_start, offset - line_start);
  const ir::Module& m = program_.module;
  const rt::TypeTable& t = m.types;
  auto item = [&](const std::string& label, int kind, const std::string& detail) {
    Json j = {{"label", label}, {"kind", kind}};
    if (!detail.empty()) j["detail"] = detail;
    items.push_back(j);
  };
  std::smatch sm;
  // LSP's CompletionItemKind numbers.
  constexpr int kItemModule = 9, kItemUnit = 11, kItemField = 5, kItemMember = 20, kItemEvent = 23;
  static const std::regex import_re(R"(^\s*import\s+[A-Za-z0-9_.]*$)");
  static const std::regex exception_re(R"(exception\s+to\s+([A-Za-z0-9_]+\s*,\s*)*[A-Za-z0-9_]*$)");
  static const std::regex dot_re(R"(([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z0-9_]*$)");
  if (std::regex_search(prefix, sm, import_re)) {
    // The modules of the standard library, as `import` names them (`a/b.edict` is `a.b`).
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path dir = load::StdlibDir();
    std::vector<std::string> names;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() != ".edict") continue;
      std::string rel = fs::relative(it->path(), dir, ec).replace_extension().string();
      std::replace(rel.begin(), rel.end(), '/', '.');
      names.push_back(rel);
    }
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) item(n, kItemModule, "standard library");
    return items;
  }
  if (!loaded()) return items;
  if (std::regex_search(prefix, sm, exception_re)) {
    // The labels of the rules of the decision being written (or amended) here, else of them all.
    std::set<std::string> labels;
    const ast::File* f = nullptr;
    for (const ast::File& x : program_.files)
      if (x.file_id == root_) f = &x;
    std::string decision;
    if (f) {
      for (const ast::DecisionDecl& d : f->decisions)
        if (d.range.begin <= offset && offset <= d.range.end) decision = d.name;
      for (const ast::AmendDecision& a : f->amendments)
        if (a.range.begin <= offset && offset <= a.range.end) decision = a.decision;
    }
    for (const ir::Decision& d : m.decisions)
      if (decision.empty() || d.name == decision)
        for (const ir::Rule& r : d.rules)
          if (labels.insert(r.name).second) item(r.name, kItemEvent, "rule of " + d.name);
    return items;
  }
  if (std::regex_search(prefix, sm, dot_re)) {
    std::string word = sm[1];
    // An enum's members.
    for (const rt::EnumInfo& e : t.enums)
      if (e.name == word) {
        for (size_t k = 0; k < e.members.size(); ++k)
          item(e.members[k], kItemMember, k < e.member_docs.size() ? e.member_docs[k] : "");
        return items;
      }
    // A value of record type: its fields. The type is the checker's, for the same name nearest to
    // this place in the document.
    const ir::Expr* nearest = nullptr;
    size_t at = line_start + size_t(sm.position(1));
    for (const ir::Expr& e : m.exprs) {
      if (e.range.file != root_ || t.info(e.type).kind != rt::TypeKind::Record) continue;
      if (e.op != ir::Op::Local && e.op != ir::Op::LetRef && e.op != ir::Op::Const && e.op != ir::Op::Field) continue;
      std::string_view name = program_.sources.Text(e.range);
      if (name.size() < word.size() || name.substr(name.size() - word.size()) != word) continue;
      if (name.size() > word.size() && WordByte(name[name.size() - word.size() - 1])) continue;
      auto distance = [&](const ir::Expr* x) {
        return x->range.begin > at ? x->range.begin - at : at - x->range.begin;
      };
      if (!nearest || distance(&e) < distance(nearest)) nearest = &e;
    }
    if (nearest) {
      const rt::RecordInfo& r = t.records[t.info(nearest->type).ref];
      for (const rt::FieldInfo& f : r.fields) item(f.name, kItemField, TypeName(f.type));
    }
    return items;
  }
  // Inside the brackets of a unit: the declared units.
  size_t open = prefix.rfind('['), close = prefix.rfind(']');
  if (open != std::string::npos && (close == std::string::npos || close < open)) {
    for (const rt::BaseUnitInfo& u : t.base_units)
      if (!u.parameter) item(u.name, kItemUnit, u.doc);
    return items;
  }
  return items;
}

}  // namespace edict::lsp
