#include "compiler/diff/symbolic.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <set>

#include <fmt/format.h>

#include "compiler/base/output.h"
#include "compiler/diff/symbolic_report.h"
#include "compiler/interp/interp.h"
#include "compiler/jit/run.h"
#include "compiler/smt/symbolic.h"
#include "runtime/case_json.h"

namespace edict::diff {

namespace sym {

std::string ErrorOf(const SideClass& sc) { return sc.error ? rt::Spelling(rt::RtErrorKind(sc.error - 1)) : ""; }

}  // namespace sym

namespace {

using namespace sym;

// A side as compiler/smt/ sees it: a decision of a module.
smt::Side SmtSide(const Side& s) { return {&s.m(), s.decision}; }

// The finite parts of a value, as text; numbers and dates are `_`, and so are sets unless
// `sets` (a class does not split on its flags).
std::string Project(const rt::Value& v, rt::TypeId t, const rt::TypeTable& types, bool sets) {
  const rt::TypeInfo& ti = types.info(t);
  switch (ti.kind) {
    case rt::TypeKind::Bool:
    case rt::TypeKind::Enum:
    case rt::TypeKind::Text: return rt::FormatValue(v, t, types);
    case rt::TypeKind::Set: return sets ? rt::FormatValue(v, t, types) : "_";
    case rt::TypeKind::Record: {
      const auto& r = types.records[ti.ref];
      std::string s = "{";
      for (size_t i = 0; i < r.fields.size(); ++i)
        s += (i ? ", " : "") + r.fields[i].name + ": " +
             Project((*v.AsRecord().fields)[i], r.fields[i].type, types, sets);
      return s + "}";
    }
    case rt::TypeKind::Sum: {  // the member, and the finite parts of the value it carries
      const auto& en = types.enums[ti.ref];
      const auto& s = v.AsSum();
      return en.members[s.index] +
             (s.payload ? "(" + Project(*s.payload, en.payloads[s.index], types, sets) + ")" : "");
    }
    case rt::TypeKind::Error:
    case rt::TypeKind::Integer:
    case rt::TypeKind::Decimal:
    case rt::TypeKind::Date:
    case rt::TypeKind::Duration:
    case rt::TypeKind::List: return "_";
  }
  return "_";
}

std::string SideKey(const Side& s, const SideClass& sc) {
  return ClassKey(s, ErrorOf(sc), sc.error ? nullptr : &sc.outcome, sc.deciding);
}
// The key with the flags' values too: what a replayed witness must give exactly.
std::string FullKey(const Side& s, const SideClass& sc) {
  if (sc.error) return SideKey(s, sc);
  return SideKey(s, sc) + " " + Project(sc.outcome, s.dec().result, s.m().types, true);
}

class Symbolic {
 public:
  Symbolic(const DiffOptions& o, Side& a, Side& b, const std::function<int()>& engines)
      : o_(o), a_(a), b_(b), engines_(engines) {}

  int Run(std::vector<SymbolicClass>* out);

 private:
  bool Replay(Class& k, std::string* why);

  const DiffOptions& o_;
  Side& a_;
  Side& b_;
  const std::function<int()>& engines_;  // waits for the sides' engines (may be empty)
  std::unique_ptr<smt::SymbolicDiff> e_;
  Findings f_;
  std::unique_ptr<interp::Interpreter> interp_[2];  // replay engines, per side
  std::unique_ptr<jit::Runner> runner_[2];
};

// Runs the witness on both engines and both versions; it must land in the class.
bool Symbolic::Replay(Class& k, std::string* why) {
  for (int side = 0; side < 2; ++side) {
    Side& s = side ? b_ : a_;
    const SideClass& want = side ? k.new_c : k.old_c;
    if (!interp_[side]) {
      interp_[side] = std::make_unique<interp::Interpreter>(s.m());
      runner_[side] = std::make_unique<jit::Runner>(s.m(), *s.engine);
    }
    interp::Interpreter& in = *interp_[side];
    jit::Runner& runner = *runner_[side];
    // The witness is in the old program's types; another program numbers its enums and records
    // its own way, so it reads the witness as a case file would give it.
    std::vector<rt::Value> args = k.witness;
    if (side == 1 && b_.program != a_.program) {
      std::vector<rt::CaseParam> params;
      for (const auto& p : s.dec().params) params.push_back({p.name, p.type});
      rt::DecodedCase c = rt::CaseDecoder(s.m().types, std::move(params)).Decode(k.witness_json);
      if (!c.issues.empty()) {
        *why = fmt::format("on `{}` the witness does not decode: {}", s.Name(), c.issues[0].message);
        return false;
      }
      args = std::move(c.args);
    }
    for (int engine = 0; engine < 2; ++engine) {
      interp::DecisionTrace trace;
      SideClass got;
      try {
        rt::Value v = engine ? runner.Eval(s.decision, args, &trace) : in.EvalDecision(s.decision, args, &trace);
        got.outcome = v;
        for (const auto& rt_ : trace.rules)
          if (rt_.decided) got.deciding.push_back(rt_.rule);
        if (got.deciding.empty()) got.deciding.push_back(UINT32_MAX);
      } catch (const rt::EvalError& err) { got.error = 1 + int(err.kind); }
      std::string expected = FullKey(s, want), actual = FullKey(s, got);
      if (expected != actual) {
        *why = fmt::format("on `{}` the {} gives {} where the encoding predicts {}", s.Name(),
                           engine ? "JIT" : "interpreter", actual, expected);
        return false;
      }
    }
  }
  return true;
}

int Symbolic::Run(std::vector<SymbolicClass>* out) {
  auto t0 = std::chrono::steady_clock::now();
  const ir::Decision& da = a_.dec();
  e_ = std::make_unique<smt::SymbolicDiff>(SmtSide(a_), SmtSide(b_));
  if (!e_->SameShape()) {
    std::cerr << fmt::format(
        "error: the symbolic diff needs both versions of `{}` to take the same inputs and give the same "
        "outcome type (the same fields, units, enum members and domains); use --cases for a corpus diff\n",
        o_.decision);
    return kFailed;
  }
  try {
    e_->Build();
  } catch (const smt::Unsupported& u) {
    const auto& srcs = a_.program->sources;
    std::cerr << fmt::format("error: the symbolic diff cannot encode {}{}; use --cases for a corpus diff\n", u.what,
                             u.range.valid() ? " at " + srcs.Where(u.range) : "");
    return kFailed;
  }
  f_.flag_names = FlagNames(da.result, a_.m().types);
  f_.atoms = e_->Atoms();
  f_.inputs = e_->Inputs();
  bool debug = std::getenv("EDICT_SYMBOLIC_DEBUG") != nullptr;
  auto since = [](auto t) { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count(); };
  if (debug) std::cerr << fmt::format("encoded in {:.3f} s; {} atoms\n", since(t0), f_.atoms.size());
  // The first stage: the flags over the whole domain, and every class, each with a witness.
  std::vector<smt::Class> found;
  e_->SetSolverLimit(o_.solver_limit);
  if (!out) e_->SetFlagRegions(o_.max_conjunctions);  // the report shows where each flag holds
  e_->Enumerate(f_.global_flags, found, f_.status);
  for (smt::Class& c : found) {
    Class k{std::move(c), "", ""};
    k.witness_json = "{";
    for (size_t i = 0; i < da.params.size(); ++i)
      k.witness_json += (i ? "," : "") + rt::JsonQuote(da.params[i].name) + ":" +
                        rt::ValueToJson(k.witness[i], da.params[i].type, a_.m().types);
    k.witness_json += "}";
    k.key = SideKey(a_, k.old_c) + " -> " + SideKey(b_, k.new_c);
    f_.classes.push_back(std::move(k));
  }
  // Every witness runs on both engines and both versions before anything is reported.
  if (debug)
    std::cerr << fmt::format("{} classes found in {:.3f} s; waiting for the engines\n", f_.classes.size(), since(t0));
  if (engines_)
    if (int rc = engines_(); rc != kOk) return rc;
  for (Class& k : f_.classes) {
    std::string why;
    if (!Replay(k, &why)) {
      std::cerr << fmt::format(
          "internal error: a witness of the symbolic diff does not replay ({}); the encoding disagrees with "
          "the engines, please report this\n  witness: {}\n",
          why, k.witness_json);
      return kFailed;
    }
  }
  if (debug) std::cerr << fmt::format("{} classes in {:.3f} s\n", f_.classes.size(), since(t0));
  std::sort(f_.classes.begin(), f_.classes.end(), [&](const Class& x, const Class& y) {
    auto kx = std::tie(x.old_c.error, x.old_c.deciding, x.new_c.error, x.new_c.deciding, x.key);
    auto ky = std::tie(y.old_c.error, y.old_c.deciding, y.new_c.error, y.new_c.deciding, y.key);
    return kx < ky;
  });
  std::vector<smt::Class*> classes;
  for (Class& k : f_.classes) classes.push_back(&k);
  if (!e_->RunJobs(o_.max_conjunctions, !out, classes, f_.global_flags)) {
    std::cerr << "internal error: a job of the symbolic diff could not encode the decisions, please report this\n";
    return kFailed;
  }
  if (debug) std::cerr << fmt::format("done in {:.3f} s\n", since(t0));
  if (out) {
    const rt::TypeTable& types = a_.m().types;
    for (const auto& k : f_.classes) {
      SymbolicClass sc{k.key, k.flags[0], k.flags[1], {}};
      for (const auto& [v, ms] : k.counts) {
        const auto& members = types.enums[types.info(f_.inputs[v].type).ref].members;
        std::set<std::string> names;
        for (uint32_t m : ms) names.insert(members[m]);
        sc.counts.emplace_back(f_.inputs[v].path, std::move(names));
      }
      out->push_back(std::move(sc));
    }
    return f_.complete() ? kOk : kFailed;
  }
  if (!WriteReport(Report(o_, a_, b_, f_), o_.output, o_.format)) return kOutputError;
  if (!o_.witnesses.empty()) {
    std::string error;
    if (!WriteWholeFile(o_.witnesses, WitnessLines(a_, b_, f_), &error)) {
      std::cerr << "error: " << error << "\n";
      return kOutputError;
    }
  }
  return f_.complete() ? kOk : kFailed;
}

}  // namespace

std::string ClassKey(const Side& s, const std::string& error, const rt::Value* outcome,
                     const std::vector<uint32_t>& deciding) {
  if (!error.empty() || !outcome) return "error: " + error;
  std::string rules;
  for (uint32_t r : deciding)
    rules += (rules.empty() ? "" : ",") + (r == UINT32_MAX ? std::string("default") : s.dec().rules[r].name);
  return "[" + rules + "] " + Project(*outcome, s.dec().result, s.m().types, false);
}

int RunSymbolic(const DiffOptions& o, Side& a, Side& b, std::vector<SymbolicClass>* out,
                const std::function<int()>& engines) {
  Symbolic sym(o, a, b, engines);
  return sym.Run(out);
}

std::vector<std::string> FlagLabels(const Side& s) {
  std::vector<std::string> out;
  for (const sym::FlagName& f : sym::FlagNames(s.dec().result, s.m().types)) out.push_back(f.Label());
  return out;
}

std::vector<bool> FlagValues(const Side& s, const rt::Value& outcome) { return smt::FlagValues(SmtSide(s), outcome); }

namespace {
void EnumWalk(const rt::Value& v, rt::TypeId t, const rt::TypeTable& types, const std::string& path,
              std::vector<std::pair<std::string, std::string>>& out) {
  const rt::TypeInfo& ti = types.info(t);
  if (ti.kind == rt::TypeKind::Enum) {
    out.emplace_back(path, rt::FormatValue(v, t, types));
  } else if (ti.kind == rt::TypeKind::Record) {
    const auto& r = types.records[ti.ref];
    for (size_t i = 0; i < r.fields.size(); ++i)
      EnumWalk((*v.AsRecord().fields)[i], r.fields[i].type, types, path + "." + r.fields[i].name, out);
  }
}
}  // namespace

std::vector<std::pair<std::string, std::string>> EnumInputs(const Side& s, const std::vector<rt::Value>& args) {
  std::vector<std::pair<std::string, std::string>> out;
  const ir::Decision& d = s.dec();
  for (size_t p = 0; p < d.params.size() && p < args.size(); ++p)
    EnumWalk(args[p], d.params[p].type, s.m().types, d.params[p].name, out);
  return out;
}

}  // namespace edict::diff
