// The checked intermediate representation. Every expression is typed, every name resolved,
// every implicit conversion explicit (IntToDec). Nodes are small structs addressed by ExprId in
// one arena, so later stages (interpreter, LLVM lowering, Z3 encoding) share one structure.
//
// INVARIANT: a Module with no error diagnostics contains no Error op and no Error type;
// ir::Verify checks this and the operand types of every op.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "runtime/date.h"
#include "runtime/decimal.h"
#include "runtime/errors.h"
#include "runtime/source_range.h"
#include "runtime/types.h"
#include "runtime/value.h"

namespace edict::ir {

using rt::TypeId;
using ExprId = uint32_t;
constexpr ExprId kNoExpr = UINT32_MAX;

enum class Op : uint8_t {
#define EDICT_IR_OP(Name, OperandShape, Doc) Name,
#include "compiler/ir/ops.def"
#undef EDICT_IR_OP
};
const char* OpName(Op op);

enum class Builtin : uint8_t {
#define EDICT_BUILTIN(Id, spelling, arity, summary) Id,
#include "compiler/ir/builtins.def"
#undef EDICT_BUILTIN
};
const char* BuiltinName(Builtin b);

// One expression node; the meaning of a, b, c is given per op in ops.def, and where its operands
// are by the op's shape (compiler/ir/walk.h: ir::ForEachOperand visits them).
struct Expr {
  Op op = Op::Error;
  TypeId type = 0;
  SourceRange range;
  uint32_t a = 0, b = 0, c = 0;
};

// The provision a declaration implements, and whether it rests on an unverified reading.
struct Citation {
  std::string cite;
  std::string assumption;
  bool empty() const { return cite.empty(); }
};

// `const name: type = value cite "..."`
struct Const {
  std::string name;
  uint32_t version = 0;
  TypeId type = 0;
  ExprId value = kNoExpr;
  uint32_t slot_count = 0;  // the bound variables of quantifiers in the value
  Citation cite;
  SourceRange range;
  bool typical = false;  // `typical const`: the most ordinary value of its (record) type
};

struct Param {
  std::string name;
  TypeId type = 0;
  SourceRange range;
};

// `def name(params): result = body` — a pure helper; parameters occupy slots 0..n-1.
// `def name<u>(...)` is generic over units: `unit_params` are the base units (of the type table,
// marked `parameter`) that stand for `u` in its types and body; a call's argument and result types
// have the units the checker substituted (units do not change a value's representation).
struct Def {
  std::string name;
  uint32_t version = 0;
  std::vector<uint32_t> unit_params;
  std::vector<Param> params;
  TypeId result = 0;
  ExprId body = kNoExpr;
  uint32_t slot_count = 0;
  Citation cite;
  SourceRange range;
};

// `let name = value` inside a decision; evaluated lazily, at most once per evaluation.
struct Let {
  std::string name;
  TypeId type = 0;
  ExprId value = kNoExpr;
  SourceRange range;
};

// `rule name cite "..." exception to x when cond then outcome`
struct Rule {
  std::string name;  // "default" for the default
  Citation cite;
  ExprId condition = kNoExpr;  // kNoExpr: always applies
  ExprId outcome = kNoExpr;
  std::vector<uint32_t> exception_to;  // rules this one directly overrides
  std::vector<uint32_t> overrides;     // transitive closure of exception_to
  SourceRange range;
  SourceRange name_range;
};

// A check of a decision's input against an invariant: `check` is the call of the invariant's
// helper on the parameter, or on a record field inside it (`t.consignee`), whose text is `path`.
// Every engine evaluates a decision's guards first, in order; the first that is false raises
// `invalid_case` at the invariant, and the symbolic diff assumes every guard holds.
struct Guard {
  uint32_t invariant = 0;  // index into Module::invariants
  std::string path;
  ExprId check = kNoExpr;
};

// `assert condition "text" cite "...";` in a decision. Every engine evaluates a decision's
// assertions after its guards and before its rules, in order; the first that is false raises
// `assertion_failed` at the assertion (the symbolic diff treats it as any runtime error).
struct Assertion {
  ExprId condition = kNoExpr;
  std::string text;    // what it states ("" when not given)
  std::string source;  // the condition as written, for the message
  Citation cite;       // its own, else the decision's
  SourceRange range;
};

// `decision name(params) -> result { lets rules default }`
struct Decision {
  std::string name;
  std::vector<Param> params;  // slots 0..n-1
  TypeId result = 0;
  std::vector<Let> lets;
  std::vector<Rule> rules;
  bool has_default = false;
  Rule default_rule;
  uint32_t slot_count = 0;
  Citation cite;
  SourceRange range;
  uint32_t file = 0;
  uint32_t version = 0;
  std::vector<SourceRange> amended_by;  // the `amend decision` blocks that changed it, oldest first
  std::vector<Guard> guards;            // the invariants its inputs must meet
  std::vector<Assertion> assertions;    // checked after the guards, before the rules
  // The scope it belongs to (docs/language.md, "Scopes"): the scope's own decision and its
  // variables' decisions `S.v` have the scope's name, any other decision "". A call of a
  // decision of the same scope whose arguments are the caller's parameters, in order (the calls
  // the expansion of the scope writes), has c = 1: it *shares the caller's scope frame*, so the
  // engines evaluate each decision called so at most once per call of the scope from outside,
  // and reuse its value (see ir::SharesScopeFrame).
  std::string scope;
};

// Calls f(ExprId) for every expression a decision evaluates directly: its guards, lets, rule
// conditions and outcomes, and its default (not what those call).
template <class F>
void ForEachRoot(const Decision& d, F f) {
  for (const auto& g : d.guards) f(g.check);
  for (const auto& a : d.assertions) f(a.condition);
  for (const auto& l : d.lets) f(l.value);
  for (const auto& r : d.rules) {
    if (r.condition != kNoExpr) f(r.condition);
    f(r.outcome);
  }
  if (d.has_default) f(d.default_rule.outcome);
}

enum class TestStepKind : uint8_t { Let, Assert, AssertFails };
struct TestStep {
  TestStepKind kind = TestStepKind::Assert;
  uint32_t slot = 0;  // Let
  ExprId expr = kNoExpr;
  rt::RtErrorKind expected_error = rt::RtErrorKind::Overflow;  // AssertFails
  SourceRange range;
};
struct Test {
  std::string name;
  std::vector<TestStep> steps;
  uint32_t slot_count = 0;
  SourceRange range;
  uint32_t file = 0;
};

// The instrument header of a file: its name and fields (title, citation, dates ...).
struct Instrument {
  std::string name;
  std::vector<std::pair<std::string, std::string>> fields;
  uint32_t file = 0;
  std::string Field(const std::string& key) const {
    for (const auto& [k, v] : fields)
      if (k == key) return v;
    return "";
  }
};

// One version of the law: an instrument of the amendment chain and what is in force with it.
// A program without amendments has one version.
struct Version {
  std::string name;       // the instrument's name ("" for a file without a header)
  int instrument = -1;    // index into instruments
  std::string effective;  // YYYY-MM-DD, from the header
  std::string compliance;
  uint32_t file = 0;
  std::map<std::string, uint32_t> decisions, consts, defs;  // name -> index
};

// How a reader of a verdict diff compares two outcomes of a type, as `impact T { ... }` declares
// it (docs/diff.md): the role of each field of a record, and the order of severity of the values
// of a verdict field. The diff derives each class's impact from it (tightened, loosened, ...).
enum class ImpactRole : uint8_t { Verdict, Detail, Explanation };
struct ImpactField {
  ImpactRole role = ImpactRole::Verdict;
  // Severity rank by value (an enum's member index; a bool's false, true): 0 is the least
  // severe. Empty: the values are not ordered (a change has no direction).
  std::vector<uint32_t> rank;
};
struct Impact {
  rt::TypeId type = 0;              // a record, or an enum (`impact T: a < b;`)
  std::vector<ImpactField> fields;  // one per field of the record; one for an enum's value
  SourceRange range;
};

// `invariant name(t: T): condition` (or `assumption`), as one version has it: the condition is the
// helper `def` (a bool of one parameter of record type `type`).
struct Invariant {
  std::string name, doc;
  bool assumption = false;
  uint32_t def = 0;
  rt::TypeId type = 0;
  Citation cite;
  SourceRange range;  // the name
};

// `describe T: "..."`: how reports name a value of record type T in one sentence. The template's
// pieces in order: literal text (path empty), or a field reached by `path` (field indexes from T),
// printed by its doc string when `doc` (an enum member's), else by its value (ir::Describe).
struct DescriptionPiece {
  std::string text;
  std::vector<uint32_t> path;
  bool doc = false;
};
struct Description {
  rt::TypeId type = 0;
  std::vector<DescriptionPiece> pieces;
  SourceRange range;
};

struct Module {
  rt::TypeTable types;
  std::vector<Expr> exprs;
  std::vector<uint32_t> extra;  // operand lists
  std::vector<int64_t> ints;
  std::vector<rt::Decimal> decs;
  std::vector<rt::Duration> durs;
  std::vector<std::string> texts;

  std::vector<Const> consts;
  std::vector<Def> defs;
  std::vector<Decision> decisions;
  std::vector<Test> tests;
  std::vector<Instrument> instruments;
  std::vector<Version> versions;  // the amendment chain, base first; the last is the root file's
  // The instrument (index) each file belongs to, or -1.
  std::vector<int> file_instrument;
  std::vector<Impact> impacts;            // as declared, at most one per type
  std::vector<Invariant> invariants;      // per version that sees each (its helper is that version's)
  std::vector<Description> descriptions;  // at most one per type

  // The `typical const` of record type t in a version (default: the last), or -1.
  int TypicalOf(rt::TypeId t, int version = -1) const {
    if (versions.empty()) return -1;
    const Version& v = versions[version < 0 ? versions.size() - 1 : size_t(version)];
    for (const auto& [name, c] : v.consts)
      if (consts[c].typical && consts[c].type == t) return int(c);
    return -1;
  }

  // The declared description of values of type t, or null.
  const Description* DescriptionOf(rt::TypeId t) const {
    for (const auto& d : descriptions)
      if (d.type == t) return &d;
    return nullptr;
  }

  // The declared impact of outcomes of type t, or null (the diff then uses its default).
  const Impact* ImpactOf(rt::TypeId t) const {
    for (const auto& i : impacts)
      if (i.type == t) return &i;
    return nullptr;
  }

  const Expr& expr(ExprId id) const { return exprs[id]; }
  const uint32_t* operands(uint32_t start) const { return extra.data() + start; }
  // The decision `name` of a version (default: the last one, the root file's).
  int FindDecision(const std::string& name, int version = -1) const {
    if (versions.empty()) return -1;
    const Version& v = versions[version < 0 ? versions.size() - 1 : size_t(version)];
    auto it = v.decisions.find(name);
    return it == v.decisions.end() ? -1 : int(it->second);
  }
  // The version in force on a date (YYYY-MM-DD): the last whose effective date is on or before
  // it; -1 when none is. A version without an effective date is in force at any date.
  int VersionAt(const std::string& date) const {
    int found = -1;
    for (size_t i = 0; i < versions.size(); ++i)
      if (versions[i].effective.empty() || versions[i].effective <= date) found = int(i);
    return found;
  }
};

// Whether the DecisionCall `call`, in a decision with `params` parameters of scope `scope`, may
// share its caller's scope frame: the callee belongs to the same (non-empty) scope and takes the
// caller's parameters, in order, as its arguments, so it computes the same value however often
// it is called from that frame.
bool SharesScopeFrame(const Module& m, const Expr& call, const std::string& scope, size_t params);

// Default logic, step 2: the applicable rules (in order) that no other applicable rule
// overrides. With `overridden_by` (one entry per rule of d), also who overrides whom.
std::vector<uint32_t> Winners(const Decision& d, const std::vector<uint32_t>& applicable,
                              std::vector<std::vector<uint32_t>>* overridden_by = nullptr);
// The same, into `winners` (cleared first), for callers that reuse the buffer.
void Winners(const Decision& d, const std::vector<uint32_t>& applicable, std::vector<uint32_t>* winners,
             std::vector<std::vector<uint32_t>>* overridden_by = nullptr);

// A value of the description's type in one sentence: numbers with thousands separators (1,000;
// 15,831.2), enum members by name with spaces for underscores (or by doc string), dates as
// YYYY-MM-DD, booleans as yes or no.
std::string Describe(const Module& m, const Description& d, const rt::Value& v);
// A scalar value for a reader ("7,916,000 tpp", "2025-05-15", "true"); empty for a set, a list,
// a record or a value of a sum type, which are too long to quote beside a name.
std::string ReadableValue(const Module& m, rt::TypeId t, const rt::Value& v);

// What a value that breaks an invariant is told: "`t` breaks the invariant `in_destination`: the
// consignee is in the destination (15 CFR 772.1)" (an assumption says so).
std::string BrokenInvariantMessage(const Invariant& inv, const std::string& path);

// What a violated assertion is told: "the assertion of `benefit` does not hold: the amount is not
// negative (art. 3) [amount >= 0 [eur]]".
std::string FailedAssertionMessage(const Decision& d, const Assertion& a);

// Prints the module (`edict dump --phase=ir`).
std::string Print(const Module& m);

// Checks the module's invariants; returns a description of each violation (empty when valid).
std::vector<std::string> Verify(const Module& m);

}  // namespace edict::ir
