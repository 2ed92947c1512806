#include "compiler/diff/corpus.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/diff/html.h"
#include "compiler/diff/impact.h"
#include "compiler/diff/law_changes.h"

namespace edict::diff {
namespace {

std::vector<FieldChange> FieldChanges(const Side& s, const Verdict& a, const Verdict& b) {
  return FieldChanges(s, a.ok ? &a.value : nullptr, b.ok ? &b.value : nullptr);
}

class Writer {
 public:
  Writer(const DiffOptions& o, const Side& a, const Side& b, const CorpusTotals& r)
      : o_(o), old_(a), new_(b), total_(r.total), cases_(r.cases), roles_(ImpactFor(a.m(), b.m(), a.dec().result)) {
    // Each class's impact, once: the sort, the summary and every section read it.
    for (const auto& [key, c] : total_.classes)
      impacts_[&c] = ClassImpact(roles_, c.old_v.ok ? &c.old_v.value : nullptr, c.new_v.ok ? &c.new_v.value : nullptr);
  }

  std::string Report() const;

 private:
  std::string ReportHtml(const std::vector<const std::string*>& keys) const;

  const DiffOptions& o_;
  const Side& old_;
  const Side& new_;
  const DiffStats& total_;
  uint64_t cases_;
  ir::Impact roles_;                                           // how outcomes compare (declared or the default)
  std::unordered_map<const ClassStats*, ImpactKind> impacts_;  // of each class of total_

 public:
  // " (84.6%)" of the corpus when it is a sample (--sample); nothing for a list of cases.
  std::string Share(uint64_t k) const {
    if (!o_.sample || cases_ == 0) return "";
    return fmt::format(" ({:.1f}%)", 100.0 * double(k) / double(cases_));
  }
  // A verdict in a line: its verdict and detail fields (`licence_required=false authorization=LPP`),
  // or the whole outcome when it is not a record; the runtime error of a failed side.
  std::string Brief(const Side& s, const Verdict& v) const {
    if (!v.ok) return v.key;
    const auto& types = s.m().types;
    rt::TypeId t = s.dec().result;
    if (types.kind(t) != rt::TypeKind::Record) return v.key;
    const auto& rec = types.records[types.info(t).ref];
    std::string r;
    for (size_t i = 0; i < rec.fields.size() && i < roles_.fields.size(); ++i)
      if (roles_.fields[i].role != ir::ImpactRole::Explanation)
        r += (r.empty() ? "" : " ") + rec.fields[i].name + "=" +
             rt::FormatValue((*v.value.AsRecord().fields)[i], rec.fields[i].type, types);
    return r.empty() ? v.key : r;
  }
  ImpactKind Impact(const ClassStats& c) const { return impacts_.at(&c); }
  // Per impact that occurs (in report order): the classes (0-based, in report order) and cases.
  struct Group {
    ImpactKind kind;
    std::vector<size_t> classes;
    uint64_t cases = 0;
  };
  std::vector<Group> Groups(const std::vector<const std::string*>& keys) const {
    std::vector<Group> g;
    for (ImpactKind kind : kImpactKinds) {
      Group grp{kind, {}, 0};
      for (size_t i = 0; i < keys.size(); ++i) {
        const ClassStats& c = total_.classes.at(*keys[i]);
        if (Impact(c) != kind) continue;
        grp.classes.push_back(i);
        grp.cases += c.count;
      }
      if (!grp.classes.empty()) g.push_back(std::move(grp));
    }
    return g;
  }
};

std::string Writer::Report() const {
  const DiffStats& t = total_;
  std::vector<const std::string*> keys;
  for (const auto& k : t.order) keys.push_back(&k);
  // In impact order (changes of verdict first), then by number of cases.
  std::stable_sort(keys.begin(), keys.end(), [&](const std::string* x, const std::string* y) {
    const ClassStats &cx = t.classes.at(*x), &cy = t.classes.at(*y);
    ImpactKind ix = Impact(cx), iy = Impact(cy);
    return ix != iy ? ix < iy : cx.count > cy.count;
  });
  auto groups = Groups(keys);
  std::unordered_map<std::string, size_t> number;  // class key -> its number in the report
  for (size_t i = 0; i < keys.size(); ++i) number[*keys[i]] = i + 1;
  uint64_t n = cases_;
  auto pct = [&](uint64_t k) { return n ? 100.0 * double(k) / double(n) : 0.0; };
  std::string r;
  if (o_.format == "html") return ReportHtml(keys);
  if (o_.format == "json") {
    auto verdict_json = [&](const Side& s, const Verdict& v) {
      return VerdictJson(s, v.ok ? "" : v.key.substr(7), v.value, v.deciding);
    };
    std::string classes;
    for (size_t ci = 0; ci < keys.size(); ++ci) {
      const ClassStats& c = t.classes.at(*keys[ci]);
      std::string changes, examples;
      for (const auto& [f, x, y] : FieldChanges(old_, c.old_v, c.new_v))
        changes += fmt::format("{}{{\"field\":{},\"old\":{},\"new\":{}}}", changes.empty() ? "" : ",", rt::JsonQuote(f),
                               rt::JsonQuote(x), rt::JsonQuote(y));
      for (const Example& ex : c.examples)
        examples += fmt::format("{}{{\"line\":{},\"label\":{},\"case\":{}}}", examples.empty() ? "" : ",", ex.line,
                                ex.label.empty() ? "null" : rt::JsonQuote(ex.label), ex.text);
      classes += fmt::format(
          "{}{{\"number\":{},\"impact\":\"{}\",\"count\":{},\"share\":{:.4f},\"old\":{},\"new\":{},\"changes\":[{}],"
          "\"examples\":[{}]}}",
          classes.empty() ? "" : ",", ci + 1, ImpactName(Impact(c)), c.count, pct(c.count) / 100.0,
          verdict_json(old_, c.old_v), verdict_json(new_, c.new_v), changes, examples);
    }
    std::string rows;
    for (const CaseRow& row : t.rows) {
      bool same = row.class_key.empty();
      rows += fmt::format("{}{{\"line\":{},\"label\":{},\"class\":{},\"old\":{},\"new\":{}}}", rows.empty() ? "" : ",",
                          row.line, row.label.empty() ? "null" : rt::JsonQuote(row.label),
                          same ? "null" : std::to_string(number[row.class_key]), verdict_json(old_, row.old_v),
                          verdict_json(new_, row.new_v));
    }
    std::string summary;
    for (const Group& g : groups) {
      std::string nums;
      for (size_t k : g.classes) nums += (nums.empty() ? "" : ",") + std::to_string(k + 1);
      summary += fmt::format("{}{{\"impact\":\"{}\",\"classes\":[{}],\"cases\":{}}}", summary.empty() ? "" : ",",
                             ImpactName(g.kind), nums, g.cases);
    }
    r = fmt::format(
        "{{\"mode\":\"corpus\",\"decision\":{},\"old\":{},\"new\":{},\"corpus\":{{\"file\":{},\"cases\":{},\"changed\":"
        "{},"
        "\"unchanged\":{},\"invalid\":{},\"errors\":{{\"old\":{},\"new\":{}}}}},{},\"summary\":{{\"groups\":[{}]}},"
        "\"sample\":{},\"classes\":[{}]{}}}\n",
        rt::JsonQuote(o_.decision), SideJson(old_), SideJson(new_), rt::JsonQuote(o_.cases), n, t.changed, t.unchanged,
        t.invalid, t.errors_old, t.errors_new, LawChangesJson(FindLawChanges(old_, new_)), summary,
        o_.sample ? "true" : "false", classes, o_.list_cases ? ",\"cases\":[" + rows + "]" : "");
    return r;
  }
  bool md = o_.format == "markdown";
  std::string h1 = md ? "# " : "", h2 = md ? "## " : "", bullet = md ? "- " : "  ";
  r += fmt::format("{}Verdict diff of `{}`\n\n", h1, o_.decision);
  r += fmt::format("{}old: {}\n{}new: {}\n", bullet, old_.Label(), bullet, new_.Label());
  r += fmt::format("{}corpus: {}, {} cases: {} changed{}, {} unchanged{}, {} invalid; runtime errors: {} old, {} new\n",
                   bullet, o_.cases, n, t.changed, Share(t.changed), t.unchanged, Share(t.unchanged), t.invalid,
                   t.errors_old, t.errors_new);
  r += fmt::format("{}{}\n\n", bullet,
                   o_.sample ? "the corpus is a sample (--sample): shares of it are given"
                             : "the corpus is a list of cases: counts are given, not shares (--sample if it is a "
                               "sample)");
  r += md ? h2 + "Summary\n\n" : "Summary\n\n";
  if (keys.empty()) r += fmt::format("{}No case changes verdict.\n", bullet);
  for (const Group& g : groups) {
    std::string nums = ClassNumbers(g.classes);
    r += fmt::format("{}{}{} ({}): {} case{}{}, class{} {}\n", md ? "- **" : "  ", ImpactName(g.kind), md ? "**" : "",
                     ImpactMeaning(g.kind), g.cases, g.cases == 1 ? "" : "s", Share(g.cases),
                     g.classes.size() == 1 ? "" : "es", nums);
  }
  r += "\n";
  r += LawChangesText(FindLawChanges(old_, new_), md);
  r += fmt::format("{}{} transition class{}, in impact order, then by number of cases\n\n", h2, keys.size(),
                   keys.size() == 1 ? "" : "es");
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
    r += fmt::format("{}{}. [{}] {} case{}{}: {}\n", md ? "### " : "", i, ImpactName(Impact(c)), c.count,
                     c.count == 1 ? "" : "s", Share(c.count), what);
    if (md) r += "\n";
    auto provs = [&](const Side& s, const Verdict& v) { return v.ok ? ProvisionList(s, v.deciding) : v.key; };
    r += fmt::format("{}   old ({}): {}\n", md ? "-" : " ", old_.Name(), provs(old_, c.old_v));
    r += fmt::format("{}   new ({}): {}\n", md ? "-" : " ", new_.Name(), provs(new_, c.new_v));
    if (!changes.empty()) {
      r += fmt::format("{}   old outcome: {}\n", md ? "-" : " ", c.old_v.key);
      r += fmt::format("{}   new outcome: {}\n", md ? "-" : " ", c.new_v.key);
    }
    std::string lines;
    for (const Example& ex : c.examples)
      lines += (lines.empty() ? "" : ", ") + std::to_string(ex.line) + (ex.label.empty() ? "" : " (" + ex.label + ")");
    r += fmt::format("{}   example lines: {}\n", md ? "-" : " ", lines);
    if (!c.examples.empty()) {
      if (md)
        r += "\n  ```json\n  " + c.examples[0].text + "\n  ```\n";
      else
        r += "      " + c.examples[0].text + "\n";
    }
    r += "\n";
  }
  if (o_.list_cases) {
    r += fmt::format("{}Every case, with both verdicts\n\n", h2);
    for (const CaseRow& row : t.rows) {
      std::string who = fmt::format("line {}{}", row.line, row.label.empty() ? "" : " (" + row.label + ")");
      if (row.class_key.empty())
        r += fmt::format("{}{}: unchanged: {}\n", bullet, who, Brief(old_, row.old_v));
      else
        r += fmt::format("{}{}: class {} [{}]: {} -> {}\n", bullet, who, number[row.class_key],
                         ImpactName(Impact(t.classes.at(row.class_key))), Brief(old_, row.old_v),
                         Brief(new_, row.new_v));
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
  constexpr size_t kChartBars = 40;
  std::string h;
  h += HtmlHead(fmt::format("Verdict diff of {}: {} to {}", o_.decision, old_.Name(), new_.Name()));
  h += fmt::format("<body data-classes=\"{}\" data-bars=\"{}\">\n", keys.size(), std::min(keys.size(), kChartBars));
  h += fmt::format("<h1>Verdict diff of <code>{}</code></h1>\n", HtmlEscape(o_.decision));
  h += "<table>\n";
  h += fmt::format(
      "<tr><th>old</th><td>{}</td></tr>\n",
      HtmlVersionLabel(old_.Pieces().name, old_.Pieces().title, old_.Pieces().citation, old_.Pieces().effective));
  h += fmt::format(
      "<tr><th>new</th><td>{}</td></tr>\n",
      HtmlVersionLabel(new_.Pieces().name, new_.Pieces().title, new_.Pieces().citation, new_.Pieces().effective));
  h += fmt::format("<tr><th>corpus</th><td><code>{}</code>: {} cases</td></tr>\n", HtmlEscape(o_.cases), n);
  h += fmt::format("<tr><th>changed</th><td id=\"changed\">{}{} in {} transition class{}</td></tr>\n", t.changed,
                   Share(t.changed), keys.size(), keys.size() == 1 ? "" : "es");
  h += fmt::format("<tr><th>unchanged</th><td>{}{}</td></tr>\n", t.unchanged, Share(t.unchanged));
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
    double top = 0;
    for (const Bar& b : chart) top = std::max(top, b.value);
    h += "<h2>Summary</h2>\n<table id=\"summary\">\n<tr><th>impact</th><th>cases</th><th>classes</th></tr>\n";
    for (const Group& g : Groups(keys)) {
      std::string links = ClassNumbers(
          g.classes, [](size_t n) { return fmt::format("<a href=\"#class-{}\">{}</a>", n, n); }, " ", "&ndash;");
      h += fmt::format(
          "<tr class=\"group\"><td><span class=\"impact impact-{}\">{}</span><br><span class=\"muted\">{}</span></td>"
          "<td>{}{}</td><td>{}</td></tr>\n",
          ImpactName(g.kind), ImpactName(g.kind), ImpactMeaning(g.kind), g.cases, Share(g.cases), links);
    }
    h += "</table>\n<h2>Transition classes</h2>\n";
    h += HtmlBarChart("chart", "cases per transition class", chart, top);
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
      rows += fmt::format("<code>{}</code> &mdash; {} <span class=\"muted\" title=\"{}\">{}</span><br>",
                          HtmlEscape(p.rule), p.cite.empty() ? "<i>no citation</i>" : HtmlEscape(p.cite),
                          HtmlEscape(p.at), HtmlEscape(p.instrument));
    }
    return "<td>" + rows + "</td>";
  };
  size_t i = 0;
  for (const std::string* k : keys) {
    const ClassStats& c = t.classes.at(*k);
    ++i;
    const char* impact = ImpactName(Impact(c));
    h += fmt::format(
        "<section class=\"class\" id=\"class-{}\" data-impact=\"{}\">\n<h3>{}. <span class=\"impact "
        "impact-{}\">{}</span> "
        "{} case{}{}: {}</h3>\n",
        i, impact, i, impact, impact, c.count, c.count == 1 ? "" : "s", Share(c.count), HtmlEscape(what(c)));
    h += "<table>\n<tr><th></th><th>decided by</th><th>outcome</th></tr>\n";
    h += fmt::format("<tr class=\"old\"><th>old ({})</th>{}<td><code>{}</code></td></tr>\n", HtmlEscape(old_.Name()),
                     provisions(old_, c.old_v), HtmlEscape(c.old_v.key));
    h += fmt::format("<tr class=\"new\"><th>new ({})</th>{}<td><code>{}</code></td></tr>\n</table>\n",
                     HtmlEscape(new_.Name()), provisions(new_, c.new_v), HtmlEscape(c.new_v.key));
    for (const Example& ex : c.examples)
      h += fmt::format("<details><summary>example: line {}{}</summary><pre>{}</pre></details>\n", ex.line,
                       ex.label.empty() ? "" : " (" + HtmlEscape(ex.label) + ")", HtmlEscape(ex.text));
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
