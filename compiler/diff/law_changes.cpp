#include "compiler/diff/law_changes.h"

#include <set>

#include <fmt/format.h>

#include "compiler/interp/interp.h"
#include "compiler/ir/walk.h"
#include "runtime/errors.h"

namespace edict::diff {

namespace {

// The value of constant `c` of m, as Edict writes it ("26900000 [tpp]"), or its runtime error.
std::string ConstValue(const ir::Module& m, interp::Interpreter& in, uint32_t c) {
  try {
    return rt::FormatValue(in.EvalConst(c), m.consts[c].type, m.types);
  } catch (const rt::EvalError& e) { return std::string("error: ") + rt::Spelling(e.kind); }
}

// The instrument a declaration at `r` belongs to ("" if none).
std::string InstrumentAt(const ir::Module& m, SourceRange r) {
  int ins = r.file < m.file_instrument.size() ? m.file_instrument[r.file] : -1;
  return ins >= 0 ? m.instruments[size_t(ins)].name : std::string();
}

// The names of the rules a rule directly overrides.
std::set<std::string> Overrides(const ir::Decision& d, const ir::Rule& r) {
  std::set<std::string> s;
  for (uint32_t x : r.exception_to) s.insert(d.rules[x].name);
  return s;
}

std::string Join(const std::set<std::string>& s) {
  std::string r;
  for (const auto& x : s) r += (r.empty() ? "" : ", ") + x;
  return r.empty() ? "nothing" : r;
}

// A version as the chain lists it: "`r2` Rescission of ... (citation), effective 2025-05-13".
std::string VersionLine(const ir::Module& m, const ir::Version& v, const std::string& path) {
  std::string s = "`" + (v.name.empty() ? path : v.name) + "`";
  if (v.instrument >= 0) {
    const ir::Instrument& ins = m.instruments[size_t(v.instrument)];
    std::string title = ins.Field("title"), cit = ins.Field("citation"), status = ins.Field("status");
    if (!title.empty()) s += " " + title;
    if (!cit.empty()) s += " (" + cit + ")";
    if (!status.empty()) s += ", " + status;
  }
  if (!v.effective.empty()) s += ", effective " + v.effective;
  if (!v.compliance.empty()) s += ", compliance " + v.compliance;
  return s;
}

// The constants decision d of m reads, directly or through helpers, other constants and called
// decisions (by index).
std::set<uint32_t> ConstsUsed(const ir::Module& m, const ir::Decision& d) {
  std::set<uint32_t> consts, defs, decisions;
  std::vector<ir::ExprId> todo;
  auto decision = [&](const ir::Decision& x) { ir::ForEachRoot(x, [&](ir::ExprId id) { todo.push_back(id); }); };
  decision(d);
  while (!todo.empty()) {
    ir::ExprId id = todo.back();
    todo.pop_back();
    if (id == ir::kNoExpr || id >= m.exprs.size()) continue;
    const ir::Expr& e = m.exprs[id];
    if (e.op == ir::Op::Const && consts.insert(e.a).second) todo.push_back(m.consts[e.a].value);
    if (e.op == ir::Op::Call && defs.insert(e.a).second) todo.push_back(m.defs[e.a].body);
    if (e.op == ir::Op::DecisionCall && decisions.insert(e.a).second) decision(m.decisions[e.a]);
    ir::ForEachOperand(m, e, [&](ir::ExprId k) { todo.push_back(k); });
  }
  return consts;
}

}  // namespace

LawChanges FindLawChanges(const Side& a, const Side& b) {
  LawChanges out;
  const ir::Module &ma = a.m(), &mb = b.m();
  const ir::Version& va = ma.versions[size_t(a.version)];
  const ir::Version& vb = mb.versions[size_t(b.version)];
  auto path = [](const Side& s, const ir::Version& v) { return s.program->sources.file(v.file).path; };
  auto where = [](const Side& s, SourceRange r) { return s.program->sources.Where(r); };
  // A declaration's text, blanks collapsed: the same rule written again (in another file, say)
  // is the same rule.
  auto text = [](const Side& s, SourceRange r) {
    std::string t;
    for (char ch : s.program->sources.Text(r)) {
      bool blank = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
      if (blank && (t.empty() || t.back() == ' ')) continue;
      t += blank ? ' ' : ch;
    }
    return t;
  };

  // The chain: the new side's versions after the one the old side is (same file).
  int from = -1;
  for (int i = 0; i < b.version; ++i)
    if (path(b, mb.versions[size_t(i)]) == path(a, va)) from = i;
  if (from >= 0)
    for (int i = from + 1; i <= b.version; ++i)
      out.chain.push_back(VersionLine(mb, mb.versions[size_t(i)], path(b, mb.versions[size_t(i)])));

  // Constants the decision reads on either side, by name: values that differ, and constants only
  // one side has (those only tests read are left out).
  interp::Interpreter ia(ma), ib(mb);
  std::set<uint32_t> used_a = ConstsUsed(ma, a.dec()), used_b = ConstsUsed(mb, b.dec());
  auto used = [&](const std::string& name) {
    auto ita = va.consts.find(name), itb = vb.consts.find(name);
    return (ita != va.consts.end() && used_a.count(ita->second)) ||
           (itb != vb.consts.end() && used_b.count(itb->second));
  };
  for (const auto& [name, cb] : vb.consts) {
    if (!used(name)) continue;
    const ir::Const& c = mb.consts[cb];
    auto it = va.consts.find(name);
    std::string nv = ConstValue(mb, ib, cb);
    if (it == va.consts.end()) {
      out.changes.push_back(
          {"constant added", name, "", nv, c.cite.cite, InstrumentAt(mb, c.range), where(b, c.range)});
      continue;
    }
    std::string ov = ConstValue(ma, ia, it->second);
    if (ov != nv)
      out.changes.push_back({"constant", name, ov, nv, c.cite.cite, InstrumentAt(mb, c.range), where(b, c.range)});
  }
  for (const auto& [name, ca] : va.consts)
    if (!vb.consts.count(name) && used(name)) {
      const ir::Const& c = ma.consts[ca];
      out.changes.push_back({"constant removed", name, ConstValue(ma, ia, ca), "", c.cite.cite,
                             InstrumentAt(ma, c.range), where(a, c.range)});
    }

  // The rules of the decision, by label: the same declaration (same place) on both sides is
  // unchanged; otherwise added, repealed or replaced; and the rules each directly overrides.
  const ir::Decision &da = a.dec(), &db = b.dec();
  auto find = [](const ir::Decision& d, const std::string& name) -> const ir::Rule* {
    for (const auto& r : d.rules)
      if (r.name == name) return &r;
    return nullptr;
  };
  for (const auto& r : db.rules) {
    const ir::Rule* old = find(da, r.name);
    LawChange lc{"", r.name, "", "", r.cite.cite, InstrumentAt(mb, r.name_range), where(b, r.name_range)};
    if (!old) {
      lc.kind = "rule added";
      lc.new_value = Join(Overrides(db, r));
    } else if (text(a, old->range) != text(b, r.range)) {
      lc.kind = "rule replaced";
      lc.old_value = old->cite.cite;
    } else if (Overrides(da, *old) != Overrides(db, r)) {
      // What the rule now prevails over that it did not (new), and no longer does (old).
      lc.kind = "exceptions changed";
      std::set<std::string> was = Overrides(da, *old), now = Overrides(db, r), gained, lost;
      for (const auto& x : now)
        if (!was.count(x)) gained.insert(x);
      for (const auto& x : was)
        if (!now.count(x)) lost.insert(x);
      lc.old_value = lost.empty() ? "" : Join(lost);
      lc.new_value = gained.empty() ? "" : Join(gained);
    } else {
      continue;
    }
    out.changes.push_back(std::move(lc));
  }
  for (const auto& r : da.rules)
    if (!find(db, r.name))
      out.changes.push_back({"rule repealed", r.name, Join(Overrides(da, r)), "", r.cite.cite,
                             InstrumentAt(ma, r.name_range), where(a, r.name_range)});
  if (da.has_default != db.has_default ||
      (db.has_default && text(a, da.default_rule.range) != text(b, db.default_rule.range)))
    out.changes.push_back({"default changed", "default", da.has_default ? da.default_rule.cite.cite : "none",
                           db.has_default ? db.default_rule.cite.cite : "none",
                           db.has_default ? db.default_rule.cite.cite : da.default_rule.cite.cite,
                           InstrumentAt(mb, db.default_rule.range), where(b, db.default_rule.range)});
  // The decision's assertions, by their text: one only the new side states is added, one only the
  // old side states is removed (an assertion reworded is both).
  auto stated = [&](const Side& s, const ir::Decision& d) {
    std::set<std::string> r;
    for (const auto& x : d.assertions) r.insert(text(s, x.range));
    return r;
  };
  const std::set<std::string> stated_a = stated(a, da), stated_b = stated(b, db);
  auto assertion = [](const ir::Assertion& x) { return x.text.empty() ? x.source : x.text; };
  for (const auto& x : db.assertions)
    if (!stated_a.count(text(b, x.range)))
      out.changes.push_back(
          {"assertion added", assertion(x), "", x.source, x.cite.cite, InstrumentAt(mb, x.range), where(b, x.range)});
  for (const auto& x : da.assertions)
    if (!stated_b.count(text(a, x.range)))
      out.changes.push_back(
          {"assertion removed", assertion(x), x.source, "", x.cite.cite, InstrumentAt(ma, x.range), where(a, x.range)});
  return out;
}

namespace {

// One change in words: "constant `lpp_limit`: 26900000 [tpp] -> 7916000 [tpp]".
std::string Sentence(const LawChange& c, bool md) {
  auto code = [&](const std::string& s) { return md ? "`" + s + "`" : s; };
  std::string s;
  if (c.kind == "constant")
    s = fmt::format("constant {}: {} -> {}", code(c.name), c.old_value, c.new_value);
  else if (c.kind == "constant added")
    s = fmt::format("constant {} added: {}", code(c.name), c.new_value);
  else if (c.kind == "constant removed")
    s = fmt::format("constant {} removed (was {})", code(c.name), c.old_value);
  else if (c.kind == "rule added")
    s = fmt::format("rule {} added{}", code(c.name),
                    c.new_value == "nothing" ? "" : ", prevailing over " + c.new_value);
  else if (c.kind == "rule repealed")
    s = fmt::format("rule {} repealed", code(c.name));
  else if (c.kind == "rule replaced")
    s = fmt::format("rule {} replaced", code(c.name));
  else if (c.kind == "exceptions changed")
    s = fmt::format("rule {} {}{}{}", code(c.name), c.new_value.empty() ? "" : "now also prevails over " + c.new_value,
                    !c.new_value.empty() && !c.old_value.empty() ? "; " : "",
                    c.old_value.empty() ? "" : "no longer prevails over " + c.old_value);
  else if (c.kind == "assertion added" || c.kind == "assertion removed")
    s = fmt::format("{}, {}{}", c.kind, code(c.kind == "assertion added" ? c.new_value : c.old_value),
                    c.name == c.new_value || c.name == c.old_value ? "" : ": \"" + c.name + "\"");
  else
    s = fmt::format("default changed: {} -> {}", c.old_value, c.new_value);
  std::string src;
  if (!c.cite.empty()) src += c.cite;
  if (!c.instrument.empty()) src += (src.empty() ? "" : ", ") + std::string("[") + c.instrument + "]";
  return src.empty() ? s : s + " (" + src + ")";
}

}  // namespace

std::string LawChangesText(const LawChanges& lc, bool md) {
  if (lc.chain.empty() && lc.changes.empty()) return "";
  std::string r = md ? "## What the law changed\n\n" : "What the law changed\n\n";
  std::string item = md ? "- " : "  ";
  if (!lc.chain.empty()) {
    r += item + "instruments, oldest first:\n";
    for (const auto& c : lc.chain) r += (md ? "  - " : "      ") + c + "\n";
  }
  for (const auto& c : lc.changes) r += item + Sentence(c, md) + "\n";
  return r + "\n";
}

std::string LawChangesJson(const LawChanges& lc) {
  std::string chain, changes;
  for (const auto& c : lc.chain) chain += (chain.empty() ? "" : ",") + rt::JsonQuote(c);
  auto opt = [](const std::string& s) { return s.empty() ? std::string("null") : rt::JsonQuote(s); };
  for (const auto& c : lc.changes)
    changes +=
        fmt::format("{}{{\"kind\":{},\"name\":{},\"old\":{},\"new\":{},\"citation\":{},\"instrument\":{},\"at\":{}}}",
                    changes.empty() ? "" : ",", rt::JsonQuote(c.kind), rt::JsonQuote(c.name), opt(c.old_value),
                    opt(c.new_value), opt(c.cite), opt(c.instrument), rt::JsonQuote(c.at));
  return fmt::format("\"chain\":[{}],\"law_changes\":[{}]", chain, changes);
}

}  // namespace edict::diff
