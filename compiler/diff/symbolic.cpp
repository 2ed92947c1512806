#include "compiler/diff/symbolic.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "compiler/base/output.h"
#include "compiler/diff/symbolic_encoding.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/walk.h"
#include "compiler/jit/run.h"
#include "compiler/smt/encode.h"
#include "runtime/case_json.h"

namespace edict::diff {

namespace sym {

namespace {
void FlagWalk(rt::TypeId t, const rt::TypeTable& types, const std::string& path, const rt::Value* v,
              std::vector<FlagName>* names, std::vector<bool>* values) {
  const rt::TypeInfo& ti = types.info(t);
  if (ti.kind == rt::TypeKind::Set) {
    const auto& members = types.enums[ti.ref].members;
    for (uint32_t m = 0; m < members.size(); ++m) {
      if (names) names->push_back({path, members[m]});
      if (values) values->push_back(v->AsSet().Contains(m));
    }
  } else if (ti.kind == rt::TypeKind::Record) {
    const auto& r = types.records[ti.ref];
    for (size_t i = 0; i < r.fields.size(); ++i)
      FlagWalk(r.fields[i].type, types, path.empty() ? r.fields[i].name : path + "." + r.fields[i].name,
               v ? &(*v->AsRecord().fields)[i] : nullptr, names, values);
  }
}
}  // namespace

std::vector<FlagName> FlagNames(rt::TypeId t, const rt::TypeTable& types) {
  std::vector<FlagName> out;
  FlagWalk(t, types, "", nullptr, &out, nullptr);
  return out;
}

std::string ErrorOf(const SideClass& sc) { return sc.error ? rt::Spelling(rt::RtErrorKind(sc.error - 1)) : ""; }

}  // namespace sym

namespace {

using namespace sym;

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

// Whether a numeral is a decimal's value: in lowest terms, a numerator and a denominator below 2^127.
bool Holdable(const z3::expr& v) {
  return rt::Decimal::Parse(v.numerator().get_decimal_string(0)) &&
         rt::Decimal::Parse(v.denominator().get_decimal_string(0));
}

// Whether a decimal numeral is one a case file can give: a finite decimal expansion whose digits,
// as an integer, stay below 2^127 (so its numerator and denominator do too).
bool CaseDecimal(const z3::expr& v) {
  auto n = rt::Decimal::Parse(v.numerator().get_decimal_string(0));
  auto d = rt::Decimal::Parse(v.denominator().get_decimal_string(0));
  if (!n || !d || d->num() <= 0) return false;
  rt::i128 den = d->num(), twos = 0, fives = 0;
  while (den % 2 == 0) den /= 2, ++twos;
  while (den % 5 == 0) den /= 5, ++fives;
  if (den != 1) return false;
  // digits = numerator * 10^k / denominator, with k = max(twos, fives)
  rt::i128 digits = n->num();
  for (rt::i128 i = twos; i < fives; ++i)
    if (__builtin_mul_overflow(digits, 2, &digits)) return false;
  for (rt::i128 i = fives; i < twos; ++i)
    if (__builtin_mul_overflow(digits, 5, &digits)) return false;
  return digits != std::numeric_limits<rt::i128>::min();
}

class Symbolic {
 public:
  Symbolic(const DiffOptions& o, Side& a, Side& b, const std::function<int()>& engines)
      : o_(o), a_(a), b_(b), engines_(engines) {}

  int Run(std::vector<SymbolicClass>* out);

 private:
  bool Replay(Class& k, std::string* why);
  void GlobalFlags();

  z3::context ctx_;  // first: destroyed after everything that holds its expressions
  const DiffOptions& o_;
  Side& a_;
  Side& b_;
  const std::function<int()>& engines_;  // waits for the sides' engines (may be empty)
  std::unique_ptr<Encoding> e_;
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

// Whether each flag can hold, and fail to hold, on each side over the whole domain.
void Symbolic::GlobalFlags() {
  for (int side = 0; side < 2; ++side) {
    z3::solver fs(ctx_);
    fs.add(e_->domain);
    fs.add(e_->Dec(side).outcome.err == 0);
    for (const z3::expr& f : e_->flags[side]) {
      GlobalFlag g;
      z3::expr_vector have(ctx_), lack(ctx_);
      have.push_back(f);
      lack.push_back(!f);
      if (fs.check(have) != z3::unsat) g.status |= kCanHave;
      if (fs.check(lack) != z3::unsat) g.status |= kCanLack;
      f_.global_flags[side].push_back(std::move(g));
    }
  }
}

int Symbolic::Run(std::vector<SymbolicClass>* out) {
  auto t0 = std::chrono::steady_clock::now();
  const ir::Decision& da = a_.dec();
  e_ = std::make_unique<Encoding>(ctx_, a_, b_);
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
  z3::solver s(ctx_);
  s.add(e_->domain);
  s.add(e_->changed);
  for (const smt::Atom& at : e_->atoms) f_.atoms.push_back({at.text, at.negated});
  for (const smt::InputVar& iv : e_->enc_a->inputs()) f_.inputs.push_back({iv.path, iv.type});
  bool debug = std::getenv("EDICT_SYMBOLIC_DEBUG") != nullptr;
  auto since = [](auto t) { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count(); };
  if (debug) std::cerr << fmt::format("encoded in {:.3f} s; {} atoms\n", since(t0), e_->atoms.size());
  GlobalFlags();
  // The first stage: every class, each with a replayed witness, until Z3 proves there is no other.
  for (;;) {
    z3::check_result r = s.check();
    if (r == z3::unsat) break;
    if (r == z3::unknown) {
      f_.status = "incomplete: Z3 answered `unknown` (" + s.reason_unknown() + ")";
      break;
    }
    z3::model m = s.get_model();
    Class k;
    k.old_c = e_->Read(m, 0);
    k.new_c = e_->Read(m, 1);
    // The class: the same errors, or the same deciding rules and finite parts, on each side; and a
    // change of verdict (which, when those are equal, is a change of flags or numbers).
    z3::expr formula = e_->Rules(k) && e_->changed;
    s.add(!formula);
    // The witness: the model's inputs (decimals a case file can give: a finite decimal expansion,
    // and in lowest terms a numerator and a denominator below 2^127; the domain bounds a value's
    // magnitude only, which admits (2^127 + 1)/2, whose numerator no decimal holds).
    z3::model wm = m;
    bool finite = true;
    for (const auto& iv : e_->enc_a->inputs())
      if (a_.m().types.kind(iv.type) == rt::TypeKind::Decimal && !CaseDecimal(m.eval(iv.var, true))) finite = false;
    if (!finite) {  // ask for a case of the class whose decimals have at most two places
      z3::solver w(ctx_);
      w.add(e_->domain);
      w.add(formula);
      // Preferably below 10^13 (readable, and far from the bound of 2^127, near which the
      // encoding's overflow, by magnitude, can differ from a decimal's, by numerator in lowest
      // terms); else whole numbers (for which both agree); else any two-place decimal a case holds.
      const char* k2p127 = "170141183460469231731687303715884105728";
      for (auto [scale, bound] : {std::pair{100, "1000000000000000"}, std::pair{1, k2p127}, std::pair{100, k2p127}}) {
        w.push();
        for (const auto& iv : e_->enc_a->inputs())
          if (a_.m().types.kind(iv.type) == rt::TypeKind::Decimal) {
            z3::expr digits = ctx_.int_const(("witness!" + iv.path).c_str());
            w.add(iv.var * scale == z3::to_real(digits));
            w.add(digits < ctx_.int_val(bound) && digits > -ctx_.int_val(bound));
          }
        if (w.check() == z3::sat) {
          wm = w.get_model();
          k.old_c = e_->Read(wm, 0);  // the same class; its flags may differ
          k.new_c = e_->Read(wm, 1);
          finite = true;
          break;
        }
        w.pop();
      }
    }
    bool holdable = true;  // without a finite expansion, a decimal can still be a value (1/3)
    for (const auto& iv : e_->enc_a->inputs())
      if (!finite && a_.m().types.kind(iv.type) == rt::TypeKind::Decimal && !Holdable(wm.eval(iv.var, true)))
        holdable = false;
    if (!holdable) {
      // Only values no decimal can hold reach this class (a numerator of 2^127 or more in lowest
      // terms, which the domain, a bound on magnitudes, admits): near 2^127, where the encoding's
      // overflow (by magnitude) is not the engines' (by numerator). It is not reported.
      f_.status =
          "incomplete: a change of verdict was found only at values near 2^127 that no decimal can hold, "
          "where the encoding of overflow is not exact; it is not reported";
      continue;
    }
    for (size_t i = 0; i < da.params.size(); ++i)
      k.witness.push_back(e_->enc_a->Decode(wm, e_->inputs[i], da.params[i].type));
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
  if (!RunJobs(a_, b_, o_.max_conjunctions, !out, f_)) {
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

namespace {

// The longest chain of arithmetic operations nested in one another in what a decision evaluates
// (through its lets, the helpers and the decisions it calls); a sum of n terms counts n - 1.
class ArithmeticDepth {
 public:
  explicit ArithmeticDepth(const ir::Module& m)
      : m_(m), expr_(m.exprs.size(), kUnknown), decision_(m.decisions.size(), kUnknown) {}

  size_t Decision(uint32_t d) {
    if (decision_[d] != kUnknown) return decision_[d];
    decision_[d] = 0;
    const ir::Decision& dec = m_.decisions[d];
    size_t depth = 0;
    for (const auto& r : dec.rules) {
      if (r.condition != ir::kNoExpr) depth = std::max(depth, Expr(r.condition, dec));
      depth = std::max(depth, Expr(r.outcome, dec));
    }
    if (dec.has_default) depth = std::max(depth, Expr(dec.default_rule.outcome, dec));
    return decision_[d] = depth;
  }

 private:
  static constexpr size_t kUnknown = SIZE_MAX;
  size_t Expr(ir::ExprId id, const ir::Decision& dec) {
    if (expr_[id] != kUnknown) return expr_[id];
    const ir::Expr& e = m_.exprs[id];
    size_t below = 0, own = 0;
    auto sub = [&](ir::ExprId k) { below = std::max(below, Expr(k, dec)); };
    ir::ForEachOperand(m_, e, sub);
    // What an operand refers to by index is walked too, and each arithmetic op is one step.
    switch (e.op) {
      case ir::Op::LetRef: sub(dec.lets[e.a].value); break;
      case ir::Op::Call: sub(m_.defs[e.a].body); break;
      case ir::Op::DecisionCall: below = std::max(below, Decision(e.a)); break;
      case ir::Op::Builtin:
        // A sum over a list literal is a chain as long as the list.
        if (ir::Builtin(e.a) == ir::Builtin::Sum && e.c == 1 && m_.exprs[m_.extra[e.b]].op == ir::Op::ListLit)
          own = m_.exprs[m_.extra[e.b]].b;
        break;
      case ir::Op::IntNeg:
      case ir::Op::DecNeg:
      case ir::Op::DurNeg:
      case ir::Op::IntAdd:
      case ir::Op::IntSub:
      case ir::Op::IntMul:
      case ir::Op::IntMod:
      case ir::Op::DecAdd:
      case ir::Op::DecSub:
      case ir::Op::DecMul:
      case ir::Op::DecDiv:
      case ir::Op::DurAdd:
      case ir::Op::DurSub:
      case ir::Op::DurMul: own = 1; break;
      case ir::Op::Error:
      case ir::Op::BoolLit:
      case ir::Op::IntLit:
      case ir::Op::DecLit:
      case ir::Op::DateLit:
      case ir::Op::DurLit:
      case ir::Op::TextLit:
      case ir::Op::EnumLit:
      case ir::Op::Local:
      case ir::Op::Const:
      case ir::Op::SetLit:
      case ir::Op::ListLit:
      case ir::Op::RecordLit:
      case ir::Op::Field:
      case ir::Op::With:
      case ir::Op::If:
      case ir::Op::Exists:
      case ir::Op::Forall:
      case ir::Op::Not:
      case ir::Op::IntToDec:
      case ir::Op::And:
      case ir::Op::Or:
      case ir::Op::DateAddDur:
      case ir::Op::DateSubDur:
      case ir::Op::DateDiff:
      case ir::Op::Eq:
      case ir::Op::Ne:
      case ir::Op::Lt:
      case ir::Op::Le:
      case ir::Op::Gt:
      case ir::Op::Ge:
      case ir::Op::SetHas:
      case ir::Op::ListHas:
      case ir::Op::SetUnion:
      case ir::Op::SetInter:
      case ir::Op::SetMinus: break;
    }
    return expr_[id] = below + own;
  }

  const ir::Module& m_;
  std::vector<size_t> expr_, decision_;
};

// Z3 flattens nested sums, (a + b) + c into a + b + c, by default. Each step of a long chain has
// its own overflow check, so each check then holds its own copy of the whole chain before it, and
// checks took time and memory quadratic in the chain's length (a 400-term sum: 70 s, 1.4 GB). Past
// this depth the diff runs with flattening off: terms stay nested, the solver's rows small.
// Shorter chains keep Z3's default, and so the reports they always had.
constexpr size_t kFlattenDepth = 64;

struct FlattenOff {
  bool on;
  explicit FlattenOff(bool b) : on(b) {
    if (on) z3::set_param("rewriter.flat", false);
  }
  ~FlattenOff() {
    if (on) z3::set_param("rewriter.flat", true);
  }
};

}  // namespace

int RunSymbolic(const DiffOptions& o, Side& a, Side& b, std::vector<SymbolicClass>* out,
                const std::function<int()>& engines) {
  size_t depth = ArithmeticDepth(a.m()).Decision(a.decision);
  if (depth <= kFlattenDepth) depth = ArithmeticDepth(b.m()).Decision(b.decision);
  FlattenOff flat(depth > kFlattenDepth);
  Symbolic sym(o, a, b, engines);
  return sym.Run(out);
}

std::vector<std::string> FlagLabels(const Side& s) {
  std::vector<std::string> out;
  for (const sym::FlagName& f : sym::FlagNames(s.dec().result, s.m().types)) out.push_back(f.Label());
  return out;
}

std::vector<bool> FlagValues(const Side& s, const rt::Value& outcome) {
  std::vector<bool> out;
  sym::FlagWalk(s.dec().result, s.m().types, "", &outcome, nullptr, &out);
  return out;
}

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
