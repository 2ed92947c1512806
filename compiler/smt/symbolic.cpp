#include "compiler/smt/symbolic.h"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <iostream>
#include <limits>
#include <optional>
#include <thread>

#include <z3++.h>

#include "compiler/interp/interp.h"
#include "compiler/ir/walk.h"
#include "compiler/smt/encode.h"
#include "compiler/smt/symbolic_encoding.h"
#include "runtime/date.h"

namespace edict::smt {

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

std::vector<bool> FlagValues(const Side& s, const rt::Value& outcome) {
  std::vector<bool> out;
  FlagWalk(s.dec().result, s.m().types, "", &outcome, nullptr, &out);
  return out;
}

namespace {

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

// Rounder values near a non-negative numeral, to try in a witness, roundest first: for 1, 2 and
// 3 significant digits, the value rounded up then down (536,870,911: 600,000,000, 500,000,000,
// 540,000,000, ...); below 10, the whole numbers around it. Empty when the value is round already
// (whole, with at most two significant digits), negative or too large.
std::vector<std::string> RounderValues(const z3::expr& v) {
  auto n = rt::Decimal::Parse(v.numerator().get_decimal_string(0));
  auto d = rt::Decimal::Parse(v.denominator().get_decimal_string(0));
  std::vector<std::string> out;
  if (!n || !d || d->num() <= 0 || n->num() < 0) return out;
  rt::i128 whole = n->num() / d->num();
  bool exact = n->num() % d->num() == 0;
  auto str = [](rt::i128 x) {
    std::string s;
    do s.insert(s.begin(), char('0' + int(x % 10))), x /= 10;
    while (x > 0);
    return s;
  };
  if (whole < 10) {
    if (!exact) out = {str(whole + 1), str(whole)};
    return out;
  }
  int digits = 0;
  rt::i128 top = 1;
  for (rt::i128 x = whole; x > 0; x /= 10) ++digits;
  for (int i = 1; i < digits; ++i) top *= 10;
  for (int sig = 1; sig <= 3 && sig < digits; ++sig) {
    rt::i128 unit = top;
    for (int i = 1; i < sig; ++i) unit /= 10;
    rt::i128 down = whole / unit * unit;
    if (down == whole && exact) {
      if (sig <= 2) return {};  // already round
      break;
    }
    out.push_back(str(down + unit));
    out.push_back(str(down));
  }
  return out;
}

// Whether a decimal numeral reads well in a witness: at most two decimal places, below 10^13.
bool Round(const z3::expr& v) {
  auto n = rt::Decimal::Parse(v.numerator().get_decimal_string(0));
  auto d = rt::Decimal::Parse(v.denominator().get_decimal_string(0));
  if (!n || !d || d->num() <= 0 || 100 % d->num() != 0) return false;
  rt::i128 limit = rt::i128(10'000'000'000'000);
  return n->num() / d->num() < limit && n->num() / d->num() > -limit;
}

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
      case ir::Op::DecisionCall:
        // A call that shares its caller's scope frame is a variable of the scope, one term that
        // the variables reading it share (see kFlattenDepth): not walked.
        if (e.c == 0) below = std::max(below, Decision(e.a));
        break;
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
      case ir::Op::SetMinus:
      case ir::Op::SumLit:
      case ir::Op::SumMake:
      case ir::Op::ListIndex:
      case ir::Op::ListMap:
      case ir::Op::ListFilter:
      case ir::Op::ListMin:
      case ir::Op::ListMax:
      case ir::Op::ListArgMin:
      case ir::Op::ListArgMax:
      case ir::Op::ListSort:
      case ir::Op::Match: break;
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
// The depth does not go through the variables of a scope (calls that share the caller's scope
// frame): each is one term, read by every variable that reads it, and nested terms shared that
// way are what flattening keeps small (each a sum over the inputs), while unflattened Z3 copied
// them for each reader: a chain of 34 variables each reading the two before it took 70 s (34
// levels of nesting are past this depth), and 0.9 s flattened at 48 (tests/large, chain).
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

bool DeepArithmetic(const Side& a, const Side& b) {
  size_t depth = ArithmeticDepth(a.m()).Decision(a.decision);
  if (depth <= kFlattenDepth) depth = ArithmeticDepth(b.m()).Decision(b.decision);
  return depth > kFlattenDepth;
}

}  // namespace

// The enumeration's state. In order of construction: the rewriter's setting before the context,
// and the context before everything that holds its expressions (destroyed in the reverse order).
struct SymbolicDiff::Impl {
  Impl(const Side& a, const Side& b)
      : flat_(DeepArithmetic(a, b)), a_(a), b_(b), e_(std::make_unique<Encoding>(ctx_, a_, b_)) {}

  void GlobalFlags(std::vector<GlobalFlag> global_flags[2]);
  void Enumerate(std::vector<GlobalFlag> global_flags[2], std::vector<Class>& classes, std::string& status);
  void TypicalPreferences();
  std::optional<z3::model> NaturalModel(const z3::expr& formula, std::vector<z3::expr>* kept);
  void RoundWitness(const z3::expr& formula, const std::vector<z3::expr>& kept, z3::model& wm);

  FlattenOff flat_;
  z3::context ctx_;
  const Side a_, b_;
  std::unique_ptr<Encoding> e_;
  // Below: what holds the context's expressions, destroyed before it.
  std::vector<int64_t> law_dates_;  // days, sorted: the dates a witness's date is drawn to
  // Per input component of a parameter that has a `typical const`: the input equals its typical
  // value (the witness's preferences, in the order of the inputs).
  std::vector<z3::expr> prefs_;
  std::optional<z3::solver> natural_;  // NaturalModel's: the domain and the marked preferences
  std::vector<z3::expr> marks_;
  uint64_t solver_limit_ = 0;             // SetSolverLimit
  std::optional<size_t> flag_regions_;    // SetFlagRegions
  std::atomic<bool> flag_failed_{false};  // the flags' regions could not encode
  uint64_t most_used_ = 0;
  bool debug_ = std::getenv("EDICT_SYMBOLIC_DEBUG") !=
                nullptr;  // the most resource units one step of Enumerate took (EDICT_SYMBOLIC_DEBUG)

  // Sets the solver's resource limit for each check (none when 0).
  void Limit(z3::solver& s) {
    if (solver_limit_ == 0) return;
    z3::params p(ctx_);
    p.set("rlimit", unsigned(std::min<uint64_t>(solver_limit_, UINT32_MAX)));
    s.set(p);
  }
  // Runs one limited check; on reaching the limit, says so in `status`.
  z3::check_result Check(z3::solver& s, const z3::expr_vector* assumptions, std::string& status);
};

SymbolicDiff::SymbolicDiff(const Side& old_side, const Side& new_side)
    : impl_(std::make_unique<Impl>(old_side, new_side)) {}
SymbolicDiff::~SymbolicDiff() = default;

bool SymbolicDiff::SameShape() const { return impl_->e_->SameShape(); }
void SymbolicDiff::Build() { impl_->e_->Build(); }

std::vector<Literal> SymbolicDiff::Atoms() const {
  std::vector<Literal> out;
  for (const smt::Atom& at : impl_->e_->atoms) out.push_back({at.text, at.negated, at.consts});
  return out;
}
std::vector<Input> SymbolicDiff::Inputs() const {
  std::vector<Input> out;
  for (const smt::InputVar& iv : impl_->e_->enc_a->inputs()) out.push_back({iv.path, iv.type});
  return out;
}

void SymbolicDiff::Enumerate(std::vector<GlobalFlag> global_flags[2], std::vector<Class>& classes,
                             std::string& status) {
  impl_->Enumerate(global_flags, classes, status);
}
void SymbolicDiff::SetSolverLimit(uint64_t limit) { impl_->solver_limit_ = limit; }
void SymbolicDiff::SetFlagRegions(size_t max_conjunctions) { impl_->flag_regions_ = max_conjunctions; }

namespace {
// Z3's count of resource units used so far by a solver's context.
uint64_t ResourcesUsed(const z3::solver& s) {
  z3::stats st = s.statistics();
  for (unsigned i = 0; i < st.size(); ++i)
    if (st.key(i) == "rlimit count") return uint64_t(st.is_uint(i) ? st.uint_value(i) : st.double_value(i));
  return 0;
}
}  // namespace

z3::check_result SymbolicDiff::Impl::Check(z3::solver& s, const z3::expr_vector* assumptions, std::string& status) {
  // (Z3's statistics are read only when debugging: reading them between checks changes the models
  // later checks give, and so the witnesses.)
  uint64_t before = debug_ ? ResourcesUsed(s) : 0;
  z3::check_result r = assumptions ? s.check(*assumptions) : s.check();
  if (debug_) most_used_ = std::max(most_used_, ResourcesUsed(s) - before);
  // Z3's SMT core (NewSolver) gives the reason "unknown" when it reaches the limit: the resources
  // it has used tell (read only then: the search stops at this answer).
  std::string reason = r == z3::unknown ? s.reason_unknown() : "";
  bool at_limit = solver_limit_ != 0 && (reason.find("resource limit") != std::string::npos ||
                                         (reason == "unknown" && ResourcesUsed(s) >= solver_limit_));
  if (r == z3::unknown && at_limit && status.rfind("incomplete", 0) != 0)
    status = fmt::format(
        "incomplete: Z3 reached the solver limit ({} resource units for one step of the search) before settling "
        "whether the decision changes further; `--solver-limit N` with a larger N (0: no limit) lets it search longer",
        solver_limit_);
  return r;
}
bool SymbolicDiff::RunJobs(size_t max_conjunctions, bool regions, const std::vector<Class*>& classes,
                           std::vector<GlobalFlag> global_flags[2]) {
  return smt::RunJobs(impl_->a_, impl_->b_, max_conjunctions, regions, classes, global_flags) && !impl_->flag_failed_;
}

// Whether each flag can hold, and fail to hold, on each side over the whole domain.
void SymbolicDiff::Impl::GlobalFlags(std::vector<GlobalFlag> global_flags[2]) {
  for (int side = 0; side < 2; ++side) {
    z3::solver fs = NewSolver(ctx_);  // not limited: setting a solver's parameters changes the models it gives
    fs.add(e_->domain);
    fs.add(e_->Dec(side).outcome.err == 0);
    for (const z3::expr& f : e_->flags[side]) {
      GlobalFlag g;
      z3::expr_vector have(ctx_), lack(ctx_);
      have.push_back(f);
      lack.push_back(!f);
      if (fs.check(have) != z3::unsat) g.status |= kCanHave;
      if (fs.check(lack) != z3::unsat) g.status |= kCanLack;
      global_flags[side].push_back(std::move(g));
    }
  }
}

// The preferences of a natural witness: each input component of a parameter whose type has a
// `typical const` (in the old version) equals that value's component.
void SymbolicDiff::Impl::TypicalPreferences() {
  // The law's dates, which a witness's date is drawn to: every instrument's effective date and
  // every date constant of both versions, and the day before each (inside the domain's years).
  for (const Side* side : {&a_, &b_}) {
    const ir::Module& m = side->m();
    for (const ir::Instrument& ins : m.instruments)
      if (auto d = rt::ParseDate(ins.Field("effective"))) law_dates_.push_back(d->days);
    interp::Interpreter in(m);
    for (uint32_t c = 0; c < m.consts.size(); ++c) {
      if (m.types.kind(m.consts[c].type) != rt::TypeKind::Date) continue;
      try {
        law_dates_.push_back(in.EvalConst(c).AsDate().days);
      } catch (const rt::EvalError&) {}
    }
  }
  for (size_t i = 0, n = law_dates_.size(); i < n; ++i) law_dates_.push_back(law_dates_[i] - 1);
  std::erase_if(law_dates_, [](int64_t d) { return d < rt::kMinDateDays || d > rt::kMaxDateDays; });
  std::sort(law_dates_.begin(), law_dates_.end());
  law_dates_.erase(std::unique(law_dates_.begin(), law_dates_.end()), law_dates_.end());

  const ir::Decision& d = a_.dec();
  interp::Interpreter in(a_.m());
  for (size_t i = 0; i < d.params.size(); ++i) {
    int c = a_.m().TypicalOf(d.params[i].type, int(a_.m().decisions[a_.decision].version));
    if (c < 0) continue;
    rt::Value v;
    try {
      v = in.EvalConst(uint32_t(c));
    } catch (const rt::EvalError&) { continue; }  // a typical value that fails: no preference
    Sym t = e_->enc_a->Constant(v, d.params[i].type);
    const Sym& x = e_->inputs[i];
    if (t.v.size() != x.v.size() || !x.elems.empty()) continue;
    for (size_t j = 0; j < x.v.size(); ++j) prefs_.push_back(x.v[j] == t.v[j]);
  }
}

// A model of the class (`formula`) that meets as many preferences as it can: every preference
// is assumed, those in an unsat core are dropped until the rest hold, then each dropped one is
// tried again alone (so every preference the witness breaks, it must break). `kept`: the
// preferences that hold.
std::optional<z3::model> SymbolicDiff::Impl::NaturalModel(const z3::expr& formula, std::vector<z3::expr>* kept) {
  if (prefs_.empty()) return std::nullopt;
  // One solver for every class (what it learns of the domain carries over): the domain and the
  // marked preferences stay, each class's formula is pushed and popped.
  if (!natural_) {
    natural_.emplace(NewSolver(ctx_));
    z3::params p(ctx_);
    p.set("rlimit", 5'000'000u);  // deterministic: a preference Z3 cannot settle in time is dropped
    natural_->set(p);
    natural_->add(e_->domain);
    for (size_t i = 0; i < prefs_.size(); ++i) {
      marks_.push_back(ctx_.bool_const(("typical!" + std::to_string(i)).c_str()));
      natural_->add(z3::implies(marks_.back(), prefs_[i]));
    }
  }
  z3::solver& w = *natural_;
  const std::vector<z3::expr>& marks = marks_;
  w.push();
  struct Pop {
    z3::solver& s;
    ~Pop() { s.pop(); }
  } pop{w};
  w.add(formula);
  std::vector<bool> on(prefs_.size(), true), dropped(prefs_.size(), false);
  auto check = [&]() {
    z3::expr_vector as(ctx_);
    for (size_t i = 0; i < marks.size(); ++i)
      if (on[i]) as.push_back(marks[i]);
    return w.check(as);
  };
  z3::check_result r = check();
  while (r != z3::sat) {
    if (r == z3::unknown) return std::nullopt;
    z3::expr_vector core = w.unsat_core();
    if (core.empty()) return std::nullopt;
    for (unsigned c = 0; c < core.size(); ++c)
      for (size_t i = 0; i < marks.size(); ++i)
        if (z3::eq(marks[i], core[int(c)])) on[i] = false, dropped[i] = true;
    r = check();
  }
  for (size_t i = 0; i < marks.size(); ++i) {
    if (!dropped[i]) continue;
    on[i] = true;
    if (check() != z3::sat) on[i] = false;
  }
  if (check() != z3::sat) return std::nullopt;
  for (size_t i = 0; i < marks.size(); ++i)
    if (on[i]) kept->push_back(prefs_[i]);
  return w.get_model();
}

// Each number of the witness (an integer or decimal input) that is not round becomes the
// roundest value near it that keeps the class, the typical values kept and the numbers already
// round or rounded (one input after another): "600,000,000 chips", not 536,870,911; a date
// before every date of the law, one of the law's dates. A check Z3
// cannot settle within its limit keeps the value.
void SymbolicDiff::Impl::RoundWitness(const z3::expr& formula, const std::vector<z3::expr>& kept, z3::model& wm) {
  z3::solver w = NewSolver(ctx_);
  z3::params p(ctx_);
  p.set("rlimit", 1'000'000u);
  w.set(p);
  bool started = false;
  std::vector<z3::expr> fixed;
  for (const auto& iv : e_->enc_a->inputs()) {
    rt::TypeKind kind = a_.m().types.kind(iv.type);
    if (kind != rt::TypeKind::Integer && kind != rt::TypeKind::Decimal && kind != rt::TypeKind::Date) continue;
    z3::expr now = wm.eval(iv.var, true);
    std::vector<std::string> tries;
    if (kind != rt::TypeKind::Date) {
      tries = RounderValues(now);
    } else if (int64_t days = 0; now.is_numeral_i64(days) && !law_dates_.empty() &&
                                 (days < law_dates_.front() || days > law_dates_.back() + 730)) {
      // A date before the law's dates, or two years after: one of them (or the day before), the
      // latest first.
      for (auto it = law_dates_.rbegin(); it != law_dates_.rend(); ++it) tries.push_back(std::to_string(*it));
    }
    if (tries.empty()) {
      fixed.push_back(iv.var == now);
      if (started) w.add(fixed.back());
      continue;
    }
    if (!started) {
      started = true;
      w.add(e_->domain);
      w.add(formula);
      for (const z3::expr& pref : kept) w.add(pref);
      for (const z3::expr& f : fixed) w.add(f);
    }
    for (const std::string& t : tries) {
      z3::expr val = kind == rt::TypeKind::Decimal ? ctx_.real_val(t.c_str()) : ctx_.int_val(t.c_str());
      z3::expr_vector as(ctx_);
      as.push_back(iv.var == val);
      if (w.check(as) != z3::sat) continue;
      z3::model m = w.get_model();
      // The decimals must stay ones a case file holds (another input may have moved).
      bool ok = true;
      for (const auto& jv : e_->enc_a->inputs())
        if (a_.m().types.kind(jv.type) == rt::TypeKind::Decimal && !Round(m.eval(jv.var, true))) ok = false;
      if (!ok) continue;
      wm = m;
      w.add(iv.var == val);
      break;
    }
  }
}

void SymbolicDiff::Impl::Enumerate(std::vector<GlobalFlag> global_flags[2], std::vector<Class>& classes,
                                   std::string& status) {
  TypicalPreferences();
  const ir::Decision& da = a_.dec();
  z3::solver s = NewSolver(ctx_);
  Limit(s);
  s.add(e_->domain);
  s.add(e_->changed);
  GlobalFlags(global_flags);
  // The flags' regions, on another thread while this one finds the classes (joined on return).
  struct Join {
    std::thread t;
    ~Join() {
      if (t.joinable()) t.join();
    }
  } flag_regions;
  if (flag_regions_)
    flag_regions.t = std::thread([this, global_flags] {
      if (!RunFlagJob(a_, b_, *flag_regions_, global_flags)) flag_failed_ = true;
    });
  // With EDICT_SYMBOLIC_DEBUG, where the first stage spends its CPU time.
  bool debug = std::getenv("EDICT_SYMBOLIC_DEBUG") != nullptr;
  double t_find = 0, t_natural = 0, t_round = 0;
  auto cpu = []() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
  };
  struct Report {
    bool on;
    double &a, &b, &c;
    uint64_t* most;
    ~Report() {
      if (on)
        std::cerr << fmt::format(
            "first stage CPU: classes {:.3f} s, natural witnesses {:.3f} s, rounding {:.3f} s; the largest step took "
            "{} resource units\n",
            a, b, c, *most);
    }
  } report{debug, t_find, t_natural, t_round, &most_used_};
  // The first stage: every class, each with a witness, until Z3 proves there is no other.
  for (;;) {
    double t0 = cpu();
    z3::check_result r = Check(s, nullptr, status);
    t_find += cpu() - t0;
    if (r == z3::unsat) break;
    if (r == z3::unknown) {
      if (status.rfind("incomplete", 0) != 0) status = "incomplete: Z3 answered `unknown` (" + s.reason_unknown() + ")";
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
    // A natural witness: the class's case closest to the typical value (when one is declared).
    std::vector<z3::expr> kept;
    double t1 = cpu();
    std::optional<z3::model> nm = NaturalModel(formula, &kept);
    t_natural += cpu() - t1;
    if (nm) {
      m = *nm;
      k.old_c = e_->Read(m, 0);  // the same class; its flags may differ
      k.new_c = e_->Read(m, 1);
    }
    z3::model wm = m;
    bool finite = true, round = true;
    for (const auto& iv : e_->enc_a->inputs()) {
      if (a_.m().types.kind(iv.type) != rt::TypeKind::Decimal) continue;
      z3::expr v = m.eval(iv.var, true);
      if (!CaseDecimal(v)) finite = false;
      if (!Round(v)) round = false;
    }
    if (!finite || !round) {  // ask for a case of the class whose decimals have at most two places
      z3::solver w = NewSolver(ctx_);
      w.add(e_->domain);
      w.add(formula);
      for (const z3::expr& pref : kept) w.add(pref);
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
      status =
          "incomplete: a change of verdict was found only at values near 2^127 that no decimal can hold, "
          "where the encoding of overflow is not exact; it is not reported";
      continue;
    }
    double t2 = cpu();
    RoundWitness(formula, kept, wm);
    t_round += cpu() - t2;
    for (size_t i = 0; i < da.params.size(); ++i)
      k.witness.push_back(e_->enc_a->Decode(wm, e_->inputs[i], da.params[i].type));
    classes.push_back(std::move(k));
  }
}

}  // namespace edict::smt
