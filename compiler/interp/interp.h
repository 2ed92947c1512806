// The tree-walking interpreter over the checked IR: Edict's reference semantics. Exact
// arithmetic, dates and runtime errors come from runtime/, shared with every other engine.
//
// Decision semantics (default logic): first, every invariant of the inputs (ir::Guard) must hold,
// or the evaluation fails with `invalid_case` naming it; then every assertion of the decision must hold,
// or it fails with `assertion_failed` naming its provision. Then every rule's condition is evaluated; a rule applies
// when its condition is true (or absent). An applicable rule is overridden when another applicable rule is, directly or
// transitively, an exception to it. The remaining rules must agree on the outcome, otherwise the evaluation fails with
// `conflict` naming both provisions; when no rule remains, the default gives the outcome, or the evaluation fails with
// `no_applicable_rule`.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/errors.h"
#include "runtime/value.h"

namespace edict::interp {

using rt::Value;

struct DecisionTrace;

// A call made while an explained expression was evaluated: of a decision (whose own trace nests
// here, explained in turn) or of a helper (`def`, with the values its body read and the calls it
// made). A call site evaluated many times there (in a list operation) is traced once, the first
// time, and counted.
struct CallTrace {
  ir::ExprId expr = ir::kNoExpr;  // the Call or DecisionCall expression
  std::vector<Value> args;
  std::optional<Value> result;                       // absent when the call failed
  uint64_t times = 1;                                // how often the call site was evaluated there
  bool omitted = false;                              // not traced: the explanation reached limits::kMaxTracedCalls
  std::shared_ptr<const DecisionTrace> decision;     // a decision call: its trace
  std::vector<std::pair<ir::ExprId, Value>> inputs;  // a helper call: what its body read
  std::vector<CallTrace> calls;                      // a helper call: the calls its body made
};

// An atomic condition evaluated while deciding (a comparison, a membership test ...), with its
// value and (once the trace is explained) the values of the inputs, constants and calls it read,
// and the calls it made.
struct AtomTrace {
  ir::ExprId expr;
  bool value;
  std::vector<std::pair<ir::ExprId, Value>> inputs;
  std::vector<CallTrace> calls;
};

struct RuleTrace {
  uint32_t rule;  // index into the decision's rules; UINT32_MAX for the default
  bool applicable = false;
  bool decided = false;  // gave the outcome
  std::vector<uint32_t> overridden_by;
  std::vector<AtomTrace> atoms;
};

// One part of the deciding rule's outcome (a field of a record written out, or the whole
// outcome) with its value, the values it read and the calls it made.
struct OutcomePart {
  int32_t field = -1;  // index of the record's field, -1 for the whole outcome
  ir::ExprId expr = ir::kNoExpr;
  Value value;
  std::vector<std::pair<ir::ExprId, Value>> inputs;
  std::vector<CallTrace> calls;
};

// Everything an explanation needs about one evaluation of a decision.
struct DecisionTrace {
  uint32_t decision = 0;
  std::vector<Value> args;
  std::vector<RuleTrace> rules;  // in declaration order, the default last if it was consulted
  std::optional<Value> outcome;
  // Filled in by Interpreter::Explain: the parts of the outcome that read or called something.
  std::vector<OutcomePart> outcome_parts;
};

class Interpreter {
 public:
  explicit Interpreter(const ir::Module& m);

  // Evaluates a decision on arguments (one per parameter). Throws rt::EvalError.
  // When trace is non-null it is filled in, also when the evaluation fails: which rules applied,
  // which decided, and each evaluated atom's value (see Explain for the rest).
  Value EvalDecision(uint32_t decision, std::vector<Value> args, DecisionTrace* trace = nullptr);

  // Completes a trace (of either engine) for display: the values each atom read and the calls it
  // made, and how the deciding rule's outcome was built. Decision calls nest: each gets its own
  // trace, explained in turn. Edict is pure, so what it re-evaluates here is what the evaluation
  // computed; the rules' verdicts in the trace are kept as they are.
  void Explain(DecisionTrace* trace);

  struct TestFailure {
    SourceRange range;
    std::string message;
  };
  struct TestResult {
    std::vector<TestFailure> failures;  // empty when the test passed
  };
  TestResult RunTest(uint32_t test);

  // Routes the decision calls that test code makes to another engine (the JIT): the test's own
  // expressions stay interpreted, the decisions run natively.
  void SetDecisionEngine(std::function<Value(uint32_t, std::vector<Value>)> engine) { engine_ = std::move(engine); }

  // The first guard (index into the decision's guards) that arguments break, or -1 when they
  // meet every invariant of the decision's inputs. A guard whose evaluation fails is broken.
  int BrokenGuard(uint32_t decision, const std::vector<Value>& args);

  // Evaluates a constant (once; later calls return the cached value).
  const Value& EvalConst(uint32_t c);
  // A helper (`def`) called with these arguments (throws rt::EvalError).
  Value CallDef(uint32_t def, std::vector<Value> args);

  // Rule coverage: from now on, count for every rule how many evaluations it decided.
  // decided()[decision][rule] (the default is at index rules.size()).
  void EnableCoverage();
  const std::vector<std::vector<uint64_t>>& decided() const { return decided_; }

 private:
  struct Frame;
  struct ScopeFrame;
  // EvalDecision, in a scope frame shared with the caller's (null: a frame of its own).
  Value Decide(uint32_t decision, std::vector<Value> args, DecisionTrace* trace, ScopeFrame* scope);
  Value Eval(ir::ExprId id, Frame& f);
  bool EvalBool(ir::ExprId id, Frame& f) { return Eval(id, f).AsBool(); }
  bool EvalCondition(ir::ExprId id, Frame& f, std::vector<AtomTrace>* atoms);
  void CollectInputs(ir::ExprId id, Frame& f, std::vector<std::pair<ir::ExprId, Value>>* out);
  Value CallDef(uint32_t def, const uint32_t* args, Frame& caller);
  // A call evaluated while explaining (calls_ set): recorded in *calls_, traced the first time.
  Value TraceCall(ir::ExprId call, std::vector<Value> args);
  // The values a helper call's body read, and the calls it made.
  Value TraceDefBody(uint32_t def, std::vector<Value> args, CallTrace* out);
  Value Builtin(const ir::Expr& e, Frame& f);
  int Compare(const Value& a, const Value& b, rt::TypeKind k, SourceRange at);
  // The member of a value of an enum or a sum type.
  static uint32_t MemberOf(const Value& v) {
    return std::holds_alternative<rt::SumValue>(v) ? v.AsSum().index : v.AsEnum().index;
  }

  const ir::Module& m_;
  std::vector<std::optional<Value>> const_cache_;
  std::vector<bool> const_busy_;
  std::function<Value(uint32_t, std::vector<Value>)> engine_;
  bool in_test_ = false;
  bool coverage_ = false;
  std::vector<std::vector<uint64_t>> decided_;
  // Buffers of EvalDecision, one pair per depth of decision calls, reused from case to case.
  struct RuleSets {
    std::vector<uint32_t> applicable, winners;
  };
  std::vector<RuleSets> rule_sets_;
  size_t depth_ = 0;
  // While explaining: where the calls being evaluated are recorded (null otherwise, and always
  // outside Explain), how deeply Explain is nested and how many calls it traced so far.
  std::vector<CallTrace>* calls_ = nullptr;
  size_t explaining_ = 0;
  size_t traced_calls_ = 0;
};

}  // namespace edict::interp
