#include "compiler/diagnostics/diagnostics.h"

#include <algorithm>

#include "runtime/text.h"
#include "runtime/value.h"

namespace edict {

namespace {
struct KindInfo {
  const char* name;
  Severity severity;
  const char* format;
};

constexpr KindInfo kKinds[] = {
#define EDICT_DIAG(Name, Sev, Format) {#Name, Severity::Sev, Format},
#include "compiler/diagnostics/diagnostic_kinds.def"
#undef EDICT_DIAG
};

// "UnknownName" -> "unknown-name"
std::string Kebab(const char* camel) {
  std::string s;
  for (const char* p = camel; *p; ++p) {
    if (*p >= 'A' && *p <= 'Z') {
      if (!s.empty()) s += '-';
      s += char(*p - 'A' + 'a');
    } else {
      s += *p;
    }
  }
  return s;
}
}  // namespace

const char* DiagName(DiagKind k) {
  static std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& i : kKinds) v.push_back(Kebab(i.name));
    return v;
  }();
  return names[size_t(k)].c_str();
}

Severity DiagSeverity(DiagKind k) { return kKinds[size_t(k)].severity; }
const char* Diagnostics::Format(DiagKind k) { return kKinds[size_t(k)].format; }

std::vector<DiagKind> AllDiagKinds() {
  std::vector<DiagKind> v;
  for (size_t i = 0; i < std::size(kKinds); ++i) v.push_back(DiagKind(i));
  return v;
}

Diagnostic& Diagnostics::Add(DiagKind k, SourceRange r, std::string message) {
  // A declaration shared by several versions of the law is checked once per version: report
  // each mistake once.
  for (const auto& d : diags_) {
    if (d.kind == k && d.range == r && d.message == message) {
      discarded_ = Diagnostic{k, DiagSeverity(k), r, message, {}};
      return discarded_;
    }
  }
  Severity s = DiagSeverity(k);
  if (s == Severity::Error) ++errors_;
  diags_.push_back(Diagnostic{k, s, r, std::move(message), {}});
  for (const auto& ctx : context_)
    for (const auto& n : ctx) diags_.back().notes.push_back(n);
  return diags_.back();
}

std::vector<Diagnostic> Diagnostics::Sorted() const {
  std::vector<Diagnostic> v = diags_;
  std::stable_sort(v.begin(), v.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.range.file != b.range.file) return a.range.file < b.range.file;
    return a.range.begin < b.range.begin;
  });
  return v;
}

// Shows the line of `r` with the range underlined. A long line shows a window of it around the
// range (a 50 MB line must not be copied to the terminal), and control characters in it are
// shown as escapes, with the underline kept under the characters it marks.
std::string RenderSnippet(SourceRange r, const SourceManager& sm, bool color) {
  if (r.file >= sm.size()) return "";
  constexpr size_t kBefore = 60, kWidth = 160;  // bytes of the line shown before the range, in all
  LineCol b = sm.Position(r.file, r.begin);
  std::string_view line = sm.LineText(r.file, b.line);
  std::string num = std::to_string(b.line);
  std::string pad(num.size(), ' ');
  // Underline to the end of the range, or to the end of the line for multi-line ranges.
  size_t start = b.column - 1;
  size_t len = r.end > r.begin ? r.end - r.begin : 1;
  if (start + len > line.size()) len = line.size() > start ? line.size() - start : 1;
  size_t from = start > kBefore ? start - kBefore : 0;
  while (from > 0 && from < line.size() && (static_cast<unsigned char>(line[from]) & 0xC0) == 0x80) --from;
  size_t to = std::min(line.size(), from + kWidth);
  while (to < line.size() && (static_cast<unsigned char>(line[to]) & 0xC0) == 0x80) ++to;
  if (start + len > to) len = to > start ? to - start : 1;
  std::string shown = from > 0 ? "..." : "", under(from > 0 ? 3 : 0, ' ');
  for (size_t i = from; i < to;) {
    size_t n = std::max<size_t>(1, std::min(rt::Utf8Length(line, i), to - i));
    std::string piece = line[i] == '\t' ? std::string("\t") : rt::TerminalSafe(line.substr(i, n));
    shown += piece;
    // One column per character shown (escapes are as wide as they are long).
    size_t width = line[i] == '\t' || piece.size() > n ? piece.size() : 1;
    char mark = i < start ? (line[i] == '\t' ? '\t' : ' ') : i == start ? '^' : i < start + len ? '~' : 0;
    if (mark == '\t')
      under += '\t';
    else if (mark)
      under += std::string(1, mark) + std::string(width - 1, mark == '^' ? '~' : mark);
    i += n;
  }
  if (to < line.size()) shown += "...";
  if (start >= to) under += '^';  // the range starts at the end of the line
  const char* on = color ? "\033[1;32m" : "";
  const char* off = color ? "\033[0m" : "";
  return fmt::format(" {} | {}\n {} | {}{}{}\n", num, shown, pad, on, under, off);
}

std::string RenderText(const Diagnostic& d, const SourceManager& sm, bool color) {
  const char* sev = d.severity == Severity::Error ? "error" : "warning";
  const char* bold = color ? "\033[1m" : "";
  const char* red = color ? (d.severity == Severity::Error ? "\033[1;31m" : "\033[1;35m") : "";
  const char* off = color ? "\033[0m" : "";
  std::string s;
  if (d.range.file < sm.size())
    s += fmt::format("{}{}: {}{}:{} {}{} [{}]\n", bold, rt::TerminalSafe(sm.Where(d.range)), red, sev, off,
                     rt::TerminalSafe(d.message), off, DiagName(d.kind));
  else
    s += fmt::format("{}{}:{} {} [{}]\n", red, sev, off, rt::TerminalSafe(d.message), DiagName(d.kind));
  if (d.range.file < sm.size()) s += RenderSnippet(d.range, sm, color);
  for (const DiagNote& n : d.notes) {
    if (n.range.file < sm.size() && n.range.valid()) {
      s += fmt::format("{}{}: note:{} {}\n", bold, rt::TerminalSafe(sm.Where(n.range)), off,
                       rt::TerminalSafe(n.message));
      s += RenderSnippet(n.range, sm, color);
    } else {
      s += fmt::format("note: {}\n", rt::TerminalSafe(n.message));
    }
  }
  return s;
}

std::string RenderJson(const std::vector<Diagnostic>& ds, const SourceManager& sm) {
  auto loc = [&](SourceRange r) {
    if (r.file >= sm.size()) return std::string("\"file\":null");
    LineCol b = sm.Position(r.file, r.begin), e = sm.Position(r.file, r.end);
    return fmt::format("\"file\":{},\"line\":{},\"column\":{},\"end_line\":{},\"end_column\":{}",
                       rt::JsonQuote(sm.file(r.file).path), b.line, b.column, e.line, e.column);
  };
  std::string s = "[";
  for (size_t i = 0; i < ds.size(); ++i) {
    const Diagnostic& d = ds[i];
    if (i) s += ",";
    s += fmt::format("{{\"kind\":\"{}\",\"severity\":\"{}\",{},\"message\":{},\"notes\":[", DiagName(d.kind),
                     d.severity == Severity::Error ? "error" : "warning", loc(d.range), rt::JsonQuote(d.message));
    for (size_t j = 0; j < d.notes.size(); ++j) {
      if (j) s += ",";
      // A note without a position (a hint) has none in JSON either, as in text.
      const SourceRange& r = d.notes[j].range;
      if (r.file < sm.size() && r.valid())
        s += fmt::format("{{{},\"message\":{}}}", loc(r), rt::JsonQuote(d.notes[j].message));
      else
        s += fmt::format("{{\"message\":{}}}", rt::JsonQuote(d.notes[j].message));
    }
    s += "]}";
  }
  return s + "]";
}

}  // namespace edict
