#include "compiler/interp/explain.h"

#include <fmt/format.h>

#include <algorithm>

#include "compiler/base/limits.h"
#include "compiler/ir/walk.h"

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

// The values an expression read, as shown: the expression itself and repeats left out.
std::vector<InputView> Inputs(const ir::Module& m, const SourceManager& sm, ir::ExprId expr,
                              const std::vector<std::pair<ir::ExprId, rt::Value>>& inputs) {
  std::vector<InputView> out;
  std::string atom_text = expr == ir::kNoExpr ? "" : Collapse(sm.Text(m.exprs[expr].range));
  for (const auto& [id, v] : inputs) {
    const ir::Expr& e = m.exprs[id];
    InputView iv;
    iv.text = Collapse(sm.Text(e.range));
    if (iv.text == atom_text) continue;  // the atom is this input itself; its value is shown already
    iv.value = ShortValue(m, v, e.type);
    iv.json_value = rt::ValueToJson(v, e.type, m.types);
    if (e.op == ir::Op::Const) iv.cite = CiteText(m.consts[e.a].cite);
    if (e.op == ir::Op::Call) iv.cite = CiteText(m.defs[e.a].cite);
    if (e.op == ir::Op::DecisionCall) iv.cite = CiteText(m.decisions[e.a].cite);
    bool dup = false;
    for (const auto& o : out) dup |= o.text == iv.text;
    if (!dup) out.push_back(std::move(iv));
  }
  return out;
}

// What a call shows: what it calls, its citation, where, its arguments and result.
struct CallView {
  bool decision = false;
  std::string name;
  std::string cite;
  std::string at;  // the call site
  std::vector<std::pair<std::string, rt::Value>> args;
  std::vector<rt::TypeId> arg_types;
  std::vector<std::string> arg_texts;  // as written at the call site
  rt::TypeId result_type = 0;
};

CallView ViewOf(const ir::Module& m, const SourceManager& sm, const CallTrace& c) {
  const ir::Expr& e = m.exprs[c.expr];
  CallView v;
  v.decision = e.op == ir::Op::DecisionCall;
  const std::vector<ir::Param>& params = v.decision ? m.decisions[e.a].params : m.defs[e.a].params;
  v.name = v.decision ? m.decisions[e.a].name : m.defs[e.a].name;
  v.cite = CiteText(v.decision ? m.decisions[e.a].cite : m.defs[e.a].cite);
  v.at = sm.Where(e.range);
  v.result_type = e.type;
  // The arguments' types as at the call site (a generic helper's parameters have its unit
  // parameters; the call's arguments have the units substituted).
  size_t i = 0;
  ir::ForEachOperand(m, e, [&](ir::ExprId arg) {
    if (i < c.args.size() && i < params.size()) {
      v.args.emplace_back(params[i].name, c.args[i]);
      v.arg_types.push_back(m.exprs[arg].type);
      v.arg_texts.push_back(Collapse(sm.Text(m.exprs[arg].range)));
    }
    ++i;
  });
  return v;
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

namespace {

// A call's arguments in text: `name = value`, but a record as the expression that gave it (its
// fields that matter are shown where they are read), by its name alone when that is the
// parameter's: `lpp_available(t)`, `price(i = o.items[0])`.
std::string Args(const ir::Module& m, const CallView& v) {
  std::string s;
  for (size_t i = 0; i < v.args.size(); ++i) {
    s += i ? ", " : "";
    if (m.types.kind(v.arg_types[i]) != rt::TypeKind::Record)
      s += fmt::format("{} = {}", v.args[i].first, ShortValue(m, v.args[i].second, v.arg_types[i]));
    else if (v.arg_texts[i] == v.args[i].first)
      s += v.args[i].first;
    else
      s += fmt::format("{} = {}", v.args[i].first, v.arg_texts[i]);
  }
  return s;
}

std::string RuleLine(const ir::Module& m, const SourceManager& sm, const ir::Rule& r) {
  std::string line = fmt::format("rule `{}`", r.name);
  if (!r.cite.empty()) line += " — " + CiteText(r.cite);
  if (r.name_range.file < m.file_instrument.size() && m.file_instrument[r.name_range.file] >= 0)
    line += fmt::format(" [instrument {}]", m.instruments[size_t(m.file_instrument[r.name_range.file])].name);
  line += fmt::format("  ({})", sm.Where(r.name_range));
  return line;
}

// The explanation as a tree of lines, which the text and HTML renderings share.
class Tree {
 public:
  Tree(const ir::Module& m, const SourceManager& sm) : m_(m), sm_(sm) {}

  // The decision's rules, how its outcome was built and its assumptions, as sections.
  std::vector<ExplainNode> Body(const DecisionTrace& t) {
    const ir::Decision& d = m_.decisions[t.decision];
    ExplainNode decided{"decided by:", 2}, overridden{"overridden:", 2}, inapplicable{"not applicable:", 2};
    for (const auto& r : t.rules) {
      const ir::Rule& rule = RuleOf(d, r);
      ExplainNode n{RuleLine(m_, sm_, rule), 4};
      if (r.decided) {
        if (r.rule == UINT32_MAX)
          n.kids.push_back({"no rule applied, so the default gives the outcome"});
        else if (rule.condition == ir::kNoExpr)
          n.kids.push_back({"applies unconditionally"});
        Atoms(r, false, &n.kids);
        decided.kids.push_back(std::move(n));
      } else if (r.applicable && !r.overridden_by.empty()) {
        std::string by;
        for (uint32_t o : r.overridden_by)
          by += (by.empty() ? "" : ", ") + fmt::format("`{}`", d.rules[o].name) +
                (d.rules[o].cite.empty() ? "" : " (" + d.rules[o].cite.cite + ")");
        n.kids.push_back({"applies, but is overridden by " + by});
        Atoms(r, false, &n.kids);
        overridden.kids.push_back(std::move(n));
      } else if (!r.applicable) {
        // For rules that did not apply, the conditions that failed are the reasons.
        Atoms(r, true, &n.kids);
        inapplicable.kids.push_back(std::move(n));
      }
    }
    std::vector<ExplainNode> out;
    if (!decided.kids.empty()) out.push_back(std::move(decided));
    if (!t.outcome_parts.empty()) {
      ExplainNode built{"outcome built from:", 2};
      for (const OutcomePart& p : t.outcome_parts) {
        std::string text = Collapse(sm_.Text(m_.exprs[p.expr].range));
        std::string field =
            p.field < 0
                ? ""
                : fmt::format("`{}`: ", m_.types.records[m_.types.info(d.result).ref].fields[size_t(p.field)].name);
        ExplainNode n{fmt::format("{}{}  ->  {}", field, text, ShortValue(m_, p.value, m_.exprs[p.expr].type)), 4};
        Read(p.expr, p.inputs, &n.kids);
        Calls(p.calls, &n.kids);
        built.kids.push_back(std::move(n));
      }
      out.push_back(std::move(built));
    }
    if (!overridden.kids.empty()) out.push_back(std::move(overridden));
    if (!inapplicable.kids.empty()) out.push_back(std::move(inapplicable));
    // The assumptions the outcome rests on: of the rules that applied, and of the constants and
    // helpers the deciding rules read.
    ExplainNode assumptions{"rests on assumptions:", 2};
    auto add_assumption = [&](const std::string& line) {
      for (const auto& a : assumptions.kids)
        if (a.text == line) return;
      assumptions.kids.push_back({line});
    };
    for (const auto& r : t.rules) {
      const ir::Rule& rule = RuleOf(d, r);
      if ((r.decided || r.applicable) && !rule.cite.assumption.empty())
        add_assumption(fmt::format("rule `{}`: {}", rule.name, rule.cite.assumption));
      if (!r.decided) continue;
      for (const auto& a : r.atoms) {
        for (const auto& [id, _] : a.inputs) {
          const ir::Expr& e = m_.exprs[id];
          if (e.op == ir::Op::Const && !m_.consts[e.a].cite.assumption.empty())
            add_assumption(fmt::format("`{}`: {}", m_.consts[e.a].name, m_.consts[e.a].cite.assumption));
          if (e.op == ir::Op::Call && !m_.defs[e.a].cite.assumption.empty())
            add_assumption(fmt::format("`{}`: {}", m_.defs[e.a].name, m_.defs[e.a].cite.assumption));
        }
      }
    }
    if (!assumptions.kids.empty()) out.push_back(std::move(assumptions));
    return out;
  }

 private:
  void Atoms(const RuleTrace& r, bool only_false, std::vector<ExplainNode>* out) {
    for (const auto& a : r.atoms) {
      if (only_false && a.value) continue;
      ExplainNode n{fmt::format("{}  ->  {}", Collapse(sm_.Text(m_.exprs[a.expr].range)), a.value ? "true" : "false")};
      Read(a.expr, a.inputs, &n.kids);
      Calls(a.calls, &n.kids);
      out->push_back(std::move(n));
    }
  }

  void Read(ir::ExprId expr, const std::vector<std::pair<ir::ExprId, rt::Value>>& inputs,
            std::vector<ExplainNode>* out) {
    for (const auto& iv : Inputs(m_, sm_, expr, inputs))
      out->push_back({fmt::format("{} = {}{}", iv.text, iv.value, iv.cite.empty() ? "" : "  [" + iv.cite + "]")});
  }

  void Calls(const std::vector<CallTrace>& calls, std::vector<ExplainNode>* out) {
    for (const CallTrace& c : calls) {
      CallView v = ViewOf(m_, sm_, c);
      std::string result = c.result ? "  ->  " + ShortValue(m_, *c.result, v.result_type) : "  fails";
      ExplainNode n{fmt::format("call of {}`{}`({}){}{}  ({})", v.decision ? "decision " : "", v.name, Args(m_, v),
                                result, v.cite.empty() ? "" : " — " + v.cite, v.at),
                    4, true};
      if (c.times > 1) n.kids.push_back({fmt::format("called {} times here; the first call is shown", c.times)});
      if (c.omitted)
        n.kids.push_back({fmt::format("not traced: this explanation reached its limit of {} traced calls",
                                      limits::kMaxTracedCalls)});
      if (c.decision) {
        for (auto& k : Body(*c.decision)) n.kids.push_back(std::move(k));
      } else {
        Read(ir::kNoExpr, c.inputs, &n.kids);
        Calls(c.calls, &n.kids);
      }
      out->push_back(std::move(n));
    }
  }

  const ir::Module& m_;
  const SourceManager& sm_;
};

void Render(const std::vector<ExplainNode>& nodes, const std::string& indent, std::string* out) {
  for (const ExplainNode& n : nodes) {
    *out += indent + n.text + "\n";
    Render(n.kids, indent + std::string(n.indent, ' '), out);
  }
}

}  // namespace

std::vector<ExplainNode> ExplainTree(const ir::Module& m, const SourceManager& sm, const DecisionTrace& t) {
  const ir::Decision& d = m.decisions[t.decision];
  std::vector<ExplainNode> out;
  std::string s = fmt::format("decision `{}`", d.name);
  if (!d.cite.empty()) s += " — " + CiteText(d.cite);
  out.push_back({s});
  // The law in force: the version evaluated, and what it amends.
  if (d.version < m.versions.size()) {
    const ir::Version& ver = m.versions[d.version];
    if (ver.instrument >= 0) {
      const ir::Instrument& in = m.instruments[size_t(ver.instrument)];
      s = "law in force: " + InstrumentTitle(in);
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
      out.push_back({s});
    }
  }
  if (t.outcome) out.push_back({"outcome: " + rt::FormatValue(*t.outcome, d.result, m.types)});
  for (auto& n : Tree(m, sm).Body(t)) out.push_back(std::move(n));
  return out;
}

std::string ExplainText(const ir::Module& m, const SourceManager& sm, const DecisionTrace& t) {
  std::string s;
  Render(ExplainTree(m, sm, t), "", &s);
  return s;
}

namespace {

class Json {
 public:
  Json(const ir::Module& m, const SourceManager& sm) : m_(m), sm_(sm) {}

  std::string Explanation(const DecisionTrace& t) {
    const ir::Decision& d = m_.decisions[t.decision];
    std::string decided, overridden, inapplicable;
    for (const auto& r : t.rules) {
      std::string* target = r.decided ? &decided : (r.applicable ? &overridden : &inapplicable);
      if (!target->empty()) *target += ",";
      *target += Rule(d, r);
    }
    std::string s = fmt::format("{{\"decided_by\":[{}],\"overridden\":[{}],\"not_applicable\":[{}]", decided,
                                overridden, inapplicable);
    if (!t.outcome_parts.empty()) {
      s += ",\"outcome_built_from\":[";
      for (size_t i = 0; i < t.outcome_parts.size(); ++i) {
        const OutcomePart& p = t.outcome_parts[i];
        const ir::Expr& e = m_.exprs[p.expr];
        s += fmt::format(
            "{}{{\"field\":{},\"expr\":{},\"value\":{},\"inputs\":{}{}}}", i ? "," : "",
            p.field < 0 ? "null"
                        : rt::JsonQuote(m_.types.records[m_.types.info(d.result).ref].fields[size_t(p.field)].name),
            rt::JsonQuote(Collapse(sm_.Text(e.range))), rt::ValueToJson(p.value, e.type, m_.types),
            InputsJson(p.expr, p.inputs), CallsJson(p.calls));
      }
      s += "]";
    }
    return s + "}";
  }

 private:
  std::string Rule(const ir::Decision& d, const RuleTrace& r) {
    const ir::Rule& rule = RuleOf(d, r);
    std::string s =
        fmt::format("{{\"rule\":{},\"citation\":{},\"assumption\":{},\"instrument\":{},\"at\":{},\"applicable\":{}",
                    rt::JsonQuote(rule.name), rule.cite.empty() ? "null" : rt::JsonQuote(rule.cite.cite),
                    rule.cite.assumption.empty() ? "null" : rt::JsonQuote(rule.cite.assumption),
                    rt::JsonQuote(InstrumentOf(m_, rule.name_range)), rt::JsonQuote(sm_.Where(rule.name_range)),
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
      s += fmt::format("{}{{\"condition\":{},\"value\":{},\"inputs\":{}{}}}", i ? "," : "",
                       rt::JsonQuote(Collapse(sm_.Text(m_.exprs[a.expr].range))), a.value ? "true" : "false",
                       InputsJson(a.expr, a.inputs), CallsJson(a.calls));
    }
    return s + "]}";
  }

  std::string InputsJson(ir::ExprId expr, const std::vector<std::pair<ir::ExprId, rt::Value>>& inputs) {
    auto ins = Inputs(m_, sm_, expr, inputs);
    std::string s = "[";
    for (size_t k = 0; k < ins.size(); ++k)
      s += fmt::format("{}{{\"expr\":{},\"value\":{}{}}}", k ? "," : "", rt::JsonQuote(ins[k].text), ins[k].json_value,
                       ins[k].cite.empty() ? "" : ",\"citation\":" + rt::JsonQuote(ins[k].cite));
    return s + "]";
  }

  // `,"calls":[...]` when there is a call, else nothing.
  std::string CallsJson(const std::vector<CallTrace>& calls) {
    if (calls.empty()) return "";
    std::string s = ",\"calls\":[";
    for (size_t i = 0; i < calls.size(); ++i) {
      const CallTrace& c = calls[i];
      CallView v = ViewOf(m_, sm_, c);
      std::string args;
      for (size_t k = 0; k < v.args.size(); ++k)
        args += fmt::format("{}{{\"name\":{},\"value\":{}}}", k ? "," : "", rt::JsonQuote(v.args[k].first),
                            rt::ValueToJson(v.args[k].second, v.arg_types[k], m_.types));
      s += fmt::format("{}{{\"call\":\"{}\",\"name\":{},\"citation\":{},\"at\":{},\"arguments\":[{}],\"result\":{}",
                       i ? "," : "", v.decision ? "decision" : "helper", rt::JsonQuote(v.name),
                       v.cite.empty() ? "null" : rt::JsonQuote(v.cite), rt::JsonQuote(v.at), args,
                       c.result ? rt::ValueToJson(*c.result, v.result_type, m_.types) : "null");
      if (c.times > 1) s += fmt::format(",\"times\":{}", c.times);
      if (c.omitted) s += ",\"omitted\":true";
      if (c.decision)
        s += ",\"explanation\":" + Explanation(*c.decision);
      else if (!c.omitted)
        s += ",\"inputs\":" + InputsJson(ir::kNoExpr, c.inputs) +
             (c.calls.empty() ? ",\"calls\":[]" : CallsJson(c.calls));
      s += "}";
    }
    return s + "]";
  }

  const ir::Module& m_;
  const SourceManager& sm_;
};

}  // namespace

std::string ExplainJson(const ir::Module& m, const SourceManager& sm, const DecisionTrace& t) {
  return Json(m, sm).Explanation(t);
}

}  // namespace edict::interp
