// Ahead-of-time compilation: a decision as an object file, for `edict build`.
#pragma once
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace edict::jit {

// Makes an object file (its bytes, in `object`) with the decision's native code and an exported
// entry point `symbol` (see lower::AddEntryPoint). Returns false with a message on failure. The
// caller writes the file, so that a write error is an output error (exit 74), not a compile error.
// `sites` receives the source ranges of the error sites the code reports.
bool EmitObject(const ir::Module& m, uint32_t decision, const std::string& symbol, std::string* object,
                std::vector<SourceRange>* sites, std::string* error);

}  // namespace edict::jit
