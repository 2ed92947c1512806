// What the law changed between the two sides of a diff, read from the programs (not from cases):
// the instruments between them, the constants whose values differ, and the rules of the decision
// added, repealed, replaced or re-prioritised, and its assertions added or removed, each with its
// provision and instrument. Reports
// print it before the transition classes.
#pragma once
#include <string>
#include <vector>

#include "compiler/diff/sides.h"

namespace edict::diff {

struct LawChange {
  // "constant", "constant added", "constant removed", "rule added", "rule repealed",
  // "rule replaced", "exceptions changed", "default changed", "assertion added", "assertion removed"
  std::string kind;
  std::string name;
  // Constants: their values. Rules: what an added or repealed rule prevails over; for
  // "exceptions changed", the rules it no longer (old) and newly (new) prevails over. Assertions:
  // `name` is the assertion's text (its condition when it has none), old or new its condition.
  std::string old_value, new_value;
  std::string cite, instrument, at;  // of the declaration in force on the new side (old for removals)
};

struct LawChanges {
  // The instruments from the old version (excluded) to the new one (included), when the new
  // side's chain contains the old: "`h20_letter` ... effective 2025-04-15".
  std::vector<std::string> chain;
  std::vector<LawChange> changes;
};

LawChanges FindLawChanges(const Side& a, const Side& b);

// "What the law changed" as text or Markdown lines (empty when nothing is found), and as JSON
// (`"law_changes": [...]`, `"chain": [...]`).
std::string LawChangesText(const LawChanges& lc, bool md);
std::string LawChangesJson(const LawChanges& lc);

}  // namespace edict::diff
