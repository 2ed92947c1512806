#include "compiler/driver/commands.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "compiler/base/output.h"
#include "compiler/cases/generate.h"
#include "compiler/cases/pipeline.h"
#include "compiler/cases/schema.h"
#include "compiler/diff/html.h"
#include "compiler/interp/explain.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/walk.h"
#include "compiler/jit/run.h"
#include "compiler/literate/literate.h"
#include "compiler/load/load.h"
#include "runtime/case_json.h"
#include "runtime/text.h"

namespace fs = std::filesystem;

namespace edict::driver {

// Prints diagnostics (text on stderr, or a JSON array on stdout for tools).
static void Report(const Common& c, const load::Program& p, const Diagnostics& d) {
  auto sorted = d.Sorted();
  if (c.diagnostics == "json") {
    std::cout << RenderJson(sorted, p.sources) << "\n";
    return;
  }
  for (const auto& x : sorted) std::cerr << RenderText(x, p.sources, c.color);
  if (d.error_count() > 0)
    std::cerr << fmt::format("{} error{} found\n", d.error_count(), d.error_count() == 1 ? "" : "s");
}

// Loads and checks; on errors reports them and returns false.
bool LoadOrReport(const Common& c, const std::vector<std::string>& files, load::Program& p) {
  Diagnostics d;
  bool ok = load::Load(files, p, d);
  if (!d.all().empty() || c.diagnostics == "json") Report(c, p, d);
  return ok;
}

// The version selected by --as-of (the root file's version without it); -1 after reporting.
int SelectVersion(const load::Program& p, const std::string& as_of) {
  if (as_of.empty()) return int(p.module.versions.size()) - 1;
  if (!rt::ParseDate(as_of)) {
    std::cerr << fmt::format("error: --as-of needs a date such as 2025-06-01, found `{}`\n", as_of);
    return -1;
  }
  int v = p.module.VersionAt(as_of);
  if (v < 0) {
    const auto& first = p.module.versions.front();
    std::cerr << fmt::format("error: no version of the law is in force on {}: the first, `{}`, takes effect on {}\n",
                             as_of, first.name, first.effective);
  }
  return v;
}

namespace {

// The decisions the tests of `file` call, directly or through functions.
// The decisions the tests of `file` exercise: those they call, and those these call in turn
// (a scope's variables, a helper decision): a rule decides an outcome in a test wherever it is
// reached from.
std::set<uint32_t> DecisionsTestsCall(const ir::Module& m, uint32_t file) {
  std::vector<ir::ExprId> work;
  for (const auto& t : m.tests)
    if (t.file == file)
      for (const auto& step : t.steps) work.push_back(step.expr);
  std::set<uint32_t> called = ir::DecisionsCalled(m, std::move(work));
  std::vector<bool> reached = ir::CallClosure(m, {called.begin(), called.end()});
  std::set<uint32_t> all;
  for (uint32_t d = 0; d < reached.size(); ++d)
    if (reached[d]) all.insert(d);
  return all;
}

// A source file's identity across the programs of one `edict test` run (each loads its files
// anew, and may reach one by different paths).
std::string FileKey(const load::Program& p, uint32_t file) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(p.sources.file(file).path, ec);
  return ec ? p.sources.file(file).path : canonical.string();
}

std::string RenderRuntimeError(const rt::EvalError& e, const SourceManager& sm, bool color) {
  // A broken invariant is the case's fault, not the rules': it is worded as bad input.
  const char* what = e.kind == rt::RtErrorKind::InvalidCase ? "invalid case" : "runtime error";
  Diagnostic d{DiagKind::SyntaxError, Severity::Error, e.range, fmt::format("{}: {}", what, e.message), {}};
  for (const auto& n : e.notes) d.notes.push_back({n.range, n.message});
  std::string s = RenderText(d, sm, color);
  // RenderText tags the first line with a compile-time kind; runtime errors carry their own.
  std::string tag = fmt::format(" [{}]\n", DiagName(d.kind));
  size_t pos = s.find(tag);
  if (pos != std::string::npos) s.replace(pos, tag.size(), fmt::format(" [{}]\n", rt::Spelling(e.kind)));
  return s;
}

std::string RuntimeErrorJson(const rt::EvalError& e, const SourceManager& sm) {
  return fmt::format("{{\"kind\":{},\"message\":{},\"at\":{}}}", rt::JsonQuote(rt::Spelling(e.kind)),
                     rt::JsonQuote(e.message), e.range.file < sm.size() ? rt::JsonQuote(sm.Where(e.range)) : "null");
}

int FindDecisionOrReport(const load::Program& p, const std::string& name, const std::string& file, int version = -1) {
  int d = p.module.FindDecision(name, version);
  if (d >= 0) return d;
  std::string names;
  const auto& ver = p.module.versions[version < 0 ? p.module.versions.size() - 1 : size_t(version)];
  for (const auto& [dec, _] : ver.decisions) names += (names.empty() ? "" : ", ") + dec;
  std::cerr << fmt::format("error: `{}` declares no decision `{}`{}\n", file, name,
                           names.empty() ? "" : "; its decisions are: " + names);
  return -1;
}

// The engine that evaluates decisions: the interpreter, or native code from the JIT.
class Evaluator {
 public:
  // `only`: the decision to compile (with what it calls); empty compiles every decision.
  Evaluator(const Common& c, const ir::Module& m, bool trace, std::vector<uint32_t> only = {}) : interp_(m) {
    if (c.engine != "jit") return;
    std::string error;
    engine_ = jit::Engine::Create(m, jit::Options{trace, 2, std::move(only)}, &error);
    if (!engine_) throw std::runtime_error("the JIT could not compile the program: " + error);
    runner_ = std::make_unique<jit::Runner>(m, *engine_);
  }
  rt::Value Eval(uint32_t d, std::vector<rt::Value> args, interp::DecisionTrace* trace) {
    if (runner_) return runner_->Eval(d, args, trace);  // explains the trace itself
    if (!trace) return interp_.EvalDecision(d, std::move(args));
    try {
      rt::Value v = interp_.EvalDecision(d, std::move(args), trace);
      interp_.Explain(trace);
      return v;
    } catch (const rt::EvalError&) {
      interp_.Explain(trace);
      throw;
    }
  }
  // For tests: the interpreter runs the test code, decisions go to the chosen engine.
  interp::Interpreter& TestInterpreter() {
    if (runner_)
      interp_.SetDecisionEngine([this](uint32_t d, std::vector<rt::Value> a) { return runner_->Eval(d, a); });
    return interp_;
  }

 private:
  interp::Interpreter interp_;
  std::unique_ptr<jit::Engine> engine_;
  std::unique_ptr<jit::Runner> runner_;
};

std::vector<rt::CaseParam> ParamsOf(const ir::Decision& d) {
  std::vector<rt::CaseParam> ps;
  for (const auto& p : d.params) ps.push_back({p.name, p.type});
  return ps;
}

}  // namespace

int RunCheck(const Common& c, const std::vector<std::string>& files) {
  load::Program p;
  if (!LoadOrReport(c, files, p)) return kCompileError;
  if (c.diagnostics == "text")
    std::cerr << fmt::format("ok: {} file{} checked, {} decision{}, {} test{}\n", p.files.size(),
                             p.files.size() == 1 ? "" : "s", p.module.decisions.size(),
                             p.module.decisions.size() == 1 ? "" : "s", p.module.tests.size(),
                             p.module.tests.size() == 1 ? "" : "s");
  return kOk;
}

int RunEval(const Common& c, const EvalOptions& o) {
  load::Program p;
  if (!LoadOrReport(c, {o.file}, p)) return kCompileError;
  int version = SelectVersion(p, o.as_of);
  if (version < 0) return kUsage;
  int di = FindDecisionOrReport(p, o.decision, o.file, version);
  if (di < 0) return kUsage;
  const ir::Decision& dec = p.module.decisions[size_t(di)];
  rt::CaseDecoder decoder(p.module.types, ParamsOf(dec));
  decoder.SetLabelKey("id");  // a case's label, as `edict diff` reads it, is not an input
  bool json = o.format == "json";
  bool html = o.format == "html";  // a page of explanations: --explain is implied
  bool explain = o.explain || html;
  Evaluator engine(c, p.module, explain, {uint32_t(di)});
  if (html)
    std::cout << diff::HtmlHead(fmt::format("edict eval: decision {}", dec.name))
              << fmt::format("<body>\n<h1>Decision <code>{}</code></h1>\n", diff::HtmlEscape(dec.name));
  // The case's section of the page.
  auto html_case = [&](const std::string& label, const std::string& body) {
    std::cout << fmt::format("<section class=\"case\">\n<h2>{}</h2>\n{}</section>\n", diff::HtmlEscape(label), body);
  };

  // Evaluates one decoded case; prints its result; returns true on success.
  auto evaluate = [&](std::vector<rt::Value> args, const std::string& label, long line) {
    interp::DecisionTrace trace;
    std::string prefix = line > 0 ? fmt::format("{}: ", line) : "";
    std::string line_json = line > 0 ? fmt::format("\"line\":{},", line) : "";
    try {
      rt::Value out = engine.Eval(uint32_t(di), std::move(args), explain ? &trace : nullptr);
      if (html) {
        html_case(label, diff::HtmlExplanation(interp::ExplainTree(p.module, p.sources, trace)));
      } else if (json) {
        std::cout << fmt::format("{{{}\"decision\":{},\"outcome\":{}", line_json, rt::JsonQuote(dec.name),
                                 rt::ValueToJson(out, dec.result, p.module.types));
        if (o.explain) std::cout << ",\"explanation\":" << interp::ExplainJson(p.module, p.sources, trace);
        std::cout << "}\n";
      } else if (o.explain) {
        std::cout << prefix << rt::TerminalSafe(interp::ExplainText(p.module, p.sources, trace), true)
                  << (line > 0 ? "\n" : "");
      } else {
        std::cout << prefix << rt::FormatValue(out, dec.result, p.module.types) << "\n";
      }
      return true;
    } catch (const rt::EvalError& e) {
      if (html) {
        html_case(label, fmt::format("<p>error [{}]: {}</p>\n", rt::Spelling(e.kind), diff::HtmlEscape(e.message)) +
                             diff::HtmlExplanation(interp::ExplainTree(p.module, p.sources, trace)));
      } else if (json) {
        std::cout << fmt::format("{{{}\"decision\":{},\"error\":{}", line_json, rt::JsonQuote(dec.name),
                                 RuntimeErrorJson(e, p.sources));
        if (o.explain) std::cout << ",\"explanation\":" << interp::ExplainJson(p.module, p.sources, trace);
        std::cout << "}\n";
      } else {
        std::cout << prefix << fmt::format("error [{}]: {}\n", rt::Spelling(e.kind), e.message);
      }
      std::cerr << rt::TerminalSafe(label) << ": " << RenderRuntimeError(e, p.sources, c.color);
      return false;
    }
  };
  auto report_issues = [&](const std::vector<rt::CaseIssue>& issues, const std::string& label, long line) {
    for (const auto& is : issues) {
      std::string where = is.field.empty() ? "the case" : "field `" + is.field + "`";
      std::cerr << rt::TerminalSafe(fmt::format("{}: error: {}: {} [invalid_case]", label, where, is.message)) << "\n";
    }
    if (html) {
      std::string items;
      for (const auto& is : issues)
        items += fmt::format("<li>{}: {}</li>\n",
                             is.field.empty() ? "the case" : "field <code>" + diff::HtmlEscape(is.field) + "</code>",
                             diff::HtmlEscape(is.message));
      html_case(label, "<p>error [invalid_case]:</p>\n<ul>\n" + items + "</ul>\n");
    } else if (json) {
      std::string arr;
      for (const auto& is : issues)
        arr += fmt::format("{}{{\"field\":{},\"message\":{}}}", arr.empty() ? "" : ",",
                           is.field.empty() ? "null" : rt::JsonQuote(is.field), rt::JsonQuote(is.message));
      std::cout << fmt::format("{{{}\"decision\":{},\"error\":{{\"kind\":\"invalid_case\",\"issues\":[{}]}}}}\n",
                               line > 0 ? fmt::format("\"line\":{},", line) : "", rt::JsonQuote(dec.name), arr);
    } else {
      std::string first =
          issues.empty()
              ? ""
              : (issues[0].field.empty() ? "the case: " : "field `" + issues[0].field + "`: ") + issues[0].message;
      std::cout << (line > 0 ? fmt::format("{}: ", line) : "") << "error [invalid_case]: " << first
                << (issues.size() > 1 ? fmt::format(" (and {} more)", issues.size() - 1) : "") << "\n";
    }
  };

  if (!o.case_file.empty()) {
    std::string text, error;
    if (!cases::ReadCaseInput(o.case_file, &text, &error)) {
      std::cerr << error << "\n";
      return kInputError;
    }
    rt::DecodedCase dc = decoder.Decode(text);
    bool decided = dc.issues.empty();
    if (decided)
      decided = evaluate(std::move(dc.args), o.case_file, 0);
    else
      report_issues(dc.issues, o.case_file, 0);
    if (html) std::cout << "</body>\n</html>\n";
    return decided ? kOk : kFailed;
  }
  // The cases file is read by the batch pipeline's reader (checked reads, a bounded line
  // length), on one thread; the cases are evaluated in order as their chunks arrive.
  std::string error;
  std::FILE* in = cases::OpenCaseInput(o.cases_file, &error);
  if (!in) {
    std::cerr << error << "\n";
    return kInputError;
  }
  long cases = 0, failed = 0;
  std::exception_ptr escaped;  // an internal error while evaluating, rethrown on this thread
  cases::PipelineOptions po;
  po.threads = 1;
  po.name = o.cases_file;
  std::atomic<bool> stop{false};
  po.stop = &stop;
  auto eval_line = [&](uint64_t n, std::string_view line) {
    ++cases;
    std::string label = fmt::format("{}:{}", o.cases_file, n);
    rt::DecodedCase dc = decoder.Decode(line);
    if (!dc.issues.empty()) {
      report_issues(dc.issues, label, long(n));
      ++failed;
      return;
    }
    if (!evaluate(std::move(dc.args), label, long(n))) ++failed;
  };
  bool ok = cases::RunLinePipeline(
      in, po, [] { return [](cases::LineChunk&) {}; },
      [&](cases::LineChunk& chunk) {
        if (escaped || stop) return;
        try {
          cases::ForEachCaseLine(chunk, eval_line);
        } catch (...) { escaped = std::current_exception(); }
        if (!std::cout) stop = true;  // results are being lost: read no further
      },
      &error);
  if (in != stdin) std::fclose(in);
  std::cout << std::flush;
  if (escaped) std::rethrow_exception(escaped);
  if (!ok) {
    std::cerr << error << "\n";
    return kInputError;
  }
  if (html) std::cout << "</body>\n</html>\n" << std::flush;
  if (!std::cout) return kOutputError;  // main says why; no summary over lost results
  std::cerr << fmt::format("{} case{}: {} decided, {} failed\n", cases, cases == 1 ? "" : "s", cases - failed, failed);
  return failed ? kFailed : kOk;
}

bool EdictFiles(const std::vector<std::string>& paths, std::vector<std::string>* files) {
  bool readable = true;
  for (const auto& p : paths) {
    if (fs::is_directory(p)) {
      std::vector<std::string> found;
      std::error_code ec;
      fs::recursive_directory_iterator it(p, ec), end;
      std::string last = p;  // the entry the iterator last stood on: the folder it fails to enter
      for (; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        last = it->path().string();
        if (literate::IsSource(last) && !it->is_directory(type_ec)) found.push_back(last);
      }
      if (ec) {
        std::cerr << fmt::format("error: cannot read the folder `{}`: {}\n", last, ec.message());
        readable = false;
      }
      std::sort(found.begin(), found.end());
      files->insert(files->end(), found.begin(), found.end());
    } else {
      files->push_back(p);
    }
  }
  return readable;
}

int RunTest(const Common& c, const std::vector<std::string>& paths, bool verbose, bool coverage) {
  std::vector<std::string> files;
  // A folder that cannot be listed: its tests cannot run, which is a failure.
  bool unreadable = !EdictFiles(paths, &files);
  size_t passed = 0, failed = 0, broken_files = 0, total_files = 0;
  // Rule coverage over the whole run: a rule (by file and place) is covered when a test of any file
  // decided an outcome with it.
  std::map<std::tuple<std::string, uint32_t, uint32_t>, std::pair<std::string, bool>> all_rules;
  // Each diagnostic is shown once, not once per file that imports the file it is in.
  std::set<std::tuple<std::string, uint32_t, uint32_t, int, std::string>> shown;
  for (const auto& f : files) {
    load::Program p;
    ++total_files;
    Diagnostics diags;
    bool loaded = load::Load({f}, p, diags);
    {
      Diagnostics fresh;
      for (const auto& x : diags.Sorted()) {
        auto key = std::make_tuple(x.range.file < p.sources.size() ? FileKey(p, x.range.file) : std::string(),
                                   x.range.begin, x.range.end, int(x.kind), x.message);
        if (shown.insert(key).second) fresh.Add(x.kind, x.range, x.message).notes = x.notes;
      }
      if (!fresh.all().empty() || c.diagnostics == "json") Report(c, p, fresh);
    }
    if (!loaded) {
      ++broken_files;
      std::cout << fmt::format("FAIL {} (the file has errors; its tests did not run)\n", f);
      continue;
    }
    // Rule coverage is counted by the interpreter, so --coverage evaluates there.
    Common cc = c;
    if (coverage) cc.engine = "interp";
    Evaluator engine(cc, p.module, false);
    interp::Interpreter& interp = engine.TestInterpreter();
    if (coverage) interp.EnableCoverage();
    for (uint32_t t = 0; t < p.module.tests.size(); ++t) {
      const ir::Test& test = p.module.tests[t];
      if (p.roots.empty() || test.file != p.roots[0]) continue;  // tests of imported files run with those files
      auto r = interp.RunTest(t);
      if (r.failures.empty()) {
        ++passed;
        if (verbose) std::cout << fmt::format("PASS {}::{}\n", f, test.name);
        continue;
      }
      ++failed;
      std::cout << fmt::format("FAIL {}::{}\n", f, test.name);
      for (const auto& fl : r.failures) {
        std::cout << rt::TerminalSafe(fmt::format("  {}: {}", p.sources.Where(fl.range), fl.message), true) << "\n";
        std::cout << RenderSnippet(fl.range, p.sources, false);
      }
    }
    if (coverage && !p.roots.empty()) {
      // The rules counted: those the file declares, and every rule of the decisions its tests
      // call, wherever they are declared. A rule is identified by where it is declared; it is
      // covered when any version's copy of it decided an outcome in one of this file's tests.
      std::set<uint32_t> called = DecisionsTestsCall(p.module, p.roots[0]);
      std::map<std::tuple<std::string, uint32_t, uint32_t>, std::pair<std::string, bool>> rules;
      for (size_t d = 0; d < p.module.decisions.size(); ++d) {
        const ir::Decision& dec = p.module.decisions[d];
        auto note = [&](const ir::Rule& r, size_t idx) {
          if (r.name_range.file != p.roots[0] && !called.count(uint32_t(d))) return;
          if (r.name_range.file >= p.sources.size()) return;
          auto key = std::make_tuple(FileKey(p, r.name_range.file), r.name_range.begin, r.name_range.end);
          auto& entry = rules[key];
          entry.first = fmt::format("{}: rule `{}` of `{}`", p.sources.Where(r.name_range), r.name, dec.name);
          entry.second = entry.second || interp.decided()[d][idx] > 0;
        };
        for (size_t r = 0; r < dec.rules.size(); ++r) note(dec.rules[r], r);
        if (dec.has_default) note(dec.default_rule, dec.rules.size());
      }
      size_t covered = 0;
      for (const auto& [key, e] : rules) {
        covered += e.second;
        auto& entry = all_rules[key];
        if (entry.first.empty()) entry.first = e.first;
        entry.second = entry.second || e.second;
      }
      if (!rules.empty())
        std::cout << fmt::format("coverage {}: {} of {} rules decided an outcome in a test\n", f, covered,
                                 rules.size());
    }
  }
  size_t uncovered = 0;
  if (coverage) {
    for (const auto& [_, e] : all_rules)
      if (!e.second) {
        ++uncovered;
        std::cout << "  never decided: " << e.first << "\n";
      }
    std::cout << fmt::format("rule coverage: {} of {} rules ({} file{})\n", all_rules.size() - uncovered,
                             all_rules.size(), total_files, total_files == 1 ? "" : "s");
  }
  // Nothing tested is not a success: a mistyped folder, or tests that were never written.
  bool none = passed + failed == 0 && broken_files == 0 && !unreadable;
  bool ok = failed == 0 && broken_files == 0 && !unreadable && uncovered == 0 && !none;
  std::string why;
  if (broken_files) why += fmt::format(", {} file{} with errors", broken_files, broken_files == 1 ? "" : "s");
  if (uncovered)
    why += fmt::format(", {} rule{} never decided an outcome (--coverage)", uncovered, uncovered == 1 ? "" : "s");
  if (none) why += total_files ? ": no tests found" : ": no .edict files found";
  std::cout << fmt::format("test result: {}. {} passed, {} failed{} ({} file{})\n", ok ? "ok" : "FAILED", passed,
                           failed, why, total_files, total_files == 1 ? "" : "s");
  if (broken_files) return kCompileError;
  if (unreadable) return kInputError;
  return failed || uncovered || none ? kFailed : kOk;
}

int RunDoc(const Common& c, const std::vector<std::string>& paths, const doc::SiteOptions& o) {
  std::vector<std::string> files;
  if (!EdictFiles(paths, &files)) return kInputError;
  if (files.empty()) {
    std::cerr << "error: no .edict or .edict.md files to document\n";
    return kInputError;
  }
  std::vector<doc::Source> sources(files.size());
  bool ok = true;
  for (size_t i = 0; i < files.size(); ++i) {
    sources[i].path = files[i];
    ok = LoadOrReport(c, {files[i]}, sources[i].program) && ok;
  }
  if (!ok) {
    std::cerr << "error: the program has errors: no site written\n";
    return kCompileError;
  }
  return doc::WriteSite(c, sources, o);
}

int RunSchema(const Common& c, const std::string& file, const std::string& decision) {
  // The input of a decision is the same in every version (types are shared): use the root's.
  load::Program p;
  if (!LoadOrReport(c, {file}, p)) return kCompileError;
  int di = FindDecisionOrReport(p, decision, file);
  if (di < 0) return kUsage;
  std::cout << cases::SchemaJson(p.module, uint32_t(di));
  return kOk;
}

int RunCases(const Common& c, const std::string& file, const std::string& decision, size_t count, uint64_t seed) {
  load::Program p;
  if (!LoadOrReport(c, {file}, p)) return kCompileError;
  int di = FindDecisionOrReport(p, decision, file);
  if (di < 0) return kUsage;
  cases::Generator gen(p.module, uint32_t(di), seed);
  std::string buffer;
  for (size_t i = 0; i < count; ++i) {
    std::vector<rt::Value> args;
    try {
      args = gen.Next();
    } catch (const cases::NoValidCase& e) {
      if (!WriteStdout(buffer)) return kOutputError;
      std::cerr << fmt::format("{}: error: {} ({} of {} cases written)\n", file, e.what(), i, count);
      return kFailed;
    }
    buffer += gen.ToJson(args);
    buffer += '\n';
    if (buffer.size() > (1 << 20)) {
      if (!WriteStdout(buffer)) return kOutputError;  // main reports why; stop generating
      buffer.clear();
    }
  }
  return WriteStdout(buffer) ? kOk : kOutputError;
}

int RunDump(const Common& c, const std::string& file, const std::string& phase) {
  load::Program p;
  bool ok = LoadOrReport(c, {file}, p);
  if (phase == "ast") {
    for (const auto& f : p.files) {
      if (p.roots.empty() || f.file_id != p.roots[0]) continue;
      std::cout << ast::Print(f);
    }
    return ok ? kOk : kCompileError;
  }
  if (!ok) return kCompileError;
  std::cout << ir::Print(p.module);
  return kOk;
}

}  // namespace edict::driver
