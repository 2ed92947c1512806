// Counts of enum members in the regulation's own words: a set of members possible in a class
// (destinations, parents' headquarters) told by the named groups the law declares (`const tier1:
// set of Country`), as "tier1, all 19" or "d4 except d5, 11 of 13", rather than "19 of 249".
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace edict::diff {

// A named group of one enum's members (by member name, so that two versions' enums compare).
struct MemberGroup {
  std::string name;
  std::set<std::string> members;
};

// The named groups of members of enum `enum_name` in both modules: every constant whose type is a
// set of that enum (a constant that fails is skipped; a name met twice keeps the first value).
std::vector<MemberGroup> FindMemberGroups(const std::vector<const ir::Module*>& modules, const std::string& enum_name);

// `members` (indexes into `universe`, fewer than all) in words: a list when short, else by
// the named groups (one, one except another, two together, or the rest outside one), exact
// when one matches, else the smallest that holds them ("11 of d4 except d5 (13)"), else "k of n".
std::string DescribeMembers(const std::vector<std::string>& universe, const std::set<uint32_t>& members,
                            const std::vector<MemberGroup>& groups);

}  // namespace edict::diff
