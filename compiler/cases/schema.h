// The JSON Schema (draft 2020-12) of a decision's input: what a case must hold, as the case
// decoder (runtime/case_json.h) reads it. `edict schema`, `edict build` and `edict serve` print it.
#pragma once
#include <cstdint>
#include <string>

#include "compiler/ir/ir.h"

namespace edict::cases {

// The schema of the input of `decision` (an index into m.decisions), ending with a newline.
std::string SchemaJson(const ir::Module& m, uint32_t decision);

}  // namespace edict::cases
