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
// `fingerprint` receives AotFingerprint's.
bool EmitObject(const ir::Module& m, uint32_t decision, const std::string& symbol, std::string* object,
                std::vector<SourceRange>* sites, std::string* fingerprint, std::string* error);

// The fingerprint of a decision's native code: a SHA-256, in hex, of its LLVM IR before
// optimisation (without the entry point, whose name the caller chooses). `edict build` compiles it
// into the library (`<name>_fingerprint()`); whoever loads a library (the Python package) checks
// it against the program it loaded, so that a library built from another program, version or
// Edict is refused instead of being run on layouts it does not share.
std::string AotFingerprint(const ir::Module& m, uint32_t decision);

}  // namespace edict::jit
