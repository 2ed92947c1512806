// The Z3 encoding of the checked IR: a decision becomes formulas over its inputs that give, for
// every case, what the interpreter computes: the outcome, which rules decided, and the runtime
// error (kind) if any. Internal to compiler/smt/, the only folder that sees Z3 (symbolic.h is its
// public header, with no Z3); the fuzz target tests/fuzz/symbolic.cpp uses it too.
//
// Exactness. Booleans, integers (64-bit, overflow checked exactly), enums, sets (one boolean per
// member), texts (Z3 strings), dates (days, with the civil calendar in linear integer arithmetic),
// durations and sum types (the member, then the components of every member's value, zeros for
// the members not held) are encoded exactly. Decimals are exact rationals (Z3 reals); their
// `overflow` error is encoded by magnitude (a result of absolute value 2^127 or more overflows),
// where the engines overflow when the numerator or the denominator in lowest terms reaches 2^127:
// exact for integers, and otherwise except within a factor of the denominator of 2^127 (the
// symbolic diff picks its witnesses away from there). A construct the encoding does not cover
// (month arithmetic on dates, lists that are inputs, members of sum types that carry lists)
// throws Unsupported naming it and its place.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <z3++.h>

#include "compiler/ir/ir.h"
#include "compiler/smt/symbolic.h"
#include "runtime/value.h"

namespace edict::interp {
class Interpreter;
}

namespace edict::smt {

// A symbolic value: the components of its flattened type (records field by field, sets one
// boolean per member, durations as months and days), or the elements of a list of known length,
// and the runtime error its evaluation raises: 0 for none, otherwise 1 + rt::RtErrorKind.
struct Sym {
  std::vector<z3::expr> v;
  std::vector<Sym> elems;  // lists
  z3::expr err;
  explicit Sym(z3::context& c) : err(c.int_val(0)) {}
};

// A condition the rules test (a comparison, a membership, a boolean field or helper), printed in
// Edict's syntax over the decision's inputs.
struct Atom {
  z3::expr term;
  std::string text, negated;
  std::vector<std::string> consts;  // the scalar constants it reads, directly or through helpers
};

// One scalar component of the inputs: its dotted path, type and variable.
struct InputVar {
  std::string path;
  rt::TypeId type;
  z3::expr var;
  int component = 0;  // durations: 0 months, 1 days
};

// The encoding of one decision evaluation.
struct DecisionSym {
  Sym outcome;
  std::vector<z3::expr> winners;  // per rule: it applies and no applicable rule overrides it
  std::vector<z3::expr> applies;  // per rule: its own condition holds (true when it has none)
  z3::expr valid;                 // the inputs meet every invariant (ir::Guard) of the decision
  explicit DecisionSym(z3::context& c) : outcome(c), valid(c.bool_val(true)) {}
};

// Texts are compared only for equality, so each text literal is a distinct integer (shared by the
// encoders of both versions); a text input is an integer too, any value past the literals being
// some other text.
struct TextTable {
  std::map<std::string, int> ids;
  std::vector<std::string> texts;
  int Id(const std::string& t) {
    auto [it, fresh] = ids.try_emplace(t, int(texts.size()));
    if (fresh) texts.push_back(t);
    return it->second;
  }
};

class Encoder {
 public:
  Encoder(z3::context& ctx, const ir::Module& m, TextTable& texts);
  ~Encoder();

  // Fresh variables for a decision's parameters (named by their paths), with their domain:
  // enum ranges, date and integer ranges, and declared `where` bounds, collected in domain().
  // Enum inputs that an invariant of the decision makes equal (`t.consignee.country ==
  // t.destination`) share one variable, listed once in inputs() under the first path: the
  // encoding then covers only cases that meet that invariant (the symbolic diff assumes them all).
  std::vector<Sym> MakeInputs(const ir::Decision& d);
  const std::vector<InputVar>& inputs() const { return inputs_; }
  z3::expr domain() const { return domain_; }

  // `without`: a rule of that decision taken out (its condition not evaluated, never applying),
  // for `edict verify`'s question whether removing it changes any verdict; -1 for none.
  DecisionSym Decision(uint32_t decision, const std::vector<Sym>& args, int without = -1);

  // Atoms met while encoding (deduplicated), in order of first appearance.
  const std::vector<Atom>& atoms() const { return atoms_; }

  // Equality of two values of type t (componentwise).
  z3::expr Equal(const Sym& a, const Sym& b, rt::TypeId t);
  // The components of a value of type t that take finitely many values and name an outcome in a
  // transition class: booleans, enums and texts, in the order of the flattened type.
  std::vector<z3::expr> FiniteParts(const Sym& s, rt::TypeId t);
  // The members of its sets (one boolean per member, same order): flags, which the symbolic diff
  // reports per class instead of splitting classes on them.
  std::vector<z3::expr> Flags(const Sym& s, rt::TypeId t);

  // A value as constant components (lists as elements).
  Sym Constant(const rt::Value& v, rt::TypeId t);

  // The value of an input parameter of type t in a model.
  rt::Value Decode(const z3::model& model, const Sym& s, rt::TypeId t);

  // A signature of a type's shape (kinds, units, enum members, record fields), to check that two
  // modules' inputs can share variables.
  std::string Shape(rt::TypeId t) const;

  size_t Width(rt::TypeId t) const;

 private:
  struct Frame;
  Sym Eval(ir::ExprId id, Frame& f);
  Sym EvalRaw(ir::ExprId id, Frame& f);
  Sym Builtin(const ir::Expr& e, Frame& f);
  std::vector<z3::expr> Parts(const Sym& s, rt::TypeId t, bool flags);
  void ConstantInto(const rt::Value& v, rt::TypeId t, std::vector<z3::expr>& out);
  void MakeVars(rt::TypeId t, const std::string& path, const std::vector<rt::FieldBound>* bounds,
                std::vector<z3::expr>& out);
  void AliasInputs(const ir::Decision& d);
  void RegisterAtom(const z3::expr& term, ir::ExprId id, Frame& f);
  rt::Value DecodeAt(const z3::model& model, const std::vector<z3::expr>& v, size_t& i, rt::TypeId t);

  [[noreturn]] void Fail(ir::ExprId id, const std::string& what);
  // Sum types (TypeKind::Sum): see RequireFixedSum in encode.cpp.
  bool HasList(rt::TypeId t) const;
  void RequireFixedSum(rt::TypeId t, ir::ExprId id);
  void Zeros(rt::TypeId t, std::vector<z3::expr>& out);
  Sym Payload(const Sym& s, rt::TypeId t, uint32_t k);

  // Error helpers: the first error in evaluation order.
  z3::expr First(const z3::expr& a, const z3::expr& b);
  z3::expr Raise(const z3::expr& cond, rt::RtErrorKind k);
  // Civil calendar (H. Hinnant's algorithms, linear with constant divisors).
  void Civil(const z3::expr& days, z3::expr* y, z3::expr* m, z3::expr* d);
  z3::expr DaysFromCivil(const z3::expr& y, const z3::expr& m, const z3::expr& d);
  z3::expr ValidYmd(const z3::expr& y, const z3::expr& m, const z3::expr& d);
  z3::expr Mul(const z3::expr& a, const z3::expr& b);
  z3::expr Compare(const Sym& a, const Sym& b, rt::TypeId t, ir::Op op, z3::expr* err);

  z3::context& c_;
  const ir::Module& m_;
  TextTable& texts_;
  z3::expr domain_;
  std::vector<InputVar> inputs_;
  std::map<std::string, std::string> alias_;  // input path -> the first path of its group of equal inputs
  std::map<std::string, z3::expr> made_;      // a group's first path -> its variable
  std::vector<Atom> atoms_;
  std::map<unsigned, size_t> atom_index_;
  int suppress_atoms_ = 0;
  std::vector<std::optional<Sym>> consts_;
  std::unique_ptr<interp::Interpreter> interp_;  // evaluates constants
  std::map<std::pair<uint32_t, std::vector<unsigned>>, Sym> call_memo_;
  std::map<std::pair<uint32_t, std::vector<unsigned>>, DecisionSym> decision_memo_;
  struct Binary {
    int64_t lo = 0;
    std::vector<z3::expr> bits;
  };
  std::map<unsigned, Binary> binary_;                           // bounded integer inputs, by variable
  std::map<unsigned, std::pair<int32_t, int32_t>> date_range_;  // date inputs' ranges, by variable
};

}  // namespace edict::smt
