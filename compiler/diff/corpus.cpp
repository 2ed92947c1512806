#include "compiler/diff/corpus.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "compiler/cases/csv_cases.h"
#include "compiler/cases/results.h"
#include "compiler/jit/engine.h"
#include "runtime/abi.h"
#include "runtime/case_json.h"

namespace edict::diff {
namespace {

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
    for (auto& d : st->dec) {
      d.SetTextScalars(csv_in);  // CSV fields arrive as text
      d.SetLabelKey(o_.id_field);
    }
    return [this, st](cases::LineChunk& chunk) { Process(chunk, *st); };
  }

  void Merge(cases::LineChunk& chunk) {
    MergeStats(total_, std::move(*static_cast<DiffStats*>(chunk.extra.get())), o_.examples);
    cases_ += chunk.cases;
    errors.Write(chunk.diagnostics);
  }
  // The totals, once every chunk is merged.
  CorpusTotals Finish() { return {std::move(total_), cases_, csv_in}; }

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
    int32_t site = -1;     // an error's site
  };

  // A case that breaks an invariant of side s (error kind invalid_case at `site`) is invalid
  // input, not a verdict: the issue that names the invariant.
  rt::CaseIssue BrokenInvariant(int side, int32_t site) const {
    const Side& s = side ? new_ : old_;
    SourceRange at = s.engine->site(site);
    for (const auto& g : s.dec().guards) {
      const ir::Invariant& inv = s.m().invariants[g.invariant];
      if (inv.range == at) return {"", ir::BrokenInvariantMessage(inv, g.path)};
    }
    return {"", "it breaks an invariant of its inputs"};
  }

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
      ans.site = err.site;
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
      std::vector<Example> examples;
    };
    std::unordered_map<Key, size_t, KeyHash> index;
    std::vector<Local> local;
    std::string csv_json;
    // An invalid case: counted, and its issues reported as `FILE:LINE: error: ... [invalid_case]`.
    auto invalid = [&](uint64_t line) {
      ++stats->invalid;
      ++chunk.failed;
      chunk.diagnostics += cases::InvalidCaseDiagnostics(o_.cases, line, w.issues);
    };
    cases::ForEachCaseLine(chunk, [&](uint64_t line, std::string_view row) {
      ++chunk.cases;
      w.issues.clear();
      if (csv_in) {  // the row as the JSON object both decoders read
        if (!csv.ToJson(row, line, &csv_json, &w.issues)) {
          invalid(line);
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
        invalid(line);
        return;
      }
      auto broken = [](const Answer& x) { return !x.ok && x.outcome == uint32_t(rt::RtErrorKind::InvalidCase); };
      if (broken(a) || broken(b)) {
        w.issues.push_back(broken(a) ? BrokenInvariant(0, a.site) : BrokenInvariant(1, b.site));
        invalid(line);
        return;
      }
      if (!a.ok) ++stats->errors_old;
      if (!b.ok) ++stats->errors_new;
      // The same outcome, or the same error, on both sides is no change (docs/diff.md).
      bool same = a.ok && b.ok ? w.outcomes[0][a.outcome].text == w.outcomes[1][b.outcome].text
                               : !a.ok && !b.ok && a.outcome == b.outcome;
      const std::string& label = w.dec[0].label();
      if (o_.list_cases) {
        Verdict va = VerdictOf(0, w, a), vb = VerdictOf(1, w, b);
        std::string key =
            same ? "" : va.key + '\x1f' + vb.key + '\x1f' + RulesKey(va.deciding) + '\x1f' + RulesKey(vb.deciding);
        stats->rows.push_back({line, label, std::move(va), std::move(vb), std::move(key)});
      }
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
      if (l.examples.size() < o_.examples) l.examples.push_back({line, label, std::string(row)});
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

}  // namespace

int RunCorpus(const DiffOptions& o, Side& a, Side& b, CorpusTotals* out) {
  std::string read_error;
  std::FILE* in = cases::OpenCaseInput(o.cases, &read_error);
  if (!in) {
    std::cerr << read_error << "\n";
    return kInputError;
  }
  int rc = RunCorpusPart(o, a, b, in, 1, out);
  if (in != stdin) std::fclose(in);
  return rc;
}

int RunCorpusPart(const DiffOptions& o, Side& a, Side& b, std::FILE* in, uint64_t first_line, CorpusTotals* out) {
  std::string read_error;
  Corpus corpus(o, a, b);
  cases::PipelineOptions po;
  bool header_ok = true;
  corpus.csv_in = o.input_format == "csv" || (o.input_format == "auto" && cases::IsCsvPath(o.cases));
  if (corpus.csv_in) {
    std::vector<rt::CaseParam> params;
    for (const auto& prm : a.dec().params) params.push_back({prm.name, prm.type});
    corpus.csv.Bind(&a.m().types, std::move(params));
    corpus.csv.SetLabelColumn(o.id_field);
    po.header = [&](std::string_view h) { return header_ok = corpus.csv.SetHeader(h, o.cases, std::cerr); };
  }
  po.csv = corpus.csv_in;
  po.name = o.cases;
  po.first_line = first_line;
  po.threads = o.threads > 0 ? unsigned(o.threads) : 0;
  po.progress = o.progress && isatty(2);
  bool ok = cases::RunLinePipeline(
      in, po, [&] { return corpus.MakeWorker(); }, [&](cases::LineChunk& chunk) { corpus.Merge(chunk); }, &read_error);
  corpus.errors.Finish();
  if (!header_ok) return kInputError;
  if (!ok) {
    std::cerr << read_error << "\n";
    return kInputError;
  }
  *out = corpus.Finish();
  return kOk;
}

void MergeStats(DiffStats& total, DiffStats&& s, size_t examples) {
  total.unchanged += s.unchanged;
  total.changed += s.changed;
  total.invalid += s.invalid;
  total.errors_old += s.errors_old;
  total.errors_new += s.errors_new;
  for (const auto& key : s.order) {
    ClassStats& src = s.classes[key];
    auto [it, fresh] = total.classes.try_emplace(key);
    if (fresh) {
      total.order.push_back(key);
      it->second.old_v = std::move(src.old_v);
      it->second.new_v = std::move(src.new_v);
    }
    it->second.count += src.count;
    for (auto& ex : src.examples)
      if (it->second.examples.size() < examples) it->second.examples.push_back(std::move(ex));
  }
  for (auto& row : s.rows) total.rows.push_back(std::move(row));
}

}  // namespace edict::diff
