// The symbolic verdict diff (`edict diff OLD NEW -d D` without --cases): both decisions encoded
// with Z3 over every input inside the declared domains; every transition class that can occur,
// each with a readable region, counts over enum inputs and a witness replayed on both engines;
// then the proof that no other change exists. Z3's part is compiler/smt/symbolic.h's; this
// folder replays the witnesses and prints the report.
#pragma once
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "compiler/diff/diff.h"
#include "compiler/diff/sides.h"
#include "compiler/smt/symbolic.h"

namespace edict::diff {

// What names one side of a symbolic transition class: the runtime error, or the deciding rules
// and the outcome's finite parts (booleans, enums, texts). Numbers are left out, as `_`, since
// they may take infinitely many values; so are sets, whose members are flags that a class
// reports (which it always, sometimes or never has) rather than splits on.
std::string ClassKey(const Side& s, const std::string& error, const rt::Value* outcome,
                     const std::vector<uint32_t>& deciding);

// The flags of an outcome: one per member of each set in it, in the order of the outcome type.
std::vector<bool> FlagValues(const Side& s, const rt::Value& outcome);
// Their names, in Edict's syntax: `member in field`.
std::vector<std::string> FlagLabels(const Side& s);

// Whether a flag can be present, and absent, in a class (or anywhere on a side).
using smt::kCanHave;
using smt::kCanLack;

// A class of the symbolic diff, for the cross-check: its key (old ClassKey + " -> " + new
// ClassKey) and, per side and flag, kCanHave | kCanLack as the class allows; empty for a side
// that fails.
struct SymbolicClass {
  std::string key;
  std::vector<uint8_t> old_flags, new_flags;
  // The class's counts: per enum input (its path, as `t.destination`), the members it allows;
  // an input not listed allows every member.
  std::vector<std::pair<std::string, std::set<std::string>>> counts;
};

// The enum inputs of a case, as (path, member), with the paths the counts use.
std::vector<std::pair<std::string, std::string>> EnumInputs(const Side& s, const std::vector<rt::Value>& args);

// Runs the symbolic diff and prints its report (o.format, o.output). With `out`, returns the
// classes instead of printing. Returns an exit code.
// `engines`, when given, is called (once) before the first witness is replayed: the sides'
// engines may still be compiling until then; it returns an exit code.
int RunSymbolic(const DiffOptions& o, Side& a, Side& b, std::vector<SymbolicClass>* out = nullptr,
                const std::function<int()>& engines = {});

}  // namespace edict::diff
