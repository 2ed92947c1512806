// Inside the symbolic diff: what the solver found (compiler/smt/symbolic.h), in plain values, and
// the reports that print it (text, Markdown, JSON, HTML). symbolic.cpp has it found and replays
// the witnesses; symbolic_report.cpp prints.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compiler/diff/diff.h"
#include "compiler/diff/sides.h"
#include "compiler/smt/symbolic.h"
#include "runtime/value.h"

namespace edict::diff::sym {

// What the solver found (compiler/smt/symbolic.h), and what this folder adds to a class.
using smt::Cube;
using smt::FlagName;
using smt::FlagNames;
using smt::GlobalFlag;
using smt::Region;
using smt::SideClass;

// The runtime error of a side, spelled as `fails with` spells it; empty when there is none.
std::string ErrorOf(const SideClass& sc);

// A class, with its key (old ClassKey + " -> " + new ClassKey) and its witness as a case.
struct Class : smt::Class {
  std::string witness_json;
  std::string key;
};

// Everything a report prints.
struct Findings {
  std::string status = "complete";  // or why the enumeration stopped
  std::vector<smt::Literal> atoms;  // each atom, and its negation, in Edict's syntax
  std::vector<smt::Input> inputs;   // the leaves of the decision's inputs
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
