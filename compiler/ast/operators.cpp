// Surface operators (operators.def): spellings, and the parser's way from token text to an
// operator.
#include "compiler/ast/ast.h"

namespace edict::ast {

const char* Spelling(UnaryOp op) {
  static constexpr const char* kSpellings[] = {
#define EDICT_AST_UNARY_OP(Name, Text) Text,
#include "compiler/ast/operators.def"
  };
  return kSpellings[size_t(op)];
}

const char* Spelling(BinaryOp op) {
  static constexpr const char* kSpellings[] = {
#define EDICT_AST_BINARY_OP(Name, Text) Text,
#include "compiler/ast/operators.def"
  };
  return kSpellings[size_t(op)];
}

const char* Spelling(MembershipOp op) {
  static constexpr const char* kSpellings[] = {
#define EDICT_AST_MEMBERSHIP_OP(Name, Text) Text,
#include "compiler/ast/operators.def"
  };
  return kSpellings[size_t(op)];
}

const char* Spelling(Quantifier q) {
  static constexpr const char* kSpellings[] = {
#define EDICT_AST_QUANTIFIER(Name, Text) Text,
#include "compiler/ast/operators.def"
  };
  return kSpellings[size_t(q)];
}

const char* Spelling(ListOp op) {
  static constexpr const char* kSpellings[] = {
#define EDICT_AST_LIST_OP(Name, Text) Text,
#include "compiler/ast/operators.def"
  };
  return kSpellings[size_t(op)];
}

std::optional<BinaryOp> BinaryOpSpelled(std::string_view s) {
#define EDICT_AST_BINARY_OP(Name, Text) \
  if (s == Text) return BinaryOp::Name;
#include "compiler/ast/operators.def"
  return std::nullopt;
}

std::optional<Quantifier> QuantifierSpelled(std::string_view s) {
#define EDICT_AST_QUANTIFIER(Name, Text) \
  if (s == Text) return Quantifier::Name;
#include "compiler/ast/operators.def"
  return std::nullopt;
}

std::optional<ListOp> ListOpSpelled(std::string_view s) {
#define EDICT_AST_LIST_OP(Name, Text) \
  if (s == Text) return ListOp::Name;
#include "compiler/ast/operators.def"
  return std::nullopt;
}

}  // namespace edict::ast
