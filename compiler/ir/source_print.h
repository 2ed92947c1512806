// Printing IR expressions back in Edict's surface syntax (`t.value > limit and t.destination in
// embargoed`), for messages that show people a condition of the law: the symbolic diff's regions
// are written with it (compiler/smt/ prints each condition it meets). Not a round trip of the
// source: lets print as their values, a helper's parameters as the arguments of the call, and a
// constant or helper that is not the one in force in the module's latest version is qualified
// with its instrument (`base_rule.limit`), so that two versions' names stay apart.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace edict::ir {

// Where an expression is printed: the decision whose lets it reads (null in a helper's body),
// and how each slot (parameter or bound variable) prints; an empty name prints as `x`.
// Quantifiers name their variable `x` while their body prints.
struct PrintScope {
  const Decision* decision = nullptr;
  std::vector<std::string> names;
  // A note printed after a constant's name, in parentheses (its value, for a reader), if set and
  // not empty.
  std::function<std::string(uint32_t)> const_note;
};

// The expression in Edict's syntax.
std::string PrintSource(const Module& m, ExprId id, PrintScope& scope);
// The same, in parentheses unless it is a literal, a name, a call, a field or a conversion: as
// the operand of an operator.
std::string PrintOperand(const Module& m, ExprId id, PrintScope& scope);
// The negation of a boolean expression: a comparison with the opposite operator, `not in` for a
// membership, otherwise `not` before the operand.
std::string PrintNegation(const Module& m, ExprId id, PrintScope& scope);

}  // namespace edict::ir
