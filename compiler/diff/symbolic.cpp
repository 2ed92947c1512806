#include "compiler/diff/symbolic.h"
#include "compiler/diff/symbolic_report.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/interp/interp.h"
#include "compiler/jit/run.h"
#include "compiler/smt/encode.h"

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
    default: return "_";
  }
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

// Everything Z3 holds for one diff in one context: both decisions encoded over shared inputs,
// the atoms, and what classes are built from. The enumeration has one; every region job builds
// its own in a fresh context, so that jobs run in parallel and each job's answer depends on the
// job alone (never on what a solver learnt before, nor on the order jobs ran in).
struct Encoding {
  z3::context& c;
  const Side& a;
  const Side& b;
  smt::TextTable texts;
  std::unique_ptr<smt::Encoder> enc_a, enc_b_owned;
  smt::Encoder* enc_b = nullptr;
  std::vector<smt::Sym> inputs;
  std::unique_ptr<smt::DecisionSym> decs[2];
  std::vector<smt::Atom> atoms;               // both sides' atoms, the old side's first
  std::vector<z3::expr> indicators;           // one boolean per atom, equivalent to it
  std::vector<std::set<unsigned>> atom_vars;  // the input variables (AST ids) each atom reads
  z3::expr domain{c}, changed{c}, flags_differ{c};
  std::vector<z3::expr> flags[2];  // per side, in the order of Encoder::Flags

  Encoding(z3::context& ctx, const Side& old_side, const Side& new_side) : c(ctx), a(old_side), b(new_side) {
    enc_a = std::make_unique<smt::Encoder>(c, a.m(), texts);
    if (b.program == a.program) {
      enc_b = enc_a.get();
    } else {
      enc_b_owned = std::make_unique<smt::Encoder>(c, b.m(), texts);
      enc_b = enc_b_owned.get();
    }
  }
  smt::Encoder& Enc(int side) { return side ? *enc_b : *enc_a; }
  const Side& S(int side) const { return side ? b : a; }
  const smt::DecisionSym& Dec(int side) const { return *decs[side]; }

  // Both versions must read the same inputs (names and shapes) to share variables.
  bool SameShape() const {
    const ir::Decision& da = a.dec();
    const ir::Decision& db = b.dec();
    bool same = da.params.size() == db.params.size();
    for (size_t i = 0; same && i < da.params.size(); ++i)
      same =
          da.params[i].name == db.params[i].name && enc_a->Shape(da.params[i].type) == enc_b->Shape(db.params[i].type);
    return same && enc_a->Shape(da.result) == enc_b->Shape(db.result);
  }

  // Encodes both decisions (throws smt::Unsupported).
  void Build() {
    inputs = enc_a->MakeInputs(a.dec());
    decs[0] = std::make_unique<smt::DecisionSym>(enc_a->Decision(a.decision, inputs));
    decs[1] = std::make_unique<smt::DecisionSym>(enc_b->Decision(b.decision, inputs));
    domain = enc_a->domain();
    atoms = enc_a->atoms();
    if (enc_b != enc_a.get()) atoms.insert(atoms.end(), enc_b->atoms().begin(), enc_b->atoms().end());
    for (size_t i = 0; i < atoms.size(); ++i) {
      indicators.push_back(c.bool_const(fmt::format("atom!{}", i).c_str()));
      std::set<unsigned> vs, seen;
      Vars(atoms[i].term, vs, seen);
      atom_vars.push_back(std::move(vs));
    }
    // Changed: a different error, or no error on either side and different outcomes. The same
    // error on both sides is no change (docs/diff.md), like the same outcome.
    changed = decs[0]->outcome.err != decs[1]->outcome.err ||
              (decs[0]->outcome.err == 0 && !enc_a->Equal(decs[0]->outcome, decs[1]->outcome, a.dec().result));
    flags[0] = enc_a->Flags(decs[0]->outcome, a.dec().result);
    flags[1] = enc_b->Flags(decs[1]->outcome, b.dec().result);
    flags_differ = c.bool_val(false);
    for (size_t i = 0; i < flags[0].size() && i < flags[1].size(); ++i)
      flags_differ = flags_differ || flags[0][i] != flags[1][i];
  }

  // What one side gives in a model.
  SideClass Read(const z3::model& m, int side) {
    const smt::DecisionSym& ds = Dec(side);
    SideClass sc;
    int64_t err = 0;
    m.eval(ds.outcome.err, true).is_numeral_i64(err);
    sc.error = int(err);
    if (sc.error) return sc;
    for (uint32_t r = 0; r < ds.winners.size(); ++r)
      if (m.eval(ds.winners[r], true).is_true()) sc.deciding.push_back(r);
    if (sc.deciding.empty()) sc.deciding.push_back(UINT32_MAX);
    sc.outcome = Enc(side).Decode(m, ds.outcome, S(side).dec().result);
    return sc;
  }

  // The formula of one side of a class: the same error, or the same deciding rules and the same
  // finite parts of the outcome.
  z3::expr Formula(int side, const SideClass& sc) {
    const smt::DecisionSym& ds = Dec(side);
    smt::Encoder& enc = Enc(side);
    rt::TypeId result = S(side).dec().result;
    z3::expr f = ds.outcome.err == sc.error;
    if (sc.error) return f;
    for (uint32_t r = 0; r < ds.winners.size(); ++r) {
      bool wins = std::find(sc.deciding.begin(), sc.deciding.end(), r) != sc.deciding.end();
      f = f && (wins ? ds.winners[r] : !ds.winners[r]);
    }
    // The finite parts of the decoded outcome, as constants, against the symbolic ones.
    auto parts = enc.FiniteParts(ds.outcome, result);
    auto wanted = enc.FiniteParts(enc.Constant(sc.outcome, result), result);
    for (size_t i = 0; i < parts.size() && i < wanted.size(); ++i) f = f && parts[i] == wanted[i];
    return f;
  }
  // Both sides of a class: the same deciding rules and finite parts (not yet a change of verdict).
  z3::expr Rules(const Class& k) { return Formula(0, k.old_c) && Formula(1, k.new_c); }
};

// Z3's deterministic resource limits (in its own units, not time): a check that hits one gives
// `unknown`, never a different answer, so reports do not depend on the machine's speed.
constexpr unsigned kTrialLimit = 40'000;      // one attempt to drop a condition from a cube
constexpr unsigned kCheckLimit = 20'000'000;  // any other check of a job
constexpr size_t kMaxTrials = 12;             // condition drops attempted per cube
constexpr size_t kWorkers = 2;                // jobs' contexts (see RunJobs)

// The value of atom i when enum input v is `member` (0 or 1, or -1 when it still depends on other
// inputs), computed once per worker: counting asks it for every member of every input in every cube.
// An atom with an enum input replaced by each of its members, simplified: 1 (true), 0 (false), or
// -1 when it still reads other inputs; cached per atom and input.
class AtomTable {
 public:
  const std::vector<int8_t>& Get(Encoding& e, size_t atom, size_t input, uint32_t n) {
    auto it = table_.find({atom, input});
    if (it != table_.end()) return it->second;
    std::vector<int8_t> row(n);
    const smt::InputVar& iv = e.enc_a->inputs()[input];
    z3::expr term = e.atoms[atom].term;
    for (uint32_t k = 0; k < n; ++k) {
      z3::expr_vector src(e.c), dst(e.c);
      src.push_back(iv.var);
      dst.push_back(e.c.int_val(int(k)));
      z3::expr val = term.substitute(src, dst).simplify();
      row[k] = val.is_true() ? 1 : val.is_false() ? 0 : -1;
    }
    return table_.try_emplace({atom, input}, std::move(row)).first->second;
  }

 private:
  std::map<std::pair<size_t, size_t>, std::vector<int8_t>> table_;
};

// One job of the second stage: the flags, region and counts of a class, or the region of a flag.
// It runs in its own context.
class Job {
 public:
  // `max_cubes`: conjunctions listed per region (0: all); at most two more are generalised, since
  // a new one may absorb earlier ones.
  Job(const Side& a, const Side& b, size_t max_cubes)
      : e_(ctx_, a, b),
        max_cubes_(max_cubes ? max_cubes : SIZE_MAX),
        max_rounds_(max_cubes ? max_cubes + 2 : SIZE_MAX) {
    e_.Build();
    implies_ = std::make_unique<z3::solver>(ctx_);
    implies_->add(e_.domain);
    class_ = std::make_unique<z3::solver>(ctx_);
    Limit(*class_, kCheckLimit);
    class_->add(e_.domain);
    for (size_t i = 0; i < e_.atoms.size(); ++i) implies_->add(e_.indicators[i] == e_.atoms[i].term);
  }

  // Fills the class's flags and counts and, with `regions`, its region.
  void RunClass(Class& k, const std::vector<GlobalFlag> global[2], bool regions) {
    z3::expr rules = e_.Rules(k);
    z3::solver& s = *class_;  // the class's rules; `changed` makes it the class
    s.push();
    s.add(rules);
    struct Pop {
      z3::solver& s;
      ~Pop() { s.pop(); }
    } pop{s};
    // Flags: the witness answers one polarity of each; a check the other.
    for (int side = 0; side < 2; ++side) {
      const SideClass& sc = side ? k.new_c : k.old_c;
      if (sc.error) continue;
      std::vector<bool> at_witness = FlagValues(e_.S(side), sc.outcome);
      for (size_t i = 0; i < e_.flags[side].size(); ++i) {
        const z3::expr& f = e_.flags[side][i];
        uint8_t st = at_witness[i] ? kCanHave : kCanLack;
        uint8_t other = st == kCanHave ? kCanLack : kCanHave;
        if (global[side][i].status & other) {
          z3::expr_vector as(ctx_);
          as.push_back(e_.changed);
          as.push_back(other == kCanHave ? f : !f);
          if (s.check(as) != z3::unsat) st |= other;
        }
        k.flags[side].push_back(st);
      }
    }
    if (regions) {
      // The region of the deciding rules and parts alone when that is the class, or is the class
      // once the flags differ (they then need not be spelled out in every cube).
      z3::expr_vector unchanged(ctx_), other(ctx_);
      unchanged.push_back(!e_.changed);
      other.push_back(e_.changed && !e_.flags_differ);
      bool whole = s.check(unchanged) == z3::unsat;
      k.region_and_flags = !whole && s.check(other) == z3::unsat;
      s.push();
      if (!whole && !k.region_and_flags) s.add(e_.changed);
      k.region = Cubes(s, whole || k.region_and_flags ? rules : rules && e_.changed, AtomsAt(k.witness));
      s.pop();
    } else {
      k.region.exact = false;  // no region: every count is checked
    }
    s.push();  // the class: its rules and a change of verdict
    s.add(e_.changed);
    Count(k, s, rules && e_.changed);
    s.pop();
  }

  // The region where flag i of a side holds (on an outcome, not an error).
  Region RunFlag(int side, size_t i) {
    z3::expr f = e_.Dec(side).outcome.err == 0 && e_.flags[side][i];
    z3::solver s(ctx_);
    Limit(s, kCheckLimit);
    s.add(e_.domain);
    s.add(f);
    if (s.check() != z3::sat) return {};
    return Cubes(s, f, Values(s.get_model()));
  }

 private:
  static void Limit(z3::solver& s, unsigned rlimit) {
    z3::params p(s.ctx());
    p.set("rlimit", rlimit);
    s.set(p);
  }
  // The atoms' values in a model, or at a case (with no solver: the terms become constants).
  std::vector<bool> Values(const z3::model& m) {
    std::vector<bool> v;
    for (const smt::Atom& at : e_.atoms) v.push_back(m.eval(at.term, true).is_true());
    return v;
  }
  std::optional<std::vector<bool>> AtomsAt(const std::vector<rt::Value>& args) {
    z3::expr_vector src(ctx_), dst(ctx_);
    const ir::Decision& d = e_.a.dec();
    for (size_t p = 0; p < d.params.size(); ++p) {
      smt::Sym c = e_.enc_a->Constant(args[p], d.params[p].type);
      if (c.v.size() != e_.inputs[p].v.size() || !e_.inputs[p].elems.empty()) return std::nullopt;
      for (size_t j = 0; j < c.v.size(); ++j) {
        src.push_back(e_.inputs[p].v[j]);
        dst.push_back(c.v[j]);
      }
    }
    std::vector<bool> v;
    for (const smt::Atom& at : e_.atoms) {
      z3::expr x = z3::expr(at.term).substitute(src, dst).simplify();
      if (!x.is_true() && !x.is_false()) return std::nullopt;
      v.push_back(x.is_true());
    }
    return v;
  }
  Region Cubes(z3::solver& reg, const z3::expr& formula, std::optional<std::vector<bool>> first);
  void Count(Class& k, z3::solver& cls, const z3::expr& formula);
  std::optional<std::set<uint32_t>> CountBySignature(const Class& k, z3::solver& cls, size_t v,
                                                     const z3::expr& formula);
  int8_t AtomAt(size_t atom, size_t input, uint32_t member) {
    const smt::InputVar& iv = e_.enc_a->inputs()[input];
    const rt::TypeTable& types = e_.a.m().types;
    uint32_t n = uint32_t(types.enums[types.info(iv.type).ref].members.size());
    return table_.Get(e_, atom, input, n)[member];
  }

  // A term that reads enum input `var` alone, at each of its n members, simplified to a value
  // (cached per term, which the cache keeps alive so that its id stays its own).
  const std::vector<z3::expr>& PartValues(const z3::expr& part, const z3::expr& var, uint32_t n) {
    auto it = part_values_.find(part.id());
    if (it != part_values_.end()) return it->second.second;
    std::vector<z3::expr> values;
    for (uint32_t m = 0; m < n; ++m) {
      z3::expr_vector src(ctx_), dst(ctx_);
      src.push_back(var);
      dst.push_back(ctx_.int_val(int(m)));
      values.push_back(z3::expr(part).substitute(src, dst).simplify());
    }
    return part_values_.emplace(part.id(), std::make_pair(part, std::move(values))).first->second.second;
  }

  z3::context ctx_;  // first: destroyed after everything that holds its expressions
  Encoding e_;
  AtomTable table_;
  size_t max_cubes_, max_rounds_;
  std::unordered_map<unsigned, std::pair<z3::expr, std::vector<z3::expr>>> part_values_;
  std::unique_ptr<z3::solver> implies_;  // domain and indicators; checks that a cube implies a formula
  std::unique_ptr<z3::solver> class_;    // domain; a class's rules are pushed on it
};

// The region where `formula` holds, as a union of cubes over the atoms, each generalised (by
// an unsat core, then by dropping conditions one at a time) to few conditions that still imply
// the formula. `reg` holds the domain and the formula, and gets a blocking clause per cube (the
// caller pops them); `first` gives the atoms' values at a point of the region, if known.
Region Job::Cubes(z3::solver& reg, const z3::expr& formula, std::optional<std::vector<bool>> first) {
  Region k;
  implies_->push();
  implies_->add(!formula);
  std::vector<bool> values;
  if (first) {
    values = std::move(*first);
  } else if (reg.check() == z3::sat) {
    values = Values(reg.get_model());
  } else {
    implies_->pop();
    return k;
  }
  size_t rounds = 0;
  std::vector<std::vector<bool>> counterexamples;  // atoms' values at points outside the formula
  for (;;) {
    z3::expr_vector assumptions(ctx_);
    for (size_t i = 0; i < e_.atoms.size(); ++i)
      assumptions.push_back(values[i] ? e_.indicators[i] : !e_.indicators[i]);
    Cube cube;
    Limit(*implies_, kCheckLimit);
    auto res = implies_->check(assumptions);
    if (res == z3::unsat) {
      // Shrink the core: drop each condition whose absence keeps the implication (a trial that
      // runs out of its limit keeps the condition). A trial that a known counterexample (a
      // point of the domain outside the formula) already answers needs no check.
      auto literal = [&](const z3::expr& lit) {
        bool pos = !lit.is_app() || lit.decl().decl_kind() != Z3_OP_NOT;
        z3::expr ind = pos ? lit : lit.arg(0);
        for (size_t i = 0; i < e_.indicators.size(); ++i)
          if (z3::eq(e_.indicators[i], ind)) return std::make_pair(i, pos);
        return std::make_pair(e_.indicators.size(), pos);  // cannot happen: assumptions are indicators
      };
      auto lit_expr = [&](const std::pair<size_t, bool>& l) {
        return l.second ? e_.indicators[l.first] : !e_.indicators[l.first];
      };
      z3::expr_vector core = implies_->unsat_core();
      std::vector<std::pair<size_t, bool>> keep;
      for (unsigned i = 0; i < core.size(); ++i) keep.push_back(literal(core[int(i)]));
      Limit(*implies_, kTrialLimit);
      size_t trials = 0;
      for (size_t i = 0; i < keep.size() && trials < kMaxTrials;) {
        auto holds = [&](const std::vector<bool>& point) {
          for (size_t j = 0; j < keep.size(); ++j)
            if (j != i && point[keep[j].first] != keep[j].second) return false;
          return true;
        };
        if (std::any_of(counterexamples.begin(), counterexamples.end(), holds)) {
          ++i;
          continue;
        }
        ++trials;
        z3::expr_vector trial(ctx_);
        for (size_t j = 0; j < keep.size(); ++j)
          if (j != i) trial.push_back(lit_expr(keep[j]));
        z3::check_result r = implies_->check(trial);
        if (r == z3::unsat) {  // the trial's core may drop more than one condition
          z3::expr_vector tcore = implies_->unsat_core();
          std::set<std::pair<size_t, bool>> in_core;
          for (unsigned c = 0; c < tcore.size(); ++c) in_core.insert(literal(tcore[int(c)]));
          std::vector<std::pair<size_t, bool>> kept;
          size_t before = i;
          for (size_t j = 0; j < keep.size(); ++j) {
            if (j != i && in_core.count(keep[j]))
              kept.push_back(keep[j]);
            else if (j < i)
              --before;
          }
          keep = std::move(kept);
          i = before;
        } else {
          if (r == z3::sat) {
            // The point's atoms, read off their indicators (cheap), or evaluated where the model
            // leaves an indicator open.
            z3::model m = implies_->get_model();
            std::vector<bool> point;
            for (size_t a = 0; a < e_.atoms.size(); ++a) {
              z3::expr v = m.eval(e_.indicators[a], false);
              if (!v.is_true() && !v.is_false()) v = m.eval(e_.atoms[a].term, true);
              point.push_back(v.is_true());
            }
            counterexamples.push_back(std::move(point));
          }
          ++i;
        }
      }
      cube.lits = std::move(keep);
      std::sort(cube.lits.begin(), cube.lits.end());
    } else {
      k.exact = false;
      for (size_t i = 0; i < e_.atoms.size(); ++i) cube.lits.emplace_back(i, values[i]);
    }
    // A cube generalised from a new point can cover earlier ones: keep only the widest.
    auto covers = [](const Cube& wide, const Cube& narrow) {
      return std::includes(narrow.lits.begin(), narrow.lits.end(), wide.lits.begin(), wide.lits.end());
    };
    std::erase_if(k.cubes, [&](const Cube& c) { return covers(cube, c); });
    k.cubes.push_back(cube);
    ++rounds;
    z3::expr conj = ctx_.bool_val(true);
    for (const auto& [i, pos] : cube.lits) conj = conj && (pos ? e_.atoms[i].term : !e_.atoms[i].term);
    reg.add(!conj);
    z3::check_result more = reg.check();
    if (more == z3::unknown) k.capped = true;
    if (more != z3::sat) break;
    if (k.cubes.size() >= max_cubes_ || rounds >= max_rounds_) {
      k.capped = true;
      break;
    }
    values = Values(reg.get_model());
  }
  implies_->pop();
  return k;
}

// For every enum input, the members possible in the class (`formula`, which `cls` holds), when
// they are not all of them.
void Job::Count(Class& k, z3::solver& cls, const z3::expr& formula) {
  const auto& ins = e_.enc_a->inputs();
  const rt::TypeTable& types = e_.a.m().types;
  for (size_t v = 0; v < ins.size(); ++v) {
    if (types.kind(ins[v].type) != rt::TypeKind::Enum) continue;
    size_t n = types.enums[types.info(ins[v].type).ref].members.size();
    std::optional<std::set<uint32_t>> members = CountBySignature(k, cls, v, formula);
    if (members && members->size() < n) k.counts.emplace_back(v, std::move(*members));
  }
}

// The members of enum input v possible in the class (nullopt: Z3 could not tell within its
// limit). Every occurrence of v in the formula lies in a largest subterm that reads v and no other
// input; members on which all of those subterms take the same values give the same formula once
// v is replaced, so they are interchangeable, and one check per group of them decides the group.
// A subterm's value at a member is the subterm with v replaced, simplified: Z3 shares equal terms,
// so equal ids mean equal values.
std::optional<std::set<uint32_t>> Job::CountBySignature(const Class& k, z3::solver& cls, size_t v,
                                                        const z3::expr& formula) {
  const smt::InputVar& iv = e_.enc_a->inputs()[v];
  unsigned id = iv.var.id();
  // Per node: bit 1, reads v; bit 2, reads another input.
  std::unordered_map<unsigned, uint8_t> reads;
  std::function<uint8_t(const z3::expr&)> mark = [&](const z3::expr& t) -> uint8_t {
    auto it = reads.find(t.id());
    if (it != reads.end()) return it->second;
    uint8_t r = 0;
    if (t.is_const() && t.decl().decl_kind() == Z3_OP_UNINTERPRETED) {
      r = t.id() == id ? 1 : 2;
    } else if (t.is_app()) {
      for (unsigned i = 0; i < t.num_args(); ++i) r |= mark(t.arg(i));
    }
    reads.emplace(t.id(), r);
    return r;
  };
  mark(formula);
  z3::expr_vector parts(ctx_);
  std::set<unsigned> seen;
  std::function<void(const z3::expr&)> collect = [&](const z3::expr& t) {
    uint8_t r = reads.at(t.id());
    if (!(r & 1) || !seen.insert(t.id()).second) return;
    if (r == 1) {
      parts.push_back(t);
      return;
    }
    for (unsigned i = 0; i < t.num_args(); ++i) collect(t.arg(i));
  };
  collect(formula);
  uint32_t n = uint32_t(e_.a.m().types.enums[e_.a.m().types.info(iv.type).ref].members.size());
  std::map<std::vector<unsigned>, std::vector<uint32_t>> groups;
  std::vector<const std::vector<z3::expr>*> rows;
  for (unsigned p = 0; p < parts.size(); ++p) rows.push_back(&PartValues(parts[int(p)], iv.var, n));
  for (uint32_t m = 0; m < n; ++m) {
    std::vector<unsigned> key;
    for (const auto* row : rows) key.push_back((*row)[m].id());
    groups[key].push_back(m);
  }
  // Which groups the class reaches. A group is reached without a check when a cube of the region (each implies the
  // class when the region is exact and is the class's) allows its first member: the cube's conditions on v all hold
  // there, and its other conditions do not read v (they hold at the point it came from).
  std::set<uint32_t> members;
  std::vector<const std::vector<uint32_t>*> open;
  bool cubes = k.region.exact && !k.region_and_flags;
  for (const auto& group : groups) {
    const auto& ms = group.second;  // not a structured binding: clang 14 cannot capture one
    auto allows = [&](const Cube& cube) {
      for (const auto& [i, pos] : cube.lits)
        if (e_.atom_vars[i].count(id) && AtomAt(i, v, ms.front()) != int8_t(pos)) return false;
      return true;
    };
    if (cubes && std::any_of(k.region.cubes.begin(), k.region.cubes.end(), allows))
      members.insert(ms.begin(), ms.end());
    else
      open.push_back(&ms);
  }
  for (const auto* ms : open) {  // `cls` holds the class: domain, rules and a change of verdict
    z3::expr_vector as(ctx_);
    as.push_back(iv.var == ctx_.int_val(int(ms->front())));
    z3::check_result r = cls.check(as);
    if (r == z3::unknown) return std::nullopt;
    if (r == z3::sat) members.insert(ms->begin(), ms->end());
  }
  return members;
}

class Symbolic {
 public:
  Symbolic(const DiffOptions& o, Side& a, Side& b, const std::function<int()>& engines)
      : o_(o), a_(a), b_(b), engines_(engines) {}

  int Run(std::vector<SymbolicClass>* out);

 private:
  bool Replay(Class& k, std::string* why);
  void GlobalFlags();
  bool RunJobs(bool regions);

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
    for (int engine = 0; engine < 2; ++engine) {
      interp::DecisionTrace trace;
      SideClass got;
      try {
        rt::Value v =
            engine ? runner.Eval(s.decision, k.witness, &trace) : in.EvalDecision(s.decision, k.witness, &trace);
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

// The second stage: every class's flags (and, with `regions`, its region and counts) and every
// flag's region, as independent jobs over the cores. Returns false if a job could not encode.
bool Symbolic::RunJobs(bool regions) {
  struct Task {
    size_t cls = SIZE_MAX;  // a class, or a flag:
    int side = 0;
    size_t flag = 0;
  };
  std::vector<Task> tasks;
  for (size_t i = 0; i < f_.classes.size(); ++i) tasks.push_back({i, 0, 0});
  for (int side = 0; regions && side < 2; ++side)
    for (size_t i = 0; i < f_.global_flags[side].size(); ++i)
      if (f_.global_flags[side][i].status == (kCanHave | kCanLack)) tasks.push_back({SIZE_MAX, side, i});
  // A fixed number of workers, each with its own context, takes every kWorkers-th task: what a
  // worker's solvers learn from one task carries to its next, so the report depends on this
  // number, and fixing it keeps the report the same on every machine (a machine with fewer
  // cores just runs the workers slower).
  std::atomic<bool> failed{false};
  auto work = [&](size_t w) {
    try {
      Job job(a_, b_, o_.max_conjunctions);
      for (size_t t = w; t < tasks.size(); t += kWorkers) {
        const Task& task = tasks[t];
        if (task.cls != SIZE_MAX)
          job.RunClass(f_.classes[task.cls], f_.global_flags, regions);
        else
          f_.global_flags[task.side][task.flag].region = job.RunFlag(task.side, task.flag);
      }
    } catch (const smt::Unsupported&) {
      failed = true;  // cannot happen: the enumeration encoded the same decisions
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < kWorkers; ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& th : threads) th.join();
  return !failed;
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
  if (!RunJobs(!out)) {
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
    auto list = [&](uint32_t start, uint32_t n) {
      for (uint32_t i = 0; i < n; ++i) sub(m_.extra[start + i]);
    };
    switch (e.op) {
      case ir::Op::Error:
      case ir::Op::BoolLit:
      case ir::Op::IntLit:
      case ir::Op::DecLit:
      case ir::Op::DateLit:
      case ir::Op::DurLit:
      case ir::Op::TextLit:
      case ir::Op::EnumLit:
      case ir::Op::Local:
      case ir::Op::Const: break;
      case ir::Op::LetRef: sub(dec.lets[e.a].value); break;
      case ir::Op::SetLit:
      case ir::Op::ListLit: list(e.a, e.b); break;
      case ir::Op::RecordLit: list(e.b, uint32_t(m_.types.records[e.a].fields.size())); break;
      case ir::Op::Call:
        list(e.b, uint32_t(m_.defs[e.a].params.size()));
        sub(m_.defs[e.a].body);
        break;
      case ir::Op::DecisionCall:
        list(e.b, uint32_t(m_.decisions[e.a].params.size()));
        below = std::max(below, Decision(e.a));
        break;
      case ir::Op::Builtin:
        list(e.b, e.c);
        // A sum over a list literal is a chain as long as the list.
        if (ir::Builtin(e.a) == ir::Builtin::Sum && e.c == 1 && m_.exprs[m_.extra[e.b]].op == ir::Op::ListLit)
          own = m_.exprs[m_.extra[e.b]].b;
        break;
      case ir::Op::Field: sub(e.a); break;
      case ir::Op::With:
        sub(e.a);
        for (uint32_t i = 0; i < e.c; ++i) sub(m_.extra[e.b + 2 * i + 1]);
        break;
      case ir::Op::If:
        sub(e.a);
        sub(e.b);
        sub(e.c);
        break;
      case ir::Op::Exists:
      case ir::Op::Forall:
        sub(e.b);
        sub(e.c);
        break;
      case ir::Op::Not:
      case ir::Op::IntToDec: sub(e.a); break;
      case ir::Op::IntNeg:
      case ir::Op::DecNeg:
      case ir::Op::DurNeg:
        sub(e.a);
        own = 1;
        break;
      case ir::Op::IntAdd:
      case ir::Op::IntSub:
      case ir::Op::IntMul:
      case ir::Op::DecAdd:
      case ir::Op::DecSub:
      case ir::Op::DecMul:
      case ir::Op::DecDiv:
      case ir::Op::DurAdd:
      case ir::Op::DurSub:
      case ir::Op::DurMul:
        sub(e.a);
        sub(e.b);
        own = 1;
        break;
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
        sub(e.a);
        sub(e.b);
        break;
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
