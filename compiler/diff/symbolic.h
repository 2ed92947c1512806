// The symbolic verdict diff (`edict diff OLD NEW -d D` without --cases): both decisions encoded
// with Z3 over every input inside the declared domains; every transition class that can occur,
// each with a readable region, counts over enum inputs and a witness replayed on both engines;
// then the proof that no other change exists.
#pragma once
#include <string>
#include <vector>

#include "compiler/diff/diff.h"
#include "compiler/diff/sides.h"

namespace edict::diff {

// What names one side of a transition class in both modes: the runtime error, or the deciding
// rules and the outcome's finite parts (booleans, enums, sets, texts; numbers are left out, as
// `_`, since they may take infinitely many values).
std::string ClassKey(const Side& s, const std::string& error, const rt::Value* outcome, const std::vector<uint32_t>& deciding);

// Runs the symbolic diff and prints its report (o.format, o.output). With `keys`, also returns
// each class's key (old ClassKey + " -> " + new ClassKey) and does not print. Returns an exit code.
int RunSymbolic(const DiffOptions& o, Side& a, Side& b, std::vector<std::string>* keys = nullptr);

}  // namespace edict::diff
