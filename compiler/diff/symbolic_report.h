// Inside the symbolic diff: what the solver found, in plain values (no Z3 here), and the reports
// that print it (text, Markdown, JSON, HTML). symbolic.cpp and symbolic_regions.cpp find;
// symbolic_report.cpp prints.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compiler/diff/diff.h"
#include "compiler/diff/sides.h"
#include "runtime/value.h"

namespace edict::diff::sym {

// A flag of an outcome type (a member of one of its sets, in the order of Encoder::Flags): the
// set field's path and the member's name.
struct FlagName {
  std::string field, member;
  std::string Label() const { return member + " in " + (field.empty() ? "outcome" : field); }
};
std::vector<FlagName> FlagNames(rt::TypeId t, const rt::TypeTable& types);

// What one side gives in a class, read from a model of the encoding.
struct SideClass {
  int error = 0;                   // 1 + RtErrorKind, or 0
  std::vector<uint32_t> deciding;  // winners; UINT32_MAX for the default
  rt::Value outcome;               // decoded from the model (its finite parts name the class)
};

// The runtime error of a side, spelled as `fails with` spells it; empty when there is none.
std::string ErrorOf(const SideClass& sc);

struct Cube {
  std::vector<std::pair<size_t, bool>> lits;  // (atom, polarity), sorted
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

struct Class {
  SideClass old_c, new_c;
  Region region;
  bool region_and_flags = false;  // the region is the class's where the flags differ
  std::vector<uint8_t> flags[2];  // per side and flag: kCanHave | kCanLack
  std::vector<rt::Value> witness;
  std::string witness_json;
  // Per enum input (by its index in Findings::inputs): the members possible in the class; an
  // input that is missing can take every member (or Z3 could not tell within its limit).
  std::vector<std::pair<size_t, std::set<uint32_t>>> counts;
  std::string key;
};

// Everything a report prints.
struct Findings {
  std::string status = "complete";  // or why the enumeration stopped
  struct Literal {
    std::string text, negated;  // the atom, and its negation, in Edict's syntax
  };
  std::vector<Literal> atoms;
  struct Input {
    std::string path;  // t.destination
    rt::TypeId type;
  };
  std::vector<Input> inputs;  // the leaves of the decision's inputs
  std::vector<FlagName> flag_names;
  std::vector<GlobalFlag> global_flags[2];  // per side, in the order of flag_names
  std::vector<Class> classes;

  bool complete() const { return status == "complete"; }
};

// The report in o.format: text, markdown, json or html.
std::string Report(const DiffOptions& o, const Side& a, const Side& b, const Findings& f);
// Each class's witness as a line of JSON (the input of `edict eval --cases`), labelled
// `"id": "class N"` with N the class's number in the report.
std::string WitnessLines(const Side& a, const Side& b, const Findings& f);

}  // namespace edict::diff::sym
