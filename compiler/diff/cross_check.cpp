#include "compiler/diff/corpus.h"

#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "compiler/diff/symbolic.h"
#include "runtime/case_json.h"

namespace edict::diff {

int CrossCheck(const DiffOptions& o, Side& a, Side& b, const CorpusTotals& r) {
  // Every class of the corpus must be one the symbolic diff finds, with flags it allows, and
  // its example cases (--examples of them) must have enum inputs its counts allow.
  std::map<std::string, SymbolicClass> symbolic;
  {
    std::vector<SymbolicClass> classes;
    if (int rc = RunSymbolic(o, a, b, &classes); rc != kOk) return rc;
    for (auto& k : classes) symbolic.emplace(k.key, std::move(k));
  }
  const DiffStats& t = r.total;
  size_t missing = 0;
  auto side_key = [](const Side& s, const Verdict& v) {
    return v.ok ? ClassKey(s, "", &v.value, v.deciding) : ClassKey(s, v.key.substr(7), nullptr, {});
  };
  // The flags of a corpus outcome that the symbolic class says it cannot have; empty if none.
  std::vector<std::string> labels = FlagLabels(a);  // both sides have the same outcome type
  auto bad_flags = [&](const Side& s, const Verdict& v, const std::vector<uint8_t>& allowed) {
    std::string bad;
    if (!v.ok) return bad;
    std::vector<bool> flags = FlagValues(s, v.value);
    for (size_t i = 0; i < flags.size() && i < allowed.size(); ++i)
      if (!(allowed[i] & (flags[i] ? kCanHave : kCanLack)))
        bad += fmt::format("{}{}{}", bad.empty() ? "" : ", ", flags[i] ? "" : "not ", labels[i]);
    return bad;
  };
  // The enum inputs of the class's example cases that its counts do not allow; empty if none.
  std::vector<rt::CaseParam> params;
  for (const auto& p : a.dec().params) params.push_back({p.name, p.type});
  rt::CaseDecoder decoder(a.m().types, params);
  decoder.SetLabelKey(o.id_field);
  decoder.SetTextScalars(r.csv);  // the examples of a CSV corpus are its records as JSON with text fields
  auto bad_counts = [&](const ClassStats& cs, const SymbolicClass& k) {
    std::string bad;
    for (const auto& [line, label, text] : cs.examples) {
      rt::DecodedCase dc = decoder.Decode(text);
      if (!dc.issues.empty()) continue;  // cannot happen: the case was valid
      for (const auto& [path, member] : EnumInputs(a, dc.args))
        for (const auto& [counted, allowed] : k.counts)
          if (counted == path && !allowed.count(member))
            bad += fmt::format("{}line {}: {} is {}", bad.empty() ? "" : "; ", line, path, member);
    }
    return bad;
  };
  std::set<std::string> seen;
  for (const auto& k : t.order) {
    const ClassStats& cs = t.classes.at(k);
    std::string key = side_key(a, cs.old_v) + " -> " + side_key(b, cs.new_v);
    size_t line = cs.examples.empty() ? 0 : cs.examples[0].line;
    auto it = symbolic.find(key);
    if (it == symbolic.end()) {
      ++missing;
      std::cout << fmt::format("missing from the symbolic diff: {} (corpus line {})\n", key, line);
      continue;
    }
    seen.insert(key);
    std::string bad_old = bad_flags(a, cs.old_v, it->second.old_flags);
    std::string bad_new = bad_flags(b, cs.new_v, it->second.new_flags);
    std::string bad_count = bad_counts(cs, it->second);
    if (!bad_old.empty() || !bad_new.empty() || !bad_count.empty()) ++missing;
    if (!bad_old.empty() || !bad_new.empty()) {
      std::cout << fmt::format("flags the symbolic class does not allow: {} (corpus line {}; old: {}; new: {})\n", key,
                               line, bad_old.empty() ? "ok" : bad_old, bad_new.empty() ? "ok" : bad_new);
    }
    if (!bad_count.empty())
      std::cout << fmt::format("inputs the symbolic class's counts do not allow: {} ({})\n", key, bad_count);
  }
  std::cout << fmt::format(
      "cross-check: {} of the corpus's {} transition classes ({} cases, {} changed) fall in {} of the {} "
      "classes of the symbolic diff, with the flags and counts of their example cases allowed{}\n",
      t.order.size() - missing, t.order.size(), r.cases, t.changed, seen.size(), symbolic.size(),
      missing ? fmt::format("; {} do not", missing) : "");
  return missing ? kFailed : kOk;
}

}  // namespace edict::diff
