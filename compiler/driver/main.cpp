// The `edict` command line.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <iostream>
#include <system_error>

#include <fmt/format.h>

#include "compiler/base/limits.h"

#include "compiler/base/output.h"
#include "compiler/base/stack.h"
#include "compiler/diff/diff.h"
#include "compiler/driver/batch.h"
#include "compiler/driver/build.h"
#include "compiler/driver/commands.h"
#include "compiler/load/load.h"
#include "compiler/lsp/lsp.h"
#include "compiler/serve/serve.h"

using namespace edict;
using namespace edict::driver;

namespace {

// Every numeric option is checked as text before CLI11 converts it: bound to an unsigned type,
// `-1` wrapped to 2^64 - 1 (`cases -n -1` ran for ever), and `-j 100000` started 100,000 threads.
CLI::Validator WholeNumber(uint64_t lo, uint64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        uint64_t v = 0;
        bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (digits && ec == std::errc() && end == s.data() + s.size() && v >= lo && v <= hi) return "";
        return hi == UINT64_MAX ? fmt::format("must be a whole number, 0 or more, found `{}`", s)
                                : fmt::format("must be a whole number between {} and {}, found `{}`", lo, hi, s);
      },
      hi == UINT64_MAX ? "UINT" : fmt::format("INT in {}..{}", lo, hi));
}
// An origin as a browser sends it: scheme://host[:port], no path; or `*` for any.
const CLI::Validator kOrigin(
    [](std::string& s) -> std::string {
      if (s == "*") return "";
      size_t scheme = s.find("://");
      bool ok = scheme != std::string::npos && scheme > 0 && s.size() > scheme + 3 &&
                s.find_first_of("/?#", scheme + 3) == std::string::npos &&
                s.find_first_of(" \t\r\n,") == std::string::npos &&
                s.substr(0, scheme).find_first_not_of("abcdefghijklmnopqrstuvwxyz+.-") == std::string::npos;
      if (ok) return "";
      return fmt::format(
          "must be an origin such as https://rules.example.org or http://localhost:8000 (scheme, host and port, "
          "no path nor trailing slash), or * for any, found `{}`",
          s);
    },
    "ORIGIN");
const CLI::Validator kCount = WholeNumber(0, UINT64_MAX);
const CLI::Validator kThreads = WholeNumber(1, edict::limits::kMaxThreads);

}  // namespace

int main(int argc, char** argv) {
  edict::InstallStdoutBuffer();
  CLI::App app{"Edict: a compiler and interpreter for regulations written as code"};
  app.require_subcommand(1);
  app.fallthrough();
  Common common;
  std::string color = "auto";
  app.add_option("--diagnostics", common.diagnostics, "How to print errors in the program: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--color", color, "Colour in diagnostics: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  std::vector<std::string> allow_import;
  app.add_option("--allow-import", allow_import,
                 "Let imports name files in DIR too (repeatable); by default an import must stay in the folder "
                 "of the file named on the command line, or name a module of the standard library")
      ->allow_extra_args(false)
      ->check(CLI::ExistingDirectory);
  app.footer(
      "Exit codes: 0 success; 1 a case, test or evaluation failed; 2 the program has errors;\n"
      "3 an input file cannot be read; 64 the command line is wrong; 71 the system refused a thread;\n"
      "74 an output could not be written.");

  auto* check = app.add_subcommand("check", "Parse and check Edict files; print every diagnostic");
  std::vector<std::string> check_files;
  check->add_option("files", check_files, "Edict source files")->required();

  auto* eval = app.add_subcommand("eval", "Evaluate a decision on one case or on JSON Lines of cases");
  EvalOptions eo;
  eval->add_option("file", eo.file, "The Edict file that declares the decision")->required();
  eval->add_option("--decision,-d", eo.decision, "The decision to evaluate")->required();
  auto* case_opt =
      eval->add_option("--case", eo.case_file, "A JSON file holding one case (an object, one key per input)");
  auto* cases_opt =
      eval->add_option("--cases", eo.cases_file, "A JSON Lines file: one case per line; one result per line");
  case_opt->excludes(cases_opt);
  eval->add_flag("--explain", eo.explain,
                 "Explain each outcome: rules applied, overridden, and the values that decided");
  eval->add_option("--format", eo.format,
                   "Output format: text, json, or html (a self-contained page of explanations; implies --explain)")
      ->check(CLI::IsMember({"text", "json", "html"}));
  eval->add_option("--as-of", eo.as_of, "Evaluate the version of the law in force on this date (YYYY-MM-DD)");
  eval->add_option("--engine", common.engine,
                   "interp (the reference interpreter, default) or jit (native code via LLVM)")
      ->check(CLI::IsMember({"interp", "jit"}));

  auto* batch =
      app.add_subcommand("batch", "Evaluate a decision on a stream of cases (JSON Lines or CSV) with every core");
  BatchOptions bo;
  batch->add_option("file", bo.file, "The Edict file that declares the decision")->required();
  batch->add_option("--decision,-d", bo.decision, "The decision to evaluate")->required();
  batch
      ->add_option("--cases", bo.cases,
                   "JSON Lines or CSV (with a header row of input names; dotted for records); - reads stdin")
      ->required();
  batch->add_option("--input-format", bo.input_format, "auto (by the file's extension), jsonl or csv")
      ->check(CLI::IsMember({"auto", "jsonl", "csv"}));
  batch->add_option("--format", bo.format, "jsonl (default), csv, or lines (one outcome per line)")
      ->check(CLI::IsMember({"jsonl", "csv", "lines"}));
  batch->add_option("--output,-o", bo.output, "Write results to this file instead of standard output");
  batch->add_option("--engine", bo.engine, "jit (default) or interp")->check(CLI::IsMember({"interp", "jit"}));
  batch->add_option("--threads,-j", bo.threads, "Worker threads, 1 to 1024 (default: every core)")->check(kThreads);
  batch->add_option("--as-of", bo.as_of, "Evaluate the version of the law in force on this date (YYYY-MM-DD)");
  bool no_progress = false;
  batch->add_flag("--no-progress", no_progress, "Do not show progress on the terminal");
  batch->add_flag("--stats", bo.stats, "Add time, throughput and threads to the summary line");
  batch->add_option("--max-errors", bo.max_errors, "Error lines shown on stderr (default 100; 0 shows every one)")
      ->check(kCount);

  auto* build = app.add_subcommand(
      "build", "Compile a decision to a shared library, a C header and the JSON Schema of its input");
  BuildOptions bd;
  build->add_option("file", bd.file, "The Edict file that declares the decision")->required();
  build->add_option("--decision,-d", bd.decision, "The decision")->required();
  build->add_option("--name", bd.name, "Name of the library and of its entry point (default: the decision's name)");
  build->add_option("--output-dir,-o", bd.out_dir,
                    "Directory for lib<name>.so, <name>.h and <name>.schema.json (default: .)");

  auto* diffc = app.add_subcommand("diff", "Which cases change verdict between two versions of a regulation, and why");
  edict::diff::DiffOptions df;
  diffc->add_option("old", df.old_file, "The old version (alone: that file's version against the one it amends)")
      ->required();
  diffc->add_option("new", df.new_file, "The new version");
  diffc->add_option("--decision,-d", df.decision, "The decision to compare")->required();
  diffc->add_option("--cases", df.cases,
                    "Corpus mode (without it, the symbolic diff with Z3): JSON Lines or CSV (header row of dotted "
                    "input names); - reads stdin");
  diffc->add_option("--input-format", df.input_format, "auto (by the file's extension), jsonl or csv")
      ->check(CLI::IsMember({"auto", "jsonl", "csv"}));
  diffc->add_option("--format", df.format, "text (default), markdown, json or html (a self-contained page)")
      ->check(CLI::IsMember({"text", "markdown", "json", "html"}));
  diffc->add_option("--output,-o", df.output, "Write the report to this file");
  diffc->add_option("--examples", df.examples, "Example cases per transition class (default 3)")->check(kCount);
  diffc
      ->add_option("--max-conjunctions", df.max_conjunctions,
                   "Symbolic: conjunctions listed per region (default 6; 0 lists every one, so no region is truncated)")
      ->check(kCount);
  diffc
      ->add_option("--solver-limit", df.solver_limit,
                   fmt::format("Symbolic: Z3's resource limit for each step of the search for classes (default {}; "
                               "0: none); a step that reaches it ends the search, marked incomplete",
                               limits::kSymbolicSolverLimit))
      ->check(WholeNumber(0, UINT32_MAX));
  diffc->add_option("--threads,-j", df.threads, "Worker threads, 1 to 1024 (default: every core)")->check(kThreads);
  diffc->add_flag("--cross-check", df.cross_check,
                  "With --cases: run the symbolic diff too and check that every class of the corpus is one it finds");
  diffc
      ->add_option("--max-errors", df.max_errors,
                   "With --cases: error lines shown on stderr (default 100; 0 shows every one)")
      ->check(kCount);
  diffc->add_option("--id-field", df.id_field,
                    "With --cases: the top-level key (CSV: column) whose value labels a case in reports (default id)");
  diffc->add_flag("--list-cases", df.list_cases,
                  "With --cases: list every case with both verdicts, unchanged ones included");
  diffc->add_option("--witnesses", df.witnesses,
                    "Symbolic: also write each class's witness to this file, as JSON Lines labelled \"class N\" (the "
                    "input of eval --cases)");
  diffc->add_flag("--sample", df.sample,
                  "With --cases: the corpus is a sample, so the report gives shares of it (default: a list of cases)");
  bool diff_no_progress = false;
  diffc->add_flag("--no-progress", diff_no_progress, "Do not show progress on the terminal");

  auto* verifyc = app.add_subcommand(
      "verify", "Prove with Z3 which runtime errors a decision can reach, and which rules never apply or never matter");
  VerifyOptions vo;
  vo.solver_limit = limits::kSymbolicSolverLimit;
  verifyc->add_option("files", vo.paths, "Edict files, or folders (searched for .edict files)")->required();
  verifyc->add_option("--decision,-d", vo.decision, "Only this decision (default: every decision)");
  auto* vo_as_of =
      verifyc->add_option("--as-of", vo.as_of, "Only the version of the law in force on this date (YYYY-MM-DD)");
  verifyc->add_option("--version", vo.version, "Only the version of this instrument (default: every version)")
      ->excludes(vo_as_of);
  verifyc->add_option("--format", vo.format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  verifyc->add_option("--output,-o", vo.output, "Write the report to this file");
  verifyc
      ->add_option("--solver-limit", vo.solver_limit,
                   fmt::format("Z3's resource limit for each question (default {}; 0: none); a question that reaches "
                               "it is reported as not proved",
                               limits::kSymbolicSolverLimit))
      ->check(WholeNumber(0, UINT32_MAX));
  bool errors_only = false;
  verifyc->add_flag("--errors-only", errors_only,
                    "Only the runtime errors: skip the questions about rules (never applies, always overridden, no "
                    "effect, redundant)");

  auto* explain = app.add_subcommand("explain", "Explain one case; with --diff, under two versions side by side");
  edict::diff::ExplainDiffOptions ed;
  std::vector<std::string> explain_diff;
  explain->add_option("--diff", explain_diff, "OLD NEW: the two versions to compare")->expected(2)->required();
  explain->add_option("--decision,-d", ed.decision, "The decision")->required();
  explain->add_option("--case", ed.case_file, "A JSON file holding one case")->required();

  auto* test = app.add_subcommand("test", "Run the `test` blocks of Edict files (directories are searched)");
  std::vector<std::string> test_paths;
  bool verbose = false;
  test->add_option("paths", test_paths, "Files or directories")->required();
  test->add_flag("--verbose,-v", verbose, "List every test, not only failures");
  bool coverage = false;
  test->add_flag("--coverage", coverage,
                 "Report, per file, the rules no test made decide an outcome; fail if there is one");
  test->add_option("--engine", common.engine, "interp (default) or jit: the engine the tests' decision calls run on")
      ->check(CLI::IsMember({"interp", "jit"}));

  auto* schema = app.add_subcommand("schema", "Print the JSON Schema of a decision's input");
  std::string schema_file, schema_decision;
  schema->add_option("file", schema_file, "The Edict file")->required();
  schema->add_option("--decision,-d", schema_decision, "The decision")->required();

  auto* gen = app.add_subcommand("cases",
                                 "Generate random cases (JSON Lines) for a decision's input, biased to its boundaries");
  std::string gen_file, gen_decision;
  size_t gen_count = 1000;
  uint64_t gen_seed = 1;
  gen->add_option("file", gen_file, "The Edict file")->required();
  gen->add_option("--decision,-d", gen_decision, "The decision")->required();
  gen->add_option("--count,-n", gen_count, "How many cases (default 1000)")->check(kCount);
  gen->add_option("--seed", gen_seed, "Seed of the generator (default 1); the same seed gives the same cases")
      ->check(kCount);

  auto* fmtc = app.add_subcommand("fmt", "Rewrite Edict files in the canonical layout (directories are searched)");
  std::vector<std::string> fmt_paths;
  bool fmt_check = false;
  fmtc->add_option("paths", fmt_paths, "Files or directories; - reads standard input and writes standard output")
      ->required();
  fmtc->add_flag("--check", fmt_check,
                 "Change nothing: print a unified diff of what would change, and exit 1 if anything would");

  auto* lsp = app.add_subcommand("lsp", "Serve the Language Server Protocol to an editor on standard input and output");
  bool lsp_stdio = false;
  lsp->add_flag("--stdio", lsp_stdio,
                "Use standard input and output (the default and only transport; accepted for clients that pass it)");

  auto* docc =
      app.add_subcommand("doc", "Write a regulation as a static documentation site (docs/cli.md, docs/publishing.md)");
  std::vector<std::string> doc_paths;
  edict::doc::SiteOptions doc_options;
  bool no_diff = false, doc_no_progress = false;
  docc->add_option("files", doc_paths, "Edict files, or folders (searched for .edict and .edict.md files)")->required();
  docc->add_option("--output,-o", doc_options.output, "The folder to write the site into (created if missing)")
      ->required();
  docc->add_flag("--no-diff", no_diff,
                 "Leave out the symbolic diff of each version against the previous one (Z3; slow)");
  docc->add_flag("--no-progress", doc_no_progress, "Do not report progress on standard error");
  docc->add_option("--api", doc_options.api,
                   "The address of an `edict serve` of this regulation (https://...): the site then carries the page "
                   "for trying a case, in try/, which asks that service")
      ->check([](const std::string& url) {
        return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0
                   ? std::string()
                   : std::string("expected the address of a service, such as https://decisions.example.org");
      });

  auto* serve = app.add_subcommand("serve", "Serve a program's decisions over HTTP (docs/publishing.md)");
  edict::serve::ServeOptions so;
  serve->add_option("file", so.file, "The Edict file to serve (its imports and the versions it amends come with it)")
      ->required();
  serve->add_option("--host", so.host, "The address to listen on (default 127.0.0.1)");
  serve->add_option("--port,-p", so.port, "The port (default 8080; 0: any free port, printed on standard output)")
      ->check(WholeNumber(0, 65535));
  serve->add_option("--log", so.log, "The decision log, JSON Lines (default decisions.jsonl)");
  serve->add_option("--log-max-bytes", so.log_max_bytes, "Rotate the log when it passes this size (default 64 MiB)")
      ->check(WholeNumber(1, UINT64_MAX));
  serve->add_option("--log-keep", so.log_keep, "Rotated logs kept, FILE.1 (newest) to FILE.N (default 5)")
      ->check(WholeNumber(0, 1000));
  serve->add_option("--max-body", so.max_body, "Largest request body in bytes, beyond which 413 (default 1 MiB)")
      ->check(WholeNumber(1, UINT64_MAX));
  serve
      ->add_option("--timeout", so.timeout,
                   "Seconds allowed to read a request, to write a response, and to decide a stream (default 10)")
      ->check(WholeNumber(1, 3600));
  serve->add_option("--threads", so.threads, "Connections handled at once, one thread each (default 16)")
      ->check(kThreads);
  serve
      ->add_option("--queue", so.queue,
                   "Connections accepted and waiting for a thread; beyond it new ones wait in the kernel (default 64)")
      ->check(WholeNumber(1, 100000));
  serve
      ->add_option("--watch-interval", so.watch_ms,
                   "Milliseconds between checks of the program's files for changes (default 1000; 0: no reload)")
      ->check(WholeNumber(0, 3600000));
  serve->add_option("--engine", so.engine, "jit (default: native code, with the code cache) or interp")
      ->check(CLI::IsMember({"interp", "jit"}));
  serve
      ->add_option("--allow-origin", so.allow_origins,
                   "Let pages from this origin (https://host[:port], or * for any) call the API: CORS headers; "
                   "may be repeated")
      ->check(kOrigin);

  auto* dump = app.add_subcommand("dump", "Print a compiler stage: the AST or the checked IR");
  std::string dump_file, phase = "ir";
  dump->add_option("file", dump_file, "The Edict file")->required();
  dump->add_option("--phase", phase, "ast or ir")->check(CLI::IsMember({"ast", "ir"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);  // --help prints the usage to standard output: checked like any output
    std::string write_error;
    if (!edict::FinishStdout(&write_error)) {
      if (!write_error.empty()) std::cerr << "error: " << write_error << "\n";
      return kOutputError;
    }
    return rc == 0 ? kOk : kUsage;
  }
  common.color = color == "always" || (color == "auto" && isatty(2));
  edict::load::AllowImportsFrom(allow_import);
  auto RunCommand = [&]() -> int {
    try {
      if (*check) return RunCheck(common, check_files);
      if (*eval) {
        if (eo.case_file.empty() && eo.cases_file.empty()) {
          std::cerr << "error: `edict eval` needs --case FILE or --cases FILE\n";
          return kUsage;
        }
        return RunEval(common, eo);
      }
      if (*test) return RunTest(common, test_paths, verbose, coverage);
      if (*build) return RunBuild(common, bd);
      if (*diffc) {
        df.progress = !diff_no_progress;
        return edict::diff::RunDiff(common, df);
      }
      if (*verifyc) {
        vo.rules = !errors_only;
        return RunVerify(common, vo);
      }
      if (*explain) {
        ed.old_file = explain_diff[0];
        ed.new_file = explain_diff[1];
        return edict::diff::RunExplainDiff(common, ed);
      }
      if (*batch) {
        bo.progress = !no_progress;
        return RunBatch(common, bo);
      }
      if (*schema) return RunSchema(common, schema_file, schema_decision);
      if (*dump) return RunDump(common, dump_file, phase);
      if (*fmtc) return RunFormat(common, fmt_paths, fmt_check);
      if (*gen) return RunCases(common, gen_file, gen_decision, gen_count, gen_seed);
      if (*lsp) return edict::lsp::Serve(0, 1);
      if (*serve) return edict::serve::Serve(common, so);
      if (*docc) {
        doc_options.diff = !no_diff;
        doc_options.progress = !doc_no_progress;
        return RunDoc(common, doc_paths, doc_options);
      }
    } catch (const std::system_error& e) {  // a thread the system would not start, say
      std::cerr << "error: " << e.what() << "\n";
      return kSystemError;
    } catch (const std::bad_alloc&) {
      std::cerr << "error: out of memory (the input may be too large for the memory this process may use)\n";
      return 70;
    } catch (const std::exception& e) {
      std::cerr << "edict: internal error: " << e.what() << "\n";
      return 70;
    }
    return kUsage;
  };
  int rc = edict::RunWithStack(edict::kCommandStackBytes, RunCommand);
  // Whatever the command did, output it could not write is lost: say so, and fail.
  std::string write_error;
  if (!edict::FinishStdout(&write_error)) {
    if (!write_error.empty()) std::cerr << "error: " << write_error << "\n";
    return kOutputError;
  }
  return rc;
}
