// The checker's internal header, for the files of compiler/check/ only: the Checker class and the
// tables it keeps. Its member functions are defined by concern, one file each (see the list
// below); the public entry point is check::Check in check.h.
#pragma once
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/base/source.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/ir/ir.h"

namespace edict::check::internal {

using ir::ExprId;
using ir::kNoExpr;
using ir::Op;
using rt::TypeId;
using rt::TypeKind;

enum class SymKind { Enum, Record, Const, Def, Decision };

struct Symbol {
  SymKind kind;
  uint32_t index;
  SourceRange range;
};

// What a version's name denotes. `view` indexes the checker's views of that kind.
struct ValueEntry {
  SymKind kind;
  uint32_t view;
  SourceRange range;
};

// A constant as a version sees it: the declaration, and the type (a `replace const` without a
// type keeps its target's). `context` notes go on every diagnostic about it.
struct ConstView {
  const ast::ConstDecl* decl;
  const ast::TypeExpr* type;
  std::vector<DiagNote> context;
};
struct DefView {
  const ast::DefDecl* decl;
  std::vector<DiagNote> context;
};
struct LetRef {
  const ast::LetItem* let;
  std::vector<DiagNote> context;
};
struct RuleRef {
  const ast::RuleItem* rule;
  std::vector<DiagNote> context;
  // Exceptions an amendment added (`rule x exception to y;`): labels and where they are named.
  std::vector<std::pair<std::string, SourceRange>> added_exceptions = {};
  // False when `restore rule ... exception to ...` gave the exceptions: the rule's own are not.
  bool own_exceptions = true;
};
struct DefaultRef {
  const ast::DefaultItem* dflt;
  std::vector<DiagNote> context;
};
struct AssertRef {
  const ast::AssertItem* assertion;
  std::vector<DiagNote> context;
};
// A decision as a version sees it: its signature, and the lets, rules and default left after
// the amendments of every version up to this one.
struct DecisionView {
  const ast::DecisionDecl* sig;
  std::vector<LetRef> lets;
  std::vector<RuleRef> rules;
  std::vector<DefaultRef> defaults;
  std::vector<AssertRef> asserts;
  std::map<std::string, SourceRange> repealed;  // rule label -> the repeal
  std::vector<SourceRange> amended_by;
};

struct LocalVar {
  std::string name;
  TypeId type;
  bool is_let;     // a decision let: LetRef to `index`
  uint32_t index;  // slot or let index
};

struct BuiltinSpec {
  ir::Builtin id;
  const char* name;
  int arity;
};
inline constexpr BuiltinSpec kBuiltins[] = {
#define EDICT_BUILTIN(Id, spelling, arity, summary) {ir::Builtin::Id, spelling, arity},
#include "compiler/ir/builtins.def"
#undef EDICT_BUILTIN
};

class Checker {
 public:
  Checker(const std::vector<ast::File>& files, const SourceManager& sm, Diagnostics& d)
      : files_(files), sm_(sm), diags_(d) {}

  // check.cpp: the passes, in order.
  ir::Module Run(uint32_t root);

 private:
  // declarations.cpp: instrument headers, units, enums, records and their fields, signatures.
  void CollectHeader(const ast::File& f);
  bool CheckFresh(const std::string& name, SourceRange r);
  void DeclareUnit(const ast::UnitDecl& u);
  void DeclareEnum(const ast::EnumDecl& e);
  void DeclareRecord(const ast::RecordDecl& r);
  void ResolveRecordFields();
  void ResolveEnumPayloads();
  void CheckFieldDefaults();
  std::optional<std::string> DefaultJson(ExprId e);
  void FieldBounds(const ast::Expr& e, rt::FieldInfo& field);
  void CheckRecursiveRecords();
  bool Incomplete(uint32_t record) const { return record < record_asts_.size() && record_asts_[record]->incomplete; }
  std::vector<ir::Param> Params(const std::vector<ast::Param>& ps);

  // impact.cpp: `impact T { ... }`, how a diff's reader compares outcomes of a type.
  void DeclareImpact(const ast::ImpactDecl& d);
  std::vector<uint32_t> ImpactOrder(const ast::ImpactItem& item, TypeId t, const std::string& what);

  // describe.cpp: `describe T: "..."`, how reports name a value of T.
  void DeclareDescription(const ast::DescribeDecl& d);
  void CheckTypicals();

  // invariants.cpp: `invariant` and `assumption`, and the guards of every decision's inputs.
  void DeclareInvariants();
  void GuardInputs(ir::Decision& d, uint32_t d_index, TypeId t, ExprId value, const std::string& path,
                   const std::map<TypeId, std::vector<uint32_t>>& by_type);

  // types.cpp: types and units as written, and the implicit conversions.
  rt::UnitId ResolveUnit(const std::optional<ast::UnitExpr>& u);
  static constexpr rt::UnitId kBadUnit = UINT32_MAX;
  TypeId ResolveType(const ast::TypeExpr& t);
  ExprId ToDec(ExprId e);
  ExprId Coerce(ExprId e, TypeId want, const std::string& what);
  bool UnifyNumeric(uint32_t& a, uint32_t& b, const ast::Expr& e, const std::string& what);
  std::string UnitDesc(rt::UnitId u) const { return u == 0 ? "no unit" : "`" + m_.types.UnitName(u) + "`"; }

  // suggest.cpp: "did you mean" notes. `each` calls its argument with every candidate.
  using Candidates = std::function<void(const std::function<void(const std::string&)>&)>;
  void Suggest(Diagnostic& d, const std::string& name, const Candidates& each);

  // IR building.
  ExprId Emit(Op op, TypeId t, SourceRange r, uint32_t a = 0, uint32_t b = 0, uint32_t c = 0) {
    m_.exprs.push_back(ir::Expr{op, t, r, a, b, c});
    return ExprId(m_.exprs.size() - 1);
  }
  ExprId Poison(SourceRange r) { return Emit(Op::Error, m_.types.error(), r); }
  uint32_t Extra(const std::vector<uint32_t>& xs) {
    uint32_t start = uint32_t(m_.extra.size());
    m_.extra.insert(m_.extra.end(), xs.begin(), xs.end());
    return start;
  }
  TypeId TypeOf(ExprId e) const { return m_.exprs[e].type; }
  TypeKind KindOf(ExprId e) const { return m_.types.kind(TypeOf(e)); }
  bool IsError(ExprId e) const { return KindOf(e) == TypeKind::Error; }
  bool IsNumeric(TypeId t) const {
    auto k = m_.types.kind(t);
    return k == TypeKind::Integer || k == TypeKind::Decimal;
  }
  std::string Name(TypeId t) const { return "`" + m_.types.Name(t) + "`"; }
  TypeId DecimalWithUnit(rt::UnitId u) { return m_.types.Intern({TypeKind::Decimal, u, 0}); }
  TypeId IntegerWithUnit(rt::UnitId u) { return m_.types.Intern({TypeKind::Integer, u, 0}); }
  bool IsUnitlessLiteral(ExprId e) const {
    const auto& x = m_.exprs[e];
    return (x.op == Op::IntLit || x.op == Op::DecLit) && m_.types.info(x.type).unit == 0;
  }

  // versions.cpp: the versions of an amendment chain and the table of names of each.
  void ComputeVersions(uint32_t root);
  const ast::File* File(uint32_t id) const;
  void AddDeclarations(std::map<std::string, ValueEntry>& table, const ast::File& f);
  DecisionView ViewOf(const ast::DecisionDecl& d, std::vector<DiagNote> context);
  const ValueEntry* Target(std::map<std::string, ValueEntry>& table, const std::string& name, SymKind k, SourceRange r,
                           const char* what, const char* action, uint32_t version);
  void ApplyAmendments(std::map<std::string, ValueEntry>& table, const ast::File& f, uint32_t version);
  void BuildVersionTables();
  void AllocateVersions();
  std::optional<Symbol> LookupValue(const std::string& name, uint32_t v) const;
  std::optional<Symbol> LookupValue(const std::string& name) const { return LookupValue(name, current_version_); }
  std::optional<uint32_t> VersionNamed(const std::string& name) const;
  // The version `name` denotes if it is earlier than `version` (the one restoring from it);
  // otherwise reports it at r, with the earlier versions, and returns nothing.
  std::optional<uint32_t> EarlierVersion(const std::string& name, SourceRange r, uint32_t version,
                                         const std::string& me);

  // bodies.cpp: the bodies of constants, helpers and tests; cycles and depth through uses.
  void CheckVersionBodies(uint32_t v);
  // Notes that every diagnostic emitted while checking a changed declaration carries.
  struct ContextScope {
    Diagnostics& d;
    ContextScope(Diagnostics& diags, const std::vector<DiagNote>& notes) : d(diags) { d.PushContext(notes); }
    ~ContextScope() { d.PopContext(); }
  };
  void BodyConst(uint32_t i, const ConstView& view);
  void BodyDef(uint32_t i, const DefView& view);
  void CheckTest(const ast::TestDecl& t, uint32_t file);
  void CheckCycles();
  std::pair<std::string, SourceRange> NodeName(size_t n, size_t C, size_t D) const;
  void AddDep(SymKind k, uint32_t index);
  size_t OwnerNode(SymKind kind, uint32_t i) const;

  // decisions.cpp: rules, defaults, exceptions and their priorities, certain conflicts.
  void BodyDecision(uint32_t i, const DecisionView& a);
  // `clause[r][k]` is where rule r names its k-th exception_to (the notes of a cycle point there).
  // A rule whose exceptions could not all be resolved (an unknown rule, a cycle) is marked in
  // `unresolved`.
  void CloseExceptions(ir::Decision& d, const std::vector<std::vector<SourceRange>>& clause,
                       std::vector<bool>& unresolved);
  std::vector<uint32_t> ExceptionCycle(const ir::Decision& d, uint32_t r) const;
  bool Overrides(const ir::Rule& a, uint32_t b) const {
    return std::binary_search(a.overrides.begin(), a.overrides.end(), b);
  }
  void StaticConflicts(const ir::Decision& d, const std::vector<bool>& unresolved);
  bool NeverApplies(const ir::Rule& r) const;
  bool IsConstant(ExprId e) const;
  bool SameExpr(ExprId a, ExprId b) const;

  // expressions.cpp: scopes, and the typing of literals, names, calls, records and collections.
  void ResetScope();
  uint32_t Bind(const std::string& name, TypeId t);
  const LocalVar* Lookup(const std::string& name) const;
  ExprId CheckExpr(const ast::Expr& e, TypeId expected);
  ExprId CheckExprAt(const ast::Expr& e, TypeId expected);
  ExprId Number(const ast::Expr& e);
  ExprId Percent(const ast::Expr& e);
  static std::optional<rt::Decimal> NumberValue(const std::string& text, rt::Decimal::ParseProblem* problem = nullptr);
  ExprId DurationLit(const ast::Expr& e);
  ExprId NameExpr(const ast::Expr& e, TypeId expected);
  ExprId EnumMember(uint32_t en, uint32_t idx, SourceRange r);
  std::vector<uint32_t> Args(const ast::Expr& e, const std::vector<ir::Param>& params, const std::string& callee,
                             const ir::Def* generic = nullptr, TypeId* result = nullptr);
  ExprId CallExpr(const ast::Expr& e, TypeId expected);
  // scopes.cpp: the arguments of a call of a scope (its inputs, the context variables it gives).
  std::vector<uint32_t> ScopeArgs(const ast::Expr& e, const ir::Decision& d, const ast::DecisionDecl& sig);
  ExprId RecordLit(const ast::Expr& e);
  ExprId SetLit(const ast::Expr& e, TypeId expected);
  ExprId ListLit(const ast::Expr& e, TypeId expected);
  ExprId FieldExpr(const ast::Expr& e);
  ExprId WithExpr(const ast::Expr& e);
  ExprId IfExpr(const ast::Expr& e, TypeId expected);

  // sums.cpp: sum types: members that carry a value (`most_recent(p)`), `optional T` (`none`,
  // `some(x)`), and `match`.
  bool IsOptional(TypeId t) const {
    return m_.types.kind(t) == TypeKind::Sum && m_.types.enums[m_.types.info(t).ref].optional();
  }
  ExprId OptionalNone(const ast::Expr& e, TypeId expected);
  std::optional<ExprId> MemberCall(const ast::Expr& e, TypeId expected);
  ExprId Construct(const ast::Expr& e, uint32_t en, uint32_t member);
  ExprId MatchExpr(const ast::Expr& e, TypeId expected);

  // operators.cpp: unary and binary operators, membership, quantifiers.
  ExprId UnaryExpr(const ast::Expr& e);
  ExprId NegExpr(const ast::Expr& e);
  ExprId BinaryExpr(const ast::Expr& e);
  ExprId InExpr(const ast::Expr& e);
  ExprId QuantExpr(const ast::Expr& e);
  // lists.cpp: operations over a list and indexing.
  ExprId ListOpExpr(const ast::Expr& e);
  ExprId IndexExpr(const ast::Expr& e);
  std::optional<ExprId> ListOpCall(const ast::Expr& e);
  bool IsRankable(TypeId t) const;

  // generics.cpp: helpers generic over units (`def f<u>(x: decimal[u])`).
  std::vector<uint32_t> DeclareUnitParams(const ast::DefDecl& d);
  class UnitParamScope {  // the unit parameters of a helper are unit names while it is checked
   public:
    UnitParamScope(Checker& c, const ast::DefDecl& d, const std::vector<uint32_t>& ids);
    ~UnitParamScope();

   private:
    Checker& c_;
    std::vector<std::pair<std::string, std::optional<uint32_t>>> saved_;
  };
  void CheckUnitParamsUsed(const ir::Def& def, const ast::DefDecl& d);
  bool MentionsUnit(TypeId t, uint32_t base) const;
  rt::UnitId SubstituteUnit(rt::UnitId u, const std::map<uint32_t, rt::UnitId>& sub);
  TypeId SubstituteUnits(TypeId t, const std::map<uint32_t, rt::UnitId>& sub);
  std::optional<std::map<uint32_t, rt::UnitId>> InferUnits(const ir::Def& def, const std::vector<ExprId>& args,
                                                           const ast::Expr& call);

  // builtins.cpp: the typing rules of the built-in functions.
  ExprId BuiltinCall(const ast::Expr& e, const BuiltinSpec& b);

  struct Owner {
    SymKind kind = SymKind::Const;
    uint32_t index = UINT32_MAX;
  };

  const std::vector<ast::File>& files_;
  const SourceManager& sm_;
  Diagnostics& diags_;
  ir::Module m_;
  std::map<std::string, Symbol> globals_;
  std::map<std::string, uint32_t> units_;
  std::map<std::string, std::vector<std::pair<uint32_t, uint32_t>>> members_;
  std::vector<const ast::RecordDecl*> record_asts_;
  // Per enum declared in the source: per member, the type its value has as written, or null.
  std::vector<std::vector<const ast::TypeExpr*>> payload_asts_;
  std::map<std::pair<uint32_t, uint32_t>, const ast::Expr*> field_defaults_;  // (record, field) -> `= value`
  std::vector<ConstView> const_views_;
  std::vector<DefView> def_views_;
  std::vector<DecisionView> decision_views_;
  std::map<uint32_t, const ast::DecisionDecl*> scope_entries_;  // IR index -> the decision of a scope
  std::vector<std::map<std::string, ValueEntry>> tables_;       // per version
  std::vector<std::map<std::string, uint32_t>> ir_index_;       // per version: name -> IR index
  std::vector<uint32_t> file_version_;                          // per file: the version that introduces it
  std::vector<uint32_t> chain_;                                 // per version: its instrument's file
  uint32_t current_version_ = 0;
  std::vector<LocalVar> scope_;
  uint32_t next_slot_ = 0, max_slots_ = 0;
  Owner current_owner_;
  std::map<size_t, std::set<size_t>> deps_;
  size_t suggest_cost_ = 0;                                  // characters compared by Suggest
  uint32_t depth_ = 0;                                       // CheckExpr calls in progress
  std::map<size_t, uint32_t> owner_depth_;                   // node -> its deepest expression
  std::map<std::pair<size_t, size_t>, uint32_t> dep_depth_;  // (node, what it uses) -> deepest use
};

}  // namespace edict::check::internal
