#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "compiler/smt/symbolic_encoding.h"

namespace edict::smt {
namespace {

// Z3's deterministic resource limits (in its own units, not time): a check that hits one gives
// `unknown`, never a different answer, so reports do not depend on the machine's speed.
constexpr unsigned kTrialLimit = 40'000;      // one attempt to drop a condition from a cube
constexpr unsigned kCheckLimit = 20'000'000;  // any other check of a job
constexpr size_t kMaxTrials = 12;             // condition drops attempted per cube
constexpr unsigned kShownLimit = 200'000;
constexpr size_t kSpread = 2;   // tries for a next point outside the shared conditions     // one attempt to drop a
                                // condition a reader need not see
constexpr size_t kWorkers = 2;  // jobs' contexts (see RunJobs)

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
    implies_ = std::make_unique<z3::solver>(NewSolver(ctx_));
    implies_->add(e_.domain);
    class_ = std::make_unique<z3::solver>(NewSolver(ctx_));
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
    double t0 = Cpu();
    Flags(k, global);
    double t1 = Cpu();
    cpu_[0] += t1 - t0;
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
      double t2 = Cpu();
      cpu_[1] += t2 - t1;
      t1 = t2;
      s.pop();
      // The deciding rules' own conditions, which the report names by the rules.
      z3::expr conds = ctx_.bool_val(true);
      for (int side = 0; side < 2; ++side) {
        const SideClass& sc = side ? k.new_c : k.old_c;
        if (sc.error) continue;
        for (uint32_t r : sc.deciding)
          if (r != UINT32_MAX) conds = conds && e_.Dec(side).applies[r];
      }
      Shown(k.region, conds);
      double t2b = Cpu();
      cpu_[2] += t2b - t1;
      t1 = t2b;
    } else {
      k.region.exact = false;  // no region: every count is checked
    }
    s.push();  // the class: its rules and a change of verdict
    s.add(e_.changed);
    // Counting groups interchangeable members by the terms of the formula that read an input;
    // the invariants are terms too (they can tie an enum input to others).
    Count(k, s, rules && e_.changed && e_.valid);
    cpu_[3] += Cpu() - t1;
    s.pop();
    for (const auto& [v, members] : k.counts) k.count_stated.push_back(regions && Stated(k.region, v, members));
  }

  // The flags a class can have and lack. The witness answers one polarity of each; the other is
  // asked of the class (with a change of verdict) for all open flags at once: a model answers
  // every flag whose other polarity it shows, and `unsat` settles all that are left, so a class
  // costs a check per model found plus one, not one per flag.
  void Flags(Class& k, const std::vector<GlobalFlag> global[2]) {
    struct Open {
      int side;
      size_t flag;
      uint8_t other;
      z3::expr lit;
    };
    std::vector<Open> open;
    for (int side = 0; side < 2; ++side) {
      const SideClass& sc = side ? k.new_c : k.old_c;
      if (sc.error) continue;
      std::vector<bool> at_witness = FlagValues(e_.S(side), sc.outcome);
      for (size_t i = 0; i < e_.flags[side].size(); ++i) {
        uint8_t st = at_witness[i] ? kCanHave : kCanLack;
        uint8_t other = st == kCanHave ? kCanLack : kCanHave;
        if (global[side][i].status & other)
          open.push_back({side, i, other, other == kCanHave ? e_.flags[side][i] : !e_.flags[side][i]});
        k.flags[side].push_back(st);
      }
    }
    z3::solver& s = *class_;  // holds the class's rules
    while (!open.empty()) {
      z3::expr_vector any(ctx_), as(ctx_);
      for (const Open& o : open) any.push_back(o.lit);
      as.push_back(e_.changed);
      as.push_back(z3::mk_or(any));
      z3::check_result r = s.check(as);
      if (r == z3::unsat) break;
      size_t before = open.size();
      if (r == z3::sat) {
        z3::model m = s.get_model();
        std::erase_if(open, [&](const Open& o) {
          if (!m.eval(o.lit, true).is_true()) return false;
          k.flags[o.side][o.flag] |= o.other;
          return true;
        });
      }
      // `unknown` (or a model that shows none): each open flag on its own, and one that Z3 cannot
      // decide may be either.
      if (open.size() == before) {
        for (const Open& o : open) {
          z3::expr_vector one(ctx_);
          one.push_back(e_.changed);
          one.push_back(o.lit);
          if (s.check(one) != z3::unsat) k.flags[o.side][o.flag] |= o.other;
        }
        break;
      }
    }
  }

  // The region where flag i of a side holds (on an outcome, not an error).
  Region RunFlag(int side, size_t i) {
    z3::expr f = e_.Dec(side).outcome.err == 0 && e_.flags[side][i];
    z3::solver s = NewSolver(ctx_);
    Limit(s, kCheckLimit);
    s.add(e_.domain);
    s.add(f);
    if (s.check() != z3::sat) return {};
    Region r = Cubes(s, f, Values(s.get_model()));
    Shown(r, ctx_.bool_val(true));
    return r;
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
  void Shown(Region& r, const z3::expr& known);
  bool Stated(const Region& r, size_t v, const std::set<uint32_t>& members);
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

  // The uninterpreted constants (inputs) a term reads, their ids sorted; cached per node for one
  // class's formula, which keeps every node alive (so that an id stays its node's). Nothing else is
  // kept alive: Z3's answers depend on the ids of the terms it creates, and so on which are freed.
  const std::vector<unsigned>& NodeVars(const z3::expr& t) {
    auto it = node_vars_.find(t.id());
    if (it != node_vars_.end()) return it->second;
    std::vector<unsigned> vars;
    if (t.is_const() && t.decl().decl_kind() == Z3_OP_UNINTERPRETED) {
      vars.push_back(t.id());
    } else if (t.is_app()) {
      for (unsigned i = 0; i < t.num_args(); ++i) {
        const std::vector<unsigned>& sub = NodeVars(t.arg(i));
        std::vector<unsigned> both;
        std::set_union(vars.begin(), vars.end(), sub.begin(), sub.end(), std::back_inserter(both));
        vars = std::move(both);
      }
    }
    return node_vars_.emplace(t.id(), std::move(vars)).first->second;  // references stay valid on rehash
  }

  static double Cpu() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
  }

 public:
  // CPU seconds of this job's classes: flags, regions, their shown form, counts.
  double cpu_[4] = {0, 0, 0, 0};

 private:
  z3::context ctx_;  // first: destroyed after everything that holds its expressions
  Encoding e_;
  AtomTable table_;
  size_t max_cubes_, max_rounds_;
  std::unordered_map<unsigned, std::pair<z3::expr, std::vector<z3::expr>>> part_values_;
  std::unordered_map<unsigned, std::vector<unsigned>> node_vars_;  // NodeVars, for the class Count is at
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
    // The next point, preferably outside a condition every conjunction so far shares (at most
    // kSpread tries), so that a list cut at the cap shows the region's variety rather than
    // one corner of it.
    std::optional<z3::model> next;
    if (k.cubes.size() < max_cubes_ && rounds < max_rounds_) {
      std::vector<std::pair<size_t, bool>> common = k.cubes[0].lits;
      for (const Cube& c : k.cubes) {
        std::vector<std::pair<size_t, bool>> both;
        std::set_intersection(common.begin(), common.end(), c.lits.begin(), c.lits.end(), std::back_inserter(both));
        common = std::move(both);
      }
      for (size_t t = 0; t < common.size() && t < kSpread && !next; ++t) {
        z3::expr_vector as(ctx_);
        as.push_back(common[t].second ? !e_.atoms[common[t].first].term : e_.atoms[common[t].first].term);
        if (reg.check(as) == z3::sat) next = reg.get_model();
      }
    }
    if (!next) {
      z3::check_result more = reg.check();
      if (more == z3::unknown) k.capped = true;
      if (more != z3::sat) break;
      next = reg.get_model();
    }
    if (k.cubes.size() >= max_cubes_ || rounds >= max_rounds_) {
      k.capped = true;
      break;
    }
    values = Values(*next);
  }
  implies_->pop();
  return k;
}

// Each cube's conditions a reader needs: a condition is dropped when the others, with `known`
// (the deciding rules' own conditions), the domains and the invariants, imply it. A check that
// runs out of its limit keeps the condition.
void Job::Shown(Region& r, const z3::expr& known) {
  implies_->push();
  implies_->add(known);
  Limit(*implies_, kShownLimit);
  for (Cube& cube : r.cubes) {
    std::vector<std::pair<size_t, bool>> keep = cube.lits;
    for (size_t i = 0; i < keep.size();) {
      z3::expr_vector as(ctx_);
      for (size_t j = 0; j < keep.size(); ++j) {
        const auto& [a, pos] = keep[j];
        bool want = j == i ? !pos : pos;
        as.push_back(want ? e_.indicators[a] : !e_.indicators[a]);
      }
      if (implies_->check(as) == z3::unsat)
        keep.erase(keep.begin() + long(i));
      else
        ++i;
    }
    cube.shown = std::move(keep);
  }
  implies_->pop();
}

// Whether the members of enum input v that the shown conditions reading v alone allow, in some
// cube, are `members`.
bool Job::Stated(const Region& r, size_t v, const std::set<uint32_t>& members) {
  if (!r.exact || r.capped) return false;
  const smt::InputVar& iv = e_.enc_a->inputs()[v];
  unsigned id = iv.var.id();
  const rt::TypeTable& types = e_.a.m().types;
  uint32_t n = uint32_t(types.enums[types.info(iv.type).ref].members.size());
  std::set<uint32_t> allowed;
  for (uint32_t m = 0; m < n; ++m)
    for (const Cube& c : r.cubes) {
      bool ok = std::all_of(c.shown.begin(), c.shown.end(), [&](const std::pair<size_t, bool>& l) {
        const auto& vars = e_.atom_vars[l.first];
        return !(vars.size() == 1 && vars.count(id)) || AtomAt(l.first, v, m) == int8_t(l.second);
      });
      if (ok) {
        allowed.insert(m);
        break;
      }
    }
  return allowed == members;
}

// For every enum input (and the member of every input of a sum type), the members possible in
// the class (`formula`, which `cls` holds), when they are not all of them.
void Job::Count(Class& k, z3::solver& cls, const z3::expr& formula) {
  const auto& ins = e_.enc_a->inputs();
  const rt::TypeTable& types = e_.a.m().types;
  for (size_t v = 0; v < ins.size(); ++v) {
    if (types.kind(ins[v].type) != rt::TypeKind::Enum && types.kind(ins[v].type) != rt::TypeKind::Sum) continue;
    size_t n = types.enums[types.info(ins[v].type).ref].members.size();
    std::optional<std::set<uint32_t>> members = CountBySignature(k, cls, v, formula);
    if (members && members->size() < n) k.counts.emplace_back(v, std::move(*members));
  }
  node_vars_.clear();  // its ids are the formula's, which dies after this
}

// The members of enum input v possible in the class (nullopt: Z3 could not tell within its
// limit). Every occurrence of v in the formula (and in the invariants, where they read v) lies in
// a largest subterm that reads v and no other input; members on which all of those subterms take the same values give
// the same formula once v is replaced, so they are interchangeable, and one check per group of them decides the group.
// A subterm's value at a member is the subterm with v replaced, simplified: Z3 shares equal terms,
// so equal ids mean equal values.
std::optional<std::set<uint32_t>> Job::CountBySignature(const Class& k, z3::solver& cls, size_t v,
                                                        const z3::expr& formula) {
  const smt::InputVar& iv = e_.enc_a->inputs()[v];
  unsigned id = iv.var.id();
  z3::expr_vector parts(ctx_);
  std::unordered_set<unsigned> seen;
  std::function<void(const z3::expr&)> collect = [&](const z3::expr& t) {
    const std::vector<unsigned>& vars = NodeVars(t);
    if (!std::binary_search(vars.begin(), vars.end(), id) || !seen.insert(t.id()).second) return;
    if (vars.size() == 1) {
      parts.push_back(t);
      return;
    }
    for (unsigned i = 0; i < t.num_args(); ++i) collect(t.arg(i));
  };
  collect(formula);
  // The invariants are part of the domain, not of the formula: where they read v, members they
  // tell apart must not share a group.
  const std::vector<unsigned>& tied = NodeVars(e_.valid);
  bool is_tied = std::binary_search(tied.begin(), tied.end(), id);
  if (is_tied) collect(e_.valid);
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
  // Not when the invariants read v: they may tie it to other inputs, and a cube's point with v
  // changed may then leave the domain (a cube implies the class within the domain only), so every
  // group is checked. (The domain's other parts bound an enum input to its members only.)
  bool cubes = k.region.exact && !k.region_and_flags && !is_tied;
  // Per cube, its conditions that read v: the atom, the polarity wanted, and the atom's value at each
  // member, computed when first needed (each computation makes terms, and Z3's answers depend on
  // the terms made before: the same ones in the same order keep the report the same).
  struct OnV {
    size_t atom;
    int8_t pos;
    const std::vector<int8_t>* row;
  };
  std::vector<std::vector<OnV>> on_v;
  if (cubes)
    for (const Cube& cube : k.region.cubes) {
      on_v.emplace_back();
      for (const auto& [i, pos] : cube.lits)
        if (e_.atom_vars[i].count(id)) on_v.back().push_back({i, int8_t(pos), nullptr});
    }
  for (const auto& group : groups) {
    const auto& ms = group.second;  // not a structured binding: clang 14 cannot capture one
    auto allows = [&](std::vector<OnV>& lits) {
      for (OnV& l : lits) {
        if (!l.row) l.row = &table_.Get(e_, l.atom, v, n);
        if ((*l.row)[ms.front()] != l.pos) return false;
      }
      return true;
    };
    if (cubes && std::any_of(on_v.begin(), on_v.end(), allows))
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

}  // namespace

bool RunFlagJob(const Side& a, const Side& b, size_t max_conjunctions, std::vector<GlobalFlag> global_flags[2]) {
  try {
    Job job(a, b, max_conjunctions);
    for (int side = 0; side < 2; ++side)
      for (size_t i = 0; i < global_flags[side].size(); ++i)
        if (global_flags[side][i].status == (kCanHave | kCanLack)) global_flags[side][i].region = job.RunFlag(side, i);
  } catch (const smt::Unsupported&) {
    return false;  // cannot happen: the enumeration encoded the same decisions
  }
  return true;
}

bool RunJobs(const Side& a, const Side& b, size_t max_conjunctions, bool regions, const std::vector<Class*>& classes,
             std::vector<GlobalFlag> global_flags[2]) {
  // A fixed number of workers, each with its own context, takes every kWorkers-th class: what a
  // worker's solvers learn from one task carries to its next, so the report depends on this
  // number, and fixing it keeps the report the same on every machine (a machine with fewer
  // cores just runs the workers slower).
  std::atomic<bool> failed{false};
  auto work = [&](size_t w) {
    try {
      Job job(a, b, max_conjunctions);
      for (size_t t = w; t < classes.size(); t += kWorkers) job.RunClass(*classes[t], global_flags, regions);
      if (std::getenv("EDICT_SYMBOLIC_DEBUG"))
        std::cerr << fmt::format("worker {} CPU: flags {:.3f} s, regions {:.3f} s, shown {:.3f} s, counts {:.3f} s\n",
                                 w, job.cpu_[0], job.cpu_[1], job.cpu_[2], job.cpu_[3]);
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

}  // namespace edict::smt
