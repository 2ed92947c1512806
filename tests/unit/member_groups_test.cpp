// diff::DescribeMembers and FindMemberGroups: counts of enum members told by the regulation's own
// named groups (docs/diff.md, "Counts").
#include <catch2/catch.hpp>

#include "compiler/diff/member_groups.h"
#include "test_support.h"

using edict::diff::DescribeMembers;
using edict::diff::MemberGroup;

namespace {
const std::vector<std::string> kUniverse = {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"};
std::set<uint32_t> Of(const std::string& names) {
  std::set<uint32_t> out;
  for (char c : names) out.insert(uint32_t(c - 'A'));
  return out;
}
}  // namespace

TEST_CASE("members are told by a named group, exactly or nearly", "[member_groups]") {
  std::vector<MemberGroup> groups = {{"low", {"A", "B", "C", "D", "E", "F", "G"}}, {"vowels", {"A", "E", "I"}}};
  CHECK(DescribeMembers(kUniverse, Of("AEI"), groups) == "vowels, all 3");
  CHECK(DescribeMembers(kUniverse, Of("ABCDEFG"), groups) == "low, all 7");
  CHECK(DescribeMembers(kUniverse, Of("HIJ"), groups) == "all outside low, 3 of 10");
  // A short list reads better than a compound group; a long one does not.
  CHECK(DescribeMembers(kUniverse, Of("BCDFG"), groups) == "5 of 10 (B, C, D, F, G)");
  std::vector<MemberGroup> big = {{"big", {"A", "B", "C", "D", "E", "F", "G", "H", "I"}}, {"small", {"A", "B"}}};
  CHECK(DescribeMembers(kUniverse, Of("CDEFGHI"), big) == "big except small, all 7");
  // No group fits: a short list, or what is left out.
  CHECK(DescribeMembers(kUniverse, Of("AB"), groups) == "2 of 10 (A, B)");
  CHECK(DescribeMembers(kUniverse, Of("ABCDEFGHI"), groups) == "all but J, 9 of 10");
}

TEST_CASE("a group nearly matching names the few members it differs by", "[member_groups]") {
  std::vector<std::string> universe;
  for (int i = 0; i < 40; ++i) universe.push_back("m" + std::to_string(100 + i));
  std::vector<MemberGroup> groups = {{"first30", {}}};
  for (int i = 0; i < 30; ++i) groups[0].members.insert(universe[size_t(i)]);
  std::set<uint32_t> s;
  for (uint32_t i = 1; i < 30; ++i) s.insert(i);  // all of first30 but m100
  CHECK(DescribeMembers(universe, s, groups) == "first30 but m100, 29 of 30");
  s.clear();
  for (uint32_t i = 30; i < 39; ++i) s.insert(i);  // outside first30, but m139
  CHECK(DescribeMembers(universe, s, groups) == "all outside first30 and m139, 9 of 40");
  s.clear();
  for (uint32_t i = 0; i < 40; i += 2) s.insert(i);  // no group helps: the count alone
  CHECK(DescribeMembers(universe, s, {}) == "20 of 40");
}

TEST_CASE("named groups are the set constants and one-member helpers of the enum", "[member_groups]") {
  Checked c(
      "enum Country { US, CA, MX, CN, RU }\n"
      "const americas: set of Country = {US, CA, MX};\n"
      "def embargoed(c: Country): bool = c in {CN, RU};\n"
      "decision d(c: Country) -> bool { default then true; }\n");
  REQUIRE(c.ok());
  auto groups = edict::diff::FindMemberGroups({&c.module}, "Country");
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].name == "americas");
  CHECK(groups[0].members == std::set<std::string>{"US", "CA", "MX"});
  CHECK(groups[1].name == "embargoed");
  CHECK(groups[1].members == std::set<std::string>{"CN", "RU"});
}
