// Ahead-of-time compilation: a decision as an object file, for `edict build`.
#pragma once
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace edict::jit {

// Writes an object file with the decision's native code and an exported entry point `symbol`
// (see lower::AddEntryPoint). Returns false with a message on failure.
// `sites` receives the source ranges of the error sites the code reports.
bool EmitObject(const ir::Module& m, uint32_t decision, const std::string& symbol, const std::string& path,
                std::vector<SourceRange>* sites, std::string* error);

}  // namespace edict::jit
