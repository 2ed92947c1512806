// `edict verify`'s questions to Z3 (verify.h): one encoding of the decision, one solver holding
// its domain, and each question pushed and popped on it.
#include "compiler/smt/verify.h"

#include <algorithm>

#include "compiler/smt/encode.h"
#include "compiler/smt/symbolic_encoding.h"
#include "runtime/errors.h"

namespace edict::smt {
namespace {

class Verifier {
 public:
  Verifier(const ir::Module& m, uint32_t decision, uint64_t limit)
      : decision_(decision), d_(m.decisions[decision]), enc_(c_, m, texts_), s_(NewSolver(c_)) {
    if (limit == 0) return;
    z3::params p(c_);
    p.set("rlimit", unsigned(std::min<uint64_t>(limit, UINT32_MAX)));
    s_.set(p);
  }

  VerifyResult Run(bool rules, size_t max_conflicts) {
    VerifyResult out;
    try {
      inputs_ = enc_.MakeInputs(d_);
      ds_.emplace(enc_.Decision(decision_, inputs_));
    } catch (const Unsupported& u) {
      out.unsupported = u;
      return out;
    }
    s_.add(enc_.domain() && ds_->valid);
    if (s_.check() == z3::unsat) {
      out.empty_domain = true;
      return out;
    }
    Errors(out, max_conflicts);
    if (rules) Rules(out);
    return out;
  }

 private:
  // Whether some case of the domain meets q; on sat, `witness` gets its arguments and `model`
  // the model (for reading which rules decide).
  Answer Ask(const z3::expr& q, std::vector<rt::Value>* witness = nullptr, std::optional<z3::model>* model = nullptr) {
    s_.push();
    s_.add(q);
    z3::check_result r = s_.check();
    if (r == z3::sat) {
      z3::model mo = s_.get_model();
      if (witness)
        for (size_t i = 0; i < d_.params.size(); ++i)
          witness->push_back(enc_.Decode(mo, inputs_[i], d_.params[i].type));
      if (model) model->emplace(mo);
    }
    s_.pop();
    return r == z3::sat ? Answer::Fails : r == z3::unsat ? Answer::Holds : Answer::Unknown;
  }

  // The rules that apply undefeated in a model.
  std::vector<uint32_t> Winners(const z3::model& mo) {
    std::vector<uint32_t> w;
    for (uint32_t r = 0; r < ds_->winners.size(); ++r)
      if (mo.eval(ds_->winners[r], true).is_true()) w.push_back(r);
    return w;
  }

  void Errors(VerifyResult& out, size_t max_conflicts) {
    const z3::expr& err = ds_->outcome.err;
    for (rt::RtErrorKind k : rt::AllRtErrorKinds()) {
      // The invariants are assumed (they are part of the domain): `invalid_case` is never asked.
      if (k == rt::RtErrorKind::InvalidCase) continue;
      ErrorQuestion q;
      q.error = 1 + int(k);
      bool conflict = k == rt::RtErrorKind::Conflict;
      z3::expr reach = err == q.error;
      // Conflicts: one witness per set of undefeated rules, each set blocked once found.
      for (size_t n = 0;; ++n) {
        std::vector<rt::Value> w;
        std::optional<z3::model> mo;
        Answer a = Ask(reach, &w, &mo);
        if (n == 0) q.unreachable = a;
        if (a != Answer::Fails) break;
        if (n == max_conflicts) {
          q.more = true;
          break;
        }
        ErrorQuestion::Witness wit{std::move(w), {}};
        if (conflict) {
          wit.rules = Winners(*mo);
          z3::expr same = c_.bool_val(true);
          for (uint32_t r = 0; r < ds_->winners.size(); ++r)
            same = same &&
                   (std::binary_search(wit.rules.begin(), wit.rules.end(), r) ? ds_->winners[r] : !ds_->winners[r]);
          reach = reach && !same;
        }
        q.witnesses.push_back(std::move(wit));
        if (!conflict) break;
      }
      out.errors.push_back(std::move(q));
    }
  }

  void Rules(VerifyResult& out) {
    for (uint32_t r = 0; r < d_.rules.size(); ++r) {
      const ir::Rule& rule = d_.rules[r];
      auto add = [&](RuleProblem p, Answer a, std::vector<rt::Value> w = {}, std::vector<uint32_t> by = {}) {
        out.rules.push_back({r, p, a, std::move(w), std::move(by)});
      };
      std::vector<rt::Value> applies_case;
      std::optional<z3::model> mo;
      Answer applies = Ask(ds_->applies[r], &applies_case, &mo);
      if (applies != Answer::Fails) {
        add(RuleProblem::NeverApplies, applies);
        continue;
      }
      bool overridable = false;
      for (const ir::Rule& other : d_.rules)
        overridable = overridable || std::binary_search(other.overrides.begin(), other.overrides.end(), r);
      if (overridable) {
        Answer wins = Ask(ds_->winners[r]);
        if (wins != Answer::Fails) {
          add(RuleProblem::AlwaysOverridden, wins, applies_case, Winners(*mo));
          continue;
        }
      }
      if (!rule.overrides.empty()) {
        z3::expr base = c_.bool_val(false);
        for (uint32_t o : rule.overrides) base = base || ds_->applies[o];
        Answer effect = Ask(ds_->applies[r] && base);
        if (effect != Answer::Fails) {
          add(RuleProblem::NoEffect, effect, applies_case);
          continue;
        }
      }
      // Redundant: the decision with the rule taken out gives every case the same outcome or error.
      DecisionSym without(c_);
      try {
        without = enc_.Decision(decision_, inputs_, int(r));
      } catch (const Unsupported&) { continue; }  // cannot happen: the same constructs encoded already
      const Sym& o = ds_->outcome;
      const Sym& w = without.outcome;
      z3::expr differs = o.err != w.err || (o.err == 0 && !enc_.Equal(o, w, d_.result));
      Answer changes = Ask(differs);
      if (changes != Answer::Fails) add(RuleProblem::Redundant, changes);
    }
  }

  uint32_t decision_;
  const ir::Decision& d_;
  z3::context c_;
  TextTable texts_;
  Encoder enc_;
  z3::solver s_;
  std::vector<Sym> inputs_;
  std::optional<DecisionSym> ds_;
};

}  // namespace

VerifyResult Verify(const ir::Module& m, uint32_t decision, uint64_t solver_limit, bool rules, size_t max_conflicts) {
  Verifier v(m, decision, solver_limit);
  return v.Run(rules, max_conflicts);
}

}  // namespace edict::smt
