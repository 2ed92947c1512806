#include "compiler/diff/symbolic.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "compiler/interp/interp.h"
#include "compiler/jit/run.h"
#include "compiler/smt/encode.h"

namespace edict::diff {

using driver::kCompileError;
using driver::kFailed;
using driver::kInputError;
using driver::kOk;

namespace {

// The finite parts of a value, as text; numbers and dates are `_`, and so are sets unless
// `sets` (a class does not split on its flags).
std::string Project(const rt::Value& v, rt::TypeId t, const rt::TypeTable& types, bool sets) {
  const rt::TypeInfo& ti = types.info(t);
  switch (ti.kind) {
    case rt::TypeKind::Bool: case rt::TypeKind::Enum: case rt::TypeKind::Text:
      return rt::FormatValue(v, t, types);
    case rt::TypeKind::Set: return sets ? rt::FormatValue(v, t, types) : "_";
    case rt::TypeKind::Record: {
      const auto& r = types.records[ti.ref];
      std::string s = "{";
      for (size_t i = 0; i < r.fields.size(); ++i)
        s += (i ? ", " : "") + r.fields[i].name + ": " + Project((*v.AsRecord().fields)[i], r.fields[i].type, types, sets);
      return s + "}";
    }
    default: return "_";
  }
}

// The flags of an outcome type (its set members, in the order of Encoder::Flags): the set field's
// path and the member's name; and their values in one outcome.
struct FlagName {
  std::string field, member;
  std::string Label() const { return member + " in " + (field.empty() ? "outcome" : field); }
};
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
std::vector<FlagName> FlagNames(rt::TypeId t, const rt::TypeTable& types) {
  std::vector<FlagName> out;
  FlagWalk(t, types, "", nullptr, &out, nullptr);
  return out;
}

// What one side gives in a class, read from a model of the encoding.
struct SideClass {
  int error = 0;                    // 1 + RtErrorKind, or 0
  std::vector<uint32_t> deciding;   // winners; UINT32_MAX for the default
  rt::Value outcome;                // decoded from the model (its finite parts name the class)
};

// The runtime error of a side, spelled as `fails with` spells it; empty when there is none.
std::string ErrorOf(const SideClass& sc) { return sc.error ? rt::Spelling(rt::RtErrorKind(sc.error - 1)) : ""; }
std::string SideKey(const Side& s, const SideClass& sc) {
  return ClassKey(s, ErrorOf(sc), sc.error ? nullptr : &sc.outcome, sc.deciding);
}
// The key with the flags' values too: what a replayed witness must give exactly.
std::string FullKey(const Side& s, const SideClass& sc) {
  if (sc.error) return SideKey(s, sc);
  return SideKey(s, sc) + " " + Project(sc.outcome, s.dec().result, s.m().types, true);
}

struct Cube {
  std::vector<std::pair<size_t, bool>> lits;  // (atom, polarity)
};

// A region: a union of cubes over the atoms.
struct Region {
  std::vector<Cube> cubes;
  bool exact = true;    // every cube implies the formula (the atoms determine it)
  bool capped = false;  // stopped listing cubes at the cap
};

constexpr uint8_t kCanHave = 1, kCanLack = 2;

// A flag of one side over the whole domain.
struct GlobalFlag {
  z3::expr flag;
  uint8_t status = 0;  // kCanHave | kCanLack
  Region region;       // where it holds, when it can both hold and not
};

struct Class {
  SideClass old_c, new_c;
  Region region;
  bool region_and_flags = false;  // the region is the class's where the flags differ
  std::vector<uint8_t> flags[2];  // per side and flag: kCanHave | kCanLack
  std::vector<rt::Value> witness;
  std::string witness_json;
  // Per enum input: the members possible in the class (empty optional: all of them).
  std::vector<std::pair<size_t, std::set<uint32_t>>> counts;
  std::string key;
};

class Symbolic {
 public:
  Symbolic(const DiffOptions& o, Side& a, Side& b) : o_(o), a_(a), b_(b) {}

  int Run(std::vector<SymbolicClass>* out);

 private:
  SideClass Read(const z3::model& m, smt::Encoder& enc, const smt::DecisionSym& ds, const Side& s);
  z3::expr Formula(const SideClass& sc, const smt::DecisionSym& ds, smt::Encoder& enc, const Side& s);
  bool Replay(Class& k, std::string* why);
  Region Cubes(const z3::expr& formula, const z3::model& first);
  void Count(Class& k);
  void FlagStatus(Class& k, const z3::expr& formula, const z3::model& m);
  void GlobalFlags(bool regions);
  std::string Report(const std::string& status);
  std::string Literal(const std::pair<size_t, bool>& l) const {
    const smt::Atom& at = (*atoms_)[l.first];
    return l.second ? at.text : at.negated;
  }
  std::string Verdict(const Side& s, const SideClass& sc) const;
  int8_t AtomAt(size_t atom, size_t input, uint32_t member);
  // Whether a cube allows enum input v to be `member`; nullopt when only a solver could say.
  std::optional<bool> OpenMember(const Cube& cube, size_t v, uint32_t member);
  std::map<std::pair<size_t, size_t>, std::vector<int8_t>> atom_at_;
  std::string Provisions(const Side& s, const SideClass& sc) const;

  z3::context ctx_;  // first: destroyed after everything that holds its expressions
  const DiffOptions& o_;
  Side& a_;
  Side& b_;
  smt::TextTable texts_;
  std::unique_ptr<smt::Encoder> enc_a_, enc_b_owned_;
  smt::Encoder* enc_b_ = nullptr;
  std::vector<smt::Sym> inputs_;
  std::unique_ptr<smt::DecisionSym> old_, new_;
  const std::vector<smt::Atom>* atoms_ = nullptr;
  std::vector<smt::Atom> atom_store_;
  std::vector<z3::expr> indicators_;             // one boolean per atom, equivalent to it
  std::vector<std::set<unsigned>> atom_vars_;    // the input variables (AST ids) each atom reads
  std::unique_ptr<z3::solver> implies_;          // domain; checks that a cube implies a class
  std::vector<Class> classes_;
  z3::expr changed_{ctx_};                    // the verdicts differ
  z3::expr flags_differ_{ctx_};               // the flags differ
  std::vector<GlobalFlag> global_flags_[2];  // per side, in the order of Encoder::Flags
  std::unique_ptr<z3::solver> flag_solver_;  // domain; which flags a class allows
  std::vector<FlagName> flag_names_;
  int trial_budget_ms_ = 20;  // per cube, for dropping conditions that the class does not need
  std::unique_ptr<interp::Interpreter> interp_[2];  // replay engines, per side
  std::unique_ptr<jit::Runner> runner_[2];
};

// The uninterpreted constants (inputs) a term reads.
void Vars(const z3::expr& e, std::set<unsigned>& out, std::set<unsigned>& seen) {
  if (!seen.insert(e.id()).second) return;
  if (e.is_const() && e.decl().decl_kind() == Z3_OP_UNINTERPRETED) {
    out.insert(e.id());
    return;
  }
  if (e.is_app())
    for (unsigned i = 0; i < e.num_args(); ++i) Vars(e.arg(i), out, seen);
}

SideClass Symbolic::Read(const z3::model& m, smt::Encoder& enc, const smt::DecisionSym& ds, const Side& s) {
  SideClass sc;
  int64_t err = 0;
  m.eval(ds.outcome.err, true).is_numeral_i64(err);
  sc.error = int(err);
  if (sc.error) return sc;
  for (uint32_t r = 0; r < ds.winners.size(); ++r)
    if (m.eval(ds.winners[r], true).is_true()) sc.deciding.push_back(r);
  if (sc.deciding.empty()) sc.deciding.push_back(UINT32_MAX);
  sc.outcome = enc.Decode(m, ds.outcome, s.dec().result);
  return sc;
}

// The formula of one side of a class: the same error, or the same deciding rules and the same
// finite parts of the outcome.
z3::expr Symbolic::Formula(const SideClass& sc, const smt::DecisionSym& ds, smt::Encoder& enc, const Side& s) {
  z3::expr f = ds.outcome.err == sc.error;
  if (sc.error) return f;
  for (uint32_t r = 0; r < ds.winners.size(); ++r) {
    bool wins = std::find(sc.deciding.begin(), sc.deciding.end(), r) != sc.deciding.end();
    f = f && (wins ? ds.winners[r] : !ds.winners[r]);
  }
  // The finite parts of the decoded outcome, as constants, against the symbolic ones.
  auto parts = enc.FiniteParts(ds.outcome, s.dec().result);
  auto wanted = enc.FiniteParts(enc.Constant(sc.outcome, s.dec().result), s.dec().result);
  for (size_t i = 0; i < parts.size() && i < wanted.size(); ++i) f = f && parts[i] == wanted[i];
  return f;
}

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
    for (int engine = 0; engine < 2; ++engine) {
      interp::DecisionTrace trace;
      SideClass got;
      try {
        rt::Value v = engine ? runner.Eval(s.decision, k.witness, &trace) : in.EvalDecision(s.decision, k.witness, &trace);
        got.outcome = v;
        for (const auto& rt_ : trace.rules)
          if (rt_.decided) got.deciding.push_back(rt_.rule);
        if (got.deciding.empty()) got.deciding.push_back(UINT32_MAX);
      } catch (const rt::EvalError& err) {
        got.error = 1 + int(err.kind);
      }
      std::string expected = FullKey(s, want), actual = FullKey(s, got);
      if (expected != actual) {
        *why = fmt::format("on `{}` the {} gives {} where the encoding predicts {}", s.Name(), engine ? "JIT" : "interpreter",
                           actual, expected);
        return false;
      }
    }
  }
  return true;
}

// The region where `formula` holds, as a union of cubes over the atoms, each generalised (by
// unsat cores) to the fewest conditions that still imply the formula. `first` satisfies it.
Region Symbolic::Cubes(const z3::expr& formula, const z3::model& first) {
  Region k;
  constexpr size_t kMaxCubes = 8;
  z3::solver reg(ctx_);
  {
    z3::params p(ctx_);
    p.set("timeout", 2000u);
    reg.set(p);
  }
  reg.add(enc_a_->domain());
  if (enc_b_ != enc_a_.get()) reg.add(enc_b_->domain());
  reg.add(formula);
  implies_->push();
  implies_->add(!formula);
  z3::model m = first;
  for (;;) {
    std::vector<std::pair<size_t, bool>> lits;
    z3::expr_vector assumptions(ctx_);
    for (size_t i = 0; i < atoms_->size(); ++i) {
      bool v = m.eval((*atoms_)[i].term, true).is_true();
      lits.emplace_back(i, v);
      assumptions.push_back(v ? indicators_[i] : !indicators_[i]);
    }
    Cube cube;
    auto res = implies_->check(assumptions);
    if (res == z3::unsat) {
      // Shrink the core: drop each condition whose absence keeps the implication.
      z3::expr_vector core = implies_->unsat_core();
      std::vector<z3::expr> keep;
      for (unsigned i = 0; i < core.size(); ++i) keep.push_back(core[int(i)]);
      auto start = std::chrono::steady_clock::now();
      for (size_t i = 0; i < keep.size();) {
        if (std::chrono::steady_clock::now() - start > std::chrono::milliseconds(trial_budget_ms_)) break;
        z3::expr_vector trial(ctx_);
        for (size_t j = 0; j < keep.size(); ++j) if (j != i) trial.push_back(keep[j]);
        if (implies_->check(trial) == z3::unsat) keep.erase(keep.begin() + long(i));
        else ++i;
      }
      for (const auto& lit : keep) {
        bool pos = !lit.is_app() || lit.decl().decl_kind() != Z3_OP_NOT;
        z3::expr ind = pos ? lit : lit.arg(0);
        for (size_t i = 0; i < indicators_.size(); ++i)
          if (z3::eq(indicators_[i], ind)) cube.lits.emplace_back(i, pos);
      }
      std::sort(cube.lits.begin(), cube.lits.end());
    } else {
      k.exact = false;
      cube.lits = lits;
    }
    k.cubes.push_back(cube);
    z3::expr conj = ctx_.bool_val(true);
    for (const auto& [i, pos] : cube.lits) conj = conj && (pos ? (*atoms_)[i].term : !(*atoms_)[i].term);
    reg.add(!conj);
    if (k.cubes.size() >= kMaxCubes) {
      k.capped = reg.check() != z3::unsat;
      break;
    }
    z3::check_result more = reg.check();
    if (more == z3::unknown) k.capped = true;
    if (more != z3::sat) break;
    m = reg.get_model();
  }
  implies_->pop();
  return k;
}

// For every enum input, the members possible in the class: from each cube, the members that
// satisfy its conditions on that input alone, checked with the solver when a condition also
// reads other inputs.
void Symbolic::Count(Class& k) {
  const auto& ins = enc_a_->inputs();
  for (size_t v = 0; v < ins.size(); ++v) {
    const smt::InputVar& iv = ins[v];
    if (a_.m().types.kind(iv.type) != rt::TypeKind::Enum) continue;
    uint32_t n = uint32_t(a_.m().types.enums[a_.m().types.info(iv.type).ref].members.size());
    unsigned id = iv.var.id();
    std::set<uint32_t> members;
    bool all = false, unknown = false;
    for (const Cube& cube : k.region.cubes) {
      std::vector<size_t> only, mixed;
      for (const auto& [i, pos] : cube.lits) {
        if (!atom_vars_[i].count(id)) continue;
        (atom_vars_[i].size() == 1 ? only : mixed).push_back(i);
      }
      if (only.empty() && mixed.empty()) { all = true; break; }
      // Members are decided by substitution (cached per atom and input); a condition that
      // still reads another input after it goes to the solver (one per cube, incrementally).
      for (uint32_t member = 0; member < n; ++member) {
        if (members.count(member)) continue;
        bool ok = true, open = false;
        for (const auto& [i, pos] : cube.lits) {
          if (!atom_vars_[i].count(id)) continue;
          int8_t val = AtomAt(i, v, member);
          if (val < 0) open = true;
          else if (bool(val) != pos) { ok = false; break; }
        }
        if (ok && open) {
          std::optional<bool> allowed = OpenMember(cube, v, member);
          unknown = unknown || !allowed;
          ok = allowed.value_or(true);
        }
        if (ok) members.insert(member);
      }
    }
    if (!all && !unknown && !k.region.capped && members.size() < n) k.counts.emplace_back(v, std::move(members));
  }
}

// The value of atom i when enum input v is `member`: 0 or 1, or -1 when it still depends on
// other inputs. Cached: counting asks it for every member of every input in every cube.
int8_t Symbolic::AtomAt(size_t i, size_t v, uint32_t member) {
  auto& table = atom_at_[{i, v}];
  if (table.empty()) {
    const smt::InputVar& iv = enc_a_->inputs()[v];
    uint32_t n = uint32_t(a_.m().types.enums[a_.m().types.info(iv.type).ref].members.size());
    table.resize(n);
    z3::expr term = (*atoms_)[i].term;
    for (uint32_t k = 0; k < n; ++k) {
      z3::expr_vector src(ctx_), dst(ctx_);
      src.push_back(iv.var);
      dst.push_back(ctx_.int_val(int(k)));
      z3::expr val = term.substitute(src, dst).simplify();
      table[k] = val.is_true() ? 1 : val.is_false() ? 0 : -1;
    }
  }
  return table[member];
}

// Whether a cube allows enum input v to be `member` when some of its conditions still read
// other inputs after substitution. When they read one other enum input, its members are tried
// the same way; otherwise a solver decides.
std::optional<bool> Symbolic::OpenMember(const Cube& cube, size_t v, uint32_t member) {
  const auto& ins = enc_a_->inputs();
  z3::expr_vector src(ctx_), dst(ctx_);
  src.push_back(ins[v].var);
  dst.push_back(ctx_.int_val(int(member)));
  std::vector<z3::expr> residual;
  std::set<unsigned> others;
  for (const auto& [i, pos] : cube.lits) {
    if (!atom_vars_[i].count(ins[v].var.id()) || AtomAt(i, v, member) >= 0) continue;
    z3::expr t = (*atoms_)[i].term;
    residual.push_back(pos ? t.substitute(src, dst).simplify() : (!t.substitute(src, dst)).simplify());
    for (unsigned x : atom_vars_[i]) if (x != ins[v].var.id()) others.insert(x);
  }
  size_t g = ins.size();
  if (others.size() == 1)
    for (size_t k = 0; k < ins.size(); ++k)
      if (ins[k].var.id() == *others.begin() && a_.m().types.kind(ins[k].type) == rt::TypeKind::Enum) g = k;
  bool simple = g < ins.size();
  for (const auto& [i, pos] : cube.lits)  // G's other conditions must read G alone
    if (simple && atom_vars_[i].count(ins[g].var.id()) && !atom_vars_[i].count(ins[v].var.id()) && atom_vars_[i].size() != 1) simple = false;
  if (simple) {
    uint32_t n = uint32_t(a_.m().types.enums[a_.m().types.info(ins[g].type).ref].members.size());
    for (uint32_t mg = 0; mg < n; ++mg) {
      bool fits = true;
      for (const auto& [i, pos] : cube.lits)
        if (atom_vars_[i].size() == 1 && atom_vars_[i].count(ins[g].var.id()) && bool(AtomAt(i, g, mg)) != pos) { fits = false; break; }
      z3::expr_vector gs(ctx_), gd(ctx_);
      gs.push_back(ins[g].var);
      gd.push_back(ctx_.int_val(int(mg)));
      for (size_t r = 0; fits && r < residual.size(); ++r) fits = residual[r].substitute(gs, gd).simplify().is_true();
      if (fits) return true;
    }
    return false;
  }
  return std::nullopt;  // no exact count for this input without a solver per member
}

std::string Symbolic::Verdict(const Side& s, const SideClass& sc) const {
  if (sc.error) return "error: " + ErrorOf(sc);
  return rt::FormatValue(sc.outcome, s.dec().result, s.m().types);
}

std::string Symbolic::Provisions(const Side& s, const SideClass& sc) const {
  return sc.error ? Verdict(s, sc) : ProvisionList(s, sc.deciding);
}

int Symbolic::Run(std::vector<SymbolicClass>* out) {
  auto t0 = std::chrono::steady_clock::now();
  const ir::Decision& da = a_.dec();
  const ir::Decision& db = b_.dec();
  enc_a_ = std::make_unique<smt::Encoder>(ctx_, a_.m(), texts_);
  if (b_.program == a_.program) {
    enc_b_ = enc_a_.get();
  } else {
    enc_b_owned_ = std::make_unique<smt::Encoder>(ctx_, b_.m(), texts_);
    enc_b_ = enc_b_owned_.get();
  }
  // Both versions must read the same inputs (names and shapes) to share variables.
  bool same = da.params.size() == db.params.size();
  for (size_t i = 0; same && i < da.params.size(); ++i)
    same = da.params[i].name == db.params[i].name && enc_a_->Shape(da.params[i].type) == enc_b_->Shape(db.params[i].type);
  if (!same || enc_a_->Shape(da.result) != enc_b_->Shape(db.result)) {
    std::cerr << fmt::format("error: the symbolic diff needs both versions of `{}` to take the same inputs and give the same "
                             "outcome type (the same fields, units, enum members and domains); use --cases for a corpus diff\n",
                             o_.decision);
    return kFailed;
  }
  try {
    inputs_ = enc_a_->MakeInputs(da);
    old_ = std::make_unique<smt::DecisionSym>(enc_a_->Decision(a_.decision, inputs_));
    new_ = std::make_unique<smt::DecisionSym>(enc_b_->Decision(b_.decision, inputs_));
  } catch (const smt::Unsupported& u) {
    const auto& srcs = a_.program->sources;
    std::cerr << fmt::format("error: the symbolic diff cannot encode {}{}; use --cases for a corpus diff\n", u.what,
                             u.range.valid() ? " at " + srcs.Where(u.range) : "");
    return kFailed;
  }
  // One atom list for both sides (the second encoder's atoms follow the first's).
  std::vector<smt::Atom> all = enc_a_->atoms();
  if (enc_b_ != enc_a_.get()) all.insert(all.end(), enc_b_->atoms().begin(), enc_b_->atoms().end());
  atom_store_ = std::move(all);
  atoms_ = &atom_store_;
  implies_ = std::make_unique<z3::solver>(ctx_);
  {
    // Simplifying a region may give up on a condition (keeping it is still exact), so its
    // checks get a time limit; finding classes and regions never does.
    z3::params p(ctx_);
    p.set("timeout", 10u);
    implies_->set(p);
  }
  implies_->add(enc_a_->domain());
  for (size_t i = 0; i < atoms_->size(); ++i) {
    z3::expr p = ctx_.bool_const(fmt::format("atom!{}", i).c_str());
    implies_->add(p == (*atoms_)[i].term);
    indicators_.push_back(p);
    std::set<unsigned> vs, seen;
    Vars((*atoms_)[i].term, vs, seen);
    atom_vars_.push_back(std::move(vs));
  }
  flag_names_ = FlagNames(da.result, a_.m().types);
  {
    auto fa = enc_a_->Flags(old_->outcome, da.result), fb = enc_b_->Flags(new_->outcome, db.result);
    flags_differ_ = ctx_.bool_val(false);
    for (size_t i = 0; i < fa.size() && i < fb.size(); ++i) flags_differ_ = flags_differ_ || fa[i] != fb[i];
  }
  flag_solver_ = std::make_unique<z3::solver>(ctx_);
  flag_solver_->add(enc_a_->domain());

  changed_ = old_->outcome.err != 0 || new_->outcome.err != 0 || !enc_a_->Equal(old_->outcome, new_->outcome, da.result);
  z3::solver s(ctx_);
  s.add(enc_a_->domain());
  s.add(changed_);
  std::string status = "complete";
  bool debug = std::getenv("EDICT_SYMBOLIC_DEBUG") != nullptr;
  auto since = [](auto t) { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count(); };
  if (debug) std::cerr << fmt::format("encoded in {:.3f} s; {} atoms\n", since(t0), atoms_->size());
  GlobalFlags(!out);
  if (debug) std::cerr << fmt::format("flags in {:.3f} s\n", since(t0));
  for (;;) {
    auto tc = std::chrono::steady_clock::now();
    z3::check_result r = s.check();
    if (debug) std::cerr << fmt::format("check {}: {:.3f} s\n", classes_.size(), since(tc));
    if (r == z3::unsat) break;
    if (r == z3::unknown) {
      status = "incomplete: Z3 answered `unknown` (" + s.reason_unknown() + ")";
      break;
    }
    z3::model m = s.get_model();
    Class k;
    k.old_c = Read(m, *enc_a_, *old_, a_);
    k.new_c = Read(m, *enc_b_, *new_, b_);
    // The class: the same errors, or the same deciding rules and finite parts, on each side; and a
    // change of verdict (which, when those are equal, is a change of flags or numbers).
    z3::expr rules = Formula(k.old_c, *old_, *enc_a_, a_) && Formula(k.new_c, *new_, *enc_b_, b_);
    z3::expr formula = rules && changed_;
    s.add(!formula);
    // The witness: the model's inputs (decimals with a finite decimal expansion, as a case
    // file can give them only those).
    z3::model wm = m;
    bool finite = true;
    for (const auto& iv : enc_a_->inputs()) {
      if (a_.m().types.kind(iv.type) != rt::TypeKind::Decimal) continue;
      std::string den = m.eval(iv.var, true).denominator().get_decimal_string(0);
      rt::i128 d = 0;
      for (char ch : den) d = d * 10 + (ch - '0');
      while (d % 2 == 0 && d > 1) d /= 2;
      while (d % 5 == 0 && d > 1) d /= 5;
      if (d != 1) finite = false;
    }
    if (!finite) {  // ask for a case of the class whose decimals have at most two places
      z3::solver w(ctx_);
      w.add(enc_a_->domain());
      w.add(formula);
      for (const auto& iv : enc_a_->inputs())
        if (a_.m().types.kind(iv.type) == rt::TypeKind::Decimal)
          w.add(iv.var * 100 == z3::to_real(ctx_.int_const(("witness!" + iv.path).c_str())));
      if (w.check() == z3::sat) {
        wm = w.get_model();
        k.old_c = Read(wm, *enc_a_, *old_, a_);  // the same class; its flags may differ
        k.new_c = Read(wm, *enc_b_, *new_, b_);
      }
    }
    if (debug) std::cerr << fmt::format("  witness: {:.3f} s\n", since(tc));
    for (size_t i = 0; i < da.params.size(); ++i) k.witness.push_back(enc_a_->Decode(wm, inputs_[i], da.params[i].type));
    k.witness_json = "{";
    for (size_t i = 0; i < da.params.size(); ++i)
      k.witness_json += (i ? "," : "") + rt::JsonQuote(da.params[i].name) + ":" +
                        rt::ValueToJson(k.witness[i], da.params[i].type, a_.m().types);
    k.witness_json += "}";
    std::string why;
    if (!Replay(k, &why)) {
      std::cerr << fmt::format("internal error: a witness of the symbolic diff does not replay ({}); the encoding disagrees with "
                               "the engines, please report this\n  witness: {}\n",
                               why, k.witness_json);
      return kFailed;
    }
    k.key = SideKey(a_, k.old_c) + " -> " + SideKey(b_, k.new_c);
    FlagStatus(k, formula, wm);
    if (debug) std::cerr << fmt::format("  flags: {:.3f} s\n", since(tc));
    if (!out) {
      // The region of the deciding rules and parts alone when that is the class, or is the class
      // once the flags differ (they then need not be spelled out in every cube).
      flag_solver_->push();
      flag_solver_->add(rules);
      z3::expr_vector unchanged(ctx_), other(ctx_);
      unchanged.push_back(!changed_);
      other.push_back(changed_ && !flags_differ_);
      bool whole = flag_solver_->check(unchanged) == z3::unsat;
      k.region_and_flags = !whole && flag_solver_->check(other) == z3::unsat;
      flag_solver_->pop();
      k.region = Cubes(whole || k.region_and_flags ? rules : formula, m);
      if (debug) std::cerr << fmt::format("  region ({} cubes): {:.3f} s\n", k.region.cubes.size(), since(tc));
      Count(k);
      if (debug) std::cerr << fmt::format("  counts: {:.3f} s\n", since(tc));
    }
    classes_.push_back(std::move(k));
  }
  double seconds = since(t0);
  if (out) {
    for (const auto& k : classes_) out->push_back({k.key, k.flags[0], k.flags[1]});
    return status == "complete" ? kOk : kFailed;
  }
  std::sort(classes_.begin(), classes_.end(), [&](const Class& x, const Class& y) {
    auto kx = std::tie(x.old_c.error, x.old_c.deciding, x.new_c.error, x.new_c.deciding, x.key);
    auto ky = std::tie(y.old_c.error, y.old_c.deciding, y.new_c.error, y.new_c.deciding, y.key);
    return kx < ky;
  });
  if (debug) std::cerr << fmt::format("done in {:.3f} s\n", seconds);
  if (!WriteReport(Report(status), o_.output)) return kInputError;
  return status == "complete" ? kOk : kFailed;
}

// Where each flag holds on each side, over the whole domain: never, always, or a region.
void Symbolic::GlobalFlags(bool regions) {
  for (int side = 0; side < 2; ++side) {
    Side& sd = side ? b_ : a_;
    const smt::DecisionSym& ds = side ? *new_ : *old_;
    smt::Encoder& enc = side ? *enc_b_ : *enc_a_;
    auto flags = enc.Flags(ds.outcome, sd.dec().result);
    z3::solver fs(ctx_);
    fs.add(enc_a_->domain());
    fs.add(ds.outcome.err == 0);
    for (const z3::expr& f : flags) {
      GlobalFlag g{f, 0, {}};
      z3::expr_vector have(ctx_), lack(ctx_);
      have.push_back(f);
      lack.push_back(!f);
      if (fs.check(have) == z3::sat) {
        g.status |= kCanHave;
        if (regions && fs.check(lack) != z3::unsat) {
          g.status |= kCanLack;
          fs.check(have);
          g.region = Cubes(ds.outcome.err == 0 && f, fs.get_model());
        }
      }
      if (!(g.status & kCanHave) || !regions) g.status |= fs.check(lack) == z3::unsat ? 0 : kCanLack;
      global_flags_[side].push_back(std::move(g));
    }
  }
}

// Which flags can be present and which absent in a class (the witness's model answers half).
void Symbolic::FlagStatus(Class& k, const z3::expr& formula, const z3::model& m) {
  bool pushed = false;
  for (int side = 0; side < 2; ++side) {
    if ((side ? k.new_c : k.old_c).error) continue;
    for (const GlobalFlag& g : global_flags_[side]) {
      uint8_t st = m.eval(g.flag, true).is_true() ? kCanHave : kCanLack;
      uint8_t other = st == kCanHave ? kCanLack : kCanHave;
      if (g.status & other) {
        if (!pushed) {
          flag_solver_->push();
          flag_solver_->add(formula);
          pushed = true;
        }
        z3::expr_vector as(ctx_);
        as.push_back(other == kCanHave ? g.flag : !g.flag);
        if (flag_solver_->check(as) != z3::unsat) st |= other;
      }
      k.flags[side].push_back(st);
    }
  }
  if (pushed) flag_solver_->pop();
}

std::string Symbolic::Report(const std::string& status) {
  const auto& types = a_.m().types;
  auto changes = [&](const Class& k) {
    auto ch = FieldChanges(a_, k.old_c.error ? nullptr : &k.old_c.outcome, k.new_c.error ? nullptr : &k.new_c.outcome);
    // Sets are flags, reported on their own line: their values in the witness do not name the class.
    std::erase_if(ch, [&](const FieldChange& c) {
      for (const FlagName& f : flag_names_) if (f.field == std::get<0>(c)) return true;
      return false;
    });
    return ch;
  };
  auto member_list = [&](const smt::InputVar& iv, const std::set<uint32_t>& ms) {
    const auto& en = types.enums[types.info(iv.type).ref];
    std::string s;
    for (uint32_t m : ms) s += (s.empty() ? "" : ", ") + en.members[m];
    return s;
  };
  auto status_name = [](uint8_t st) {
    return st == kCanHave ? "always" : st == (kCanHave | kCanLack) ? "sometimes" : "never";
  };
  // A set field's flags on one side of a class: "{a} + maybe {b, c}".
  auto flag_set = [&](const Class& k, int side, const std::string& field) {
    std::string always, maybe;
    for (size_t i = 0; i < flag_names_.size(); ++i) {
      if (flag_names_[i].field != field) continue;
      uint8_t st = k.flags[side][i];
      if (st == kCanHave) always += (always.empty() ? "" : ", ") + flag_names_[i].member;
      else if (st == (kCanHave | kCanLack)) maybe += (maybe.empty() ? "" : ", ") + flag_names_[i].member;
    }
    return "{" + always + "}" + (maybe.empty() ? "" : " + maybe {" + maybe + "}");
  };
  std::vector<std::string> flag_fields;
  for (const FlagName& f : flag_names_)
    if (std::find(flag_fields.begin(), flag_fields.end(), f.field) == flag_fields.end()) flag_fields.push_back(f.field);
  auto region_lines = [&](const Region& rg, bool md, const std::string& pad) {
    std::string r;
    for (const Cube& c : rg.cubes) {
      std::string conj;
      for (const auto& l : c.lits) conj += (conj.empty() ? "" : " and ") + Literal(l);
      if (conj.empty()) conj = "always";
      r += fmt::format("{}- {}\n", pad, md ? "`" + conj + "`" : conj);
    }
    if (rg.capped) r += fmt::format("{}- ... (more regions; the JSON report lists the first {})\n", pad, rg.cubes.size());
    return r;
  };
  auto region_json = [&](const Region& rg, bool and_flags) {
    std::string any;
    for (const Cube& c : rg.cubes) {
      std::string lits;
      for (const auto& l : c.lits) lits += (lits.empty() ? "" : ",") + rt::JsonQuote(Literal(l));
      any += (any.empty() ? "[" : ",[") + lits + "]";
    }
    return fmt::format("{{\"any_of\":[{}],\"and_flags_differ\":{},\"exact\":{},\"truncated\":{}}}", any,
                       and_flags ? "true" : "false", rg.exact ? "true" : "false", rg.capped ? "true" : "false");
  };
  // The flags that hold somewhere on either side.
  std::vector<size_t> live_flags;
  for (size_t i = 0; i < flag_names_.size(); ++i)
    if ((global_flags_[0][i].status & kCanHave) || (global_flags_[1][i].status & kCanHave)) live_flags.push_back(i);
  const auto& ins = enc_a_->inputs();
  bool complete = status == "complete";
  if (o_.format == "json") {
    auto verdict_json = [&](const Side& s, const SideClass& sc) { return VerdictJson(s, ErrorOf(sc), sc.outcome, sc.deciding); };
    std::string cls, flags;
    for (size_t i : live_flags) {
      std::string sides;
      for (int side = 0; side < 2; ++side) {
        const GlobalFlag& g = global_flags_[side][i];
        sides += fmt::format(",\"{}\":{{\"status\":\"{}\"{}}}", side ? "new" : "old", status_name(g.status),
                             g.status == (kCanHave | kCanLack) ? ",\"region\":" + region_json(g.region, false) : "");
      }
      flags += fmt::format("{}{{\"flag\":{}{}}}", flags.empty() ? "" : ",", rt::JsonQuote(flag_names_[i].Label()), sides);
    }
    for (const Class& k : classes_) {
      std::string ch, counts, kflags;
      for (const auto& [f, x, y] : changes(k))
        ch += fmt::format("{}{{\"field\":{},\"old\":{},\"new\":{}}}", ch.empty() ? "" : ",", rt::JsonQuote(f), rt::JsonQuote(x), rt::JsonQuote(y));
      for (const auto& [v, ms] : k.counts) {
        std::string names;
        const auto& en = types.enums[types.info(ins[v].type).ref];
        for (uint32_t m : ms) names += (names.empty() ? "" : ",") + rt::JsonQuote(en.members[m]);
        counts += fmt::format("{}{{\"input\":{},\"count\":{},\"of\":{},\"members\":[{}]}}", counts.empty() ? "" : ",",
                              rt::JsonQuote(ins[v].path), ms.size(), en.members.size(), names);
      }
      for (size_t i : live_flags) {
        auto st = [&](int side) {
          return k.flags[side].empty() ? std::string("null") : fmt::format("\"{}\"", status_name(k.flags[side][i]));
        };
        kflags += fmt::format("{}{{\"flag\":{},\"old\":{},\"new\":{}}}", kflags.empty() ? "" : ",",
                              rt::JsonQuote(flag_names_[i].Label()), st(0), st(1));
      }
      cls += fmt::format("{}{{\"old\":{},\"new\":{},\"changes\":[{}],\"flags\":[{}],\"region\":{},\"counts\":[{}],\"witness\":{}}}",
                         cls.empty() ? "" : ",", verdict_json(a_, k.old_c), verdict_json(b_, k.new_c), ch, kflags,
                         region_json(k.region, k.region_and_flags), counts, k.witness_json);
    }
    return fmt::format("{{\"mode\":\"symbolic\",\"decision\":{},\"old\":{},\"new\":{},\"complete\":{},\"status\":{},"
                       "\"flags\":[{}],\"classes\":[{}]}}\n",
                       rt::JsonQuote(o_.decision), SideJson(a_), SideJson(b_), complete ? "true" : "false",
                       rt::JsonQuote(status), flags, cls);
  }
  bool md = o_.format == "markdown";
  std::string r, h1 = md ? "# " : "", h2 = md ? "## " : "", bullet = md ? "- " : "  ";
  r += fmt::format("{}Symbolic verdict diff of `{}`\n\n", h1, o_.decision);
  r += fmt::format("{}old: {}\n{}new: {}\n", bullet, a_.Label(), bullet, b_.Label());
  size_t bounded = 0;
  for (const auto& rec : types.records)
    for (const auto& f : rec.fields) bounded += f.bounds.empty() ? 0 : 1;
  r += fmt::format("{}inputs: every case inside the declared domains ({} bounded field{}), over {} atomic condition{} of the rules\n",
                   bullet, bounded, bounded == 1 ? "" : "s", atoms_->size(), atoms_->size() == 1 ? "" : "s");
  r += fmt::format("{}result: {} transition class{}; {}\n\n", bullet, classes_.size(), classes_.size() == 1 ? "" : "es",
                   complete ? std::string("complete: Z3 proved that no other change of verdict exists")
                            : status);
  if (!live_flags.empty()) {
    r += fmt::format("{}Flags\n\n", md ? h2 : "");
    r += "The members of set-valued fields of the outcome are flags: classes do not split on them, but say which\n"
         "flags each side always, sometimes (maybe) or never has. Where each flag holds:\n\n";
    for (size_t i : live_flags) {
      r += fmt::format("{}{}\n", md ? "- " : "  ", md ? "`" + flag_names_[i].Label() + "`" : flag_names_[i].Label());
      for (int side = 0; side < 2; ++side) {
        const GlobalFlag& g = global_flags_[side][i];
        std::string name = (side ? b_ : a_).Name();
        if (g.status == (kCanHave | kCanLack)) {
          r += fmt::format("{}{} ({}): where{}:\n", md ? "  - " : "     ", side ? "new" : "old", name, g.region.cubes.size() > 1 ? " any of" : "");
          r += region_lines(g.region, md, md ? "    " : "       ");
        } else {
          r += fmt::format("{}{} ({}): {}\n", md ? "  - " : "     ", side ? "new" : "old", name, status_name(g.status));
        }
      }
    }
    r += "\n";
  }
  if (md) r += h2 + "Transition classes\n\n";
  size_t i = 0;
  for (const Class& k : classes_) {
    ++i;
    std::string what;
    for (const auto& [f, x, y] : changes(k)) what += (what.empty() ? "" : "; ") + fmt::format("{}: {} -> {}", f, x, y);
    bool record = types.kind(a_.dec().result) == rt::TypeKind::Record;
    if (what.empty()) what = record && !k.old_c.error && !k.new_c.error ? "flags change" : Verdict(a_, k.old_c) + " -> " + Verdict(b_, k.new_c);
    r += fmt::format("{}{}. {}\n", md ? "### " : "", i, what);
    if (md) r += "\n";
    std::string ind = md ? "- " : "   ";
    r += fmt::format("{}old ({}): {}\n", ind, a_.Name(), Provisions(a_, k.old_c));
    r += fmt::format("{}new ({}): {}\n", ind, b_.Name(), Provisions(b_, k.new_c));
    for (const std::string& field : flag_fields) {
      std::string o = k.old_c.error ? "error" : flag_set(k, 0, field), n = k.new_c.error ? "error" : flag_set(k, 1, field);
      if (o == "{}" && n == "{}") continue;
      r += fmt::format("{}{}: {} -> {}\n", ind, field.empty() ? "outcome" : field, o, n);
    }
    r += fmt::format("{}where{}:\n", ind, k.region.cubes.size() > 1 ? " any of" : "");
    r += region_lines(k.region, md, md ? "  " : "     ");
    if (k.region_and_flags) r += fmt::format("{}and the flags differ (see above)\n", ind);
    if (!k.region.exact) r += fmt::format("{}(the conditions shown also need the outcome's computed values to match)\n", ind);
    if (!k.counts.empty()) {
      std::string cs;
      for (const auto& [v, ms] : k.counts) {
        size_t n = types.enums[types.info(ins[v].type).ref].members.size();
        cs += (cs.empty() ? "" : "; ") + fmt::format("{}: {} of {}", ins[v].path, ms.size(), n);
        if (ms.size() <= 6) cs += " (" + member_list(ins[v], ms) + ")";
      }
      r += fmt::format("{}counts: {}\n", ind, cs);
    }
    r += fmt::format("{}witness (replayed on the interpreter and the JIT, both versions):\n", ind);
    r += md ? "\n  ```json\n  " + k.witness_json + "\n  ```\n\n" : "      " + k.witness_json + "\n\n";
  }
  return r;
}

}  // namespace

std::string ClassKey(const Side& s, const std::string& error, const rt::Value* outcome, const std::vector<uint32_t>& deciding) {
  if (!error.empty() || !outcome) return "error: " + error;
  std::string rules;
  for (uint32_t r : deciding) rules += (rules.empty() ? "" : ",") + (r == UINT32_MAX ? std::string("default") : s.dec().rules[r].name);
  return "[" + rules + "] " + Project(*outcome, s.dec().result, s.m().types, false);
}

int RunSymbolic(const DiffOptions& o, Side& a, Side& b, std::vector<SymbolicClass>* out) {
  Symbolic sym(o, a, b);
  return sym.Run(out);
}

std::vector<std::string> FlagLabels(const Side& s) {
  std::vector<std::string> out;
  for (const FlagName& f : FlagNames(s.dec().result, s.m().types)) out.push_back(f.Label());
  return out;
}

std::vector<bool> FlagValues(const Side& s, const rt::Value& outcome) {
  std::vector<bool> out;
  FlagWalk(s.dec().result, s.m().types, "", &outcome, nullptr, &out);
  return out;
}

}  // namespace edict::diff
