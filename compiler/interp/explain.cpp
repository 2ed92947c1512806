#include "compiler/interp/explain.h"

#include <fmt/format.h>

#include <algorithm>

namespace edict::interp {
namespace {

std::string Collapse(std::string_view s) {
  std::string r;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !r.empty()) r += ' ';
    space = false;
    r += c;
  }
  return r;
}

std::string CiteText(const ir::Citation& c) {
  if (c.empty()) return "";
  std::string s = c.cite;
  if (!c.assumption.empty()) s += " [assumption: " + c.assumption + "]";
  return s;
}

// "Title (citation)", or the instrument's name when it has no title.
std::string InstrumentTitle(const ir::Instrument& ins) {
  std::string title = ins.Field("title");
  std::string s = title.empty() ? ins.name : title;
  std::string cit = ins.Field("citation");
  if (!cit.empty()) s += " (" + cit + ")";
  return s;
}

// The instrument that declares something at `r`.
std::string InstrumentOf(const ir::Module& m, SourceRange r) {
  if (r.file >= m.file_instrument.size() || m.file_instrument[r.file] < 0) return "";
  return InstrumentTitle(m.instruments[size_t(m.file_instrument[r.file])]);
}

struct InputView {
  std::string text;
  std::string value;
  std::string json_value;
  std::string cite;  // for constants and helpers
};

std::vector<InputView> Inputs(const ir::Module& m, const SourceManager& sm, const AtomTrace& a) {
  std::vector<InputView> out;
  std::string atom_text = Collapse(sm.Text(m.exprs[a.expr].range));
  for (const auto& [id, v] : a.inputs) {
    const ir::Expr& e = m.exprs[id];
    InputView iv;
    iv.text = Collapse(sm.Text(e.range));
    if (iv.text == atom_text) continue;  // the atom is this input itself; its value is shown already
    iv.value = ShortValue(m, v, e.type);
    iv.json_value = rt::ValueToJson(v, e.type, m.types);
    if (e.op == ir::Op::Const) iv.cite = CiteText(m.consts[e.a].cite);
    if (e.op == ir::Op::Call) iv.cite = CiteText(m.defs[e.a].cite);
    bool dup = false;
    for (const auto& o : out) dup |= o.text == iv.text;
    if (!dup) out.push_back(std::move(iv));
  }
  return out;
}

const ir::Rule& RuleOf(const ir::Decision& d, const RuleTrace& r) {
  return r.rule == UINT32_MAX ? d.default_rule : d.rules[r.rule];
}

}  // namespace

std::string ShortValue(const ir::Module& m, const rt::Value& v, rt::TypeId t) {
  const auto& ti = m.types.info(t);
  if (ti.kind == rt::TypeKind::Set) {
    const auto& e = m.types.enums[ti.ref];
    std::vector<std::string> names;
    for (uint32_t i = 0; i < e.members.size(); ++i)
      if (v.AsSet().Contains(i)) names.push_back(e.members[i]);
    if (names.size() > 8) {
      std::string s = "{";
      for (size_t i = 0; i < 6; ++i) s += names[i] + ", ";
      return s + fmt::format("... {} members}}", names.size());
    }
  }
  return rt::FormatValue(v, t, m.types);
}

std::string ExplainText(const ir::Module& m, const SourceManager& sm, const DecisionTrace& t) {
  const ir::Decision& d = m.decisions[t.decision];
  std::string s;
  s += fmt::format("decision `{}`", d.name);
  if (!d.cite.empty()) s += " — " + CiteText(d.cite);
  s += "\n";
  // The law in force: the version evaluated, and what it amends.
  if (d.version < m.versions.size()) {
    const ir::Version& ver = m.versions[d.version];
    if (ver.instrument >= 0) {
      const ir::Instrument& in = m.instruments[size_t(ver.instrument)];
      s += "law in force: " + InstrumentTitle(in);
      for (const char* k : {"effective", "compliance"})
        if (!in.Field(k).empty()) s += fmt::format(", {} {}", k, in.Field(k));
      if (d.version > 0) {
        s += "; amends ";
        for (uint32_t v = d.version; v-- > 0;) {
          const ir::Version& base = m.versions[v];
          s += base.instrument >= 0 ? InstrumentTitle(m.instruments[size_t(base.instrument)]) : base.name;
          if (!base.effective.empty()) s += " (effective " + base.effective + ")";
          if (v > 0) s += ", which amends ";
        }
      }
      s += "\n";
    }
  }
  if (t.outcome) s += "outcome: " + rt::FormatValue(*t.outcome, d.result, m.types) + "\n";
  auto rule_line = [&](const ir::Rule& r) {
    std::string line = fmt::format("rule `{}`", r.name);
    if (!r.cite.empty()) line += " — " + CiteText(r.cite);
    if (r.name_range.file < m.file_instrument.size() && m.file_instrument[r.name_range.file] >= 0)
      line += fmt::format(" [instrument {}]", m.instruments[size_t(m.file_instrument[r.name_range.file])].name);
    line += fmt::format("  ({})", sm.Where(r.name_range));
    return line;
  };
  // only_false: for rules that did not apply, the conditions that failed are the reasons.
  auto atoms = [&](const RuleTrace& rt_, const std::string& indent, bool only_false = false) {
    std::string out;
    for (const auto& a : rt_.atoms) {
      if (only_false && a.value) continue;
      out +=
          fmt::format("{}{}  ->  {}\n", indent, Collapse(sm.Text(m.exprs[a.expr].range)), a.value ? "true" : "false");
      for (const auto& iv : Inputs(m, sm, a)) {
        out += fmt::format("{}    {} = {}", indent, iv.text, iv.value);
        if (!iv.cite.empty()) out += "  [" + iv.cite + "]";
        out += "\n";
      }
    }
    return out;
  };
  std::string decided, overridden, inapplicable;
  for (const auto& r : t.rules) {
    const ir::Rule& rule = RuleOf(d, r);
    if (r.decided) {
      decided += "  " + rule_line(rule) + "\n";
      if (r.rule == UINT32_MAX)
        decided += "      no rule applied, so the default gives the outcome\n";
      else if (rule.condition == ir::kNoExpr)
        decided += "      applies unconditionally\n";
      decided += atoms(r, "      ");
    } else if (r.applicable && !r.overridden_by.empty()) {
      std::string by;
      for (uint32_t o : r.overridden_by)
        by += (by.empty() ? "" : ", ") + fmt::format("`{}`", d.rules[o].name) +
              (d.rules[o].cite.empty() ? "" : " (" + d.rules[o].cite.cite + ")");
      overridden += "  " + rule_line(rule) + "\n      applies, but is overridden by " + by + "\n";
      overridden += atoms(r, "      ");
    } else if (!r.applicable) {
      inapplicable += "  " + rule_line(rule) + "\n" + atoms(r, "      ", true);
    }
  }
  if (!decided.empty()) s += "decided by:\n" + decided;
  if (!overridden.empty()) s += "overridden:\n" + overridden;
  if (!inapplicable.empty()) s += "not applicable:\n" + inapplicable;
  // The assumptions the outcome rests on: of the rules that applied, and of the constants and
  // helpers the deciding rules read.
  std::vector<std::string> assumptions;
  auto add_assumption = [&](const std::string& line) {
    if (std::find(assumptions.begin(), assumptions.end(), line) == assumptions.end()) assumptions.push_back(line);
  };
  for (const auto& r : t.rules) {
    const ir::Rule& rule = RuleOf(d, r);
    if ((r.decided || r.applicable) && !rule.cite.assumption.empty())
      add_assumption(fmt::format("rule `{}`: {}", rule.name, rule.cite.assumption));
    if (!r.decided) continue;
    for (const auto& a : r.atoms) {
      for (const auto& [id, _] : a.inputs) {
        const ir::Expr& e = m.exprs[id];
        if (e.op == ir::Op::Const && !m.consts[e.a].cite.assumption.empty())
          add_assumption(fmt::format("`{}`: {}", m.consts[e.a].name, m.consts[e.a].cite.assumption));
        if (e.op == ir::Op::Call && !m.defs[e.a].cite.assumption.empty())
          add_assumption(fmt::format("`{}`: {}", m.defs[e.a].name, m.defs[e.a].cite.assumption));
      }
    }
  }
  if (!assumptions.empty()) {
    s += "rests on assumptions:\n";
    for (const auto& a : assumptions) s += "  " + a + "\n";
  }
  return s;
}

std::string ExplainJson(const ir::Module& m, const SourceManager& sm, const DecisionTrace& t) {
  const ir::Decision& d = m.decisions[t.decision];
  auto rule_json = [&](const RuleTrace& r) {
    const ir::Rule& rule = RuleOf(d, r);
    std::string s =
        fmt::format("{{\"rule\":{},\"citation\":{},\"assumption\":{},\"instrument\":{},\"at\":{},\"applicable\":{}",
                    rt::JsonQuote(rule.name), rule.cite.empty() ? "null" : rt::JsonQuote(rule.cite.cite),
                    rule.cite.assumption.empty() ? "null" : rt::JsonQuote(rule.cite.assumption),
                    rt::JsonQuote(InstrumentOf(m, rule.name_range)), rt::JsonQuote(sm.Where(rule.name_range)),
                    r.applicable ? "true" : "false");
    if (!r.overridden_by.empty()) {
      s += ",\"overridden_by\":[";
      for (size_t i = 0; i < r.overridden_by.size(); ++i)
        s += (i ? "," : "") + rt::JsonQuote(d.rules[r.overridden_by[i]].name);
      s += "]";
    }
    s += ",\"conditions\":[";
    for (size_t i = 0; i < r.atoms.size(); ++i) {
      const auto& a = r.atoms[i];
      s += fmt::format("{}{{\"condition\":{},\"value\":{},\"inputs\":[", i ? "," : "",
                       rt::JsonQuote(Collapse(sm.Text(m.exprs[a.expr].range))), a.value ? "true" : "false");
      auto ins = Inputs(m, sm, a);
      for (size_t k = 0; k < ins.size(); ++k)
        s += fmt::format("{}{{\"expr\":{},\"value\":{}{}}}", k ? "," : "", rt::JsonQuote(ins[k].text),
                         ins[k].json_value, ins[k].cite.empty() ? "" : ",\"citation\":" + rt::JsonQuote(ins[k].cite));
      s += "]}";
    }
    return s + "]}";
  };
  std::string decided, overridden, inapplicable;
  for (const auto& r : t.rules) {
    std::string* target = r.decided ? &decided : (r.applicable ? &overridden : &inapplicable);
    if (!target->empty()) *target += ",";
    *target += rule_json(r);
  }
  return fmt::format("{{\"decided_by\":[{}],\"overridden\":[{}],\"not_applicable\":[{}]}}", decided, overridden,
                     inapplicable);
}

}  // namespace edict::interp
