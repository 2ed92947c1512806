#include "compiler/diff/member_groups.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "compiler/interp/interp.h"

namespace edict::diff {

std::vector<MemberGroup> FindMemberGroups(const std::vector<const ir::Module*>& modules, const std::string& enum_name) {
  std::vector<MemberGroup> out;
  for (const ir::Module* m : modules) {
    interp::Interpreter in(*m);
    for (uint32_t c = 0; c < m->consts.size(); ++c) {
      rt::TypeId t = m->consts[c].type;
      if (m->types.kind(t) != rt::TypeKind::Set) continue;
      const rt::EnumInfo& e = m->types.enums[m->types.info(t).ref];
      if (e.name != enum_name) continue;
      const std::string& name = m->consts[c].name;
      if (std::any_of(out.begin(), out.end(), [&](const MemberGroup& g) { return g.name == name; })) continue;
      MemberGroup g{name, {}};
      try {
        rt::Value v = in.EvalConst(c);
        for (uint32_t i = 0; i < e.members.size(); ++i)
          if (v.AsSet().Contains(i)) g.members.insert(e.members[i]);
      } catch (const rt::EvalError&) { continue; }
      if (!g.members.empty()) out.push_back(std::move(g));
    }
    // A helper that tells one member of the enum: `def tier2(c: Country): bool`.
    for (uint32_t d = 0; d < m->defs.size(); ++d) {
      const ir::Def& def = m->defs[d];
      if (def.params.size() != 1 || m->types.kind(def.result) != rt::TypeKind::Bool) continue;
      rt::TypeId t = def.params[0].type;
      if (m->types.kind(t) != rt::TypeKind::Enum) continue;
      const rt::EnumInfo& e = m->types.enums[m->types.info(t).ref];
      if (e.name != enum_name) continue;
      if (std::any_of(out.begin(), out.end(), [&](const MemberGroup& g) { return g.name == def.name; })) continue;
      MemberGroup g{def.name, {}};
      try {
        for (uint32_t i = 0; i < e.members.size(); ++i)
          if (in.CallDef(d, {rt::EnumValue{m->types.info(t).ref, i}}).AsBool()) g.members.insert(e.members[i]);
      } catch (const rt::EvalError&) { continue; }
      if (!g.members.empty()) out.push_back(std::move(g));
    }
  }
  return out;
}

namespace {

constexpr size_t kListed = 6;  // members listed by name when no group tells them better

struct Candidate {
  std::string label;
  std::set<std::string> members;
};

// The names in the enum's order.
std::string List(const std::vector<std::string>& universe, const std::set<std::string>& names) {
  std::string s;
  for (const std::string& n : universe)
    if (names.count(n)) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

std::string DescribeMembers(const std::vector<std::string>& universe, const std::set<uint32_t>& members,
                            const std::vector<MemberGroup>& groups) {
  std::set<std::string> s, all(universe.begin(), universe.end()), rest;
  for (uint32_t m : members) s.insert(universe[m]);
  std::set_difference(all.begin(), all.end(), s.begin(), s.end(), std::inserter(rest, rest.end()));
  size_t k = s.size(), n = universe.size();
  // The groups, one except another, and two together (each within this enum's members).
  std::vector<Candidate> cands;
  auto add = [&](std::string label, std::set<std::string> ms) {
    std::set<std::string> in;
    std::set_intersection(ms.begin(), ms.end(), all.begin(), all.end(), std::inserter(in, in.end()));
    if (in.empty() || in.size() == n) return;
    for (const Candidate& c : cands)
      if (c.members == in) return;  // the simpler label, found first, stays
    cands.push_back({std::move(label), std::move(in)});
  };
  for (const MemberGroup& g : groups) add(g.name, g.members);
  for (const MemberGroup& g : groups)
    for (const MemberGroup& h : groups) {
      if (&g == &h) continue;
      std::set<std::string> diff;
      std::set_difference(g.members.begin(), g.members.end(), h.members.begin(), h.members.end(),
                          std::inserter(diff, diff.end()));
      if (diff.size() < g.members.size()) add(g.name + " except " + h.name, diff);
    }
  for (size_t i = 0; i < groups.size(); ++i)
    for (size_t j = i + 1; j < groups.size(); ++j) {
      std::set<std::string> both = groups[i].members;
      both.insert(groups[j].members.begin(), groups[j].members.end());
      add(groups[i].name + " or " + groups[j].name, both);
    }
  auto simple = [](const Candidate& c) { return c.label.find(' ') == std::string::npos; };
  auto listed = [&]() { return fmt::format("{} of {} ({})", k, n, List(universe, s)); };
  // A group exactly (a single group before a short list, a short list before a compound group).
  for (int pass = 0; pass < 2; ++pass) {
    for (const Candidate& c : cands) {
      if (simple(c) != (pass == 0)) continue;
      if (c.members == s) return fmt::format("{}, all {}", c.label, k);
      if (c.members == rest) return fmt::format("all outside {}, {} of {}", c.label, k, n);
    }
    if (pass == 0 && k <= kListed) return listed();
  }
  if (n - k <= kListed) return fmt::format("all but {}, {} of {}", List(universe, rest), k, n);
  // A group but a few of its members, or all outside a group and a few more: the fewest named.
  std::string best;
  size_t fewest = kListed + 1;
  bool best_simple = false;
  auto consider = [&](const std::string& text, size_t named, bool is_simple) {
    if (named < fewest || (named == fewest && is_simple && !best_simple)) {
      best = text;
      fewest = named;
      best_simple = is_simple;
    }
  };
  for (const Candidate& c : cands) {
    std::set<std::string> other;
    if (std::includes(c.members.begin(), c.members.end(), s.begin(), s.end())) {
      std::set_difference(c.members.begin(), c.members.end(), s.begin(), s.end(), std::inserter(other, other.end()));
      consider(fmt::format("{} but {}, {} of {}", c.label, List(universe, other), k, c.members.size()), other.size(),
               simple(c));
    } else if (std::includes(rest.begin(), rest.end(), c.members.begin(), c.members.end())) {
      std::set_difference(rest.begin(), rest.end(), c.members.begin(), c.members.end(),
                          std::inserter(other, other.end()));
      consider(fmt::format("all outside {} and {}, {} of {}", c.label, List(universe, other), k, n), other.size(),
               simple(c));
    }
  }
  if (!best.empty()) return best;
  // The smallest group that holds them all.
  const Candidate* within = nullptr;
  for (const Candidate& c : cands)
    if (std::includes(c.members.begin(), c.members.end(), s.begin(), s.end()) &&
        (!within || c.members.size() < within->members.size()))
      within = &c;
  if (within) return fmt::format("{} of {} ({}), out of {}", k, within->label, within->members.size(), n);
  return fmt::format("{} of {}", k, n);
}

}  // namespace edict::diff
