// Inside compiler/smt/: the Z3 encoding of one diff (both decisions over shared inputs, the
// atoms, and the formulas classes are built from), shared by the symbolic diff's two stages.
// symbolic.cpp finds the classes, with their witnesses (the first stage); symbolic_regions.cpp
// finds each class's flags, region and counts, and each flag's region (the second stage).
#pragma once
#include <memory>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <z3++.h>

#include "compiler/smt/encode.h"
#include "compiler/smt/symbolic.h"

namespace edict::smt {

// Every solver of the diff is Z3's incremental SMT core. Z3's default solver answers the first
// check of a solver with a tactic chosen for the formula; when every integer is bounded (every
// input is, by its domain) that tactic bit-blasts the arithmetic, which took 82 s and 3.4 GB for
// a rule of 900 bounds on one input that the SMT core settles in 20 ms (the test
// large/conjunction_symbolic_diff).
inline z3::solver NewSolver(z3::context& c) { return z3::solver(c, z3::solver::simple()); }

// The uninterpreted constants (inputs) a term reads.
inline void Vars(const z3::expr& e, std::set<unsigned>& out, std::set<unsigned>& seen) {
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
  z3::expr valid{c};               // both versions' invariants hold (part of the domain)
  std::vector<z3::expr> flags[2];  // per side, in the order of Encoder::Flags

  Encoding(z3::context& ctx, const Side& old_side, const Side& new_side) : c(ctx), a(old_side), b(new_side) {
    enc_a = std::make_unique<smt::Encoder>(c, a.m(), texts);
    if (b.module == a.module) {
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
    // The cases both versions can be asked about: inside the declared domains, and meeting the
    // invariants of both (an invariant is assumed, never reported as a change or an error).
    valid = decs[0]->valid && decs[1]->valid;
    domain = enc_a->domain() && valid;
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

// The second stage: every class's flags (and, with `regions`, its region and counts), as
// independent jobs on a fixed number of workers, each in its own context (`max_conjunctions`:
// listed per region, 0 for all). Returns false if a job could not encode.
bool RunJobs(const Side& a, const Side& b, size_t max_conjunctions, bool regions, const std::vector<Class*>& classes,
             std::vector<GlobalFlag> global_flags[2]);
// The region of every flag that can both hold and not (its global status known), in one job with a
// context of its own; it needs no class, so it runs while the first stage enumerates them. Returns
// false if the job could not encode.
bool RunFlagJob(const Side& a, const Side& b, size_t max_conjunctions, std::vector<GlobalFlag> global_flags[2]);

}  // namespace edict::smt
