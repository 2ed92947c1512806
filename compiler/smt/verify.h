// The solving half of `edict verify`, with no Z3 in its interface: one decision of a checked
// module encoded over its inputs (within their declared domains and the decision's invariants),
// and Z3 asked, for every runtime error, whether a case reaches it, and, for every rule, whether it
// can apply, decide, take effect as an exception, or change any verdict at all. What it finds comes
// back as plain values (witnesses as rt::Value arguments); compiler/verify/ replays the witnesses
// on the interpreter and prints the findings.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/smt/symbolic.h"
#include "runtime/value.h"

namespace edict::smt {

// What Z3 answered about one property.
enum class Answer : uint8_t {
  Holds,    // proved: true of every case of the domain (an error is unreachable; a rule never applies ...)
  Fails,    // a case of the domain breaks it: the witness
  Unknown,  // Z3 reached the solver limit before settling it
};

// Whether a runtime error can be the decision's error on some case.
struct ErrorQuestion {
  int error = 0;  // 1 + rt::RtErrorKind
  Answer unreachable = Answer::Holds;
  // Fails: one witness per distinct set of deciding rules for `conflict` (each with the rules that
  // apply undefeated in it), one witness otherwise.
  struct Witness {
    std::vector<rt::Value> args;
    std::vector<uint32_t> rules;  // conflict: the rules that apply and no applicable rule overrides
  };
  std::vector<Witness> witnesses;
  bool more = false;  // conflict: stopped listing at the cap
};

// What can be wrong with a rule. Each is reported only when Z3 proves it (or, Unknown, cannot tell).
enum class RuleProblem : uint8_t {
  NeverApplies,      // its condition is false for every case of the domain
  AlwaysOverridden,  // it can apply, but whenever it does an exception to it (or a rule it is lower than) applies
  NoEffect,          // an exception that can apply, but never together with a rule it is an exception to
  Redundant,         // taking it out changes no case's outcome or error
};

struct RuleFinding {
  uint32_t rule = 0;
  RuleProblem problem = RuleProblem::NeverApplies;
  Answer answer = Answer::Holds;   // Holds: proved; Unknown: Z3 could not tell within its limit
  std::vector<rt::Value> witness;  // AlwaysOverridden, NoEffect: a case where the rule applies
  std::vector<uint32_t> by;        // AlwaysOverridden: the rules that decide in the witness
};

struct VerifyResult {
  std::optional<Unsupported> unsupported;  // the encoding could not cover the decision: nothing proved
  bool empty_domain = false;               // no case meets the domain and invariants: everything is vacuous
  std::vector<ErrorQuestion> errors;       // one per runtime error kind, in the order of runtime_errors.def
  std::vector<RuleFinding> rules;
};

// `solver_limit`: Z3's resource limit for each question (0: none). `rules`: ask the rule questions
// too (the runtime errors are always asked). `max_conflicts`: witnesses of distinct conflicts listed.
VerifyResult Verify(const ir::Module& m, uint32_t decision, uint64_t solver_limit, bool rules = true,
                    size_t max_conflicts = 8);

}  // namespace edict::smt
