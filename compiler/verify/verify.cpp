#include "compiler/verify/verify.h"

#include <chrono>

#include <fmt/format.h>

#include "compiler/interp/interp.h"
#include "compiler/smt/verify.h"
#include "runtime/errors.h"

namespace edict::verify {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "note";
}

bool DecisionReport::errors() const {
  for (const Finding& f : findings)
    if (f.severity == Severity::Error) return true;
  return false;
}

namespace {

class Verifier {
 public:
  Verifier(const ir::Module& m, const SourceManager& sm, uint32_t decision)
      : m_(m), sm_(sm), decision_(decision), d_(m.decisions[decision]), interp_(m) {}

  std::string Where(SourceRange r) const { return r.file < sm_.size() ? sm_.Where(r) : ""; }

  Finding::Rule RuleOf(uint32_t r) const {
    const ir::Rule& rule = d_.rules[r];
    return {rule.name, rule.cite.cite, Where(rule.name_range), rule.name_range};
  }
  // `name` (cite "...")
  std::string Named(uint32_t r) const {
    const ir::Rule& rule = d_.rules[r];
    return fmt::format("`{}`{}", rule.name, rule.cite.empty() ? "" : fmt::format(" (cite \"{}\")", rule.cite.cite));
  }
  std::string Names(const std::vector<uint32_t>& rs) const {
    std::string s;
    for (size_t i = 0; i < rs.size(); ++i) s += (i == 0 ? "" : i + 1 == rs.size() ? " and " : ", ") + Named(rs[i]);
    return s;
  }

  std::string WitnessJson(const std::vector<rt::Value>& args) const {
    std::string s = "{";
    for (size_t i = 0; i < d_.params.size() && i < args.size(); ++i)
      s += (i ? ", " : "") + rt::JsonQuote(d_.params[i].name) + ": " +
           rt::ValueToJson(args[i], d_.params[i].type, m_.types);
    return s + "}";
  }

  // Runs the witness on the interpreter: the error it raises (kind, message, place), or its outcome.
  struct Replayed {
    int error = 0;  // 1 + kind
    std::string text;
    SourceRange range;
    interp::DecisionTrace trace;
  };
  Replayed Replay(const std::vector<rt::Value>& args) {
    Replayed run;
    try {
      rt::Value v = interp_.EvalDecision(decision_, args, &run.trace);
      run.text = "outcome " + rt::FormatValue(v, d_.result, m_.types);
    } catch (const rt::EvalError& e) {
      run.error = 1 + int(e.kind);
      run.text = fmt::format("{}: {}", rt::Spelling(e.kind), e.message);
      run.range = e.range;
    }
    return run;
  }

  void Error(const smt::ErrorQuestion& q, DecisionReport& out) {
    auto kind = rt::RtErrorKind(q.error - 1);
    std::string spelling = rt::Spelling(kind);
    switch (q.unreachable) {
      case smt::Answer::Holds: out.proved.push_back(spelling); return;
      case smt::Answer::Unknown:
        out.findings.push_back(Unknown(fmt::format("whether `{}` is reachable", spelling), d_.range));
        return;
      case smt::Answer::Fails: break;
    }
    for (const auto& w : q.witnesses) {
      Finding f;
      f.severity = Severity::Error;
      f.kind = spelling;
      f.witness = WitnessJson(w.args);
      Replayed run = Replay(w.args);
      f.replay = run.text;
      f.replayed = run.error == q.error;
      f.range = run.error ? run.range : d_.range;
      for (uint32_t r : w.rules) f.rules.push_back(RuleOf(r));
      switch (kind) {
        case rt::RtErrorKind::Conflict:
          f.message = fmt::format(
              "rules {} apply to the same case and give different outcomes, and none prevails over the others (no "
              "`exception to` between them): the case below fails with `conflict`",
              Names(w.rules));
          if (!w.rules.empty()) f.range = d_.rules[w.rules.back()].name_range;
          break;
        case rt::RtErrorKind::NoApplicableRule:
          f.message = fmt::format(
              "no rule of `{}` applies to some cases and it has no default: the case below fails "
              "with `no_applicable_rule`",
              d_.name);
          break;
        case rt::RtErrorKind::InvalidCase:
        case rt::RtErrorKind::Overflow:
        case rt::RtErrorKind::DivisionByZero:
        case rt::RtErrorKind::InvalidDate:
        case rt::RtErrorKind::IncomparableDurations:
        case rt::RtErrorKind::NotAnInteger:
        case rt::RtErrorKind::AssertionFailed:
        case rt::RtErrorKind::IndexOutOfRange:
        case rt::RtErrorKind::EmptyList:
          f.message = fmt::format("{} is reachable within the declared domains: the case below fails with `{}`",
                                  rt::Summary(kind), spelling);
          break;
      }
      if (!f.replayed)
        f.message += fmt::format(
            "; but the interpreter does not confirm it on the witness (it gives {}): the encoding and the "
            "interpreter disagree, please report this",
            run.text);
      f.where = Where(f.range);
      out.findings.push_back(std::move(f));
    }
    if (q.more)
      out.findings.push_back(Note(
          "more",
          fmt::format("more sets of rules in conflict exist than are listed; fix these and run `edict verify` again"),
          d_.range));
  }

  void RuleFinding(const smt::RuleFinding& rf, DecisionReport& out) {
    const ir::Rule& rule = d_.rules[rf.rule];
    const char* question = "";
    switch (rf.problem) {
      case smt::RuleProblem::NeverApplies: question = "can apply"; break;
      case smt::RuleProblem::AlwaysOverridden: question = "ever decides"; break;
      case smt::RuleProblem::NoEffect: question = "ever takes effect as an exception"; break;
      case smt::RuleProblem::Redundant: question = "changes any verdict"; break;
    }
    if (rf.answer == smt::Answer::Unknown) {
      Finding f = Unknown(fmt::format("whether rule {} {}", Named(rf.rule), question), rule.name_range);
      f.rules.push_back(RuleOf(rf.rule));
      out.findings.push_back(std::move(f));
      return;
    }
    Finding f;
    f.severity = Severity::Warning;
    f.range = rule.name_range;
    f.where = Where(f.range);
    f.rules.push_back(RuleOf(rf.rule));
    std::vector<uint32_t> bases;
    switch (rf.problem) {
      case smt::RuleProblem::NeverApplies:
        f.kind = "never_applies";
        f.message = fmt::format(
            "rule {} can never apply: its condition is false for every case the declared domains and invariants allow",
            Named(rf.rule));
        break;
      case smt::RuleProblem::AlwaysOverridden:
        f.kind = "always_overridden";
        f.message = fmt::format(
            "rule {} never decides: whenever it applies, a rule that prevails over it applies too{}", Named(rf.rule),
            rf.by.empty() ? "" : fmt::format(" (on the case below, {} decides)", Names(rf.by)));
        for (uint32_t r : rf.by) f.rules.push_back(RuleOf(r));
        break;
      case smt::RuleProblem::NoEffect:
        f.kind = "no_effect";
        bases = rule.exception_to;
        f.message = fmt::format(
            "exception {} never takes effect: it applies to some cases, but never together with {}, which it is an "
            "exception to, so it overrides nothing (it decides alone where it applies)",
            Named(rf.rule), Names(bases));
        for (uint32_t r : bases) f.rules.push_back(RuleOf(r));
        break;
      case smt::RuleProblem::Redundant:
        f.kind = "redundant";
        f.message = fmt::format(
            "rule {} changes no verdict: without it every case gets the same outcome (or fails with the same error)",
            Named(rf.rule));
        break;
    }
    if (!rf.witness.empty()) {
      f.witness = WitnessJson(rf.witness);
      Replayed run = Replay(rf.witness);
      f.replay = run.text;
      // The interpreter must find the rule applicable on the witness, and (always overridden) not deciding.
      bool applies = false, decided = false;
      for (const auto& t : run.trace.rules)
        if (t.rule == rf.rule) applies = t.applicable, decided = t.decided;
      f.replayed = run.error == 0 && applies && !(rf.problem == smt::RuleProblem::AlwaysOverridden && decided);
      if (run.error) f.replayed = false;
      if (!f.replayed)
        f.message += fmt::format(
            "; but the interpreter does not confirm the case below (it gives {}): please report this", run.text);
    }
    out.findings.push_back(std::move(f));
  }

  Finding Note(std::string kind, std::string message, SourceRange range) const {
    Finding f;
    f.severity = Severity::Note;
    f.kind = std::move(kind);
    f.message = std::move(message);
    f.range = range;
    f.where = Where(range);
    return f;
  }
  Finding Unknown(const std::string& what, SourceRange range) const {
    return Note("unknown",
                fmt::format("not proved: Z3 reached the solver limit before settling {} (`--solver-limit N` with a "
                            "larger N, or 0 for none, lets it search longer)",
                            what),
                range);
  }

  DecisionReport Run(const Options& o) {
    auto t0 = std::chrono::steady_clock::now();
    DecisionReport out;
    out.decision = d_.name;
    out.index = decision_;
    if (d_.version < m_.versions.size()) out.version = m_.versions[d_.version].name;
    SourceRange declared = d_.amended_by.empty() ? d_.range : d_.amended_by.back();
    if (declared.file < sm_.size()) out.file = sm_.file(declared.file).path;
    smt::VerifyResult r = smt::Verify(m_, decision_, o.solver_limit, o.rules);
    if (r.unsupported) {
      // An input's construct has no place of its own: the decision's.
      SourceRange at = r.unsupported->range.begin == r.unsupported->range.end ? d_.range : r.unsupported->range;
      out.findings.push_back(Note("unsupported",
                                  fmt::format("nothing is proved about `{}`: the encoding for Z3 does not cover {}",
                                              d_.name, r.unsupported->what),
                                  at));
    } else if (r.empty_domain) {
      out.findings.push_back(Note("empty_domain",
                                  fmt::format("no case meets the declared domains and invariants of `{}`'s inputs, so "
                                              "every property holds vacuously; check the invariants",
                                              d_.name),
                                  d_.range));
    }
    for (const auto& q : r.errors) Error(q, out);
    for (const auto& rf : r.rules) RuleFinding(rf, out);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
  }

 private:
  const ir::Module& m_;
  const SourceManager& sm_;
  uint32_t decision_;
  const ir::Decision& d_;
  interp::Interpreter interp_;
};

std::string Plural(size_t n, const char* one) { return fmt::format("{} {}{}", n, one, n == 1 ? "" : "s"); }

}  // namespace

DecisionReport VerifyDecision(const ir::Module& m, const SourceManager& sources, uint32_t decision, const Options& o) {
  Verifier v(m, sources, decision);
  return v.Run(o);
}

std::string Text(const std::vector<FileReport>& files) {
  std::string s;
  size_t errors = 0, warnings = 0, notes = 0, decisions = 0;
  // "1 error, 2 warnings" and, when there are any, "3 notes (not proved)".
  auto counts = [](size_t e, size_t w, size_t n) {
    return fmt::format("{}, {}{}", Plural(e, "error"), Plural(w, "warning"),
                       n ? fmt::format(", {} (not proved)", Plural(n, "note")) : "");
  };
  for (const FileReport& fr : files)
    for (const DecisionReport& d : fr.decisions) {
      ++decisions;
      size_t e = 0, w = 0, n = 0;
      for (const Finding& f : d.findings)
        e += f.severity == Severity::Error, w += f.severity == Severity::Warning, n += f.severity == Severity::Note;
      errors += e, warnings += w, notes += n;
      s += fmt::format("{}: decision `{}`{}: {}\n", d.file.empty() ? fr.file : d.file, d.decision,
                       d.version.empty() ? "" : fmt::format(" (version `{}`)", d.version), counts(e, w, n));
      for (const Finding& f : d.findings) {
        s += fmt::format("  {}: {}{}\n", SeverityName(f.severity), f.kind, f.where.empty() ? "" : " at " + f.where);
        s += fmt::format("    {}\n", f.message);
        for (const auto& r : f.rules)
          s += fmt::format("    rule `{}` at {}{}\n", r.name, r.where,
                           r.cite.empty() ? ", citing no provision" : fmt::format(": \"{}\"", r.cite));
        if (!f.witness.empty()) {
          s += fmt::format("    witness: {}\n", f.witness);
          s +=
              fmt::format("    on the interpreter{}: {}\n", f.replayed ? " (confirmed)" : " (NOT confirmed)", f.replay);
        }
      }
      std::string proved;
      for (const auto& p : d.proved) proved += (proved.empty() ? "" : ", ") + p;
      if (!proved.empty()) s += fmt::format("  proved unreachable: {}\n", proved);
    }
  s += fmt::format("{} verified: {}\n", Plural(decisions, "decision"), counts(errors, warnings, notes));
  return s;
}

std::string Json(const std::vector<FileReport>& files) {
  std::string s = "{\"files\": [";
  for (size_t i = 0; i < files.size(); ++i) {
    const FileReport& fr = files[i];
    s += fmt::format("{}\n  {{\"file\": {}, \"decisions\": [", i ? "," : "", rt::JsonQuote(fr.file));
    for (size_t j = 0; j < fr.decisions.size(); ++j) {
      const DecisionReport& d = fr.decisions[j];
      s += fmt::format("{}\n    {{\"decision\": {}, \"version\": {}, \"declared_in\": {}, \"findings\": [",
                       j ? "," : "", rt::JsonQuote(d.decision), rt::JsonQuote(d.version), rt::JsonQuote(d.file));
      for (size_t k = 0; k < d.findings.size(); ++k) {
        const Finding& f = d.findings[k];
        std::string rules;
        for (size_t r = 0; r < f.rules.size(); ++r)
          rules +=
              fmt::format("{}{{\"name\": {}, \"cite\": {}, \"at\": {}}}", r ? ", " : "", rt::JsonQuote(f.rules[r].name),
                          rt::JsonQuote(f.rules[r].cite), rt::JsonQuote(f.rules[r].where));
        s += fmt::format(
            "{}\n      {{\"severity\": \"{}\", \"kind\": {}, \"at\": {}, \"message\": {}, \"rules\": [{}], "
            "\"witness\": {}, "
            "\"replay\": {}, \"replayed\": {}}}",
            k ? "," : "", SeverityName(f.severity), rt::JsonQuote(f.kind), rt::JsonQuote(f.where),
            rt::JsonQuote(f.message), rules, f.witness.empty() ? "null" : f.witness,
            f.witness.empty() ? "null" : rt::JsonQuote(f.replay),
            f.witness.empty() ? "null"
            : f.replayed      ? "true"
                              : "false");
      }
      std::string proved;
      for (size_t k = 0; k < d.proved.size(); ++k) proved += (k ? ", " : "") + rt::JsonQuote(d.proved[k]);
      s += fmt::format("{}], \"proved_unreachable\": [{}]}}", d.findings.empty() ? "" : "\n    ", proved);
    }
    s += fmt::format("{}]}}", fr.decisions.empty() ? "" : "\n  ");
  }
  size_t errors = 0, warnings = 0, notes = 0;
  for (const FileReport& fr : files)
    for (const DecisionReport& d : fr.decisions)
      for (const Finding& f : d.findings)
        errors += f.severity == Severity::Error, warnings += f.severity == Severity::Warning,
            notes += f.severity == Severity::Note;
  s += fmt::format("\n], \"errors\": {}, \"warnings\": {}, \"notes\": {}}}\n", errors, warnings, notes);
  return s;
}

}  // namespace edict::verify
