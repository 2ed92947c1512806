// Explanations of verdicts: which rules decided, which were overridden and by what, which did
// not apply and why, each with its provision, instrument and the values that decided.
#pragma once
#include <string>

#include "compiler/base/source.h"
#include "compiler/interp/interp.h"

namespace edict::interp {

// A readable memo (plain text, indented).
std::string ExplainText(const ir::Module& m, const SourceManager& sm, const DecisionTrace& t);
// The same content as a JSON object.
std::string ExplainJson(const ir::Module& m, const SourceManager& sm, const DecisionTrace& t);

// Short spelling of a value for explanations: long sets are abbreviated.
std::string ShortValue(const ir::Module& m, const rt::Value& v, rt::TypeId t);

}  // namespace edict::interp
