#include "compiler/diff/diff.h"
#include "compiler/diff/html.h"
#include "compiler/diff/sides.h"
#include "compiler/diff/symbolic.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/base/output.h"
#include "compiler/cases/csv_cases.h"
#include "compiler/cases/pipeline.h"
#include "compiler/interp/explain.h"
#include "compiler/interp/interp.h"
#include "compiler/jit/engine.h"
#include "compiler/load/load.h"
#include "runtime/abi.h"
#include "runtime/case_json.h"
#include "runtime/text.h"

namespace edict::diff {

// Whether outcomes of type x (in table a) and y (in table b) can be compared value by value: the
// same kinds, units and record fields (in order); enums may differ in members, since outcomes are
// compared by member name. On a mismatch, says where in `why`.
static bool SameShape(const rt::TypeTable& a, rt::TypeId x, const rt::TypeTable& b, rt::TypeId y, const std::string& at,
                      std::string* why) {
  const rt::TypeInfo& ti = a.info(x);
  const rt::TypeInfo& tj = b.info(y);
  auto fail = [&] {
    *why = fmt::format("{} is `{}` in the old version and `{}` in the new", at, a.Name(x), b.Name(y));
    return false;
  };
  if (ti.kind != tj.kind) return fail();
  switch (ti.kind) {
    case rt::TypeKind::Integer:
    case rt::TypeKind::Decimal: return a.UnitName(ti.unit) == b.UnitName(tj.unit) || fail();
    case rt::TypeKind::List: return SameShape(a, ti.ref, b, tj.ref, at + "'s elements", why);
    case rt::TypeKind::Record: {
      const auto& ra = a.records[ti.ref].fields;
      const auto& rb = b.records[tj.ref].fields;
      auto names = [](const std::vector<rt::FieldInfo>& fs) {
        std::string n;
        for (const auto& f : fs) n += (n.empty() ? "" : ", ") + f.name;
        return n;
      };
      bool same_names =
          ra.size() == rb.size() &&
          std::equal(ra.begin(), ra.end(), rb.begin(), [](const auto& p, const auto& q) { return p.name == q.name; });
      if (!same_names) {
        *why = fmt::format("{} (record `{}`) has the fields {{{}}} in the old version and {{{}}} in the new", at,
                           a.Name(x), names(ra), names(rb));
        return false;
      }
      for (size_t i = 0; i < ra.size(); ++i) {
        if (!SameShape(a, ra[i].type, b, rb[i].type, at + "." + ra[i].name, why)) return false;
      }
      return true;
    }
    default: return true;
  }
}

// Loads the two versions: two files, or one file against the version it amends.
bool LoadSides(const Common& c, const std::string& old_file, const std::string& new_file, const std::string& decision,
               std::unique_ptr<load::Program> programs[2], Side* old_side, Side* new_side) {
  auto load = [&](const std::string& f, std::unique_ptr<load::Program>& p) {
    p = std::make_unique<load::Program>();
    Diagnostics d;
    bool ok = load::Load({f}, *p, d);
    for (const auto& x : d.Sorted()) std::cerr << RenderText(x, p->sources, c.color);
    return ok;
  };
  if (new_file.empty()) {
    if (!load(old_file, programs[0])) return false;
    const auto& vs = programs[0]->module.versions;
    if (vs.size() < 2) {
      std::cerr << fmt::format("error: `{}` amends no base; give two files: edict diff OLD NEW\n", old_file);
      return false;
    }
    *old_side = Side{programs[0].get(), int(vs.size()) - 2, 0, nullptr};
    *new_side = Side{programs[0].get(), int(vs.size()) - 1, 0, nullptr};
  } else {
    if (!load(new_file, programs[1])) return false;
    int last = int(programs[1]->module.versions.size()) - 1;
    *new_side = Side{programs[1].get(), last, 0, nullptr};
    // When NEW amends (perhaps through others) OLD, NEW's program already holds OLD's version:
    // both sides then share one module, one compilation and one decoding of each case.
    int shared = load::VersionOfFile(*programs[1], old_file);
    if (shared >= 0 && shared < last) {
      *old_side = Side{programs[1].get(), shared, 0, nullptr};
    } else {
      if (!load(old_file, programs[0])) return false;
      *old_side = Side{programs[0].get(), int(programs[0]->module.versions.size()) - 1, 0, nullptr};
    }
  }
  for (Side* s : {old_side, new_side}) {
    int d = s->m().FindDecision(decision, s->version);
    if (d < 0) {
      std::cerr << fmt::format("error: the version `{}` has no decision `{}`\n", s->Name(), decision);
      return false;
    }
    s->decision = uint32_t(d);
  }
  std::string why;
  if (!SameShape(old_side->m().types, old_side->dec().result, new_side->m().types, new_side->dec().result,
                 "the outcome", &why)) {
    std::cerr << fmt::format("error: the two versions' `{}` have outcome types that cannot be compared: {}\n", decision,
                             why);
    return false;
  }
  return true;
}

namespace {

// What one side said about one case.
struct Verdict {
  bool ok = false;
  std::string key;  // outcome text, or "error: kind"
  rt::Value value;
  std::vector<uint32_t> deciding;  // winners; UINT32_MAX for the default
};

struct ClassStats {
  uint64_t count = 0;
  Verdict old_v, new_v;  // of the first case of the class
  std::vector<std::pair<uint64_t, std::string>> examples;
};

struct DiffStats : cases::ChunkExtra {
  std::unordered_map<std::string, ClassStats> classes;
  std::vector<std::string> order;  // class keys by first appearance
  uint64_t unchanged = 0, changed = 0, invalid = 0, errors_old = 0, errors_new = 0;
};

class Corpus {
 public:
  cases::DiagnosticLimit errors;
  Corpus(const DiffOptions& o, Side& a, Side& b) : errors(o.max_errors), o_(o), old_(a), new_(b) {
    // One module and the same parameter types: one decoding serves both sides.
    same_input_ = a.engine == b.engine && a.dec().params.size() == b.dec().params.size() &&
                  std::equal(a.dec().params.begin(), a.dec().params.end(), b.dec().params.begin(),
                             [](const auto& x, const auto& y) { return x.type == y.type && x.name == y.name; });
  }

  std::function<void(cases::LineChunk&)> MakeWorker() {
    auto st = std::make_shared<Worker>(old_, new_);
    for (auto& d : st->dec) d.SetTextScalars(csv_in);  // CSV fields arrive as text
    return [this, st](cases::LineChunk& chunk) { Process(chunk, *st); };
  }

  void Merge(cases::LineChunk& chunk) {
    auto* s = static_cast<DiffStats*>(chunk.extra.get());
    total_.unchanged += s->unchanged;
    total_.changed += s->changed;
    total_.invalid += s->invalid;
    total_.errors_old += s->errors_old;
    total_.errors_new += s->errors_new;
    for (const auto& key : s->order) {
      ClassStats& src = s->classes[key];
      auto [it, fresh] = total_.classes.try_emplace(key);
      if (fresh) {
        total_.order.push_back(key);
        it->second.old_v = src.old_v;
        it->second.new_v = src.new_v;
      }
      it->second.count += src.count;
      for (auto& ex : src.examples)
        if (it->second.examples.size() < o_.examples) it->second.examples.push_back(std::move(ex));
    }
    cases_ += chunk.cases;
    errors.Write(chunk.diagnostics);
  }

  std::string Report() const;
  std::string ReportHtml(const std::vector<const std::string*>& keys) const;
  uint64_t cases() const { return cases_; }
  const DiffStats& total() const { return total_; }

 private:
  static std::vector<rt::CaseParam> Params(const Side& s) {
    std::vector<rt::CaseParam> ps;
    for (const auto& p : s.dec().params) ps.push_back({p.name, p.type});
    return ps;
  }

  static uint8_t* Aligned(std::vector<uint8_t>& buf, size_t size) {
    buf.resize(size + 16);
    return reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(buf.data()) + 15) / 16 * 16);
  }

  // What a worker keeps between cases: decoders, buffers, and caches that spare most cases the
  // conversion of their outcomes to values and text. An outcome is looked up by its flat bytes
  // (FlatBytes); its text (the key that decides "changed") gets a number shared by both sides; the
  // deciding rules are looked up by the trace's bytes. The caches are cleared between chunks once
  // they grow large (outcomes with computed numbers can all differ), so memory stays bounded.
  struct Outcome {
    Verdict v;      // value and text (VerdictOf adds the deciding rules)
    uint32_t text;  // number of v.key among all texts seen
  };
  struct Worker {
    rt::CaseDecoder dec[2];
    std::vector<uint8_t> in[2], out[2], tr[2];
    rt::Arena arena;
    std::vector<rt::CaseIssue> issues;
    std::string bytes, trace_key;                              // lookup keys, reused
    std::unordered_map<std::string, uint32_t> outcome_ids[2];  // flat bytes -> outcomes[side]
    std::vector<Outcome> outcomes[2];
    std::unordered_map<std::string, uint32_t> texts;         // outcome text -> number
    std::unordered_map<std::string, uint32_t> rules_ids[2];  // trace bytes -> rules[side]
    std::vector<std::vector<uint32_t>> rules[2];
    Worker(const Side& a, const Side& b) : dec{{a.m().types, Params(a)}, {b.m().types, Params(b)}} {}
    void Trim() {
      if (outcomes[0].size() + outcomes[1].size() + rules[0].size() + rules[1].size() < 100'000) return;
      for (int s = 0; s < 2; ++s) {
        outcome_ids[s].clear();
        outcomes[s].clear();
        rules_ids[s].clear();
        rules[s].clear();
      }
      texts.clear();
    }
  };

  // One side's answer for a case, as numbers into the worker's caches.
  struct Answer {
    bool ok = false;
    uint32_t outcome = 0;  // ok: into outcomes[side]; otherwise the error kind
    uint32_t rules = 0;    // ok: into rules[side]
  };

  // Decodes the row for side s (or reuses `shared`, the other side's input, when both read the
  // same layout) and runs the decision.
  Answer Run(int side, Worker& w, std::string_view row, bool* valid, const uint8_t* shared = nullptr) {
    const Side& s = side ? new_ : old_;
    const jit::DecisionInfo& info = s.engine->info(s.decision);
    uint8_t* in = shared ? const_cast<uint8_t*>(shared) : Aligned(w.in[side], info.input.size);
    *valid = shared || w.dec[side].DecodeFlat(row, in, w.arena, &w.issues);
    Answer ans;
    if (!*valid) return ans;
    uint8_t* out = Aligned(w.out[side], info.output_size);
    w.tr[side].assign(std::max<uint32_t>(info.trace_size, 1), 0);
    jit::NativeError err;
    edict_rt_boxes_reset();
    int32_t status = s.engine->decision(s.decision)(in, out, &err, w.tr[side].data());
    if (status != 0) {
      ans.outcome = uint32_t(err.kind);
      return ans;
    }
    ans.ok = true;
    w.bytes.clear();
    rt::FlatBytes(out, s.dec().result, s.m().types, s.engine->layouts(), w.bytes);
    auto [oit, new_outcome] = w.outcome_ids[side].try_emplace(w.bytes, uint32_t(w.outcomes[side].size()));
    if (new_outcome) {
      Outcome o;
      o.v.ok = true;
      o.v.value = rt::ReadFlat(out, s.dec().result, s.m().types, s.engine->layouts());
      o.v.key = rt::FormatValue(o.v.value, s.dec().result, s.m().types);
      o.text = w.texts.try_emplace(o.v.key, uint32_t(w.texts.size())).first->second;
      w.outcomes[side].push_back(std::move(o));
    }
    ans.outcome = oit->second;
    w.trace_key.assign(reinterpret_cast<const char*>(w.tr[side].data()), s.dec().rules.size());
    auto [rit, new_rules] = w.rules_ids[side].try_emplace(w.trace_key, uint32_t(w.rules[side].size()));
    if (new_rules) {
      std::vector<uint32_t> applicable;
      for (uint32_t r = 0; r < s.dec().rules.size(); ++r)
        if (w.tr[side][r] == 2) applicable.push_back(r);
      std::vector<uint32_t> deciding = ir::Winners(s.dec(), applicable);
      if (deciding.empty()) deciding.push_back(UINT32_MAX);
      w.rules[side].push_back(std::move(deciding));
    }
    ans.rules = rit->second;
    return ans;
  }

  // The verdict a worker's answer stands for.
  Verdict VerdictOf(int side, const Worker& w, const Answer& ans) const {
    if (!ans.ok) {
      Verdict v;
      v.key = std::string("error: ") + rt::Spelling(rt::RtErrorKind(ans.outcome));
      return v;
    }
    Verdict v = w.outcomes[side][ans.outcome].v;
    v.deciding = w.rules[side][ans.rules];
    return v;
  }

  static std::string RulesKey(const std::vector<uint32_t>& rs) {
    std::string k;
    for (uint32_t r : rs) k += std::to_string(r) + ",";
    return k;
  }

  void Process(cases::LineChunk& chunk, Worker& w) {
    auto stats = std::make_unique<DiffStats>();
    w.arena.Clear();
    w.Trim();
    // The chunk's classes, by the worker's numbers: (old ok, outcome, rules, new ok, outcome, rules).
    using Key = std::array<uint32_t, 6>;
    struct KeyHash {
      size_t operator()(const Key& k) const {
        size_t h = 0;
        for (uint32_t x : k) h = h * 0x9E3779B97F4A7C15ull + x;
        return h;
      }
    };
    struct Local {
      Answer a, b;
      uint64_t count = 0;
      std::vector<std::pair<uint64_t, std::string>> examples;
    };
    std::unordered_map<Key, size_t, KeyHash> index;
    std::vector<Local> local;
    std::string csv_json;
    cases::ForEachCaseLine(chunk, [&](uint64_t line, std::string_view row) {
      ++chunk.cases;
      w.issues.clear();
      if (csv_in) {  // the row as the JSON object both decoders read
        if (!csv.ToJson(row, line, &csv_json, &w.issues)) {
          ++stats->invalid;
          ++chunk.failed;
          for (const auto& is : w.issues)
            chunk.diagnostics += fmt::format("{}:{}: error: {}: {} [invalid_case]\n", o_.cases, line,
                                             is.field.empty() ? "the case" : "field `" + is.field + "`", is.message);
          return;
        }
        size_t size = csv_json.size();
        csv_json.append(rt::CaseDecoder::kPadding, ' ');
        row = std::string_view(csv_json.data(), size);
      }
      bool valid_old = false, valid_new = false;
      Answer a = Run(0, w, row, &valid_old);
      Answer b;
      if (valid_old)
        b = Run(1, w, row, &valid_new,
                same_input_ ? Aligned(w.in[0], old_.engine->info(old_.decision).input.size) : nullptr);
      if (!valid_old || !valid_new) {
        ++stats->invalid;
        ++chunk.failed;
        for (const auto& is : w.issues)
          chunk.diagnostics += fmt::format("{}:{}: error: {}: {} [invalid_case]\n", o_.cases, line,
                                           is.field.empty() ? "the case" : "field `" + is.field + "`", is.message);
        return;
      }
      if (!a.ok) ++stats->errors_old;
      if (!b.ok) ++stats->errors_new;
      // The same outcome, or the same error, on both sides is no change (docs/diff.md).
      bool same = a.ok && b.ok ? w.outcomes[0][a.outcome].text == w.outcomes[1][b.outcome].text
                               : !a.ok && !b.ok && a.outcome == b.outcome;
      if (same) {
        ++stats->unchanged;
        return;
      }
      ++stats->changed;
      Key key{a.ok, a.outcome, a.ok ? a.rules : 0, b.ok, b.outcome, b.ok ? b.rules : 0};
      auto [it, fresh] = index.try_emplace(key, local.size());
      if (fresh) local.push_back({a, b, 0, {}});
      Local& l = local[it->second];
      ++l.count;
      if (l.examples.size() < o_.examples) l.examples.emplace_back(line, std::string(row));
    });
    // The chunk's classes by their keys: several of the worker's numbers may name one class (an
    // outcome whose bytes differ, as an unreduced decimal, but whose text is the same).
    for (Local& l : local) {
      Verdict a = VerdictOf(0, w, l.a), b = VerdictOf(1, w, l.b);
      std::string key = a.key + '\x1f' + b.key + '\x1f' + RulesKey(a.deciding) + '\x1f' + RulesKey(b.deciding);
      auto [it, fresh] = stats->classes.try_emplace(key);
      if (fresh) {
        stats->order.push_back(key);
        it->second.old_v = std::move(a);
        it->second.new_v = std::move(b);
      }
      it->second.count += l.count;
      for (auto& ex : l.examples)
        if (it->second.examples.size() < o_.examples) it->second.examples.push_back(std::move(ex));
    }
    chunk.extra = std::move(stats);
  }

 public:
  cases::CsvCases csv;  // bound and given its header when the corpus is CSV
  bool csv_in = false;

 private:
  bool same_input_ = false;
  const DiffOptions& o_;
  Side& old_;
  Side& new_;
  DiffStats total_;
  uint64_t cases_ = 0;
};

std::vector<FieldChange> FieldChanges(const Side& s, const Verdict& a, const Verdict& b) {
  return FieldChanges(s, a.ok ? &a.value : nullptr, b.ok ? &b.value : nullptr);
}

std::string Corpus::Report() const {
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
std::string Corpus::ReportHtml(const std::vector<const std::string*>& keys) const {
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

std::vector<FieldChange> FieldChanges(const Side& s, const rt::Value* a, const rt::Value* b) {
  std::vector<FieldChange> out;
  const auto& types = s.m().types;
  rt::TypeId t = s.dec().result;
  if (!a || !b || types.kind(t) != rt::TypeKind::Record) return out;
  const auto& rec = types.records[types.info(t).ref];
  for (size_t i = 0; i < rec.fields.size(); ++i) {
    const rt::Value& x = (*a->AsRecord().fields)[i];
    const rt::Value& y = (*b->AsRecord().fields)[i];
    if (!rt::ValuesEqual(x, y))
      out.emplace_back(rec.fields[i].name, rt::FormatValue(x, rec.fields[i].type, types),
                       rt::FormatValue(y, rec.fields[i].type, types));
  }
  return out;
}

std::string SideJson(const Side& s) {
  const ir::Version& v = s.m().versions[size_t(s.version)];
  return fmt::format("{{\"version\":{},\"label\":{},\"effective\":{},\"file\":{}}}", rt::JsonQuote(s.Name()),
                     rt::JsonQuote(s.Label()), v.effective.empty() ? "null" : rt::JsonQuote(v.effective),
                     rt::JsonQuote(s.program->sources.file(v.file).path));
}

std::string VerdictJson(const Side& s, const std::string& error, const rt::Value& outcome,
                        const std::vector<uint32_t>& deciding) {
  if (!error.empty()) return fmt::format("{{\"outcome\":null,\"error\":{}}}", rt::JsonQuote(error));
  std::string provs;
  for (uint32_t rule : deciding) provs += (provs.empty() ? "" : ",") + s.ProvisionJson(rule);
  return fmt::format("{{\"outcome\":{},\"provisions\":[{}]}}", rt::ValueToJson(outcome, s.dec().result, s.m().types),
                     provs);
}

std::string ProvisionList(const Side& s, const std::vector<uint32_t>& deciding) {
  std::string p;
  for (uint32_t rule : deciding) p += (p.empty() ? "" : ", ") + s.Provision(rule);
  return p;
}

bool WriteReport(const std::string& report, const std::string& output, const std::string& format) {
  std::string safe = format == "text" || format == "markdown" ? rt::TerminalSafe(report, true) : std::string();
  std::string_view bytes = safe.empty() ? std::string_view(report) : std::string_view(safe);
  if (output.empty()) return WriteStdout(bytes);  // a failure is reported once, by main
  std::string error;
  if (WriteWholeFile(output, bytes, &error)) return true;
  std::cerr << "error: " << error << "\n";
  return false;
}

int CompileSides(Side* a, Side* b) {
  // One engine when both sides are one module; otherwise one each, compiled on two threads (each
  // has its own LLVM context and JIT).
  auto compile = [](Side* s, std::vector<uint32_t> only, std::string* error) {
    s->engine = jit::Engine::Create(s->m(), jit::Options{true, 1, std::move(only)}, error);
  };
  std::string errors[2];
  if (a->program == b->program) {
    compile(a, {a->decision, b->decision}, &errors[0]);
    b->engine = a->engine;
  } else {
    std::thread old_side(compile, a, std::vector<uint32_t>{a->decision}, &errors[0]);
    compile(b, {b->decision}, &errors[1]);
    old_side.join();
  }
  for (int i = 0; i < 2; ++i) {
    if ((i ? b : a)->engine) continue;
    std::cerr << "error: the JIT could not compile the program: " << errors[i] << "\n";
    return kCompileError;
  }
  return kOk;
}

int LoadAndCompile(const Common& c, const std::string& old_file, const std::string& new_file,
                   const std::string& decision, std::unique_ptr<load::Program> programs[2], Side* a, Side* b) {
  if (!LoadSides(c, old_file, new_file, decision, programs, a, b)) return kCompileError;
  return CompileSides(a, b);
}

int RunDiff(const Common& c, const DiffOptions& o) {
  std::unique_ptr<load::Program> programs[2];
  Side a, b;
  if (o.cases.empty()) {
    // The symbolic diff needs the engines only to replay its witnesses: they compile on their own
    // thread while Z3 enumerates the classes.
    if (!LoadSides(c, o.old_file, o.new_file, o.decision, programs, &a, &b)) return kCompileError;
    std::future<int> compiled = std::async(std::launch::async, [&] { return CompileSides(&a, &b); });
    return RunSymbolic(o, a, b, nullptr, [&] { return compiled.get(); });
  }
  if (int rc = LoadAndCompile(c, o.old_file, o.new_file, o.decision, programs, &a, &b); rc != kOk) return rc;
  std::string read_error;
  std::FILE* in = cases::OpenCaseInput(o.cases, &read_error);
  if (!in) {
    std::cerr << read_error << "\n";
    return kInputError;
  }
  Corpus corpus(o, a, b);
  cases::PipelineOptions po;
  bool header_ok = true;
  corpus.csv_in = o.input_format == "csv" || (o.input_format == "auto" && cases::IsCsvPath(o.cases));
  if (corpus.csv_in) {
    std::vector<rt::CaseParam> params;
    for (const auto& prm : a.dec().params) params.push_back({prm.name, prm.type});
    corpus.csv.Bind(&a.m().types, std::move(params));
    po.header = [&](std::string_view h) { return header_ok = corpus.csv.SetHeader(h, o.cases, std::cerr); };
  }
  po.csv = corpus.csv_in;
  po.name = o.cases;
  po.threads = o.threads > 0 ? unsigned(o.threads) : 0;
  po.progress = o.progress && isatty(2);
  bool ok = cases::RunLinePipeline(
      in, po, [&] { return corpus.MakeWorker(); }, [&](cases::LineChunk& chunk) { corpus.Merge(chunk); }, &read_error);
  if (in != stdin) std::fclose(in);
  corpus.errors.Finish();
  if (!header_ok) return kInputError;
  if (!ok) {
    std::cerr << read_error << "\n";
    return kInputError;
  }
  if (o.cross_check) {
    // Every class of the corpus must be one the symbolic diff finds, with flags it allows, and
    // its example cases (--examples of them) must have enum inputs its counts allow.
    std::map<std::string, SymbolicClass> symbolic;
    {
      std::vector<SymbolicClass> classes;
      if (int rc = RunSymbolic(o, a, b, &classes); rc != kOk) return rc;
      for (auto& k : classes) symbolic.emplace(k.key, std::move(k));
    }
    const DiffStats& t = corpus.total();
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
    decoder.SetTextScalars(corpus.csv_in);  // the examples of a CSV corpus are its records as JSON with text fields
    auto bad_counts = [&](const ClassStats& cs, const SymbolicClass& k) {
      std::string bad;
      for (const auto& [line, text] : cs.examples) {
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
      size_t line = cs.examples.empty() ? 0 : cs.examples[0].first;
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
        std::cout << fmt::format("flags the symbolic class does not allow: {} (corpus line {}; old: {}; new: {})\n",
                                 key, line, bad_old.empty() ? "ok" : bad_old, bad_new.empty() ? "ok" : bad_new);
      }
      if (!bad_count.empty())
        std::cout << fmt::format("inputs the symbolic class's counts do not allow: {} ({})\n", key, bad_count);
    }
    std::cout << fmt::format(
        "cross-check: {} of the corpus's {} transition classes ({} cases, {} changed) fall in {} of the {} "
        "classes of the symbolic diff, with the flags and counts of their example cases allowed{}\n",
        t.order.size() - missing, t.order.size(), corpus.cases(), t.changed, seen.size(), symbolic.size(),
        missing ? fmt::format("; {} do not", missing) : "");
    return missing ? kFailed : kOk;
  }
  if (!WriteReport(corpus.Report(), o.output, o.format)) return kOutputError;
  return corpus.total().invalid ? kFailed : kOk;
}

int RunExplainDiff(const Common& c, const ExplainDiffOptions& o) {
  std::unique_ptr<load::Program> programs[2];
  Side sides[2];
  if (!LoadSides(c, o.old_file, o.new_file, o.decision, programs, &sides[0], &sides[1])) return kCompileError;
  std::string text;
  std::string read_error;
  if (!cases::ReadCaseInput(o.case_file, &text, &read_error)) {
    std::cerr << read_error << "\n";
    return kInputError;
  }
  interp::DecisionTrace traces[2];
  std::string outcome[2];
  for (int k = 0; k < 2; ++k) {
    const Side& s = sides[k];
    std::vector<rt::CaseParam> ps;
    for (const auto& p : s.dec().params) ps.push_back({p.name, p.type});
    rt::CaseDecoder decoder(s.m().types, ps);
    rt::DecodedCase dc = decoder.Decode(text);
    if (!dc.issues.empty()) {
      for (const auto& is : dc.issues)
        std::cerr << fmt::format("{}: error: {}: {} [invalid_case]\n", o.case_file,
                                 is.field.empty() ? "the case" : "field `" + is.field + "`", is.message);
      return kFailed;
    }
    interp::Interpreter in(s.m());
    try {
      outcome[k] = rt::FormatValue(in.EvalDecision(s.decision, dc.args, &traces[k]), s.dec().result, s.m().types);
    } catch (const rt::EvalError& e) { outcome[k] = fmt::format("error [{}]: {}", rt::Spelling(e.kind), e.message); }
  }
  // Align the rules of the two versions by label; find the first where they part.
  auto status = [](const interp::RuleTrace* t) -> std::string {
    if (!t) return "not reached";
    if (t->decided) return "decides";
    if (t->applicable && !t->overridden_by.empty()) return "applies, overridden";
    return t->applicable ? "applies" : "does not apply";
  };
  auto find = [&](int k, const std::string& name) -> const interp::RuleTrace* {
    for (const auto& rt_ : traces[k].rules) {
      const ir::Rule& r = rt_.rule == UINT32_MAX ? sides[k].dec().default_rule : sides[k].dec().rules[rt_.rule];
      if (r.name == name) return &rt_;
    }
    return nullptr;
  };
  std::vector<std::string> names;
  for (int k = 0; k < 2; ++k) {
    for (const auto& r : sides[k].dec().rules)
      if (std::find(names.begin(), names.end(), r.name) == names.end()) names.push_back(r.name);
    if (sides[k].dec().has_default && std::find(names.begin(), names.end(), "default") == names.end())
      names.push_back("default");
  }
  std::string out = fmt::format("decision `{}` on {}\nold: {}\n  outcome: {}\nnew: {}\n  outcome: {}\n", o.decision,
                                o.case_file, sides[0].Label(), outcome[0], sides[1].Label(), outcome[1]);
  if (outcome[0] == outcome[1]) out += "the outcome is the same under both versions\n";
  std::string first;
  std::string table;
  for (const auto& name : names) {
    const interp::RuleTrace* a = find(0, name);
    const interp::RuleTrace* b = find(1, name);
    std::string sa = status(a), sb = status(b);
    auto prov = [&](int k, const interp::RuleTrace* t) {
      if (!t) return std::string();
      return sides[k].Provision(t->rule);
    };
    bool in_old = std::any_of(sides[0].dec().rules.begin(), sides[0].dec().rules.end(),
                              [&](const ir::Rule& r) { return r.name == name; }) ||
                  (name == "default" && sides[0].dec().has_default);
    bool in_new = std::any_of(sides[1].dec().rules.begin(), sides[1].dec().rules.end(),
                              [&](const ir::Rule& r) { return r.name == name; }) ||
                  (name == "default" && sides[1].dec().has_default);
    if (!in_old) sa = "not in this version";
    if (!in_new) sb = "not in this version";
    // A rule that does not apply has the same effect as no rule: only differences in effect count.
    auto effect = [](const std::string& st) {
      return st == "does not apply" || st == "not in this version" || st == "not reached" ? std::string() : st;
    };
    if (effect(sa) == effect(sb)) continue;
    auto side = [&](int k, const std::string& st, const interp::RuleTrace* t) {
      return t ? st + " — " + prov(k, t) : st;
    };
    std::string line = fmt::format("  `{}`: old {} | new {}\n", name, side(0, sa, a), side(1, sb, b));
    if (first.empty()) first = line;
    table += line;
  }
  if (!first.empty()) out += "first provision where they part:\n" + first + "every provision that differs:\n" + table;
  out += "\n--- old: explanation ---\n" + interp::ExplainText(sides[0].m(), sides[0].program->sources, traces[0]);
  out += "\n--- new: explanation ---\n" + interp::ExplainText(sides[1].m(), sides[1].program->sources, traces[1]);
  WriteStdout(rt::TerminalSafe(out, true));  // a failure is reported by main
  return kOk;
}

}  // namespace edict::diff
