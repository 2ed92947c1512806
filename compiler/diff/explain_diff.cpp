#include "compiler/diff/diff.h"

#include <algorithm>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "compiler/base/output.h"
#include "compiler/cases/pipeline.h"
#include "compiler/diff/sides.h"
#include "compiler/interp/explain.h"
#include "compiler/interp/interp.h"
#include "compiler/load/load.h"
#include "runtime/case_json.h"
#include "runtime/text.h"

namespace edict::diff {

namespace {

// One case under both sides, aligned rule by rule (the sides' decisions are set).
CaseDiffExplanation ExplainSides(const Side sides[2], const std::string& decision, std::string_view case_text,
                                 const std::string& case_label) {
  CaseDiffExplanation r;
  interp::DecisionTrace traces[2];
  std::string* outcome = r.outcome;
  for (int k = 0; k < 2; ++k) {
    const Side& s = sides[k];
    std::vector<rt::CaseParam> ps;
    for (const auto& p : s.dec().params) ps.push_back({p.name, p.type});
    rt::CaseDecoder decoder(s.m().types, ps);
    rt::DecodedCase dc = decoder.Decode(case_text);
    if (!dc.issues.empty()) {
      r.issues = std::move(dc.issues);
      return r;
    }
    interp::Interpreter in(s.m());
    try {
      outcome[k] = rt::FormatValue(in.EvalDecision(s.decision, dc.args, &traces[k]), s.dec().result, s.m().types);
    } catch (const rt::EvalError& e) { outcome[k] = fmt::format("error [{}]: {}", rt::Spelling(e.kind), e.message); }
    in.Explain(&traces[k]);
    r.label[k] = s.Label();
  }
  // Align the rules of the two versions by label; find the first where they part.
  auto status = [](const interp::RuleTrace* t) -> std::string {
    if (!t) return "not reached";
    if (t->decided) return "decides";
    if (t->applicable && !t->overridden_by.empty()) return "applies, overridden";
    return t->applicable ? "applies" : "does not apply";
  };
  auto find = [&](int k, const std::string& name) -> const interp::RuleTrace* {
    for (const auto& rt_ : traces[k].rules) {
      const ir::Rule& r = rt_.rule == UINT32_MAX ? sides[k].dec().default_rule : sides[k].dec().rules[rt_.rule];
      if (r.name == name) return &rt_;
    }
    return nullptr;
  };
  std::vector<std::string> names;
  for (int k = 0; k < 2; ++k) {
    for (const auto& r : sides[k].dec().rules)
      if (std::find(names.begin(), names.end(), r.name) == names.end()) names.push_back(r.name);
    if (sides[k].dec().has_default && std::find(names.begin(), names.end(), "default") == names.end())
      names.push_back("default");
  }
  std::string out = fmt::format("decision `{}` on {}\nold: {}\n  outcome: {}\nnew: {}\n  outcome: {}\n", decision,
                                case_label, sides[0].Label(), outcome[0], sides[1].Label(), outcome[1]);
  if (outcome[0] == outcome[1]) out += "the outcome is the same under both versions\n";
  std::string first;
  std::string table;
  for (const auto& name : names) {
    const interp::RuleTrace* a = find(0, name);
    const interp::RuleTrace* b = find(1, name);
    std::string sa = status(a), sb = status(b);
    auto prov = [&](int k, const interp::RuleTrace* t) {
      if (!t) return std::string();
      return sides[k].Provision(t->rule);
    };
    bool in_old = std::any_of(sides[0].dec().rules.begin(), sides[0].dec().rules.end(),
                              [&](const ir::Rule& r) { return r.name == name; }) ||
                  (name == "default" && sides[0].dec().has_default);
    bool in_new = std::any_of(sides[1].dec().rules.begin(), sides[1].dec().rules.end(),
                              [&](const ir::Rule& r) { return r.name == name; }) ||
                  (name == "default" && sides[1].dec().has_default);
    if (!in_old) sa = "not in this version";
    if (!in_new) sb = "not in this version";
    // A rule that does not apply has the same effect as no rule: only differences in effect count.
    auto effect = [](const std::string& st) {
      return st == "does not apply" || st == "not in this version" || st == "not reached" ? std::string() : st;
    };
    if (effect(sa) == effect(sb)) continue;
    auto side = [&](int k, const std::string& st, const interp::RuleTrace* t) {
      return t ? st + " — " + prov(k, t) : st;
    };
    r.differences.push_back({name, side(0, sa, a), side(1, sb, b)});
    std::string line = fmt::format("  `{}`: old {} | new {}\n", name, side(0, sa, a), side(1, sb, b));
    if (first.empty()) first = line;
    table += line;
  }
  if (!first.empty()) out += "first provision where they part:\n" + first + "every provision that differs:\n" + table;
  for (int k = 0; k < 2; ++k)
    r.explanation[k] = interp::ExplainText(sides[k].m(), sides[k].program->sources, traces[k]);
  out += "\n--- old: explanation ---\n" + r.explanation[0];
  out += "\n--- new: explanation ---\n" + r.explanation[1];
  r.text = std::move(out);
  return r;
}

}  // namespace

CaseDiffExplanation ExplainCaseDiff(const load::Program& old_program, int old_version, const load::Program& new_program,
                                    int new_version, const std::string& decision, std::string_view case_text,
                                    const std::string& case_label) {
  // Side names its program mutable for the engines the diffs attach; nothing here changes it.
  Side sides[2] = {Side{const_cast<load::Program*>(&old_program), old_version, 0, nullptr},
                   Side{const_cast<load::Program*>(&new_program), new_version, 0, nullptr}};
  for (Side& s : sides) {
    int d = s.m().FindDecision(decision, s.version);
    if (d < 0) {
      CaseDiffExplanation r;
      r.error = fmt::format("the version `{}` has no decision `{}`", s.Name(), decision);
      return r;
    }
    s.decision = uint32_t(d);
  }
  return ExplainSides(sides, decision, case_text, case_label);
}

int RunExplainDiff(const Common& c, const ExplainDiffOptions& o) {
  std::unique_ptr<load::Program> programs[2];
  Side sides[2];
  if (!LoadSides(c, o.old_file, o.new_file, o.decision, programs, &sides[0], &sides[1])) return kCompileError;
  std::string text;
  std::string read_error;
  if (!cases::ReadCaseInput(o.case_file, &text, &read_error)) {
    std::cerr << read_error << "\n";
    return kInputError;
  }
  CaseDiffExplanation r = ExplainSides(sides, o.decision, text, o.case_file);
  if (!r.issues.empty()) {
    for (const auto& is : r.issues)
      std::cerr << fmt::format("{}: error: {}: {} [invalid_case]\n", o.case_file,
                               is.field.empty() ? "the case" : "field `" + is.field + "`", is.message);
    return kFailed;
  }
  WriteStdout(rt::TerminalSafe(r.text, true));  // a failure is reported by main
  return kOk;
}

}  // namespace edict::diff
