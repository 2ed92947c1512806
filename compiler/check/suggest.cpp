// Suggestions: the "did you mean" note on a diagnostic about an unknown name, from the closest
// candidate by edit distance.
#include <algorithm>

#include "compiler/check/checker.h"

namespace edict::check::internal {
namespace {

// Levenshtein distance, for "did you mean" notes.
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

// A "did you mean" note: the closest candidate within a third of the name's length. Typos are
// in short names: longer names get no suggestion, candidates whose length alone is too far are
// not compared, and the comparisons of one run are bounded (a file of thousands of unknown
// names against thousands of declarations must not take quadratic time).
void Checker::Suggest(Diagnostic& d, const std::string& name, const Candidates& each) {
  static constexpr size_t kMaxName = 64, kBudget = size_t(20) << 20;  // characters compared per run
  if (name.size() > kMaxName || suggest_cost_ > kBudget) return;
  size_t limit = std::max<size_t>(1, name.size() / 3);
  std::string best;
  size_t best_d = SIZE_MAX;
  each([&](const std::string& cand) {
    size_t gap = cand.size() > name.size() ? cand.size() - name.size() : name.size() - cand.size();
    if (gap > limit || suggest_cost_ > kBudget) return;
    suggest_cost_ += name.size() * cand.size();
    size_t dist = Distance(name, cand);
    if (dist < best_d) {
      best_d = dist;
      best = cand;
    }
  });
  if (!best.empty() && best_d <= limit) d.notes.push_back({{}, fmt::format("did you mean `{}`?", best)});
}

}  // namespace edict::check::internal
