// Running native decisions on Values: the same contract as interp::Interpreter::EvalDecision
// (a Value, or an rt::EvalError with kind and position), so that engines are interchangeable.
//
// The kind and source position of a runtime error come from native code. Its message (which
// names values, such as the two conflicting outcomes) is produced by re-evaluating that one
// failing case with the interpreter; the runner checks that the interpreter fails with the same
// kind at the same position, and reports an internal error otherwise.
#pragma once
#include <memory>
#include <vector>

#include "compiler/interp/interp.h"
#include "compiler/jit/engine.h"
#include "runtime/layout.h"

namespace edict::jit {

class Runner {
 public:
  Runner(const ir::Module& m, const Engine& engine);

  rt::Value Eval(uint32_t decision, const std::vector<rt::Value>& args, interp::DecisionTrace* trace = nullptr);

  // The native result itself: status 0 and a value, or a status and the error's kind and site.
  // With a trace, `trace_inputs` says whether to explain it (Interpreter::Explain: the values
  // the atoms read, the calls they made, how the outcome was built).
  struct Native {
    int32_t status = 0;
    NativeError error;
    rt::Value value;
  };
  Native RunNative(uint32_t decision, const std::vector<rt::Value>& args, interp::DecisionTrace* trace,
                   bool trace_inputs);

  // The native call alone on flat memory (for batch evaluation and benchmarks).
  int32_t Call(uint32_t decision, const uint8_t* input, uint8_t* output, NativeError* error,
               uint8_t* trace = nullptr) const {
    return engine_.decision(decision)(input, output, error, trace);
  }

 private:
  void BuildTrace(uint32_t decision, const std::vector<rt::Value>& args, const std::vector<uint8_t>& buffer, bool ok,
                  interp::DecisionTrace* trace);

  const ir::Module& m_;
  const Engine& engine_;
  interp::Interpreter interp_;
  rt::Arena arena_;
};

}  // namespace edict::jit
