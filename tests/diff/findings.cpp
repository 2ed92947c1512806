// The findings the symbolic diff of the AI Diffusion rule (R1) against its rescission (R2) must
// report, checked by name on its JSON report (docs/diff.md has the schema):
//   findings REPORT.json
// Each finding is one check; the program prints every result and exits 1 if one fails.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace {

struct Class {
  std::string old_review, new_review, old_rules;  // the outcomes' review policies; the deciding rules
  std::vector<std::tuple<std::string, std::string, std::string>> changes;  // field, old, new
  std::vector<std::vector<std::string>> cubes;
  std::vector<std::pair<std::string, int64_t>> counts;  // input, how many members the class admits
  bool truncated = false, exact = true, has_witness = false;
};

bool Contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// The change of one field of a class, or empty strings.
std::pair<std::string, std::string> Change(const Class& k, std::string_view field) {
  for (const auto& [f, o, n] : k.changes)
    if (f == field) return {o, n};
  return {};
}

// How many members of an enum input the class admits: its count, or -1 when it has none (every
// member).
int64_t Count(const Class& k, std::string_view input) {
  for (const auto& [in, n] : k.counts)
    if (in == input) return n;
  return -1;
}

// Whether some cube of the class's region has every one of `lits` among its conditions.
bool SomeCube(const Class& k, const std::vector<std::string>& lits) {
  for (const auto& cube : k.cubes) {
    bool all = true;
    for (const auto& l : lits) {
      bool found = false;
      for (const auto& c : cube) found = found || c == l;
      all = all && found;
    }
    if (all) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: findings REPORT.json\n");
    return 64;
  }
  // On-demand parsing: witnesses hold exact numbers beyond 64 bits, which are valid JSON that a
  // DOM parser rejects, and this program never reads them.
  simdjson::padded_string json;
  if (auto err = simdjson::padded_string::load(argv[1]).get(json)) {
    std::fprintf(stderr, "error: cannot read the JSON report `%s`: %s\n", argv[1], simdjson::error_message(err));
    return 3;
  }
  simdjson::ondemand::parser parser;
  std::vector<Class> classes;
  std::vector<std::tuple<std::string, std::string, std::string>> flags;  // flag, old status, new status
  bool complete = false;
  auto str = [](simdjson::ondemand::value v) { return std::string(std::string_view(v.get_string())); };
  try {
    simdjson::ondemand::document doc = parser.iterate(json);
    for (auto field : doc.get_object()) {
      std::string_view key = field.unescaped_key();
      if (key == "complete") complete = bool(field.value().get_bool());
      if (key == "flags") {
        for (simdjson::ondemand::object f : field.value().get_array()) {
          std::string flag, old_status, new_status;
          for (auto g : f) {
            std::string_view gk = g.unescaped_key();
            if (gk == "flag") flag = str(g.value());
            if (gk == "old" || gk == "new")
              for (auto h : g.value().get_object())
                if (h.unescaped_key().value() == "status" && h.value().type() == simdjson::ondemand::json_type::string)
                  (gk == "old" ? old_status : new_status) = str(h.value());
          }
          flags.emplace_back(flag, old_status, new_status);
        }
      }
      if (key != "classes") continue;
      for (simdjson::ondemand::object c : field.value().get_array()) {
        Class k;
        for (auto f : c) {
          std::string_view ck = f.unescaped_key();
          if (ck == "old" || ck == "new") {
            for (auto g : f.value().get_object()) {
              std::string_view gk = g.unescaped_key();
              if (gk == "outcome" && g.value().type() == simdjson::ondemand::json_type::object)
                for (auto o : g.value().get_object())
                  if (o.unescaped_key().value() == "review")
                    (ck == "old" ? k.old_review : k.new_review) = str(o.value());
              if (gk == "provisions" && ck == "old")
                for (simdjson::ondemand::object p : g.value().get_array()) k.old_rules += str(p["rule"]) + " ";
            }
          } else if (ck == "changes") {
            for (simdjson::ondemand::object ch : f.value().get_array()) {
              std::string fld = str(ch["field"]), o = str(ch["old"]), n = str(ch["new"]);
              k.changes.emplace_back(fld, o, n);
            }
          } else if (ck == "region") {
            for (auto g : f.value().get_object()) {
              std::string_view gk = g.unescaped_key();
              if (gk == "any_of") {
                for (simdjson::ondemand::array cube : g.value().get_array()) {
                  std::vector<std::string> lits;
                  for (auto l : cube) lits.push_back(str(l.value()));
                  k.cubes.push_back(std::move(lits));
                }
              }
              if (gk == "exact") k.exact = bool(g.value().get_bool());
              if (gk == "truncated") k.truncated = bool(g.value().get_bool());
            }
          } else if (ck == "counts") {
            for (simdjson::ondemand::object c : f.value().get_array()) {
              std::string in = str(c["input"]);
              k.counts.emplace_back(in, int64_t(c["count"].get_int64()));
            }
          } else if (ck == "witness") {
            k.has_witness = f.value().type() == simdjson::ondemand::json_type::object;
          }
        }
        classes.push_back(std::move(k));
      }
    }
  } catch (const simdjson::simdjson_error& e) {
    std::fprintf(stderr, "error: the JSON report `%s` is malformed: %s\n", argv[1], e.what());
    return 3;
  }
  int failed = 0;
  auto check = [&](const char* finding, bool ok) {
    std::printf("%s: %s\n", ok ? "found" : "MISSING", finding);
    failed += ok ? 0 : 1;
  };
  auto any = [&](auto pred) {
    for (const Class& k : classes)
      if (k.has_witness && pred(k)) return true;
    return false;
  };
  check("the report is complete (Z3 proved no other change exists)", complete);
  // Counts: Tier 1 is the United States and 18 countries (19 of the 249 countries); Tier 2 is
  // every country in neither Tier 1 nor Tier 3, so a Tier 2 class admits fewer than 249 - 19.
  // Each licence exception's conditions are one helper (`r1.aia_available(t)`, `r1.lpp_available(t)`
  // ...: AIA for consignees in Tier 1, LPP within its yearly limit, ...), read by its rule and by the
  // verdict's `available`; a helper call is one condition of a region.
  // The consignee is in the destination country (an invariant): the two inputs are one, counted
  // under `t.destination`.
  check("AIA -> no licence (NLR) where AIA was available, counted: 19 consignee countries (Tier 1)",
        any([](const Class& k) {
          return Change(k, "authorization") == std::pair<std::string, std::string>{"AIA", "NLR"} &&
                 SomeCube(k, {"r1.aia_available(t)"}) && Count(k, "t.destination") == 19;
        }));
  check("LPP -> no licence (NLR) where LPP was available (within its limit) to Tier 2, counted",
        any([](const Class& k) {
          return Change(k, "authorization") == std::pair<std::string, std::string>{"LPP", "NLR"} &&
                 (SomeCube(k, {"t.destination not in tier1", "r1.lpp_available(t)"}) ||
                  SomeCube(k, {"r1.tier2(t.destination)", "r1.lpp_available(t)"})) &&
                 Count(k, "t.destination") > 0 && Count(k, "t.destination") <= 249 - 19;
        }));
  check(
      "licence -> no licence where LPP was not available (over its limit, or a distributor) to Tier 2 "
      "destinations outside D:1/D:4, counted",
      any([](const Class& k) {
        return Change(k, "licence_required") == std::pair<std::string, std::string>{"true", "false"} &&
               Contains(Change(k, "basis").first, "country allocation") &&
               (SomeCube(k, {"t.destination not in tier1", "not r1.lpp_available(t)",
                             "not r0.r0_licence_destination(t.destination)"}) ||
                SomeCube(k, {"r1.tier2(t.destination)", "not r1.lpp_available(t)",
                             "not r0.r0_licence_destination(t.destination)"})) &&
               Count(k, "t.destination") > 0 && Count(k, "t.destination") <= 249 - 19;
      }));
  // The verdict's `available`: the Diffusion rule's own licence exceptions are never available once
  // it is rescinded, and the baseline's ACA (and NLR) remain.
  auto status = [&](const std::string& flag) {
    for (const auto& [f, o, n] : flags)
      if (f == flag) return std::pair<std::string, std::string>{o, n};
    return std::pair<std::string, std::string>{};
  };
  bool gone = true;
  for (const char* e : {"AIA", "VEU", "LPP", "ACM"})
    gone =
        gone && status(std::string(e) + " in available") == std::pair<std::string, std::string>{"sometimes", "never"};
  check("AIA, VEU, LPP and ACM available under R1, never under R2; ACA and NLR under both",
        gone && status("ACA in available") == std::pair<std::string, std::string>{"sometimes", "sometimes"} &&
            status("NLR in available") == std::pair<std::string, std::string>{"sometimes", "sometimes"});
  check("model weights (4E091): licence -> no licence, counted: one item kind", any([](const Class& k) {
          return Change(k, "licence_required") == std::pair<std::string, std::string>{"true", "false"} &&
                 Contains(Change(k, "basis").first, "4E091") && Count(k, "t.item.kind") == 1;
        }));
  // D:5 and D:5-headquartered parties: a class where R1's tier3 or headquarters rule decided and
  // R2 no longer presumes denial must be made only of .z items (which the baseline never covered):
  // every cube of its complete, exact region requires `t.item.eccn_z`.
  bool kept =
      any([](const Class& k) { return Contains(k.old_rules, "tier3") && k.new_review == "presumption_of_denial"; });
  bool only_z = true;
  for (const Class& k : classes) {
    bool d5 = Contains(k.old_rules, "tier3") || Contains(k.old_rules, "headquarters");
    if (!d5 || k.new_review == "presumption_of_denial") continue;
    bool all_z = !k.truncated && k.exact && !k.cubes.empty();
    for (const auto& cube : k.cubes) {
      bool z = false;
      for (const auto& l : cube) z = z || l == "t.item.eccn_z";
      all_z = all_z && z;
    }
    if (!all_z)
      std::printf("  a D:5 class loses the presumption of denial beyond .z items: rules %s-> review %s\n",
                  k.old_rules.c_str(), k.new_review.c_str());
    only_z = only_z && all_z;
  }
  check("D:5 destinations and D:5-headquartered parties keep the presumption of denial (3A090/4A090 items)",
        kept && only_z);
  return failed ? 1 : 0;
}
