// The JSON Schema (draft 2020-12) of a decision's input: what a case must hold, as the case
// decoder (runtime/case_json.h) reads it; and the schema of its outcome. `edict schema`, `edict build` and `edict
// serve` print it.
#pragma once
#include <cstdint>
#include <string>

#include "compiler/ir/ir.h"

namespace edict::cases {

// The schema of the input of `decision` (an index into m.decisions), ending with a newline.
std::string SchemaJson(const ir::Module& m, uint32_t decision);

// The schema of the outcome of `decision`: its type, with the doc strings of its fields and of the
// members of its enums (`edict serve`'s page labels a verdict with them).
std::string OutcomeSchemaJson(const ir::Module& m, uint32_t decision);

}  // namespace edict::cases
