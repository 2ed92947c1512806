#include "compiler/diff/symbolic_report.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "compiler/diff/html.h"
#include "compiler/diff/impact.h"
#include "compiler/diff/law_changes.h"
#include "compiler/diff/member_groups.h"
#include "compiler/diff/symbolic.h"
#include "compiler/interp/interp.h"

namespace edict::diff::sym {
namespace {

const char* StatusName(uint8_t st) {
  return st == kCanHave ? "always" : st == (kCanHave | kCanLack) ? "sometimes" : "never";
}

class Writer {
 public:
  Writer(const DiffOptions& o, const Side& a, const Side& b, const Findings& f, std::vector<ImpactKind> impacts,
         ir::Impact impact)
      : o_(o),
        a_(a),
        b_(b),
        f_(f),
        types_(a.m().types),
        impact_(std::move(impacts)),
        roles_(std::move(impact)),
        law_(FindLawChanges(a, b)) {
    for (const FlagName& fl : f_.flag_names)
      if (std::find(flag_fields_.begin(), flag_fields_.end(), fl.field) == flag_fields_.end())
        flag_fields_.push_back(fl.field);
    for (size_t i = 0; i < f_.flag_names.size(); ++i)
      if ((f_.global_flags[0][i].status & kCanHave) || (f_.global_flags[1][i].status & kCanHave))
        live_flags_.push_back(i);
    // The named groups of each enum input's members, which counts are told by.
    for (const smt::Input& in : f_.inputs) {
      if (types_.kind(in.type) == rt::TypeKind::Enum)
        input_groups_.push_back(FindMemberGroups({&a_.m(), &b_.m()}, types_.enums[types_.info(in.type).ref].name));
      else
        input_groups_.emplace_back();
    }
    // The typical value of each parameter (`typical const`), which witnesses are told against.
    interp::Interpreter in(a_.m());
    for (const auto& p : a_.dec().params) {
      int c = a_.m().TypicalOf(p.type, int(a_.dec().version));
      typical_.emplace_back();
      if (c < 0) continue;
      try {
        typical_.back() = in.EvalConst(uint32_t(c));
        typical_name_ = a_.m().consts[size_t(c)].name;
      } catch (const rt::EvalError&) {}
    }
  }

  std::string Json() const;
  std::string Text(bool md) const;
  std::string Html() const;

 private:
  // The summary's groups: per impact (in report order) the classes (0-based) that have it.
  std::vector<std::pair<ImpactKind, std::vector<size_t>>> Groups() const {
    std::vector<std::pair<ImpactKind, std::vector<size_t>>> g;
    for (ImpactKind kind : kImpactKinds) {
      std::vector<size_t> ks;
      for (size_t i = 0; i < impact_.size(); ++i)
        if (impact_[i] == kind) ks.push_back(i);
      if (!ks.empty()) g.emplace_back(kind, std::move(ks));
    }
    return g;
  }
  // The role of the outcome's field named `name` (a record's), Verdict if unknown.
  ir::ImpactRole RoleOf(const std::string& name) const {
    rt::TypeId t = a_.dec().result;
    if (types_.kind(t) != rt::TypeKind::Record) return ir::ImpactRole::Verdict;
    int fi = types_.records[types_.info(t).ref].FieldIndex(name);
    return fi >= 0 && size_t(fi) < roles_.fields.size() ? roles_.fields[size_t(fi)].role : ir::ImpactRole::Verdict;
  }
  // A class's changes in the fields of the role its impact is about: "licence_required: false ->
  // true; review: ..." for a change of verdict, the detail fields for a detail change.
  std::string Headline(const Class& k, ImpactKind kind) const {
    if (kind == ImpactKind::Error) return What(k);
    ir::ImpactRole want = kind == ImpactKind::Detail        ? ir::ImpactRole::Detail
                          : kind == ImpactKind::Explanation ? ir::ImpactRole::Explanation
                                                            : ir::ImpactRole::Verdict;
    std::string what;
    for (const auto& [fld, x, y] : Changes(k))
      if (RoleOf(fld) == want) what += (what.empty() ? "" : "; ") + fmt::format("{}: {} -> {}", fld, x, y);
    return what.empty() ? What(k) : what;
  }
  // The summary: per impact, one sentence with the count, then each distinct change of the
  // fields that matter to it with the classes (numbered as in the report) that make it.
  std::string SummaryText(bool md) const {
    std::string r = md ? "## Summary\n\n" : "Summary\n\n";
    if (f_.classes.empty()) return r + (md ? "" : "  ") + "No input changes verdict.\n\n";
    for (const auto& [kind, ks] : Groups()) {
      r += fmt::format("{}{}{} ({}): {} class{}\n", md ? "- **" : "  ", ImpactName(kind), md ? "**" : "",
                       ImpactMeaning(kind), ks.size(), ks.size() == 1 ? "" : "es");
      if (kind == ImpactKind::Explanation) continue;
      std::vector<std::pair<std::string, std::vector<size_t>>> lines;
      for (size_t k : ks) {
        std::string h = Headline(f_.classes[k], kind);
        auto it = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == h; });
        if (it == lines.end())
          lines.push_back({h, {k}});
        else
          it->second.push_back(k);
      }
      for (const auto& [h, which] : lines) {
        std::string nums = ClassNumbers(which);
        r += fmt::format("{}{} ({} {})\n", md ? "  - " : "      ", h, which.size() == 1 ? "class" : "classes", nums);
      }
    }
    return r + "\n";
  }
  const Side& S(int side) const { return side ? b_ : a_; }
  std::string Literal(const std::pair<size_t, bool>& l) const {
    return l.second ? f_.atoms[l.first].text : f_.atoms[l.first].negated;
  }
  using Lits = std::vector<std::pair<size_t, bool>>;
  std::string Conjunction(const Lits& lits) const {
    std::string conj;
    for (const auto& l : lits) conj += (conj.empty() ? "" : " and ") + Literal(l);
    return conj.empty() ? "always" : conj;
  }
  // A region as a reader sees it: each conjunction's shown conditions, those common to all of
  // them factored out (`any` empty: the common ones alone).
  struct Readable {
    Lits common;
    std::vector<Lits> any;
  };
  static Readable Read(const Region& rg) {
    Readable r;
    if (rg.cubes.empty()) return r;
    r.common = rg.cubes[0].shown;
    for (const Cube& c : rg.cubes) {
      Lits both;
      std::set_intersection(r.common.begin(), r.common.end(), c.shown.begin(), c.shown.end(), std::back_inserter(both));
      r.common = std::move(both);
    }
    for (const Cube& c : rg.cubes) {
      Lits rest;
      std::set_difference(c.shown.begin(), c.shown.end(), r.common.begin(), r.common.end(), std::back_inserter(rest));
      if (rest.empty()) {  // the common conditions alone: the others add nothing a reader needs
        r.any.clear();
        break;
      }
      if (std::find(r.any.begin(), r.any.end(), rest) == r.any.end()) r.any.push_back(std::move(rest));
    }
    // Two alternatives that differ in one condition's polarity alone are their common part
    // (A and x, A and not x: A); an empty one leaves the common conditions alone.
    for (bool merged = true; merged && !r.any.empty();) {
      merged = false;
      // An alternative that holds another's conditions and more adds nothing (A or A and y: A).
      for (size_t i = 0; i < r.any.size(); ++i) {
        Lits pivot = r.any[i];
        std::erase_if(r.any, [&](const Lits& o) {
          return o.size() > pivot.size() && std::includes(o.begin(), o.end(), pivot.begin(), pivot.end());
        });
        i = size_t(std::find(r.any.begin(), r.any.end(), pivot) - r.any.begin());
      }
      for (size_t i = 0; i < r.any.size() && !merged; ++i)
        for (size_t j = i + 1; j < r.any.size() && !merged; ++j) {
          const Lits &x = r.any[i], &y = r.any[j];
          if (x.size() != y.size()) continue;
          size_t diff = 0, at = 0;
          for (size_t t = 0; t < x.size(); ++t)
            if (x[t] != y[t]) ++diff, at = t;
          if (diff != 1 || x[at].first != y[at].first) continue;
          Lits both = x;
          both.erase(both.begin() + long(at));
          r.any.erase(r.any.begin() + long(j));
          if (both.empty()) {
            r.any.clear();
          } else {
            r.any[i] = std::move(both);
            r.any.erase(
                std::remove_if(r.any.begin() + long(i) + 1, r.any.end(), [&](const Lits& o) { return o == r.any[i]; }),
                r.any.end());
          }
          merged = true;
        }
    }
    if (r.any.size() == 1) {
      r.common.insert(r.common.end(), r.any[0].begin(), r.any[0].end());
      std::sort(r.common.begin(), r.common.end());
      r.any.clear();
    }
    return r;
  }
  // The fields that change, without sets: their members are flags, reported on their own line,
  // and their values in the witness do not name the class.
  std::vector<FieldChange> Changes(const Class& k) const {
    auto ch = FieldChanges(a_, k.old_c.error ? nullptr : &k.old_c.outcome, k.new_c.error ? nullptr : &k.new_c.outcome);
    std::erase_if(ch, [&](const FieldChange& c) {
      for (const FlagName& fl : f_.flag_names)
        if (fl.field == std::get<0>(c)) return true;
      return false;
    });
    return ch;
  }
  // A class's headline: the fields that change, or its two verdicts.
  std::string What(const Class& k) const {
    std::string what;
    for (const auto& [fld, x, y] : Changes(k))
      what += (what.empty() ? "" : "; ") + fmt::format("{}: {} -> {}", fld, x, y);
    if (!what.empty()) return what;
    bool record = types_.kind(a_.dec().result) == rt::TypeKind::Record;
    if (record && !k.old_c.error && !k.new_c.error) return "flags change";
    return Verdict(0, k.old_c) + " -> " + Verdict(1, k.new_c);
  }
  std::string Verdict(int side, const SideClass& sc) const {
    if (sc.error) return "error: " + ErrorOf(sc);
    return rt::FormatValue(sc.outcome, S(side).dec().result, types_);
  }
  std::string Provisions(int side, const SideClass& sc) const {
    return sc.error ? Verdict(side, sc) : ProvisionList(S(side), sc.deciding);
  }
  // The verdict's bool and enum parts, values only ("true · none · case_by_case"), naming a row
  // or column of the transition matrix; the whole finite projection when there are none.
  std::string Short(int side, const SideClass& sc) const {
    if (sc.error) return "error: " + ErrorOf(sc);
    rt::TypeId t = S(side).dec().result;
    if (types_.kind(t) != rt::TypeKind::Record) return rt::FormatValue(sc.outcome, t, types_);
    const auto& rec = types_.records[types_.info(t).ref];
    std::string s;
    for (size_t i = 0; i < rec.fields.size(); ++i) {
      rt::TypeKind kind = types_.kind(rec.fields[i].type);
      if (kind != rt::TypeKind::Bool && kind != rt::TypeKind::Enum) continue;
      s += (s.empty() ? "" : " \u00b7 ") +
           rt::FormatValue((*sc.outcome.AsRecord().fields)[i], rec.fields[i].type, types_);
    }
    return s.empty() ? rt::FormatValue(sc.outcome, t, types_) : s;
  }
  std::string ShortFields() const {
    rt::TypeId t = a_.dec().result;
    if (types_.kind(t) != rt::TypeKind::Record) return "outcome";
    std::string s;
    for (const auto& fl : types_.records[types_.info(t).ref].fields) {
      rt::TypeKind kind = types_.kind(fl.type);
      if (kind == rt::TypeKind::Bool || kind == rt::TypeKind::Enum) s += (s.empty() ? "" : " \u00b7 ") + fl.name;
    }
    return s.empty() ? "outcome" : s;
  }
  // The constants whose value the law changed that the region's shown conditions read (through
  // their helpers too): the thresholds that moved the class's boundary.
  std::vector<const LawChange*> DecidingConstants(const Region& rg) const {
    std::set<std::string> read;
    for (const Cube& c : rg.cubes)
      for (const auto& l : c.shown) read.insert(f_.atoms[l.first].consts.begin(), f_.atoms[l.first].consts.end());
    std::vector<const LawChange*> out;
    for (const LawChange& c : law_.changes)
      if (c.kind == "constant" && read.count(c.name)) out.push_back(&c);
    return out;
  }
  // A field for a reader of the HTML page: its doc string (else its name, with spaces), the path in
  // a tooltip. `path` is an input's (`t.consignee.parent_hq`, the parameter first) or, with
  // `outcome`, a field of the outcome (`warnings`).
  std::string PlainLabel(const std::string& path, bool outcome) const {
    const ir::Decision& d = a_.dec();
    std::vector<std::string> parts;
    for (size_t at = 0;;) {
      size_t dot = path.find('.', at);
      parts.push_back(path.substr(at, dot == std::string::npos ? std::string::npos : dot - at));
      if (dot == std::string::npos) break;
      at = dot + 1;
    }
    rt::TypeId t = d.result;
    size_t first = 0;
    if (!outcome) {
      auto p = std::find_if(d.params.begin(), d.params.end(), [&](const ir::Param& x) { return x.name == parts[0]; });
      if (p != d.params.end()) {
        t = p->type;
        first = 1;
      }
    }
    std::string doc;
    for (size_t i = first; i < parts.size(); ++i) {
      if (types_.kind(t) != rt::TypeKind::Record) break;
      const rt::RecordInfo& r = types_.records[types_.info(t).ref];
      int f = r.FieldIndex(parts[i]);
      if (f < 0) break;
      t = r.fields[size_t(f)].type;
      doc = i + 1 == parts.size() ? r.fields[size_t(f)].doc : "";
    }
    // A doc string longer than a label (an explanation) goes to the tooltip, beside the path.
    constexpr size_t kLabel = 60;
    std::string tip = path;
    if (doc.size() > kLabel) {
      tip += ": " + doc;
      doc.clear();
    }
    if (doc.empty()) {  // the path without its parameter, in words: "item kind"
      for (size_t i = first; i < parts.size(); ++i) doc += (doc.empty() ? "" : " ") + parts[i];
      std::replace(doc.begin(), doc.end(), '_', ' ');
    }
    return fmt::format("<span class=\"label\" title=\"{}\">{}</span>", HtmlEscape(tip), HtmlEscape(doc));
  }
  // `{"name": ..., "case": {param: value, ...}}`: the typical case witnesses are told against (its
  // parameters without a typical value left out), or null.
  std::string TypicalJson() const {
    std::string c;
    const ir::Decision& d = a_.dec();
    for (size_t i = 0; i < d.params.size() && i < typical_.size(); ++i)
      if (typical_[i])
        c += (c.empty() ? "" : ",") + rt::JsonQuote(d.params[i].name) + ":" +
             rt::ValueToJson(*typical_[i], d.params[i].type, types_);
    if (c.empty()) return "null";
    return fmt::format("{{\"name\":{},\"case\":{{{}}}}}", rt::JsonQuote(typical_name_), c);
  }
  bool Stated(const Class& k, size_t c) const { return c < k.count_stated.size() && k.count_stated[c]; }
  size_t Meters(const Class& k) const {
    size_t n = 0;
    for (size_t c = 0; c < k.counts.size(); ++c) n += !Stated(k, c);
    return n;
  }
  std::string InWords(size_t input, const std::set<uint32_t>& ms) const {
    return DescribeMembers(Members(input), ms, input_groups_[input]);
  }
  const std::vector<std::string>& Members(size_t input) const {
    return types_.enums[types_.info(f_.inputs[input].type).ref].members;
  }
  std::string MemberList(size_t input, const std::set<uint32_t>& ms) const {
    std::string s;
    for (uint32_t m : ms) s += (s.empty() ? "" : ", ") + Members(input)[m];
    return s;
  }
  // A set field's flags on one side of a class: "{a} + maybe {b, c}".
  std::string FlagSet(const Class& k, int side, const std::string& field) const {
    std::string always, maybe;
    for (size_t i = 0; i < f_.flag_names.size(); ++i) {
      if (f_.flag_names[i].field != field) continue;
      uint8_t st = k.flags[side][i];
      if (st == kCanHave)
        always += (always.empty() ? "" : ", ") + f_.flag_names[i].member;
      else if (st == (kCanHave | kCanLack))
        maybe += (maybe.empty() ? "" : ", ") + f_.flag_names[i].member;
    }
    return "{" + always + "}" + (maybe.empty() ? "" : " + maybe {" + maybe + "}");
  }
  // "where (beyond the deciding rules' own conditions): A and B, and any of:" and the lines of
  // the alternatives; `rules`: in a class (the deciding rules' conditions are left out).
  std::string RegionLines(const Region& rg, bool md, const std::string& ind, const std::string& pad, bool rules) const {
    Readable rd = Read(rg);
    auto code = [&](const std::string& t) { return md ? "`" + t + "`" : t; };
    std::string head = ind + "where" + (rules ? " (beyond the deciding rules' own conditions)" : "");
    std::string r;
    if (rd.common.empty() && rd.any.empty())
      r = head + (rules ? ": nothing more\n" : ": always\n");
    else if (rd.any.empty())
      r = head + ": " + code(Conjunction(rd.common)) + "\n";
    else
      r = head + (rd.common.empty() ? "" : ": " + code(Conjunction(rd.common)) + ", and") + " any of:\n";
    for (const Lits& alt : rd.any) r += fmt::format("{}- {}\n", pad, code(Conjunction(alt)));
    if (rg.capped) r += fmt::format("{}- ... (more conjunctions; --max-conjunctions 0 lists every one)\n", pad);
    return r;
  }
  std::string LitsJson(const Lits& lits) const {
    std::string s;
    for (const auto& l : lits) s += (s.empty() ? "" : ",") + rt::JsonQuote(Literal(l));
    return "[" + s + "]";
  }
  std::string RegionJson(const Region& rg, bool and_flags) const {
    std::string any, shown;
    for (const Cube& c : rg.cubes) any += (any.empty() ? "" : ",") + LitsJson(c.lits);
    Readable rd = Read(rg);
    for (const Lits& alt : rd.any) shown += (shown.empty() ? "" : ",") + LitsJson(alt);
    return fmt::format(
        "{{\"any_of\":[{}],\"shown\":{{\"all_of\":{},\"any_of\":[{}]}},\"and_flags_differ\":{},\"exact\":{},"
        "\"truncated\":{}}}",
        any, LitsJson(rd.common), shown, and_flags ? "true" : "false", rg.exact ? "true" : "false",
        rg.capped ? "true" : "false");
  }
  std::string RegionHtml(const Region& rg, bool rules) const {
    Readable rd = Read(rg);
    std::string r = fmt::format("<p>Where{}", rules ? " (beyond the deciding rules' own conditions)" : "");
    if (rd.common.empty() && rd.any.empty()) return r + (rules ? ": nothing more.</p>\n" : ": always.</p>\n");
    if (!rd.common.empty()) r += ": <code>" + HtmlEscape(Conjunction(rd.common)) + "</code>";
    if (rd.any.empty() && !rg.capped) return r + "</p>\n";
    r += std::string(rd.common.empty() ? "" : ", and") + " any of:</p>\n<ul class=\"region\">\n";
    for (const Lits& alt : rd.any) r += "<li><code>" + HtmlEscape(Conjunction(alt)) + "</code></li>\n";
    if (rg.capped)
      r += "<li class=\"muted\">... more conjunctions (<code>--max-conjunctions 0</code> lists every one)</li>\n";
    return r + "</ul>\n";
  }
  std::string ProvisionsHtml(int side, const SideClass& sc) const {
    if (sc.error) return HtmlEscape(Verdict(side, sc));
    std::string rows;
    for (uint32_t rule : sc.deciding) {
      auto p = S(side).Parts(rule);
      rows += fmt::format("<code>{}</code> &mdash; {} <span class=\"muted\" title=\"{}\">{}</span><br>",
                          HtmlEscape(p.rule), p.cite.empty() ? "<i>no citation</i>" : HtmlEscape(p.cite),
                          HtmlEscape(p.at), HtmlEscape(p.instrument));
    }
    return rows;
  }
  // The invariants both versions assume of their inputs (by name, first seen first), and the
  // inputs line of the report's header.
  std::vector<const ir::Invariant*> Invariants() const {
    std::vector<const ir::Invariant*> out;
    for (const Side* s : {&a_, &b_})
      for (const auto& g : s->dec().guards) {
        const ir::Invariant& inv = s->m().invariants[g.invariant];
        if (std::none_of(out.begin(), out.end(), [&](const ir::Invariant* x) { return x->name == inv.name; }))
          out.push_back(&inv);
      }
    return out;
  }
  std::string InputsLine(bool html) const {
    size_t bounded = BoundedFields();
    std::string lists[2];
    size_t counts[2] = {0, 0};
    for (const ir::Invariant* inv : Invariants()) {
      std::string& list = lists[inv->assumption];
      list +=
          (list.empty() ? "" : ", ") + (html ? "<code>" + HtmlEscape(inv->name) + "</code>" : "`" + inv->name + "`");
      ++counts[inv->assumption];
    }
    std::string meets;
    for (int k = 0; k < 2; ++k) {
      if (counts[k] == 0) continue;
      meets += fmt::format("{} the {}{} {}", meets.empty() ? " that meets" : " and", k ? "assumption" : "invariant",
                           counts[k] == 1 ? "" : "s", lists[k]);
    }
    return fmt::format(
        "every case inside the declared domains ({} bounded field{}){}, over {} atomic condition{} of "
        "the rules",
        bounded, bounded == 1 ? "" : "s", meets, f_.atoms.size(), f_.atoms.size() == 1 ? "" : "s");
  }
  size_t BoundedFields() const {
    size_t bounded = 0;
    for (const auto& rec : types_.records)
      for (const auto& fl : rec.fields) bounded += fl.bounds.empty() ? 0 : 1;
    return bounded;
  }

  // A witness told for a reader: the sentence its type's `describe` gives (empty without one), and
  // where it differs from the typical value (path and value), which is what its class needs.
  struct Story {
    std::string sentence;
    std::vector<std::pair<std::string, std::string>> unlike;
  };
  Story Tell(const Class& k) const {
    Story st;
    const ir::Decision& d = a_.dec();
    for (size_t i = 0; i < d.params.size() && i < k.witness.size(); ++i) {
      if (const ir::Description* desc = a_.m().DescriptionOf(d.params[i].type))
        st.sentence += (st.sentence.empty() ? "" : "; ") + ir::Describe(a_.m(), *desc, k.witness[i]);
      if (i < typical_.size() && typical_[i])
        Unlike(k.witness[i], *typical_[i], d.params[i].type, d.params.size() == 1 ? "" : d.params[i].name, st.unlike);
    }
    return st;
  }
  void Unlike(const rt::Value& v, const rt::Value& t, rt::TypeId type, const std::string& path,
              std::vector<std::pair<std::string, std::string>>& out) const {
    if (types_.kind(type) == rt::TypeKind::Record) {
      const auto& rec = types_.records[types_.info(type).ref];
      for (size_t f = 0; f < rec.fields.size(); ++f)
        Unlike((*v.AsRecord().fields)[f], (*t.AsRecord().fields)[f], rec.fields[f].type,
               path.empty() ? rec.fields[f].name : path + "." + rec.fields[f].name, out);
      return;
    }
    if (!rt::ValuesEqual(v, t)) out.emplace_back(path, rt::FormatValue(v, type, types_));
  }
  std::string UnlikeText(const Story& st) const {
    std::string u;
    for (const auto& [path, value] : st.unlike) u += (u.empty() ? "" : ", ") + path + " " + value;
    return u;
  }

  const DiffOptions& o_;
  const Side& a_;
  const Side& b_;
  const Findings& f_;
  const rt::TypeTable& types_;
  std::vector<std::optional<rt::Value>> typical_;  // per parameter
  std::string typical_name_;
  std::vector<std::string> flag_fields_;                // the set fields, in order
  std::vector<std::vector<MemberGroup>> input_groups_;  // per input: the named groups of its members
  std::vector<size_t> live_flags_;                      // the flags that hold somewhere on either side
  std::vector<ImpactKind> impact_;                      // per class
  ir::Impact roles_;                                    // how outcomes compare (declared or the default)
  LawChanges law_;                                      // what the law changed between the sides
};

std::string Writer::Json() const {
  auto verdict_json = [&](const Side& s, const SideClass& sc) {
    return VerdictJson(s, ErrorOf(sc), sc.outcome, sc.deciding);
  };
  std::string cls, flags, invariants;
  for (const ir::Invariant* inv : Invariants())
    invariants += fmt::format("{}{{\"name\":{},\"kind\":\"{}\"}}", invariants.empty() ? "" : ",",
                              rt::JsonQuote(inv->name), inv->assumption ? "assumption" : "invariant");
  for (size_t i : live_flags_) {
    std::string sides;
    for (int side = 0; side < 2; ++side) {
      const GlobalFlag& g = f_.global_flags[side][i];
      sides += fmt::format(",\"{}\":{{\"status\":\"{}\"{}}}", side ? "new" : "old", StatusName(g.status),
                           g.status == (kCanHave | kCanLack) ? ",\"region\":" + RegionJson(g.region, false) : "");
    }
    flags +=
        fmt::format("{}{{\"flag\":{}{}}}", flags.empty() ? "" : ",", rt::JsonQuote(f_.flag_names[i].Label()), sides);
  }
  for (size_t ci = 0; ci < f_.classes.size(); ++ci) {
    const Class& k = f_.classes[ci];
    std::string ch, counts, kflags;
    Story st = Tell(k);
    std::string unlike = "null";
    if (!typical_name_.empty()) {
      unlike.clear();
      for (const auto& [path, value] : st.unlike)
        unlike += fmt::format("{}{{\"path\":{},\"value\":{}}}", unlike.empty() ? "" : ",", rt::JsonQuote(path),
                              rt::JsonQuote(value));
      unlike = "[" + unlike + "]";
    }
    for (const auto& [fld, x, y] : Changes(k))
      ch += fmt::format("{}{{\"field\":{},\"old\":{},\"new\":{}}}", ch.empty() ? "" : ",", rt::JsonQuote(fld),
                        rt::JsonQuote(x), rt::JsonQuote(y));
    for (size_t c = 0; c < k.counts.size(); ++c) {
      const auto& [v, ms] = k.counts[c];
      std::string names;
      for (uint32_t m : ms) names += (names.empty() ? "" : ",") + rt::JsonQuote(Members(v)[m]);
      counts += fmt::format(
          "{}{{\"input\":{},\"count\":{},\"of\":{},\"members\":[{}],\"in_words\":{},\"stated_by_region\":{}}}",
          counts.empty() ? "" : ",", rt::JsonQuote(f_.inputs[v].path), ms.size(), Members(v).size(), names,
          rt::JsonQuote(InWords(v, ms)), Stated(k, c) ? "true" : "false");
    }
    std::string moved;
    for (const LawChange* c : DecidingConstants(k.region))
      moved += fmt::format("{}{{\"name\":{},\"old\":{},\"new\":{}}}", moved.empty() ? "" : ",", rt::JsonQuote(c->name),
                           rt::JsonQuote(c->old_value), rt::JsonQuote(c->new_value));
    for (size_t i : live_flags_) {
      auto st = [&](int side) {
        return k.flags[side].empty() ? std::string("null") : fmt::format("\"{}\"", StatusName(k.flags[side][i]));
      };
      kflags += fmt::format("{}{{\"flag\":{},\"old\":{},\"new\":{}}}", kflags.empty() ? "" : ",",
                            rt::JsonQuote(f_.flag_names[i].Label()), st(0), st(1));
    }
    cls += fmt::format(
        "{}{{\"number\":{},\"impact\":\"{}\",\"old\":{},\"new\":{},\"changes\":[{}],\"flags\":[{}],\"region\":{},"
        "\"constants_changed\":[{}],\"counts\":[{}],\"witness\":{},\"description\":{},\"unlike_typical\":{}}}",
        cls.empty() ? "" : ",", ci + 1, ImpactName(impact_[ci]), verdict_json(a_, k.old_c), verdict_json(b_, k.new_c),
        ch, kflags, RegionJson(k.region, k.region_and_flags), moved, counts, k.witness_json,
        st.sentence.empty() ? "null" : rt::JsonQuote(st.sentence), unlike);
  }
  std::string groups;
  for (const auto& [kind, ks] : Groups()) {
    std::string nums;
    for (size_t k : ks) nums += (nums.empty() ? "" : ",") + std::to_string(k + 1);
    groups +=
        fmt::format("{}{{\"impact\":\"{}\",\"classes\":[{}]}}", groups.empty() ? "" : ",", ImpactName(kind), nums);
  }
  return fmt::format(
      "{{\"mode\":\"symbolic\",\"decision\":{},\"old\":{},\"new\":{},\"complete\":{},\"status\":{},"
      "{},\"invariants\":[{}],\"typical\":{},\"summary\":{{\"groups\":[{}]}},\"flags\":[{}],\"classes\":[{}]}}\n",
      rt::JsonQuote(o_.decision), SideJson(a_), SideJson(b_), f_.complete() ? "true" : "false",
      rt::JsonQuote(f_.status), LawChangesJson(law_), invariants, TypicalJson(), groups, flags, cls);
}

std::string Writer::Text(bool md) const {
  std::string r, h1 = md ? "# " : "", h2 = md ? "## " : "", bullet = md ? "- " : "  ";
  r += fmt::format("{}Symbolic verdict diff of `{}`\n\n", h1, o_.decision);
  r += fmt::format("{}old: {}\n{}new: {}\n", bullet, a_.Label(), bullet, b_.Label());
  r += fmt::format("{}inputs: {}\n", bullet, InputsLine(false));
  r += fmt::format(
      "{}result: {} transition class{}; {}\n\n", bullet, f_.classes.size(), f_.classes.size() == 1 ? "" : "es",
      f_.complete() ? std::string("complete: Z3 proved that no other change of verdict exists") : f_.status);
  r += SummaryText(md);
  r += LawChangesText(law_, md);
  // Sections: changes of verdict, then errors, then changes that leave the verdict as it was.
  auto section = [&](ImpactKind kind) {
    if (kind == ImpactKind::Tightened) return std::string("Changes of verdict");
    if (kind == ImpactKind::Error) return std::string("Runtime errors: defects of the encoding");
    return std::string("Changes that leave the verdict as it was");
  };
  std::string current;
  size_t i = 0;
  for (const Class& k : f_.classes) {
    std::string title =
        section(impact_[i] == ImpactKind::Loosened || impact_[i] == ImpactKind::Mixed ? ImpactKind::Tightened
                : impact_[i] == ImpactKind::Explanation                               ? ImpactKind::Detail
                                                                                      : impact_[i]);
    if (title != current) {
      r += md ? h2 + title + "\n\n" : title + "\n\n";
      current = title;
    }
    ++i;
    r += fmt::format("{}{}. [{}] {}\n", md ? "### " : "", i, ImpactName(impact_[i - 1]), What(k));
    if (md) r += "\n";
    std::string ind = md ? "- " : "   ";
    r += fmt::format("{}old ({}): {}\n", ind, a_.Name(), Provisions(0, k.old_c));
    r += fmt::format("{}new ({}): {}\n", ind, b_.Name(), Provisions(1, k.new_c));
    for (const std::string& field : flag_fields_) {
      std::string o = k.old_c.error ? "error" : FlagSet(k, 0, field),
                  n = k.new_c.error ? "error" : FlagSet(k, 1, field);
      if (o == "{}" && n == "{}") continue;
      r += fmt::format("{}{}: {} -> {}\n", ind, field.empty() ? "outcome" : field, o, n);
    }
    r += RegionLines(k.region, md, ind, md ? "  " : "     ", true);
    for (const LawChange* c : DecidingConstants(k.region))
      r += fmt::format("{}{} changed here: {} -> {}\n", ind, md ? "`" + c->name + "`" : c->name, c->old_value,
                       c->new_value);
    if (k.region_and_flags) r += fmt::format("{}and the flags differ (see above)\n", ind);
    if (!k.region.exact)
      r += fmt::format("{}(the conditions shown also need the outcome's computed values to match)\n", ind);
    std::string cs;
    for (size_t c = 0; c < k.counts.size(); ++c)
      if (!Stated(k, c))
        cs += (cs.empty() ? "" : "; ") + f_.inputs[k.counts[c].first].path + ": " +
              InWords(k.counts[c].first, k.counts[c].second);
    if (!cs.empty()) r += fmt::format("{}counts: {}\n", ind, cs);
    Story st = Tell(k);
    if (!st.sentence.empty()) {
      // The sentence, and what makes the case unusual; the JSON is in --format json and --witnesses.
      r += fmt::format("{}witness: {}\n", ind, st.sentence);
      if (!typical_name_.empty())
        r += fmt::format("{}  {}\n", ind,
                         st.unlike.empty() ? "the typical case `" + typical_name_ + "` itself"
                                           : "unlike the typical case `" + typical_name_ + "`: " + UnlikeText(st));
      r += fmt::format("{}  (replayed on the interpreter and the JIT, both versions)\n\n", ind);
    } else {
      r += fmt::format("{}witness (replayed on the interpreter and the JIT, both versions):\n", ind);
      r += md ? "\n  ```json\n  " + k.witness_json + "\n  ```\n\n" : "      " + k.witness_json + "\n\n";
    }
  }
  if (!live_flags_.empty()) {
    r += fmt::format("{}Flags\n\n", md ? h2 : "");
    r += "The members of set-valued fields of the outcome are flags: classes do not split on them, but say which\n"
         "flags each side always, sometimes (maybe) or never has. Where each flag holds:\n\n";
    for (size_t i : live_flags_) {
      r +=
          fmt::format("{}{}\n", md ? "- " : "  ", md ? "`" + f_.flag_names[i].Label() + "`" : f_.flag_names[i].Label());
      for (int side = 0; side < 2; ++side) {
        const GlobalFlag& g = f_.global_flags[side][i];
        if (g.status == (kCanHave | kCanLack)) {
          r += RegionLines(g.region, md,
                           fmt::format("{}{} ({}): ", md ? "  - " : "     ", side ? "new" : "old", S(side).Name()),
                           md ? "    " : "       ", false);
        } else {
          r += fmt::format("{}{} ({}): {}\n", md ? "  - " : "     ", side ? "new" : "old", S(side).Name(),
                           StatusName(g.status));
        }
      }
    }
    r += "\n";
  }
  return r;
}

// The HTML page: the summary and the proof's status, a chart of the classes (a matrix of old
// verdict against new verdict, each cell linking to its classes), the flags, and a section per
// class with the provisions and citations on each side, the region, the counts (each drawn as a
// bar of the members the class allows), and the replayed witness.
std::string Writer::Html() const {
  const auto& cls = f_.classes;
  // The matrix: rows and columns in order of first appearance (classes are sorted).
  std::vector<std::string> rows, cols;
  std::map<std::pair<size_t, size_t>, std::vector<size_t>> cells;
  auto index = [](std::vector<std::string>& v, const std::string& s) {
    auto it = std::find(v.begin(), v.end(), s);
    if (it != v.end()) return size_t(it - v.begin());
    v.push_back(s);
    return v.size() - 1;
  };
  for (size_t i = 0; i < cls.size(); ++i)
    cells[{index(rows, Short(0, cls[i].old_c)), index(cols, Short(1, cls[i].new_c))}].push_back(i);
  size_t most = 0;
  for (const auto& [rc, ks] : cells) most = std::max(most, ks.size());
  size_t meters = 0;
  for (const Class& k : cls) meters += Meters(k);

  std::string h = HtmlHead(fmt::format("Symbolic verdict diff of {}: {} to {}", o_.decision, a_.Name(), b_.Name()));
  h += fmt::format("<body data-classes=\"{}\" data-cells=\"{}\" data-meters=\"{}\" data-complete=\"{}\">\n", cls.size(),
                   cells.size(), meters, f_.complete() ? "true" : "false");
  h += fmt::format("<h1>Symbolic verdict diff of <code>{}</code></h1>\n<table>\n", HtmlEscape(o_.decision));
  h += fmt::format("<tr><th>old</th><td>{}</td></tr>\n",
                   HtmlVersionLabel(a_.Pieces().name, a_.Pieces().title, a_.Pieces().citation, a_.Pieces().effective));
  h += fmt::format("<tr><th>new</th><td>{}</td></tr>\n",
                   HtmlVersionLabel(b_.Pieces().name, b_.Pieces().title, b_.Pieces().citation, b_.Pieces().effective));
  h += fmt::format("<tr><th>inputs</th><td>{}</td></tr>\n", InputsLine(true));
  h += fmt::format("<tr><th>result</th><td id=\"result\">{} transition class{}; {}</td></tr>\n</table>\n", cls.size(),
                   cls.size() == 1 ? "" : "es",
                   f_.complete() ? "<b>complete</b>: Z3 proved that no other change of verdict exists"
                                 : "<b>incomplete</b>: " + HtmlEscape(f_.status));

  if (!cls.empty()) {
    h += "<h2>Summary</h2>\n<table id=\"summary\">\n<tr><th>impact</th><th>classes</th><th>what changes</th></tr>\n";
    for (const auto& [kind, ks] : Groups()) {
      std::string what;
      std::string links = ClassNumbers(
          ks, [](size_t n) { return fmt::format("<a href=\"#class-{}\">{}</a>", n, n); }, " ", "&ndash;");
      for (size_t k : ks) {
        if (kind == ImpactKind::Explanation) continue;
        std::string line = HtmlEscape(Headline(cls[k], kind));
        if (what.find("<li>" + line + "</li>") == std::string::npos) what += "<li>" + line + "</li>";
      }
      h += fmt::format(
          "<tr class=\"group\"><td><span class=\"impact impact-{}\">{}</span><br><span class=\"muted\">{}</span></td>"
          "<td>{}: {}</td><td>{}</td></tr>\n",
          ImpactName(kind), ImpactName(kind), ImpactMeaning(kind), ks.size(), links,
          what.empty() ? std::string() : "<ul>" + what + "</ul>");
    }
    h += "</table>\n";
  }
  if (cls.empty()) {
    h += "<p>No input changes verdict.</p>\n";
  } else {
    h += "<h2>Transition classes</h2>\n";
    h += fmt::format(
        "<p>Old verdict (rows) against new verdict (columns), as <code>{}</code>; each cell gives the classes "
        "that move from its row to its column, and links to them. Darker cells hold more classes; red cells are "
        "stricter, green more permissive, amber mixed or failing, grey leave the verdict as it was.</p>\n",
        HtmlEscape(ShortFields()));
    h += "<table class=\"matrix\" id=\"matrix\">\n<tr><th>old \\ new</th>";
    for (const std::string& c : cols) h += "<th>" + HtmlEscape(c) + "</th>";
    h += "</tr>\n";
    for (size_t r = 0; r < rows.size(); ++r) {
      h += "<tr><th>" + HtmlEscape(rows[r]) + "</th>";
      for (size_t c = 0; c < cols.size(); ++c) {
        auto it = cells.find({r, c});
        if (it == cells.end()) {
          h += "<td></td>";
          continue;
        }
        const auto& ks = it->second;
        int alpha = int(15 + 60 * ks.size() / most);
        std::string links;
        for (size_t k : ks)
          links += fmt::format("{}<a href=\"#class-{}\" title=\"{}\">{}</a>", links.empty() ? "" : " ", k + 1,
                               HtmlEscape(What(cls[k])), k + 1);
        // Coloured by direction: the impact of the cell's classes (the first, in impact order, when
        // they differ): red where the new version is stricter, green where it is more permissive,
        // amber for mixed changes and errors, grey where the verdict stands.
        ImpactKind kind = impact_[ks.front()];
        for (size_t k : ks) kind = std::min(kind, impact_[k]);
        const char* rgb = kind == ImpactKind::Tightened                            ? "200,60,50"
                          : kind == ImpactKind::Loosened                           ? "40,150,70"
                          : kind == ImpactKind::Mixed || kind == ImpactKind::Error ? "210,150,20"
                                                                                   : "140,146,155";
        h += fmt::format("<td class=\"cell impact-cell-{}\" data-n=\"{}\" style=\"background:rgba({},.{:02})\">{}</td>",
                         ImpactName(kind), ks.size(), rgb, alpha, links);
      }
      h += "</tr>\n";
    }
    h += "</table>\n";
  }

  for (size_t i = 0; i < cls.size(); ++i) {
    const Class& k = cls[i];
    h += fmt::format(
        "<section class=\"class\" id=\"class-{}\" data-impact=\"{}\">\n<h3>{}. <span class=\"impact "
        "impact-{}\">{}</span> "
        "{}</h3>\n",
        i + 1, ImpactName(impact_[i]), i + 1, ImpactName(impact_[i]), ImpactName(impact_[i]), HtmlEscape(What(k)));
    h += "<table>\n<tr><th></th><th>decided by</th><th>outcome</th></tr>\n";
    for (int side = 0; side < 2; ++side) {
      const SideClass& sc = side ? k.new_c : k.old_c;
      h += fmt::format("<tr class=\"{}\"><th>{} ({})</th><td>{}</td><td><code>{}</code></td></tr>\n",
                       side ? "new" : "old", side ? "new" : "old", HtmlEscape(S(side).Name()), ProvisionsHtml(side, sc),
                       HtmlEscape(Short(side, sc)));
    }
    for (const std::string& field : flag_fields_) {
      std::string o = k.old_c.error ? "error" : FlagSet(k, 0, field),
                  n = k.new_c.error ? "error" : FlagSet(k, 1, field);
      if (o == "{}" && n == "{}") continue;
      h += fmt::format("<tr><th>{}</th><td colspan=\"2\"><code>{}</code> &rarr; <code>{}</code></td></tr>\n",
                       field.empty() ? "outcome" : PlainLabel(field, true), HtmlEscape(o), HtmlEscape(n));
    }
    h += "</table>\n";
    h += RegionHtml(k.region, true);
    for (const LawChange* c : DecidingConstants(k.region))
      h += fmt::format("<p><code>{}</code> changed here: {} &rarr; {}</p>\n", HtmlEscape(c->name),
                       HtmlEscape(c->old_value), HtmlEscape(c->new_value));
    if (k.region_and_flags) h += "<p>and the flags differ (see Flags).</p>\n";
    if (!k.region.exact)
      h += "<p class=\"muted\">The conditions shown also need the outcome's computed values to match.</p>\n";
    if (Meters(k)) {
      h += "<p>Counts:</p>\n<ul>\n";
      for (size_t c = 0; c < k.counts.size(); ++c) {
        if (Stated(k, c)) continue;
        const auto& [v, ms] = k.counts[c];
        size_t of = Members(v).size();
        const int w = 200;
        double bw = std::max(double(w) * double(ms.size()) / double(of), 1.0);
        h += fmt::format(
            "<li>{}: {} <svg class=\"meter\" width=\"{}\" height=\"12\" role=\"img\" "
            "aria-label=\"{} of {}\"><rect width=\"{}\" height=\"12\" fill=\"#e4e7eb\"></rect>"
            "<rect class=\"bar\" width=\"{:.1f}\" height=\"12\" fill=\"#3b6fb6\"></rect></svg>",
            PlainLabel(f_.inputs[v].path, false), HtmlEscape(InWords(v, ms)), w, ms.size(), of, w, bw);
        h += fmt::format("<details><summary>which</summary>{}</details></li>\n", HtmlEscape(MemberList(v, ms)));
      }
      h += "</ul>\n";
    }
    Story st = Tell(k);
    if (!st.sentence.empty()) {
      h += fmt::format("<p class=\"witness\"><b>Witness:</b> {}", HtmlEscape(st.sentence));
      if (!typical_name_.empty() && !st.unlike.empty())
        h += fmt::format(" <span class=\"muted\">(unlike the typical case: {})</span>", HtmlEscape(UnlikeText(st)));
      h += "</p>\n";
    }
    h += fmt::format(
        "<details><summary>witness as JSON (replayed on the interpreter and the JIT, both versions)</summary><pre>{}"
        "</pre></details>\n</section>\n",
        HtmlEscape(k.witness_json));
  }
  if (!live_flags_.empty()) {
    h += "<h2>Flags</h2>\n<p>The members of set-valued fields of the outcome are flags: classes do not split on them, "
         "but say "
         "which flags each side always, sometimes or never has. Where each flag holds:</p>\n";
    h += "<table>\n<tr><th>flag</th><th>old</th><th>new</th></tr>\n";
    for (size_t i : live_flags_) {
      h += "<tr><td><code>" + HtmlEscape(f_.flag_names[i].Label()) + "</code></td>";
      for (int side = 0; side < 2; ++side) {
        const GlobalFlag& g = f_.global_flags[side][i];
        h +=
            "<td>" + (g.status == (kCanHave | kCanLack) ? RegionHtml(g.region, false) : StatusName(g.status)) + "</td>";
      }
      h += "</tr>\n";
    }
    h += "</table>\n";
  }

  h += HtmlTail(R"(  var sections = document.querySelectorAll("section.class");
  if (sections.length !== Number(document.body.dataset.classes)) problems.push("sections do not match classes");
  var cells = document.querySelectorAll("#matrix td.cell"), inCells = 0;
  if (cells.length !== Number(document.body.dataset.cells)) problems.push("the matrix has " + cells.length + " cells");
  cells.forEach(function (c) {
    var links = c.querySelectorAll("a");
    inCells += links.length;
    if (links.length !== Number(c.dataset.n)) problems.push("a cell lists the wrong number of classes");
    links.forEach(function (a) { if (!document.querySelector(a.getAttribute("href"))) problems.push("a cell links nowhere"); });
    var box = c.getBoundingClientRect();
    if (!(box.width > 0 && box.height > 0)) problems.push("a cell has no size");
  });
  if (inCells !== sections.length) problems.push("the matrix lists " + inCells + " classes");
  var meters = document.querySelectorAll("svg.meter rect.bar");
  if (meters.length !== Number(document.body.dataset.meters)) problems.push("expected " + document.body.dataset.meters + " count bars");
)");
  return h;
}

}  // namespace

namespace {

// The classes in impact order (stable: rule order within an impact), numbered as reports number
// them, with each one's impact and the roles it was derived from.
Findings Sorted(const Side& a, const Side& b, const Findings& f, std::vector<ImpactKind>* sorted_impacts,
                ir::Impact* roles_out) {
  ir::Impact roles = ImpactFor(a.m(), b.m(), a.dec().result);
  const auto& types = a.m().types;
  std::vector<bool> sets;  // the record fields that are sets: their members are flags
  std::vector<std::string> names;
  if (types.kind(a.dec().result) == rt::TypeKind::Record)
    for (const auto& fl : types.records[types.info(a.dec().result).ref].fields) {
      sets.push_back(types.kind(fl.type) == rt::TypeKind::Set);
      names.push_back(fl.name);
    }
  std::vector<ImpactKind> impacts;
  for (const Class& k : f.classes) {
    // Without another change, the flags that differ name the impact (the weightiest role).
    ImpactKind otherwise = ImpactKind::Explanation;
    for (size_t i = 0; i < f.flag_names.size(); ++i) {
      if (k.flags[0].empty() || k.flags[1].empty() || k.flags[0][i] == k.flags[1][i]) continue;
      auto it = std::find(names.begin(), names.end(), f.flag_names[i].field);
      ImpactKind fk = it == names.end() ? ImpactKind::Mixed : FieldImpact(roles, size_t(it - names.begin()));
      if (fk == ImpactKind::Mixed || (fk == ImpactKind::Detail && otherwise == ImpactKind::Explanation)) otherwise = fk;
    }
    impacts.push_back(ClassImpact(roles, k.old_c.error ? nullptr : &k.old_c.outcome,
                                  k.new_c.error ? nullptr : &k.new_c.outcome, sets, otherwise));
  }
  std::vector<size_t> order(f.classes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return impacts[x] < impacts[y]; });
  Findings sorted = f;
  for (size_t i = 0; i < order.size(); ++i) {
    sorted.classes[i] = f.classes[order[i]];
    sorted_impacts->push_back(impacts[order[i]]);
  }
  *roles_out = std::move(roles);
  return sorted;
}

}  // namespace

std::string WitnessLines(const Side& a, const Side& b, const Findings& f) {
  std::vector<ImpactKind> impacts;
  ir::Impact roles;
  Findings sorted = Sorted(a, b, f, &impacts, &roles);
  std::string out;
  for (size_t i = 0; i < sorted.classes.size(); ++i) {
    const std::string& w = sorted.classes[i].witness_json;  // `{"param":...}`
    out += fmt::format("{{\"id\":\"class {}\",{}\n", i + 1, w.substr(1));
  }
  return out;
}

std::string Report(const DiffOptions& o, const Side& a, const Side& b, const Findings& f) {
  std::vector<ImpactKind> sorted_impacts;
  ir::Impact roles;
  Findings sorted = Sorted(a, b, f, &sorted_impacts, &roles);
  Writer w(o, a, b, sorted, std::move(sorted_impacts), std::move(roles));
  if (o.format == "json") return w.Json();
  if (o.format == "html") return w.Html();
  return w.Text(o.format == "markdown");
}

}  // namespace edict::diff::sym
