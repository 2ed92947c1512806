// What lowering tells the code that runs a compiled decision: the error record its function fills
// (NativeError) and, per decision, the layouts it chose (DecisionInfo). Plain structs, no LLVM:
// compiler/jit/engine.h exports them as jit::NativeError and jit::DecisionInfo.
#pragma once
#include <cstdint>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/layout.h"

namespace edict::lower {

struct NativeError {
  int32_t kind = 0;     // RtErrorKind
  int32_t site = -1;    // index of the source range (Result::sites, Engine::site)
  int32_t rule_a = -1;  // conflict: the two rules
  int32_t rule_b = -1;
};

// What lowering decided about one decision: its input layout and its trace layout.
struct DecisionInfo {
  rt::TypeLayout input;  // parameters, as a C struct
  uint32_t output_size = 0, output_align = 1;
  // Trace buffer: byte r (one per rule) and byte rules.size() + i (one per atom i): 0 not
  // evaluated, 1 false, 2 true. Atoms are the conditions' non-connective parts, in order.
  std::vector<ir::ExprId> atoms;
  std::vector<uint32_t> atom_rule;  // the rule each atom belongs to
  uint32_t trace_size = 0;
};

}  // namespace edict::lower
