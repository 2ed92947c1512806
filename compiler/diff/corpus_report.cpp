#include "compiler/diff/corpus.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/diff/html.h"

namespace edict::diff {
namespace {

std::vector<FieldChange> FieldChanges(const Side& s, const Verdict& a, const Verdict& b) {
  return FieldChanges(s, a.ok ? &a.value : nullptr, b.ok ? &b.value : nullptr);
}

class Writer {
 public:
  Writer(const DiffOptions& o, const Side& a, const Side& b, const CorpusTotals& r)
      : o_(o), old_(a), new_(b), total_(r.total), cases_(r.cases) {}

  std::string Report() const;

 private:
  std::string ReportHtml(const std::vector<const std::string*>& keys) const;

  const DiffOptions& o_;
  const Side& old_;
  const Side& new_;
  const DiffStats& total_;
  uint64_t cases_;
};

std::string Writer::Report() const {
  const DiffStats& t = total_;
  std::vector<const std::string*> keys;
  for (const auto& k : t.order) keys.push_back(&k);
  std::stable_sort(keys.begin(), keys.end(), [&](const std::string* x, const std::string* y) {
    return t.classes.at(*x).count > t.classes.at(*y).count;
  });
  uint64_t n = cases_;
  auto pct = [&](uint64_t k) { return n ? 100.0 * double(k) / double(n) : 0.0; };
  std::string r;
  if (o_.format == "html") return ReportHtml(keys);
  if (o_.format == "json") {
    auto verdict_json = [&](const Side& s, const Verdict& v) {
      return VerdictJson(s, v.ok ? "" : v.key.substr(7), v.value, v.deciding);
    };
    std::string classes;
    for (const std::string* k : keys) {
      const ClassStats& c = t.classes.at(*k);
      std::string changes, examples;
      for (const auto& [f, x, y] : FieldChanges(old_, c.old_v, c.new_v))
        changes += fmt::format("{}{{\"field\":{},\"old\":{},\"new\":{}}}", changes.empty() ? "" : ",", rt::JsonQuote(f),
                               rt::JsonQuote(x), rt::JsonQuote(y));
      for (const auto& [line, text] : c.examples)
        examples += fmt::format("{}{{\"line\":{},\"case\":{}}}", examples.empty() ? "" : ",", line, text);
      classes +=
          fmt::format("{}{{\"count\":{},\"share\":{:.4f},\"old\":{},\"new\":{},\"changes\":[{}],\"examples\":[{}]}}",
                      classes.empty() ? "" : ",", c.count, pct(c.count) / 100.0, verdict_json(old_, c.old_v),
                      verdict_json(new_, c.new_v), changes, examples);
    }
    r = fmt::format(
        "{{\"mode\":\"corpus\",\"decision\":{},\"old\":{},\"new\":{},\"corpus\":{{\"file\":{},\"cases\":{},\"changed\":"
        "{},"
        "\"unchanged\":{},\"invalid\":{},\"errors\":{{\"old\":{},\"new\":{}}}}},\"classes\":[{}]}}\n",
        rt::JsonQuote(o_.decision), SideJson(old_), SideJson(new_), rt::JsonQuote(o_.cases), n, t.changed, t.unchanged,
        t.invalid, t.errors_old, t.errors_new, classes);
    return r;
  }
  bool md = o_.format == "markdown";
  std::string h1 = md ? "# " : "", h2 = md ? "## " : "", bullet = md ? "- " : "  ";
  r += fmt::format("{}Verdict diff of `{}`\n\n", h1, o_.decision);
  r += fmt::format("{}old: {}\n{}new: {}\n", bullet, old_.Label(), bullet, new_.Label());
  r += fmt::format(
      "{}corpus: {}, {} cases: {} changed ({:.1f}%), {} unchanged ({:.1f}%), {} invalid; runtime errors: {} old, {} "
      "new\n\n",
      bullet, o_.cases, n, t.changed, pct(t.changed), t.unchanged, pct(t.unchanged), t.invalid, t.errors_old,
      t.errors_new);
  r += fmt::format("{}{} transition class{}, by number of cases\n\n", h2, keys.size(), keys.size() == 1 ? "" : "es");
  size_t i = 0;
  for (const std::string* k : keys) {
    const ClassStats& c = t.classes.at(*k);
    ++i;
    auto changes = FieldChanges(old_, c.old_v, c.new_v);
    std::string what;
    if (!changes.empty()) {
      for (const auto& [f, x, y] : changes) what += (what.empty() ? "" : "; ") + fmt::format("{}: {} -> {}", f, x, y);
    } else {
      what = c.old_v.key + " -> " + c.new_v.key;
    }
    r += fmt::format("{}{}. {} case{} ({:.1f}%): {}\n", md ? "### " : "", i, c.count, c.count == 1 ? "" : "s",
                     pct(c.count), what);
    if (md) r += "\n";
    auto provs = [&](const Side& s, const Verdict& v) { return v.ok ? ProvisionList(s, v.deciding) : v.key; };
    r += fmt::format("{}   old ({}): {}\n", md ? "-" : " ", old_.Name(), provs(old_, c.old_v));
    r += fmt::format("{}   new ({}): {}\n", md ? "-" : " ", new_.Name(), provs(new_, c.new_v));
    if (!changes.empty()) {
      r += fmt::format("{}   old outcome: {}\n", md ? "-" : " ", c.old_v.key);
      r += fmt::format("{}   new outcome: {}\n", md ? "-" : " ", c.new_v.key);
    }
    std::string lines;
    for (const auto& [line, _] : c.examples) lines += (lines.empty() ? "" : ", ") + std::to_string(line);
    r += fmt::format("{}   example lines: {}\n", md ? "-" : " ", lines);
    if (!c.examples.empty()) {
      if (md)
        r += "\n  ```json\n  " + c.examples[0].second + "\n  ```\n";
      else
        r += "      " + c.examples[0].second + "\n";
    }
    r += "\n";
  }
  return r;
}

// The HTML report: one self-contained page (no external resources), readable without scripts.
// The chart is an inline SVG drawn here; the small script only checks the page and marks it
// (body[data-check]) so a headless browser test can tell it rendered.
std::string Writer::ReportHtml(const std::vector<const std::string*>& keys) const {
  const DiffStats& t = total_;
  uint64_t n = cases_;
  auto pct = [&](uint64_t k) { return n ? 100.0 * double(k) / double(n) : 0.0; };
  constexpr size_t kChartBars = 40;
  std::string h;
  h += HtmlHead(fmt::format("Verdict diff of {}: {} to {}", o_.decision, old_.Name(), new_.Name()));
  h += fmt::format("<body data-classes=\"{}\" data-bars=\"{}\">\n", keys.size(), std::min(keys.size(), kChartBars));
  h += fmt::format("<h1>Verdict diff of <code>{}</code></h1>\n", HtmlEscape(o_.decision));
  h += "<table>\n";
  h += fmt::format("<tr><th>old</th><td>{}</td></tr>\n", HtmlEscape(old_.Label()));
  h += fmt::format("<tr><th>new</th><td>{}</td></tr>\n", HtmlEscape(new_.Label()));
  h += fmt::format("<tr><th>corpus</th><td><code>{}</code>: {} cases</td></tr>\n", HtmlEscape(o_.cases), n);
  h += fmt::format("<tr><th>changed</th><td id=\"changed\">{} ({:.1f}%) in {} transition class{}</td></tr>\n",
                   t.changed, pct(t.changed), keys.size(), keys.size() == 1 ? "" : "es");
  h += fmt::format("<tr><th>unchanged</th><td>{} ({:.1f}%)</td></tr>\n", t.unchanged, pct(t.unchanged));
  h += fmt::format("<tr><th>invalid cases</th><td>{}</td></tr>\n", t.invalid);
  h += fmt::format("<tr><th>runtime errors</th><td>{} old, {} new</td></tr>\n</table>\n", t.errors_old, t.errors_new);

  auto what = [&](const ClassStats& c) {
    auto changes = FieldChanges(old_, c.old_v, c.new_v);
    if (changes.empty()) return c.old_v.key + " -> " + c.new_v.key;
    std::string w;
    for (const auto& [f, x, y] : changes) w += (w.empty() ? "" : "; ") + fmt::format("{}: {} -> {}", f, x, y);
    return w;
  };
  // The chart: one bar per class, largest first, linked to the class's section.
  if (!keys.empty()) {
    size_t bars = std::min(keys.size(), kChartBars);
    std::vector<Bar> chart;
    for (size_t i = 0; i < bars; ++i) {
      const ClassStats& c = t.classes.at(*keys[i]);
      chart.push_back({fmt::format("{}. {}", i + 1, what(c)), what(c), fmt::format("class-{}", i + 1), double(c.count),
                       std::to_string(c.count)});
    }
    h += "<h2>Transition classes</h2>\n";
    h += HtmlBarChart("chart", "cases per transition class", chart, double(t.classes.at(*keys[0]).count));
    if (keys.size() > bars)
      h += fmt::format("<p class=\"muted\">The chart shows the {} largest of {} classes.</p>\n", bars, keys.size());
  } else {
    h += "<p>No case changes verdict.</p>\n";
  }
  auto provisions = [&](const Side& s, const Verdict& v) {
    if (!v.ok) return "<td colspan=\"4\">" + HtmlEscape(v.key) + "</td>";
    std::string rows;
    for (uint32_t rule : v.deciding) {
      auto p = s.Parts(rule);
      rows += fmt::format("<code>{}</code> &mdash; {} <span class=\"muted\">[{}] {}</span><br>", HtmlEscape(p.rule),
                          p.cite.empty() ? "<i>no citation</i>" : HtmlEscape(p.cite), HtmlEscape(p.instrument),
                          HtmlEscape(p.at));
    }
    return "<td>" + rows + "</td>";
  };
  size_t i = 0;
  for (const std::string* k : keys) {
    const ClassStats& c = t.classes.at(*k);
    ++i;
    h += fmt::format("<section class=\"class\" id=\"class-{}\">\n<h3>{}. {} case{} ({:.1f}%): {}</h3>\n", i, i, c.count,
                     c.count == 1 ? "" : "s", pct(c.count), HtmlEscape(what(c)));
    h += "<table>\n<tr><th></th><th>decided by</th><th>outcome</th></tr>\n";
    h += fmt::format("<tr class=\"old\"><th>old ({})</th>{}<td><code>{}</code></td></tr>\n", HtmlEscape(old_.Name()),
                     provisions(old_, c.old_v), HtmlEscape(c.old_v.key));
    h += fmt::format("<tr class=\"new\"><th>new ({})</th>{}<td><code>{}</code></td></tr>\n</table>\n",
                     HtmlEscape(new_.Name()), provisions(new_, c.new_v), HtmlEscape(c.new_v.key));
    for (const auto& [line, text] : c.examples)
      h += fmt::format("<details><summary>example: line {}</summary><pre>{}</pre></details>\n", line, HtmlEscape(text));
    h += "</section>\n";
  }
  h += HtmlTail(R"(  var want = Number(document.body.dataset.bars);
  var bars = document.querySelectorAll("#chart rect.bar");
  if (bars.length !== want) problems.push("chart has " + bars.length + " bars, expected " + want);
  var sections = document.querySelectorAll("section.class");
  if (sections.length !== Number(document.body.dataset.classes)) problems.push("sections do not match classes");
)");
  return h;
}

}  // namespace

std::string CorpusReport(const DiffOptions& o, const Side& a, const Side& b, const CorpusTotals& r) {
  return Writer(o, a, b, r).Report();
}

}  // namespace edict::diff
