// The abstract syntax tree: what the programmer wrote, with a source range on every node and
// nothing resolved yet. Produced by parse::Parse, consumed by check::Check and `dump --phase=ast`.
// A node the parser could not build (after a reported syntax error) is an Error node, and later
// stages stay silent about it.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/source_range.h"

namespace edict::ast {

// One factor of a unit expression: `tpp`, `chip^-1` (denominators have negative powers).
struct UnitTerm {
  std::string name;
  int power = 1;
  SourceRange range;
};
struct UnitExpr {
  std::vector<UnitTerm> terms;
  SourceRange range;
};

enum class TypeKind { Error, Bool, Integer, Decimal, Date, Duration, Text, Set, List, Optional, Named };

// A type as written: `decimal[tpp/chip]`, `set of Country`, `optional Sale`, `Shipment`.
struct TypeExpr {
  TypeKind kind = TypeKind::Error;
  SourceRange range;
  std::string name;                // Named
  std::unique_ptr<TypeExpr> elem;  // Set, List, Optional
  std::optional<UnitExpr> unit;    // Integer, Decimal
};

enum class ExprKind {
#define EDICT_AST_EXPR(Name, Doc) Name,
#include "compiler/ast/expr_kinds.def"
#undef EDICT_AST_EXPR
};
const char* ExprKindName(ExprKind k);

// Surface operators (operators.def), set by the parser on the nodes of the matching kinds.
enum class UnaryOp : uint8_t {
#define EDICT_AST_UNARY_OP(Name, Spelling) Name,
#include "compiler/ast/operators.def"
};
enum class BinaryOp : uint8_t {
#define EDICT_AST_BINARY_OP(Name, Spelling) Name,
#include "compiler/ast/operators.def"
};
enum class MembershipOp : uint8_t {
#define EDICT_AST_MEMBERSHIP_OP(Name, Spelling) Name,
#include "compiler/ast/operators.def"
};
enum class Quantifier : uint8_t {
#define EDICT_AST_QUANTIFIER(Name, Spelling) Name,
#include "compiler/ast/operators.def"
};
enum class ListOp : uint8_t {
#define EDICT_AST_LIST_OP(Name, Spelling) Name,
#include "compiler/ast/operators.def"
};
const char* Spelling(UnaryOp op);
const char* Spelling(BinaryOp op);
const char* Spelling(MembershipOp op);
const char* Spelling(Quantifier q);
const char* Spelling(ListOp op);
// The operator whose token text is `s`, or nothing (for the parser).
std::optional<BinaryOp> BinaryOpSpelled(std::string_view s);
std::optional<Quantifier> QuantifierSpelled(std::string_view s);
std::optional<ListOp> ListOpSpelled(std::string_view s);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// One pattern of a `match` arm: a member, `Enum.member` when qualified, and the name bound to the
// value the member carries (`most_recent(p)`), if any.
struct MatchPattern {
  std::string qualifier, member, binder;
  SourceRange range, member_range, binder_range;
};
// One arm: `when a or b then ...`, or `else ...` (no patterns).
struct MatchArm {
  std::vector<MatchPattern> patterns;
  bool is_else = false;
  SourceRange range;
};

// An expression node. What `text`, `kids`, `names` and the operator fields hold depends on the
// kind (see expr_kinds.def); a generic node keeps the parser and printer short, and the checker turns it
// into the strongly typed IR at once.
struct Expr {
  ExprKind kind = ExprKind::Error;
  SourceRange range;
  std::string text;  // literal text, name, duration unit
  std::vector<ExprPtr> kids;
  std::vector<std::string> names;  // field or argument names (empty string: positional)
  std::vector<SourceRange> name_ranges;
  std::optional<UnitExpr> unit;                   // unit annotation on a number literal
  UnaryOp unary_op = UnaryOp::Neg;                // Unary
  BinaryOp binary_op = BinaryOp::Mul;             // Binary
  MembershipOp membership_op = MembershipOp::In;  // In
  Quantifier quantifier = Quantifier::Exists;     // Quant
  std::optional<ListOp> list_op;                  // ListOp: the operation, if `text` names one
  std::vector<MatchArm> arms;                     // Match: kids[i + 1] is the value of arms[i]
};

struct Citation {
  std::string cite;        // "15 CFR 740.29(b)"
  std::string assumption;  // set when the provision rests on an unverified reading
  SourceRange range;
};

struct HeaderField {
  std::string key;
  std::string value;  // string contents or literal text
  bool is_string = false;
  SourceRange range;
  SourceRange key_range;
};
struct Header {
  std::string name;
  SourceRange range;
  std::vector<HeaderField> fields;
};

struct Import {
  std::string module;  // `countries` or `a.b` for the stdlib; a relative path when is_path
  bool is_path = false;
  SourceRange range;
};

struct UnitDecl {
  std::string name, doc;
  SourceRange range, name_range;
};

struct EnumMember {
  std::string name, doc;
  SourceRange range;
  std::optional<TypeExpr> payload;  // the type of the value the member carries (`most_recent(Sale)`)
};
struct EnumDecl {
  std::string name, doc;
  std::vector<EnumMember> members;
  SourceRange range, name_range;
};

struct FieldDecl {
  std::string name, doc;
  TypeExpr type;
  SourceRange range;
  ExprPtr where;          // the domain bound (`where tpp >= 0 [tpp/chip]`), or null
  ExprPtr default_value;  // `= value`: used when a case or a record literal omits the field, or null
};
struct RecordDecl {
  std::string name, doc;
  std::vector<FieldDecl> fields;
  SourceRange range, name_range;
  bool incomplete = false;  // a syntax error hid some fields: field checks stay silent
};

// One line of an impact declaration: `verdict review: approval < case_by_case < denial;`.
struct ImpactItem {
  std::string role;  // as written: `verdict`, `detail` or `explanation` (the checker checks it)
  SourceRange role_range;
  std::vector<std::string> fields;
  std::vector<SourceRange> field_ranges;
  std::vector<std::string> order;  // values from least to most severe; empty: not given
  std::vector<SourceRange> order_ranges;
  SourceRange range;
};
// `impact T { ... }` for a record outcome, or `impact T: a < b;` for an enum outcome (one item,
// role `verdict`, no fields).
struct ImpactDecl {
  std::string type;
  std::vector<ImpactItem> items;
  bool whole = false;  // the `impact T: order;` form
  SourceRange range, name_range;
};

// `describe T: "{quantity} chips to {destination:doc}";`: how reports name a value of T.
struct DescribeDecl {
  std::string type, text;  // text: the template, unquoted
  SourceRange range, name_range, text_range;
};

struct ConstDecl {
  std::string name;
  TypeExpr type;  // kind Error and type_given false in `replace const x = ...`
  bool type_given = true;
  ExprPtr value;
  std::optional<Citation> citation;
  SourceRange range, name_range;
  bool typical = false;  // `typical const`: the most ordinary value of its record type
};

struct Param {
  std::string name;
  TypeExpr type;
  SourceRange range;
};

struct DefDecl {
  std::string name;
  std::vector<std::string> unit_params;  // `def f<u, v>(...)`: names of units each call infers
  std::vector<SourceRange> unit_param_ranges;
  std::vector<Param> params;
  TypeExpr result;
  ExprPtr body;
  std::optional<Citation> citation;
  SourceRange range, name_range;
};

// `invariant name(t: T): condition "doc" cite "...";` (or `assumption ...`): a condition every
// real value of the record type T meets. Its condition is also the helper `def name(t: T): bool`,
// kept in the file's `defs` at index `def` (so versions, cycles and checking treat it as one).
struct InvariantDecl {
  std::string name, doc;
  bool assumption = false;  // declared `assumption`: unverified
  uint32_t def = 0;         // index into File::defs
  SourceRange range, name_range;
};

struct LetItem {
  std::string name;
  std::optional<TypeExpr> type;
  ExprPtr value;
  SourceRange range, name_range;
};

struct RuleItem {
  std::string name;
  std::optional<Citation> citation;
  std::vector<std::string> exception_to;
  std::vector<SourceRange> exception_ranges;
  ExprPtr condition;  // null: the rule always applies
  ExprPtr outcome;
  SourceRange range, name_range;
};

struct DefaultItem {
  std::optional<Citation> citation;
  ExprPtr outcome;
  SourceRange range;
};

// `assert condition "text" cite "...";` inside a decision: what must hold of every case it decides.
struct AssertItem {
  ExprPtr condition;
  std::string text;  // what it states, may be empty
  std::optional<Citation> citation;
  SourceRange range;
};

struct DecisionDecl {
  std::string name;
  std::vector<Param> params;
  TypeExpr result;
  std::optional<Citation> citation;
  std::vector<LetItem> lets;
  std::vector<RuleItem> rules;
  std::vector<DefaultItem> defaults;
  std::vector<AssertItem> asserts;
  SourceRange range, name_range;
  // Set on the decisions a scope expands into (parse/scopes.cpp): the scope's name. The scope's
  // own decision (its outcome the record of its outputs) has `scope_entry` and its first
  // `scope_inputs` parameters are the scope's; the others, optional, are its context variables
  // (none: the scope's rules decide). The other decisions are named `scope.variable`.
  std::string scope;
  bool scope_entry = false;
  size_t scope_inputs = 0;
};

// `scope S(inputs) cite "..." { output v: T; internal w: T; context output c: T; rule r for v ...;
// default for v then ...; }`: kept for the formatter and the language server; the parser expands
// it into decisions (File::decisions, DecisionDecl::scope) and the record `S_outputs`.
struct ScopeVar {
  std::string name, doc;
  TypeExpr type;
  bool output = false, context = false;
  SourceRange range, name_range;
};
struct ScopeRule {  // `rule r for var ...` (rule) or `default for var then ...` (is_default, dflt)
  std::string var;
  SourceRange var_range;
  bool is_default = false;
  RuleItem rule;
  DefaultItem dflt;
};
struct ScopeDecl {
  std::string name;
  std::vector<Param> params;
  std::optional<Citation> citation;
  std::vector<ScopeVar> vars;
  std::vector<ScopeRule> rules;     // moved into the decisions it expands into
  std::vector<AssertItem> asserts;  // moved into the scope's own decision
  SourceRange range, name_range;
};

struct TestStmt {
  bool is_let = false;
  LetItem let;             // is_let
  ExprPtr assertion;       // !is_let
  std::string fails_with;  // expected runtime error spelling, if any
  SourceRange fails_range;
  SourceRange range;
};
struct TestDecl {
  std::string name;
  std::vector<TestStmt> stmts;
  SourceRange range, name_range;
};

// One change inside `amend decision d { ... }`.
enum class AmendKind {
  RepealRule,
  ReplaceRule,
  AddRule,
  AddLet,
  ReplaceDefault,
  RepealDefault,
  AddExceptions,
  RestoreRule,
  AddAssert
};
struct AmendItem {
  AmendKind kind = AmendKind::AddRule;
  std::string target;                // RepealRule: the rule's label
  std::optional<Citation> citation;  // RepealRule, RepealDefault: the provision that repeals
  RuleItem rule;                     // ReplaceRule, AddRule; AddExceptions, RestoreRule: exception_to only
  std::string from;                  // RestoreRule: the version restored from
  bool exceptions_given = false;     // RestoreRule: `exception to ...` replaces the rule's own
  SourceRange from_range;
  LetItem let;           // AddLet
  DefaultItem dflt;      // ReplaceDefault
  AssertItem assertion;  // AddAssert
  SourceRange range, target_range;
};
struct AmendDecision {
  std::string decision;
  std::optional<Citation> citation;
  std::vector<AmendItem> items;
  SourceRange range, name_range;
};

// `restore decision name from version as alias cite "...";`
struct RestoreDecision {
  std::string name, from, alias;  // alias empty: restore under the same name
  std::optional<Citation> citation;
  SourceRange range, name_range, from_range;
};

struct File {
  uint32_t file_id = 0;
  std::optional<Header> header;
  std::string amends;  // the base instrument's path, from the header's `amends` field
  SourceRange amends_range;
  uint32_t base_file = UINT32_MAX;     // set by the loader: the file id of the base
  std::vector<uint32_t> import_files;  // set by the loader: file ids of the imports
  std::vector<Import> imports;
  std::vector<UnitDecl> units;
  std::vector<EnumDecl> enums;
  std::vector<RecordDecl> records;
  std::vector<ConstDecl> consts;
  std::vector<DefDecl> defs;
  std::vector<DecisionDecl> decisions;
  std::vector<ScopeDecl> scopes;
  std::vector<TestDecl> tests;
  std::vector<AmendDecision> amendments;
  std::vector<ConstDecl> replaced_consts;
  std::vector<DefDecl> replaced_defs;
  std::vector<DecisionDecl> replaced_decisions;
  std::vector<RestoreDecision> restores;
  std::vector<ImpactDecl> impacts;
  std::vector<InvariantDecl> invariants;
  std::vector<DescribeDecl> describes;
};

// Indented, one node per line; used by `edict dump --phase=ast` and golden tests.
std::string Print(const File& f);

// A copy of a type as written.
TypeExpr CloneType(const TypeExpr& t);

}  // namespace edict::ast
