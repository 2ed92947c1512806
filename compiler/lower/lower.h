// Lowering: checked IR -> LLVM IR. One function per decision (see compiler/jit/engine.h for its
// signature and contract). Only this folder and compiler/jit/ see LLVM.
#pragma once
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/lower/decision_info.h"
#include "runtime/layout.h"

namespace llvm {
class Module;
}

namespace edict::lower {

struct Result {
  std::vector<DecisionInfo> decisions;  // by decision index
  std::vector<SourceRange> sites;       // error sites, by NativeError::site
};

// The symbol of decision d's function.
std::string DecisionSymbol(uint32_t d);

// Emits the decisions of `m` marked in `wanted` (all when it is empty) into `out`, which must
// have its data layout set. `wanted` must be closed under calls (see ir::CallClosure).
Result Lower(const ir::Module& m, const rt::Layouts& layouts, bool trace, llvm::Module& out,
             const std::vector<bool>& wanted = {});

// Adds `int32_t <name>(const void* input, void* output, void* error)`: resets the boxed-decimal
// storage of the calling thread, then evaluates decision d (for libraries built with `edict build`).
void AddEntryPoint(llvm::Module& out, uint32_t d, const std::string& name);

}  // namespace edict::lower
