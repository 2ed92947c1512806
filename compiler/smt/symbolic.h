// The solving half of the symbolic verdict diff, with no Z3 in its interface: both versions of a
// decision encoded over shared inputs; every transition class that can occur, each with a witness
// (the first stage); then every class's flags, region and counts, and every flag's region (the
// second stage). What it finds comes back as plain values (rt::Value, texts, indices), which
// compiler/diff/symbolic*.cpp replay on the engines and print. The encoder (encode.h) and the
// encoding of a diff (symbolic_encoding.h) are internal to compiler/smt/, the one folder that sees Z3.
#pragma once
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/value.h"

namespace edict::smt {

// A construct the encoding does not cover (month arithmetic on dates, lists that are inputs),
// named, with its place.
struct Unsupported {
  SourceRange range;
  std::string what;
};

// One side of a diff: a decision of a checked module (both sides may be one module, amended).
struct Side {
  const ir::Module* module = nullptr;
  uint32_t decision = 0;

  const ir::Module& m() const { return *module; }
  const ir::Decision& dec() const { return m().decisions[decision]; }
};

// Whether a flag can be present, and absent, in a class (or anywhere on a side).
constexpr uint8_t kCanHave = 1, kCanLack = 2;

// A flag of an outcome type (a member of one of its sets, in the order of Encoder::Flags): the
// set field's path and the member's name.
struct FlagName {
  std::string field, member;
  std::string Label() const { return member + " in " + (field.empty() ? "outcome" : field); }
};
std::vector<FlagName> FlagNames(rt::TypeId t, const rt::TypeTable& types);
// The flags of an outcome of a side's decision, in the same order.
std::vector<bool> FlagValues(const Side& s, const rt::Value& outcome);

// What one side gives in a class, read from a model of the encoding.
struct SideClass {
  int error = 0;                   // 1 + RtErrorKind, or 0
  std::vector<uint32_t> deciding;  // winners; UINT32_MAX for the default
  rt::Value outcome;               // decoded from the model (its finite parts name the class)
};

struct Cube {
  std::vector<std::pair<size_t, bool>> lits;  // (atom, polarity), sorted
  // The conditions a reader needs (a subset of lits): none implied by the others together with
  // the invariants, the declared domains and the deciding rules' own conditions (in a class's
  // region; in a flag's, the others and the domain alone).
  std::vector<std::pair<size_t, bool>> shown;
};

// A region: a union of cubes over the atoms.
struct Region {
  std::vector<Cube> cubes;
  bool exact = true;    // every cube implies the formula (the atoms determine it)
  bool capped = false;  // stopped listing cubes at the cap
};

// A flag of one side over the whole domain.
struct GlobalFlag {
  uint8_t status = 0;  // kCanHave | kCanLack
  Region region;       // where it holds, when it can both hold and not
};

// A transition class: found with its witness by the first stage, described by the second.
struct Class {
  SideClass old_c, new_c;
  std::vector<rt::Value> witness;  // the decision's arguments
  Region region;
  bool region_and_flags = false;  // the region is the class's where the flags differ
  std::vector<uint8_t> flags[2];  // per side and flag: kCanHave | kCanLack
  // Per enum input (by its index in Inputs()): the members possible in the class; an input that
  // is missing can take every member (or Z3 could not tell within its limit).
  std::vector<std::pair<size_t, std::set<uint32_t>>> counts;
  // Per count: whether the region's shown conditions on that input alone already state it
  // (`t.destination == US` for "1 of 249 (US)"), so that a reader need not be told it again.
  std::vector<bool> count_stated;
};

// An atom (a condition the rules test), and its negation, in Edict's syntax.
struct Literal {
  std::string text, negated;
  std::vector<std::string> consts;  // the scalar constants it reads (through helpers too)
};
// A leaf of the decision's inputs.
struct Input {
  std::string path;  // t.destination
  rt::TypeId type;
};

// The encoding of one diff and the solver's work on it. Z3's rewriter flattens nested sums unless
// the decisions' arithmetic is deep; that setting holds from construction to destruction.
class SymbolicDiff {
 public:
  SymbolicDiff(const Side& old_side, const Side& new_side);
  ~SymbolicDiff();

  // Both versions must read the same inputs (names and shapes) to share variables.
  bool SameShape() const;
  // Encodes both decisions (throws Unsupported).
  void Build();

  // The atoms of both sides (the old side's first) and the leaves of the inputs, in the order
  // cubes and counts index them.
  std::vector<Literal> Atoms() const;
  std::vector<Input> Inputs() const;

  // The first stage: whether each flag can hold, and fail to hold, on each side over the whole
  // domain; then every class, each with a witness, until Z3 proves there is no other (`status`
  // says why when the enumeration stops before).
  void Enumerate(std::vector<GlobalFlag> global_flags[2], std::vector<Class>& classes, std::string& status);
  // Z3's resource limit for each step of Enumerate (0, the default: none; `edict diff` sets
  // limits::kSymbolicSolverLimit). A step that reaches it stops the enumeration, with a status
  // that names the limit.
  void SetSolverLimit(uint64_t limit);
  // Has Enumerate also find the region of every flag that can both hold and not (GlobalFlag::region;
  // `max_conjunctions` as for RunJobs), on a thread and in a Z3 context of their own while it
  // enumerates the classes on the other: they need no class, and the first stage uses one core.
  void SetFlagRegions(size_t max_conjunctions);
  // The second stage: every class's flags (and, with `regions`, its region and counts), as
  // independent jobs, each in its own context (`max_conjunctions`: listed per region, 0 for all).
  // Returns false if a job, or the flags' regions of Enumerate, could not encode.
  bool RunJobs(size_t max_conjunctions, bool regions, const std::vector<Class*>& classes,
               std::vector<GlobalFlag> global_flags[2]);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edict::smt
