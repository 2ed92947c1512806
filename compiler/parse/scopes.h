// Scopes (docs/language.md, "Scopes"): the expansion of a scope into the decisions and the record
// every later stage knows. Internal to parse/.
#pragma once
#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostics.h"

namespace edict::parse {

// Adds to `out` what the scope `sc` stands for, and `sc` itself (its rules moved out):
// - the record `S_outputs`, one field per output variable;
// - per variable `v`, the decision `S.v`: the scope's inputs, then per context variable `c` an
//   optional `c?` (what a caller gave instead of the scope's rules), deciding `v` by the rules
//   and default written `for v`; each variable its rules read is a `let` of that decision, whose
//   value is the call of the variable's decision (or, for a context variable, the value the caller
//   gave, if any), so a cycle between variables is a cycle between decisions (`cyclic-definition`);
// - the decision `S`: the scope's inputs, then per context variable `c` an optional `c`, whose
//   default is the record of the outputs.
// Reports variables named twice, rules for unknown variables, exceptions to rules of another
// variable and a scope without outputs.
void ExpandScope(ast::ScopeDecl sc, ast::File& out, Diagnostics& diags);

}  // namespace edict::parse
