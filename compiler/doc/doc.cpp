#include "compiler/doc/doc.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "compiler/base/html.h"
#include "compiler/base/output.h"
#include "compiler/base/source.h"
#include "compiler/diff/diff.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"
#include "compiler/ir/walk.h"
#include "compiler/literate/literate.h"
#include "compiler/names/names.h"
#include "compiler/page/page.h"
#include "runtime/value.h"

namespace fs = std::filesystem;

namespace edict::doc {
namespace {

// ---------------------------------------------------------------- the site's shared files

constexpr std::string_view kStyle =
    R"(:root { --ink: #1d2733; --muted: #5b6b7b; --line: #d8dee6; --paper: #ffffff; --tint: #f4f6f9;
  --accent: #1f5fa8; --ok: #1d7a3a; --bad: #b3261e; --code: #f7f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--paper); }
header.site { background: #14324f; color: #fff; padding: .7em 1.5em; display: flex; gap: 1.5em; align-items: baseline; flex-wrap: wrap; }
header.site a { color: #fff; text-decoration: none; }
header.site .brand { font-weight: 600; font-size: 1.05em; }
header.site nav a { margin-right: 1.2em; opacity: .9; }
main { max-width: 1500px; margin: 0 auto; padding: 1em 1.5em 3em; }
h1 { font-size: 1.6em; margin: .6em 0 .2em; }
h2 { font-size: 1.25em; margin: 1.6em 0 .5em; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
a { color: var(--accent); }
.muted { color: var(--muted); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1.2em; margin: .8em 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
table { border-collapse: collapse; margin: .5em 0 1em; width: 100%; font-size: .93em; }
th, td { border: 1px solid var(--line); padding: .35em .55em; text-align: left; vertical-align: top; }
th { background: var(--tint); font-weight: 600; }
td code, li code, p code { background: var(--code); padding: 0 .2em; border-radius: 3px; }
.pass { color: var(--ok); font-weight: 600; }
.fail { color: var(--bad); font-weight: 600; }
.badge { display: inline-block; font-size: .8em; padding: 0 .5em; border-radius: 1em; background: var(--tint); border: 1px solid var(--line); }
.seg { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 7fr); gap: 1.5em; border-top: 1px solid var(--line); padding: .8em 0; }
.seg.code-only { grid-template-columns: minmax(0, 1fr); }
.law blockquote { margin: .6em 0; padding: .4em .9em; border-left: 4px solid #8aa8c8; background: var(--tint); }
.law h1 { margin-top: 0; }
pre.code { margin: 0; padding: .6em 0; background: var(--code); border: 1px solid var(--line); border-radius: 4px; overflow-x: auto;
  font: 12.5px/1.5 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
pre.code .l { display: block; padding-right: 1em; }
pre.code .l:target { background: #fff3c4; }
pre.code .n { display: inline-block; width: 3.6em; padding-right: .8em; text-align: right; color: #98a3ae; text-decoration: none; user-select: none; }
pre.code .k { color: #7a2a90; font-weight: 600; }
pre.code .s { color: #1d6b2f; }
pre.code .c { color: #6b7785; font-style: italic; }
pre.code a.r { color: inherit; text-decoration: none; border-bottom: 1px dotted #7b93ad; }
pre.code a.r:hover { color: var(--accent); border-bottom-style: solid; }
pre.code .d { font-weight: 700; }
pre.other { background: var(--code); padding: .5em; border: 1px solid var(--line); overflow-x: auto; }
.timeline { list-style: none; padding: 0; margin: .5em 0 1em; border-left: 3px solid #8aa8c8; }
.timeline li { position: relative; padding: .35em 0 .6em 1.3em; }
.timeline li::before { content: ""; position: absolute; left: -8px; top: .75em; width: 13px; height: 13px; border-radius: 50%; background: #fff; border: 3px solid #1f5fa8; }
.timeline li.current::before { background: #1f5fa8; }
.timeline .date { font-variant-numeric: tabular-nums; font-weight: 600; margin-right: .6em; }
#q { width: 100%; max-width: 40em; font-size: 1.05em; padding: .45em .6em; border: 1px solid #9aa8b6; border-radius: 4px; }
#results { list-style: none; padding: 0; }
#results li { padding: .25em 0; border-bottom: 1px solid var(--tint); }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(22em, 1fr)); gap: 0 2em; }
@media (max-width: 900px) { .seg { grid-template-columns: minmax(0, 1fr); } }
)";

// Every page: errors are collected from the start (the inline script in <head>), and site.js marks
// <body data-check="ok"> once the page ran without one (the browser test reads it).
constexpr std::string_view kScript = R"((function () {
  var q = document.getElementById('q'), out = document.getElementById('results');
  if (q && out) {
    // index.html?q=WORD opens with WORD searched (a link to a search).
    var asked = /[?&]q=([^&#]*)/.exec(window.location.search);
    if (asked) q.value = decodeURIComponent(asked[1].replace(/\+/g, ' '));
    var run = function () {
      var s = q.value.trim().toLowerCase();
      out.textContent = '';
      if (!s) return;
      // Names equal to the query first, then names starting with it, then the rest; decisions and
      // instruments first among equals.
      var all = window.EDICT_SEARCH || [], found = [];
      for (var i = 0; i < all.length; ++i) {
        var e = all[i], name = e.n.toLowerCase();
        if ((e.n + ' ' + e.k + ' ' + e.p + ' ' + e.d).toLowerCase().indexOf(s) < 0) continue;
        var rank = name === s ? 0 : name.indexOf(s) === 0 ? 1 : name.indexOf(s) > 0 ? 2 : 3;
        found.push({e: e, rank: 2 * rank + (e.k === 'decision' || e.k === 'instrument' ? 0 : 1), i: i});
      }
      found.sort(function (a, b) { return a.rank - b.rank || a.i - b.i; });
      var n = 0;
      for (; n < found.length && n < 60; ++n) {
        var f = found[n].e;
        var li = document.createElement('li'), a = document.createElement('a'), m = document.createElement('span');
        a.href = f.u; a.textContent = f.n; m.className = 'muted';
        m.textContent = ' \u2014 ' + f.k + (f.p ? ' \u00b7 ' + f.p : '') + (f.d ? ' \u00b7 ' + f.d : '');
        li.appendChild(a); li.appendChild(m); out.appendChild(li);
      }
      if (!n) { var none = document.createElement('li'); none.className = 'muted'; none.textContent = 'No name, provision or description contains \u201c' + q.value + '\u201d.'; out.appendChild(none); }
    };
    q.addEventListener('input', run);
    run();
  }
  var problems = window.edictErrors || [];
  if (q && !window.EDICT_SEARCH) problems.push('the search index (search.js) did not load');
  document.body.setAttribute('data-check', problems.length ? 'fail: ' + problems.join('; ') : 'ok');
})();
)";

std::string Head(std::string_view title) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n"
      "<link rel=\"stylesheet\" href=\"style.css\">\n"
      "<script>window.edictErrors = []; window.addEventListener('error', function (e) {{ "
      "window.edictErrors.push(String(e.message)); }});</script>\n</head>\n<body>\n"
      "<header class=\"site\"><a class=\"brand\" href=\"index.html\">{}</a>"
      "<nav><a href=\"index.html#instruments\">Instruments</a><a href=\"index.html#decisions\">Decisions</a>"
      "<a href=\"index.html#files\">Files</a><a href=\"index.html#search\">Search</a></nav></header>\n<main>\n",
      HtmlEscape(title), "Edict: the regulation as code");
}

std::string Tail(bool search) {
  return fmt::format("</main>\n{}<script src=\"site.js\"></script>\n</body>\n</html>\n",
                     search ? "<script src=\"search.js\"></script>\n" : "");
}

// A JavaScript string literal (JSON's rules, with `<` escaped so that `</script>` cannot appear).
std::string JsString(std::string_view s) {
  std::string quoted = rt::JsonQuote(s), out;
  for (char ch : quoted) out += ch == '<' ? std::string("\\u003c") : std::string(1, ch);
  return out;
}

const std::set<std::string_view> kKeywords = {
    "all",      "amend",    "and",    "as",     "assert",    "assuming",   "assumption", "bool",  "by",
    "cite",     "const",    "date",   "day",    "days",      "decimal",    "decision",   "def",   "default",
    "describe", "duration", "else",   "enum",   "exception", "exists",     "fails",      "false", "for",
    "from",     "if",       "impact", "import", "in",        "instrument", "integer",    "inter", "invariant",
    "let",      "list",     "match",  "minus",  "mod",       "month",      "months",     "not",   "of",
    "optional", "or",       "record", "repeal", "replace",   "restore",    "rule",       "set",   "test",
    "text",     "then",     "to",     "true",   "typical",   "union",      "unit",       "when",  "where",
    "with",     "year",     "years"};

std::string KindName(names::SymbolKind k) {
  switch (k) {
    case names::SymbolKind::Const: return "constant";
    case names::SymbolKind::Def: return "helper";
    case names::SymbolKind::Decision: return "decision";
    case names::SymbolKind::Record: return "record";
    case names::SymbolKind::Field: return "field";
    case names::SymbolKind::Enum: return "enum";
    case names::SymbolKind::Member: return "enum member";
    case names::SymbolKind::Unit: return "unit";
    case names::SymbolKind::Rule: return "rule";
    case names::SymbolKind::Let: return "let";
    case names::SymbolKind::Param: return "parameter";
  }
  return "name";
}

// ---------------------------------------------------------------- the model of the site

struct Page {
  std::string canonical, shown, name;  // name: the page's file name in the site
  const load::Program* program = nullptr;
  uint32_t file = 0;
  size_t source = 0;                    // index of the program in the sources
  std::vector<names::Occurrence> occ;   // the names written in this file, by use
  std::set<uint32_t> lines;             // the lines shown as code (anchors #L<n>)
  std::vector<literate::Piece> pieces;  // literate files
  bool literate = false;
};

struct TestRun {
  std::string name;
  uint32_t line = 0;
  std::vector<std::string> failures;  // "path:line:col: message"
  std::set<uint32_t> decisions;       // the decisions it calls
};

struct SourceRun {
  std::vector<names::Occurrence> occ;
  std::vector<TestRun> tests;
  std::vector<std::vector<uint64_t>> decided;  // the interpreter's rule coverage over the tests
};

struct Entry {
  std::string name, kind, provision, doc, url;
};

class Site {
 public:
  Site(const Common& c, const std::vector<Source>& sources, const SiteOptions& o) : c_(c), sources_(sources), o_(o) {}
  int Write();

 private:
  void Collect();
  Page* PageOf(const load::Program& p, uint32_t file);
  std::string Href(const load::Program& p, SourceRange r);
  std::string Href(const load::Program& p, names::Place place) {
    return Href(p, SourceRange{place.file, place.begin, place.end});
  }
  std::string Code(const Page& page, const std::string& text, uint32_t first_line, uint32_t last_line);
  std::string DocComment(const Page& page, uint32_t line) const;
  // "file:line:col" with the file as its page shows it.
  std::string Where(const load::Program& p, SourceRange r) {
    Page* page = PageOf(p, r.file);
    LineCol at = p.sources.Position(r.file, r.begin);
    return fmt::format("{}:{}:{}", page ? page->shown : p.sources.file(r.file).path, at.line, at.column);
  }
  std::string FilePage(const Page& page);
  std::string DecisionPage(size_t source, uint32_t decision, const std::string& name);
  std::string Index();
  std::string Chain(const load::Program& p, int current);
  std::string VersionName(const load::Program& p, size_t v) const;
  std::string DecisionPageName(const load::Program& p, const std::string& decision) const;
  bool Emit(const std::string& file, std::string_view bytes);

  const Common& c_;
  const std::vector<Source>& sources_;
  const SiteOptions& o_;
  std::vector<Page> pages_;
  std::map<std::string, size_t> by_path_;
  std::set<std::string> taken_;
  std::vector<SourceRun> runs_;
  std::vector<Entry> entries_;
  std::string error_;
  size_t written_ = 0;
};

bool Site::Emit(const std::string& file, std::string_view bytes) {
  std::string error;
  if (WriteWholeFile((fs::path(o_.output) / file).string(), bytes, &error)) {
    ++written_;
    return true;
  }
  std::cerr << "error: " << error << "\n";
  return false;
}

Page* Site::PageOf(const load::Program& p, uint32_t file) {
  if (file >= p.sources.size()) return nullptr;
  auto it = by_path_.find(load::Canonical(p.sources.file(file).path));
  return it == by_path_.end() ? nullptr : &pages_[it->second];
}

std::string Site::Href(const load::Program& p, SourceRange r) {
  Page* page = PageOf(p, r.file);
  if (!page) return "";
  uint32_t line = p.sources.Position(r.file, r.begin).line;
  if (page->lines.count(line)) return fmt::format("{}#L{}", page->name, line);
  return page->name;
}

std::string Site::VersionName(const load::Program& p, size_t v) const {
  const ir::Version& version = p.module.versions[v];
  if (!version.name.empty()) return version.name;
  fs::path f = fs::path(p.sources.file(version.file).path).filename();
  return f.string().substr(0, f.string().find('.'));
}

std::string Site::DecisionPageName(const load::Program& p, const std::string& decision) const {
  return fmt::format("decision-{}-{}.html", VersionName(p, p.module.versions.size() - 1), decision);
}

// Every file of every program gets a page; a file is shown with the names of the program it is the
// root of when it was given, else of the first program that imports it.
void Site::Collect() {
  std::string stdlib = load::Canonical(load::StdlibDir());
  // Paths are shown relative to the folder that holds every given file (not as the machine that
  // made the site has them).
  fs::path base;
  for (const Source& source : sources_) {
    fs::path dir = fs::path(load::Canonical(source.path)).parent_path();
    if (base.empty()) {
      base = dir;
      continue;
    }
    fs::path common;
    for (auto a = base.begin(), b = dir.begin(); a != base.end() && b != dir.end() && *a == *b; ++a, ++b) common /= *a;
    base = common;
  }
  runs_.resize(sources_.size());
  for (size_t pass = 0; pass < 2; ++pass)
    for (size_t s = 0; s < sources_.size(); ++s) {
      const load::Program& p = sources_[s].program;
      for (uint32_t f = 0; f < p.sources.size(); ++f) {
        bool root = std::find(p.roots.begin(), p.roots.end(), f) != p.roots.end();
        if ((pass == 0) != root) continue;
        std::string canonical = load::Canonical(p.sources.file(f).path);
        if (by_path_.count(canonical)) continue;
        Page page;
        page.canonical = canonical;
        page.program = &p;
        page.file = f;
        page.source = s;
        page.literate = literate::IsLiterate(canonical);
        fs::path path(p.sources.file(f).path);
        bool in_stdlib = canonical.rfind(stdlib + "/", 0) == 0;
        page.shown = in_stdlib ? "stdlib/" + fs::path(canonical).lexically_relative(stdlib).string()
                               : fs::path(canonical).lexically_relative(base).string();
        std::string base = fs::path(canonical).filename().string();
        base = base.substr(0, base.find('.'));
        if (in_stdlib) base = "stdlib-" + base;
        std::string name = base + ".html";
        for (int k = 2; taken_.count(name) || name == "index.html"; ++k) name = fmt::format("{}-{}.html", base, k);
        taken_.insert(name);
        page.name = name;
        by_path_[canonical] = pages_.size();
        pages_.push_back(std::move(page));
      }
    }
  for (size_t s = 0; s < sources_.size(); ++s) runs_[s].occ = names::Index(sources_[s].program);
  for (Page& page : pages_) {
    for (const names::Occurrence& o : runs_[page.source].occ)
      if (o.use.file == page.file) page.occ.push_back(o);
    const SourceFile& f = page.program->sources.file(page.file);
    // The program holds a literate file's code only (the Markdown blanked): the Markdown is read
    // again, and shown only if it is still the text that was checked.
    std::string markdown;
    if (page.literate && (!ReadFile(f.path, &markdown) || literate::Code(markdown) != f.text)) {
      std::cerr << fmt::format("warning: {} changed while the site was made: its code is shown without its text\n",
                               f.path);
      page.literate = false;
    }
    if (page.literate) {
      page.pieces = literate::Pieces(markdown);
      for (const literate::Piece& piece : page.pieces)
        for (const literate::Span& sp : piece.code)
          page.lines.insert(page.program->sources.Position(page.file, uint32_t(sp.begin)).line);
      // The lines between a block's first and last piece of code are shown too (blank lines).
      for (const literate::Piece& piece : page.pieces)
        if (!piece.code.empty()) {
          uint32_t a = page.program->sources.Position(page.file, uint32_t(piece.code.front().begin)).line;
          uint32_t b = page.program->sources.Position(page.file, uint32_t(piece.code.back().begin)).line;
          for (uint32_t l = a; l <= b; ++l) page.lines.insert(l);
        }
    } else {
      for (uint32_t l = 1; l <= f.line_starts.size(); ++l) page.lines.insert(l);
    }
  }
}

// The `///` lines just above `line` (1-based), joined.
std::string Site::DocComment(const Page& page, uint32_t line) const {
  std::vector<std::string> parts;
  for (uint32_t l = line; l > 1; --l) {
    std::string_view t = page.program->sources.LineText(page.file, l - 1);
    size_t at = t.find_first_not_of(" \t");
    if (at == std::string_view::npos || t.substr(at, 3) != "///") break;
    std::string_view rest = t.substr(at + 3);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    parts.insert(parts.begin(), std::string(rest));
  }
  std::string out;
  for (const std::string& s : parts) out += (out.empty() ? "" : " ") + s;
  return out;
}

// Lines [first_line, last_line] of `text` (the file's code: for a literate file, the Markdown with
// everything but code blanked), highlighted, every name written in the file linked to its
// declaration, each line anchored as #L<n>.
std::string Site::Code(const Page& page, const std::string& text, uint32_t first_line, uint32_t last_line) {
  const SourceFile& f = page.program->sources.file(page.file);
  std::string out = "<pre class=\"code\">";
  size_t oi = 0;
  for (uint32_t line = first_line; line <= last_line && line <= f.line_starts.size(); ++line) {
    size_t begin = f.line_starts[line - 1];
    size_t end = line < f.line_starts.size() ? f.line_starts[line] : text.size();
    while (end > begin && (text[end - 1] == '\n' || text[end - 1] == '\r')) --end;
    out += fmt::format("<span class=\"l\" id=\"L{0}\"><a class=\"n\" href=\"#L{0}\">{0}</a>", line);
    while (oi < page.occ.size() && page.occ[oi].use.begin < begin) ++oi;
    size_t i = begin;
    // In a literate file only the code is shown: the line's prose (block quote marks) is blank.
    while (i < end) {
      char ch = text[i];
      if (ch == '/' && i + 1 < end && text[i + 1] == '/') {
        out += "<span class=\"c\">" + HtmlEscape(std::string_view(text).substr(i, end - i)) + "</span>";
        i = end;
        continue;
      }
      if (ch == '"') {
        size_t j = i + 1;
        while (j < end && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
        j = std::min(end, j + 1);
        out += "<span class=\"s\">" + HtmlEscape(std::string_view(text).substr(i, j - i)) + "</span>";
        i = j;
        continue;
      }
      while (oi < page.occ.size() && page.occ[oi].use.begin < i) ++oi;
      if (oi < page.occ.size() && page.occ[oi].use.begin == i && page.occ[oi].use.end <= end) {
        const names::Occurrence& o = page.occ[oi];
        bool declaration = false;
        for (size_t k = oi; k < page.occ.size() && page.occ[k].use.begin == i; ++k)
          declaration = declaration || page.occ[k].use == page.occ[k].decl;
        std::string name = HtmlEscape(std::string_view(text).substr(o.use.begin, o.use.end - o.use.begin));
        std::string href = declaration ? "" : Href(*page.program, o.decl);
        if (declaration)
          out += fmt::format("<span class=\"d\" title=\"{}\">{}</span>", KindName(o.kind), name);
        else if (!href.empty())
          out += fmt::format("<a class=\"r\" href=\"{}\" title=\"{}\">{}</a>", href, KindName(o.kind), name);
        else
          out += name;
        i = o.use.end;
        continue;
      }
      if (names::WordByte(ch) && (i == begin || !names::WordByte(text[i - 1]))) {
        size_t j = i;
        while (j < end && names::WordByte(text[j])) ++j;
        std::string_view word = std::string_view(text).substr(i, j - i);
        if (kKeywords.count(word))
          out += "<span class=\"k\">" + std::string(word) + "</span>";
        else
          out += HtmlEscape(word);
        i = j;
        continue;
      }
      out += HtmlEscape(std::string_view(&text[i], 1));
      ++i;
    }
    out += "</span>";
  }
  out += "</pre>";
  return out;
}

// The amendment chain of a program, base first, as a timeline (`current`: the version marked).
std::string Site::Chain(const load::Program& p, int current) {
  const ir::Module& m = p.module;
  std::string out = "<ol class=\"timeline\">\n";
  for (size_t v = 0; v < m.versions.size(); ++v) {
    const ir::Version& version = m.versions[v];
    const ir::Instrument* ins = version.instrument >= 0 ? &m.instruments[size_t(version.instrument)] : nullptr;
    Page* page = PageOf(p, version.file);
    std::string title = ins ? ins->Field("title") : "";
    std::string status = ins ? ins->Field("status") : "";
    out += fmt::format(
        "<li{}><span class=\"date\">{}</span><a href=\"{}\"><strong>{}</strong></a> {}<br><span "
        "class=\"muted\">{}{}</span></li>\n",
        int(v) == current ? " class=\"current\"" : "",
        HtmlEscape(version.effective.empty() ? "no date" : version.effective), page ? page->name : "index.html",
        HtmlEscape(VersionName(p, v)), HtmlEscape(title), HtmlEscape(ins ? ins->Field("citation") : ""),
        status.empty() ? "" : " · status: " + HtmlEscape(status));
  }
  return out + "</ol>\n";
}

std::string Site::FilePage(const Page& page) {
  const load::Program& p = *page.program;
  const ir::Module& m = p.module;
  const SourceFile& f = p.sources.file(page.file);
  std::string out = Head(page.shown);
  // The instrument this file declares, with the chain it belongs to.
  int version = -1;
  for (size_t v = 0; v < m.versions.size(); ++v)
    if (m.versions[v].file == page.file && m.versions[v].instrument >= 0) version = int(v);
  out += fmt::format("<p class=\"muted\">Source file <code>{}</code>{}</p>\n", HtmlEscape(page.shown),
                     page.literate ? " (literate: the Markdown is the text, the code is in its edict blocks)" : "");
  if (version >= 0) {
    const ir::Instrument& ins = m.instruments[size_t(m.versions[size_t(version)].instrument)];
    out += "<h2 id=\"instrument\">Instrument <code>" + HtmlEscape(ins.name) + "</code></h2>\n<dl class=\"facts\">";
    for (const auto& [key, value] : ins.fields) {
      std::string shown = HtmlEscape(value);
      if (key == "amends" && version > 0)
        if (Page* base = PageOf(p, m.versions[size_t(version) - 1].file))
          shown = fmt::format("<a href=\"{}\">{}</a>", base->name, shown);
      out += fmt::format("<dt>{}</dt><dd>{}</dd>", HtmlEscape(key), shown);
    }
    out += "</dl>\n";
    std::string decisions;
    if (page.source < sources_.size() && &sources_[page.source].program == &p && !p.roots.empty() &&
        p.roots[0] == page.file)
      for (const auto& [name, index] : m.versions[size_t(version)].decisions)
        decisions += fmt::format(" <a href=\"{}\"><code>{}</code></a>", DecisionPageName(p, name), HtmlEscape(name));
    if (!decisions.empty()) out += "<p>Decisions of this version:" + decisions + "</p>\n";
    out += "<h3>The amendment chain</h3>\n" + Chain(p, version);
    out += "<h2 id=\"text\">Text and code</h2>\n";
  }
  if (!page.literate) {
    out += "<section class=\"seg code-only\"><div class=\"code\">" +
           Code(page, f.text, 1, uint32_t(f.line_starts.size())) + "</div></section>\n";
  } else {
    for (const literate::Piece& piece : page.pieces) {
      if (piece.code.empty()) {
        if (!piece.html.empty())
          out += "<section class=\"seg code-only\"><div class=\"law\">" + piece.html + "</div></section>\n";
        continue;
      }
      uint32_t a = p.sources.Position(page.file, uint32_t(piece.code.front().begin)).line;
      uint32_t b = p.sources.Position(page.file, uint32_t(piece.code.back().begin)).line;
      out += "<section class=\"seg\"><div class=\"law\">" + piece.html + "</div><div class=\"code\">" +
             Code(page, f.text, a, b) + "</div></section>\n";
    }
  }
  // Search entries: every declaration written in this file.
  std::set<std::pair<uint32_t, std::string>> seen;
  for (const names::Occurrence& o : page.occ) {
    if (!(o.use == o.decl)) continue;
    if (o.kind == names::SymbolKind::Param || o.kind == names::SymbolKind::Let) continue;
    std::string name(p.sources.Text({o.use.file, o.use.begin, o.use.end}));
    uint32_t line = p.sources.Position(page.file, o.use.begin).line;
    if (!seen.insert({line, name}).second) continue;
    Entry e{name, KindName(o.kind), "", DocComment(page, line), fmt::format("{}#L{}", page.name, line)};
    if (!page.lines.count(line)) e.url = page.name;
    const rt::TypeTable& t = m.types;
    switch (o.kind) {
      case names::SymbolKind::Const: e.provision = m.consts[o.index].cite.cite; break;
      case names::SymbolKind::Def: e.provision = m.defs[o.index].cite.cite; break;
      case names::SymbolKind::Decision: e.provision = m.decisions[o.index].cite.cite; break;
      case names::SymbolKind::Rule:
        if (o.owner < m.decisions.size() && o.index < m.decisions[o.owner].rules.size())
          e.provision = m.decisions[o.owner].rules[o.index].cite.cite;
        break;
      case names::SymbolKind::Record:
        if (e.doc.empty()) e.doc = t.records[o.index].doc;
        break;
      case names::SymbolKind::Field:
        if (o.owner < t.records.size() && o.index < t.records[o.owner].fields.size())
          e.doc = t.records[o.owner].fields[o.index].doc;
        e.name = (o.owner < t.records.size() ? t.records[o.owner].name + "." : "") + name;
        break;
      case names::SymbolKind::Enum:
        if (e.doc.empty()) e.doc = t.enums[o.index].doc;
        break;
      case names::SymbolKind::Member:
        if (o.owner < t.enums.size() && o.index < t.enums[o.owner].member_docs.size())
          e.doc = t.enums[o.owner].member_docs[o.index];
        break;
      case names::SymbolKind::Unit:
        if (o.index < t.base_units.size()) e.doc = t.base_units[o.index].doc;
        break;
      case names::SymbolKind::Let:
      case names::SymbolKind::Param: break;
    }
    entries_.push_back(std::move(e));
  }
  return out + Tail(false);
}

// One row per input field, depth first: the path, the type, the unit, the values it may take.
// `href` gives the link to a declaration (a record's, an enum's), or "".
void SchemaRows(const ir::Module& m, const std::function<std::string(SourceRange)>& href, rt::TypeId type,
                const std::string& path, const std::string& doc, const std::vector<rt::FieldBound>* bounds,
                const std::string& dflt, int depth, std::string& out) {
  const rt::TypeTable& t = m.types;
  const rt::TypeInfo& info = t.info(type);
  std::string unit = (info.kind == rt::TypeKind::Integer || info.kind == rt::TypeKind::Decimal) && info.unit != 0
                         ? "<code>" + HtmlEscape(t.UnitName(info.unit)) + "</code>"
                         : "";
  std::string allowed;
  if (info.kind == rt::TypeKind::Enum || info.kind == rt::TypeKind::Set || info.kind == rt::TypeKind::Sum) {
    const rt::EnumInfo& en = t.enums[info.ref];
    allowed = info.kind == rt::TypeKind::Set ? "a set of: " : "";
    std::string list;
    for (size_t k = 0; k < en.members.size(); ++k) {
      std::string d = k < en.member_docs.size() ? en.member_docs[k] : "";
      list += fmt::format("{}<code>{}</code>{}", list.empty() ? "" : ", ", HtmlEscape(en.members[k]),
                          d.empty() ? "" : " (" + HtmlEscape(d) + ")");
    }
    std::string link = href(en.range);
    if (en.members.size() > 40)
      allowed += fmt::format("{} values, e.g. <code>{}</code> … (<a href=\"{}\"><code>{}</code></a> lists them)",
                             en.members.size(), HtmlEscape(en.members.front()), link, HtmlEscape(en.name));
    else
      allowed += list;
  }
  if (bounds)
    for (const rt::FieldBound& b : *bounds)
      allowed += (allowed.empty() ? "" : "; ") + ("<code>" + HtmlEscape(b.text) + "</code>");
  if (!dflt.empty()) allowed += (allowed.empty() ? "" : "; ") + ("default <code>" + HtmlEscape(dflt) + "</code>");
  std::string type_name = "<code>" + HtmlEscape(t.Name(type)) + "</code>";
  if (info.kind == rt::TypeKind::Record || info.kind == rt::TypeKind::Enum || info.kind == rt::TypeKind::Sum) {
    std::string link = href(info.kind == rt::TypeKind::Record ? t.records[info.ref].range : t.enums[info.ref].range);
    if (!link.empty()) type_name = fmt::format("<a href=\"{}\">{}</a>", link, type_name);
  }
  out += fmt::format("<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     HtmlEscape(path), type_name, unit, allowed, HtmlEscape(doc));
  if (depth > 6) return;
  if (info.kind == rt::TypeKind::Record)
    for (const rt::FieldInfo& f : t.records[info.ref].fields)
      SchemaRows(m, href, f.type, path + "." + f.name, f.doc, &f.bounds, f.default_json, depth + 1, out);
  if (info.kind == rt::TypeKind::List) SchemaRows(m, href, info.ref, path + "[]", "", nullptr, "", depth + 1, out);
}

std::string Site::DecisionPage(size_t source, uint32_t di, const std::string& name) {
  const load::Program& p = sources_[source].program;
  const ir::Module& m = p.module;
  const ir::Decision& d = m.decisions[di];
  size_t v = m.versions.size() - 1;
  std::string vname = VersionName(p, v);
  std::string out = Head(fmt::format("{} ({})", name, vname));
  const ir::Version& version = m.versions[v];
  const ir::Instrument* ins = version.instrument >= 0 ? &m.instruments[size_t(version.instrument)] : nullptr;
  Page* page = PageOf(p, version.file);
  out += fmt::format("<h1>Decision <code>{}</code> <span class=\"badge\">version {}</span></h1>\n", HtmlEscape(name),
                     HtmlEscape(vname));
  out += "<dl class=\"facts\">";
  if (ins)
    out += fmt::format("<dt>instrument</dt><dd><a href=\"{}\">{}</a>{}</dd>", page ? page->name : "index.html",
                       HtmlEscape(ins->Field("title").empty() ? ins->name : ins->Field("title")),
                       ins->Field("citation").empty() ? "" : " · " + HtmlEscape(ins->Field("citation")));
  if (!version.effective.empty())
    out += fmt::format("<dt>in force from</dt><dd>{}</dd>", HtmlEscape(version.effective));
  if (ins && !ins->Field("status").empty())
    out += fmt::format("<dt>status</dt><dd>{}</dd>", HtmlEscape(ins->Field("status")));
  out += fmt::format("<dt>cites</dt><dd>{}</dd>", HtmlEscape(d.cite.cite));
  std::string declared = Href(p, d.range);
  out += fmt::format("<dt>declared</dt><dd><a href=\"{}\">{}</a>", declared, HtmlEscape(Where(p, d.range)));
  for (const SourceRange& r : d.amended_by)
    out += fmt::format("; amended at <a href=\"{}\">{}</a>", Href(p, r), HtmlEscape(Where(p, r)));
  out += "</dd></dl>\n";

  // The input.
  out +=
      "<h2 id=\"input\">Input</h2>\n<p class=\"muted\">What a case gives, field by field (the JSON Schema "
      "<code>edict schema</code> prints says the same).</p>\n<table><thead><tr><th>field</th><th>type</th><th>unit</th>"
      "<th>allowed values</th><th>description</th></tr></thead><tbody>\n";
  auto href = [&](SourceRange r) { return r.valid() ? Href(p, r) : std::string(); };
  for (const ir::Param& prm : d.params) SchemaRows(m, href, prm.type, prm.name, "", nullptr, "", 0, out);
  out += "</tbody></table>\n";
  if (!d.guards.empty()) {
    out +=
        "<h3>Invariants</h3>\n<p class=\"muted\">A case that breaks one is rejected as invalid input. An "
        "<em>assumption</em> is this encoding's, not the law's.</p>\n<table><thead><tr><th>invariant</th><th>on</th>"
        "<th>kind</th><th>description</th><th>cites</th></tr></thead><tbody>\n";
    for (const ir::Guard& g : d.guards) {
      const ir::Invariant& inv = m.invariants[g.invariant];
      out += fmt::format(
          "<tr><td><a "
          "href=\"{}\"><code>{}</code></a></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
          Href(p, inv.range), HtmlEscape(inv.name), HtmlEscape(g.path), inv.assumption ? "assumption" : "invariant",
          HtmlEscape(inv.doc),
          HtmlEscape(inv.cite.cite + (inv.cite.assumption.empty() ? "" : " (assuming " + inv.cite.assumption + ")")));
    }
    out += "</tbody></table>\n";
  }

  // The rules, with coverage.
  const SourceRun& run = runs_[source];
  auto decided = [&](size_t k) {
    return di < run.decided.size() && k < run.decided[di].size() && run.decided[di][k] > 0;
  };
  size_t total = d.rules.size() + (d.has_default ? 1 : 0), covered = 0;
  for (size_t k = 0; k < total; ++k) covered += decided(k);
  out += fmt::format(
      "<h2 id=\"rules\">Rules</h2>\n<p>Rule coverage: <strong>{} of {}</strong> rules decided an "
      "outcome in the tests of <code>{}</code>, run on the interpreter when this page was made (the rules "
      "this version inherits are also tested in the files that declare them).</p>\n",
      covered, total, HtmlEscape(page ? page->shown : ""));
  out +=
      "<table><thead><tr><th>rule</th><th>provision</th><th>assumption</th><th>exception "
      "to</th><th>covered</th></tr></thead><tbody>\n";
  auto rule_row = [&](const ir::Rule& r, size_t k) {
    std::string exceptions;
    for (uint32_t e : r.exception_to)
      if (e < d.rules.size())
        exceptions += fmt::format("{}<a href=\"#rule-{}\"><code>{}</code></a>", exceptions.empty() ? "" : ", ",
                                  HtmlEscape(d.rules[e].name), HtmlEscape(d.rules[e].name));
    SourceRange at = r.name_range.valid() ? r.name_range : r.range;
    out += fmt::format(
        "<tr id=\"rule-{0}\"><td><a "
        "href=\"{1}\"><code>{0}</code></a></td><td>{2}</td><td>{3}</td><td>{4}</td><td>{5}</td></tr>\n",
        HtmlEscape(r.name), Href(p, at), HtmlEscape(r.cite.cite), HtmlEscape(r.cite.assumption), exceptions,
        decided(k) ? "<span class=\"pass\">yes</span>" : "<span class=\"fail\">no</span>");
  };
  for (size_t k = 0; k < d.rules.size(); ++k) rule_row(d.rules[k], k);
  if (d.has_default) rule_row(d.default_rule, d.rules.size());
  out += "</tbody></table>\n";

  // The tests that call it.
  out += "<h2 id=\"tests\">Tests</h2>\n";
  std::string rows;
  size_t passed = 0, shown = 0;
  for (const TestRun& t : run.tests) {
    if (!t.decisions.count(di)) continue;
    ++shown;
    passed += t.failures.empty();
    std::string failures;
    for (const std::string& f : t.failures) failures += "<br><code>" + HtmlEscape(f) + "</code>";
    rows += fmt::format("<tr><td><a href=\"{}#L{}\"><code>{}</code></a></td><td>{}{}</td></tr>\n",
                        page ? page->name : "", t.line, HtmlEscape(t.name),
                        t.failures.empty() ? "<span class=\"pass\">pass</span>" : "<span class=\"fail\">fail</span>",
                        failures);
  }
  if (shown == 0) {
    out += "<p>No test of this file calls the decision.</p>\n";
  } else {
    out += fmt::format("<p>{} of {} tests of <code>{}</code> that call <code>{}</code> pass.</p>\n", passed, shown,
                       HtmlEscape(page ? page->shown : ""), HtmlEscape(name));
    out += "<table><thead><tr><th>test</th><th>result</th></tr></thead><tbody>\n" + rows + "</tbody></table>\n";
  }

  // The diff against the version it amends.
  out += "<h2 id=\"diff\">Changes against the previous version</h2>\n";
  if (v == 0) {
    out += "<p>This is the first version of the law: there is no previous one to compare with.</p>\n";
  } else if (!m.versions[v - 1].decisions.count(name)) {
    out += fmt::format("<p>The previous version, <code>{}</code>, has no decision <code>{}</code>.</p>\n",
                       HtmlEscape(VersionName(p, v - 1)), HtmlEscape(name));
  } else if (!o_.diff) {
    out += "<p>The symbolic diff was left out of this site (<code>edict doc --no-diff</code>).</p>\n";
  } else {
    std::string file = fmt::format("diff-{}-{}.html", vname, name);
    if (o_.progress)
      std::cerr << fmt::format("edict doc: the symbolic diff of `{}` from {} to {} (Z3)\n", name, VersionName(p, v - 1),
                               vname);
    diff::DiffOptions dopt;
    dopt.old_file = sources_[source].path;
    dopt.decision = name;
    dopt.format = "html";
    dopt.output = (fs::path(o_.output) / file).string();
    dopt.progress = false;
    int rc = diff::RunDiff(c_, dopt);
    if (rc == kOutputError) error_ = "the diff report could not be written";
    if (rc == kOk) ++written_;
    if (rc == kOk)
      out += fmt::format(
          "<p>The symbolic diff of <code>{}</code> between <code>{}</code> and <code>{}</code>: every "
          "way a verdict changes, over every case the declared domains allow, with the provisions "
          "that decide each side and a witness case. <a href=\"{}\">Open the report</a>.</p>\n",
          HtmlEscape(name), HtmlEscape(VersionName(p, v - 1)), HtmlEscape(vname), file);
    else
      out += fmt::format(
          "<p class=\"fail\">The symbolic diff against <code>{}</code> failed (exit code {}); "
          "<code>edict diff</code> on the file says why.</p>\n",
          HtmlEscape(VersionName(p, v - 1)), rc);
  }
  entries_.push_back({fmt::format("{} ({})", name, vname), "decision", d.cite.cite, ins ? ins->Field("title") : "",
                      DecisionPageName(p, name)});
  return out + Tail(false);
}

std::string Site::Index() {
  std::string out = Head("The regulation as code");
  out += "<h1>The regulation as code</h1>\n<p class=\"muted\">Generated by <code>edict doc</code> from ";
  for (size_t s = 0; s < sources_.size(); ++s)
    if (Page* page = PageOf(sources_[s].program, sources_[s].program.roots.empty() ? 0 : sources_[s].program.roots[0]))
      out += (s ? ", " : "") + fmt::format("<a href=\"{}\"><code>{}</code></a>", page->name, HtmlEscape(page->shown));
  out += ". The tests were run on the interpreter when the site was made.</p>\n";
  out +=
      "<section id=\"search\"><h2>Search</h2>\n<input id=\"q\" type=\"search\" placeholder=\"A name, a provision "
      "(740.29), a word of a description\" aria-label=\"Search names, provisions and descriptions\" "
      "autocomplete=\"off\">\n"
      "<ul id=\"results\"></ul></section>\n";

  // The instruments, by effective date.
  struct Row {
    std::string effective, name, title, citation, status, amends, page;
  };
  std::vector<Row> rows;
  std::set<std::string> seen;
  for (const Source& s : sources_) {
    const ir::Module& m = s.program.module;
    for (size_t v = 0; v < m.versions.size(); ++v) {
      const ir::Version& version = m.versions[v];
      if (version.instrument < 0) continue;
      Page* page = PageOf(s.program, version.file);
      if (!page || !seen.insert(page->canonical).second) continue;
      const ir::Instrument& ins = m.instruments[size_t(version.instrument)];
      rows.push_back({version.effective, version.name, ins.Field("title"), ins.Field("citation"), ins.Field("status"),
                      v > 0 ? VersionName(s.program, v - 1) : "", page->name});
      entries_.push_back({version.name, "instrument", ins.Field("citation"), ins.Field("title"), page->name});
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.effective < b.effective; });
  out +=
      "<section id=\"instruments\"><h2>Instruments</h2>\n<p class=\"muted\">In order of the dates they take effect; "
      "each amends the one named (a proposal amends the version it would change).</p>\n<ol class=\"timeline\">\n";
  for (const Row& r : rows)
    out += fmt::format(
        "<li><span class=\"date\">{}</span><a href=\"{}\"><strong>{}</strong></a> {}<br><span "
        "class=\"muted\">{}{}{}</span></li>\n",
        HtmlEscape(r.effective.empty() ? "no date" : r.effective), r.page, HtmlEscape(r.name), HtmlEscape(r.title),
        HtmlEscape(r.citation), r.amends.empty() ? "" : " · amends " + HtmlEscape(r.amends),
        r.status.empty() ? "" : " · status: " + HtmlEscape(r.status));
  out += "</ol></section>\n";

  out +=
      "<section id=\"decisions\"><h2>Decisions</h2>\n<table><thead><tr><th>decision</th><th>version</th><th>in force "
      "from</th>"
      "<th>provision</th><th>tests of its file</th><th>rules these tests decide</th></tr></thead><tbody>\n";
  // In the order the versions take effect (the files' order among equal dates).
  std::vector<size_t> order;
  for (size_t s = 0; s < sources_.size(); ++s) order.push_back(s);
  auto effective = [&](size_t s) {
    const ir::Module& m = sources_[s].program.module;
    return m.versions.empty() ? std::string() : m.versions.back().effective;
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return effective(a) < effective(b); });
  for (size_t s : order) {
    const load::Program& p = sources_[s].program;
    const ir::Module& m = p.module;
    if (m.versions.empty() || p.roots.empty() || m.versions.back().file != p.roots[0]) continue;
    for (const auto& [name, di] : m.versions.back().decisions) {
      const ir::Decision& d = m.decisions[di];
      size_t total = d.rules.size() + (d.has_default ? 1 : 0), covered = 0, tests = 0, passed = 0;
      for (size_t k = 0; k < total; ++k)
        covered += di < runs_[s].decided.size() && k < runs_[s].decided[di].size() && runs_[s].decided[di][k] > 0;
      for (const TestRun& t : runs_[s].tests)
        if (t.decisions.count(di)) ++tests, passed += t.failures.empty();
      out += fmt::format(
          "<tr><td><a href=\"{}\"><code>{}</code></a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} of "
          "{}</td></tr>\n",
          DecisionPageName(p, name), HtmlEscape(name), HtmlEscape(VersionName(p, m.versions.size() - 1)),
          HtmlEscape(m.versions.back().effective), HtmlEscape(d.cite.cite),
          tests == 0 ? std::string("none")
                     : fmt::format("<span class=\"{}\">{} of {} pass</span>", passed == tests ? "pass" : "fail", passed,
                                   tests),
          covered, total);
    }
  }
  out += "</tbody></table></section>\n";

  out += "<section id=\"files\"><h2>Files</h2>\n<ul class=\"columns\">\n";
  std::vector<const Page*> sorted;
  for (const Page& page : pages_) sorted.push_back(&page);
  std::sort(sorted.begin(), sorted.end(), [](const Page* a, const Page* b) { return a->shown < b->shown; });
  for (const Page* page : sorted)
    out += fmt::format("<li><a href=\"{}\"><code>{}</code></a>{}</li>\n", page->name, HtmlEscape(page->shown),
                       page->literate ? " <span class=\"badge\">literate</span>" : "");
  out += "</ul></section>\n";
  // The page for trying a case, when the site knows the service that decides them.
  if (!o_.api.empty())
    out += fmt::format(
        "<section id=\"try-a-case\"><h2>Try a case</h2>\n<p><a href=\"try/index.html\">A form</a> built from "
        "each decision's input decides a case you describe, with its explanation and citations, and compares two "
        "versions. It asks the decision service at <code>{}</code>.</p></section>\n",
        HtmlEscape(o_.api));
  return out + Tail(true);
}

int Site::Write() {
  std::error_code ec;
  fs::path dir(o_.output);
  bool exists = fs::exists(dir, ec);
  if (exists && !fs::is_directory(dir, ec)) {
    std::cerr << fmt::format("error: cannot write the site into '{}': it exists and is not a folder\n", o_.output);
    return kOutputError;
  }
  if (!exists && !fs::create_directories(dir, ec) && ec) {
    std::cerr << fmt::format("error: cannot create the folder '{}': {}\n", o_.output, ec.message());
    return kOutputError;
  }
  Collect();
  // The tests of each given file, on the interpreter, with rule coverage.
  for (size_t s = 0; s < sources_.size(); ++s) {
    const load::Program& p = sources_[s].program;
    if (p.roots.empty()) continue;
    interp::Interpreter interp(p.module);
    interp.EnableCoverage();
    for (uint32_t t = 0; t < p.module.tests.size(); ++t) {
      const ir::Test& test = p.module.tests[t];
      if (test.file != p.roots[0]) continue;
      TestRun r;
      r.name = test.name;
      r.line = p.sources.Position(test.file, test.range.begin).line;
      std::vector<ir::ExprId> steps;
      for (const ir::TestStep& st : test.steps) steps.push_back(st.expr);
      r.decisions = ir::DecisionsCalled(p.module, std::move(steps));
      for (const auto& f : interp.RunTest(t).failures)
        r.failures.push_back(fmt::format("{}: {}", Where(p, f.range), f.message));
      runs_[s].tests.push_back(std::move(r));
    }
    runs_[s].decided = interp.decided();
  }
  for (const Page& page : pages_)
    if (!Emit(page.name, FilePage(page))) return kOutputError;
  for (size_t s = 0; s < sources_.size(); ++s) {
    const load::Program& p = sources_[s].program;
    const ir::Module& m = p.module;
    if (m.versions.empty() || p.roots.empty() || m.versions.back().file != p.roots[0]) continue;
    for (const auto& [name, di] : m.versions.back().decisions) {
      std::string page = DecisionPage(s, di, name);
      if (!error_.empty()) return kOutputError;
      if (!Emit(DecisionPageName(p, name), page)) return kOutputError;
    }
  }
  std::string index = Index();
  std::string search = "window.EDICT_SEARCH = [\n";
  for (const Entry& e : entries_)
    search += fmt::format("{{\"n\": {}, \"k\": {}, \"p\": {}, \"d\": {}, \"u\": {}}},\n", JsString(e.name),
                          JsString(e.kind), JsString(e.provision), JsString(e.doc), JsString(e.url));
  search += "];\n";
  if (!Emit("index.html", index) || !Emit("style.css", kStyle) || !Emit("site.js", kScript) ||
      !Emit("search.js", search))
    return kOutputError;
  if (!o_.api.empty()) {
    if (!fs::create_directories(dir / "try", ec) && ec) {
      std::cerr << fmt::format("error: cannot create the folder '{}': {}\n", (dir / "try").string(), ec.message());
      return kOutputError;
    }
    for (const page::File& f : page::Files())
      if (!Emit("try/" + std::string(f.path), f.path == "index.html" ? page::Index(o_.api) : std::string(f.bytes)))
        return kOutputError;
  }
  if (o_.progress) std::cerr << fmt::format("edict doc: wrote {} files into {}\n", written_, o_.output);
  return kOk;
}

}  // namespace

int WriteSite(const Common& c, const std::vector<Source>& sources, const SiteOptions& o) {
  Site site(c, sources, o);
  return site.Write();
}

}  // namespace edict::doc
