// `edict fmt`: the formatter (compiler/format/) on files, folders and standard input.
#include <algorithm>
#include <iostream>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "compiler/base/output.h"
#include "compiler/base/source.h"
#include "compiler/driver/commands.h"
#include "compiler/format/format.h"
#include "compiler/literate/literate.h"

namespace edict::driver {
namespace {

// The lines of a text, each with its line break (the last may have none).
std::vector<std::string_view> Lines(std::string_view s) {
  std::vector<std::string_view> r;
  while (!s.empty()) {
    size_t n = s.find('\n');
    n = n == std::string_view::npos ? s.size() : n + 1;
    r.push_back(s.substr(0, n));
    s.remove_prefix(n);
  }
  return r;
}

struct Edit {
  char op;  // ' ' kept, '-' removed, '+' added
  std::string_view line;
};

// The edits from a to b: the longest common subsequence of the lines between their common
// beginning and end (a formatter's changes are few); beyond 4 million pairs of lines, the middle
// is replaced whole, which is still a correct diff.
std::vector<Edit> Edits(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  std::vector<Edit> r;
  for (size_t i = 0; i < pre; ++i) r.push_back({' ', a[i]});
  size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  if (n * m <= 4'000'000) {
    // lcs[i][j]: the longest common subsequence of a's middle from i and b's from j.
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        at(i, j) = a[pre + i] == b[pre + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        r.push_back({' ', a[pre + i]});
        ++i, ++j;
      } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
        r.push_back({'-', a[pre + i++]});
      } else {
        r.push_back({'+', b[pre + j++]});
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) r.push_back({'-', a[pre + i]});
    for (size_t j = 0; j < m; ++j) r.push_back({'+', b[pre + j]});
  }
  for (size_t i = a.size() - suf; i < a.size(); ++i) r.push_back({' ', a[i]});
  return r;
}

// A unified diff (three lines of context) from `before` to `after`, both named `path`.
std::string UnifiedDiff(const std::string& path, std::string_view before, std::string_view after) {
  std::vector<Edit> e = Edits(Lines(before), Lines(after));
  std::string out = fmt::format("--- {}\n+++ {}\n", path, path);
  const size_t kContext = 3;
  // Line numbers (1-based) of a and b before each edit.
  std::vector<size_t> la(e.size() + 1, 1), lb(e.size() + 1, 1);
  for (size_t k = 0; k < e.size(); ++k) {
    la[k + 1] = la[k] + (e[k].op != '+');
    lb[k + 1] = lb[k] + (e[k].op != '-');
  }
  for (size_t k = 0; k < e.size();) {
    if (e[k].op == ' ') {
      ++k;
      continue;
    }
    size_t begin = k > kContext ? k - kContext : 0, end = k;
    // Extend over changes closer together than twice the context.
    for (size_t last = k; end < e.size(); ++end) {
      if (e[end].op != ' ') last = end;
      if (end - last > 2 * kContext) break;
    }
    size_t last_change = end;
    while (e[last_change - 1].op == ' ') --last_change;
    end = std::min(e.size(), last_change + kContext);
    size_t na = la[end] - la[begin], nb = lb[end] - lb[begin];
    out += fmt::format("@@ -{},{} +{},{} @@\n", na ? la[begin] : la[begin] - 1, na, nb ? lb[begin] : lb[begin] - 1, nb);
    for (size_t i = begin; i < end; ++i) {
      out += e[i].op;
      out += e[i].line;
      if (e[i].line.empty() || e[i].line.back() != '\n') out += "\n\\ No newline at end of file\n";
    }
    k = end;
  }
  return out;
}

void ReportDiagnostics(const Common& c, const Diagnostics& d, const SourceManager& sm) {
  auto sorted = d.Sorted();
  if (c.diagnostics == "json") {
    std::cout << RenderJson(sorted, sm) << "\n";
    return;
  }
  for (const auto& x : sorted) std::cerr << RenderText(x, sm, c.color);
}

}  // namespace

int RunFormat(const Common& c, const std::vector<std::string>& paths, bool check) {
  std::vector<std::string> files;
  bool unreadable = !EdictFiles(paths, &files);
  size_t limit = 0;
  std::string error;
  if (!ConfiguredInputLimit(&limit, &error)) {
    std::cerr << "error: " << error << "\n";
    return kUsage;
  }
  bool syntax_errors = false, unwritable = false;
  size_t changed = 0, formatted = 0;
  for (const std::string& path : files) {
    bool from_stdin = path == "-";
    std::string text;
    if (from_stdin) {
      // Read up to one byte past the limit, never more.
      char buffer[1 << 16];
      while (text.size() <= limit && std::cin.read(buffer, sizeof buffer).gcount() > 0)
        text.append(buffer, size_t(std::cin.gcount()));
      if (text.size() > limit) {
        std::cerr << fmt::format("error: cannot read standard input: it is larger than the limit of {} bytes\n", limit);
        unreadable = true;
        continue;
      }
    } else if (!ReadInputFile(path, limit, &text, &error)) {
      std::cerr << fmt::format("error: cannot read `{}`: {}\n", path, error);
      unreadable = true;
      continue;
    }
    SourceManager sm;
    uint32_t id = sm.Add(from_stdin ? "<stdin>" : path, text);
    Diagnostics d;
    std::optional<std::string> out =
        literate::IsLiterate(path) ? format::FormatLiterate(sm, id, d) : format::Format(sm, id, d);
    if (!d.all().empty()) ReportDiagnostics(c, d, sm);
    if (!out) {  // the file is left as it is
      syntax_errors = true;
      continue;
    }
    ++formatted;
    if (check) {
      if (*out != text) {
        ++changed;
        WriteStdout(UnifiedDiff(sm.file(id).path, text, *out));
      }
    } else if (from_stdin) {
      WriteStdout(*out);
    } else if (*out != text) {
      ++changed;
      if (!ReplaceFileAtomically(path, *out, &error)) {
        std::cerr << "error: " << error << "\n";
        unwritable = true;
      }
    }
  }
  if (c.diagnostics == "text" && !(files.size() == 1 && files[0] == "-" && !check)) {
    if (check && changed > 0)
      std::cerr << fmt::format("{} of {} file{} would change (`edict fmt` rewrites {})\n", changed, formatted,
                               formatted == 1 ? "" : "s", changed == 1 ? "it" : "them");
    else if (formatted > 0)
      std::cerr << fmt::format("ok: {} file{} {}\n", formatted, formatted == 1 ? "" : "s",
                               check ? "already formatted" : fmt::format("formatted, {} changed", changed));
  }
  if (unwritable) return kOutputError;
  if (unreadable) return kInputError;
  if (syntax_errors) return kCompileError;
  return check && changed > 0 ? kFailed : kOk;
}

}  // namespace edict::driver
