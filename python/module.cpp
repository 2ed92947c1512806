// edict._edict: the extension module under the Python package `edict` (python/edict/__init__.py
// is its public face; docs/python.md). It only connects Python to the existing libraries: a
// program is loaded and checked by compiler/load, cases are decoded by runtime/case_json (the
// package writes Python values as a case's JSON; CSV goes through compiler/cases), decisions run
// on the JIT (compiler/jit) or the interpreter (compiler/interp), explanations come from
// interp/explain, the corpus diff from compiler/diff. Outcomes are converted to Python values
// here: exact decimals as fractions.Fraction (or decimal.Decimal when the caller asks and the
// value has a finite decimal expansion), dates as datetime.date, enum members as strings.
//
// Evaluation never holds the GIL while it works: a batch runs in the case pipeline of
// compiler/cases (every core), and only the conversion of each chunk's outcomes to Python
// objects, in input order, takes the GIL.
#include <dlfcn.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "compiler/cases/csv_cases.h"
#include "compiler/cases/pipeline.h"
#include "compiler/cases/results.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/diff/corpus.h"
#include "compiler/diff/diff.h"
#include "compiler/diff/sides.h"
#include "compiler/interp/explain.h"
#include "compiler/interp/interp.h"
#include "compiler/jit/aot.h"
#include "compiler/jit/engine.h"
#include "compiler/jit/run.h"
#include "compiler/load/load.h"
#include "runtime/abi.h"
#include "runtime/case_json.h"
#include "runtime/int128.h"
#include "runtime/layout.h"

namespace py = pybind11;
using namespace edict;

namespace {

// Raised when a program does not load (its diagnostics are the message), or a library call is
// given something it cannot use; __init__.py re-exports them.
struct LoadFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct UsageFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A loaded, checked program.
struct Program {
  std::string path;
  load::Program p;
  std::string warnings;  // the diagnostics of a program that loaded (warnings), as text
};

std::shared_ptr<Program> LoadProgram(const std::string& path, const std::vector<std::string>& allow_imports) {
  auto prog = std::make_shared<Program>();
  prog->path = path;
  if (!allow_imports.empty()) load::AllowImportsFrom(allow_imports);
  Diagnostics d;
  bool ok;
  {
    py::gil_scoped_release release;
    ok = load::Load({path}, prog->p, d);
  }
  std::string text;
  for (const auto& x : d.Sorted()) text += RenderText(x, prog->p.sources, false);
  if (!ok) throw LoadFailure(text.empty() ? fmt::format("error: `{}` could not be loaded", path) : text);
  prog->warnings = text;
  return prog;
}

py::list Versions(const Program& prog) {
  py::list out;
  const ir::Module& m = prog.p.module;
  for (const ir::Version& v : m.versions) {
    py::dict d;
    d["name"] = v.name;
    d["effective"] = v.effective.empty() ? py::object(py::none()) : py::object(py::str(v.effective));
    d["file"] = prog.p.sources.file(v.file).path;
    py::list decisions;
    for (const auto& [name, _] : v.decisions) decisions.append(name);
    d["decisions"] = decisions;
    out.append(d);
  }
  return out;
}

// The version in force on `as_of` (YYYY-MM-DD), or named `version`, or the last one.
int SelectVersion(const Program& prog, const std::string& as_of, const std::string& version) {
  const ir::Module& m = prog.p.module;
  if (!as_of.empty() && !version.empty()) throw UsageFailure("give either as_of or version, not both");
  if (!version.empty()) {
    for (size_t i = 0; i < m.versions.size(); ++i)
      if (m.versions[i].name == version) return int(i);
    std::string names;
    for (const auto& v : m.versions) names += (names.empty() ? "" : ", ") + ("`" + v.name + "`");
    throw UsageFailure(fmt::format("`{}` has no version `{}`; its versions are: {}", prog.path, version, names));
  }
  if (as_of.empty()) return int(m.versions.size()) - 1;
  if (!rt::ParseDate(as_of))
    throw UsageFailure(fmt::format("as_of needs a date such as 2025-06-01, found `{}`", as_of));
  int v = m.VersionAt(as_of);
  if (v < 0)
    throw UsageFailure(fmt::format("no version of the law is in force on {}: the first, `{}`, takes effect on {}",
                                   as_of, m.versions.front().name, m.versions.front().effective));
  return v;
}

// Outcomes as Python values, with the objects the conversion needs looked up once.
class Converter {
 public:
  Converter(const rt::TypeTable& types, bool decimals_as_decimal) : types_(types), as_decimal_(decimals_as_decimal) {
    fraction_ = py::module_::import("fractions").attr("Fraction");
    decimal_ = py::module_::import("decimal").attr("Decimal");
    date_ = py::module_::import("datetime").attr("date");
    duration_ = py::module_::import("edict._values").attr("Duration");
  }

  py::object ToPy(const rt::Value& v, rt::TypeId t) {
    const rt::TypeInfo& ti = types_.info(t);
    switch (ti.kind) {
      case rt::TypeKind::Error: return py::none();
      case rt::TypeKind::Bool: return py::bool_(v.AsBool());
      case rt::TypeKind::Integer: return py::int_(v.AsInt());
      case rt::TypeKind::Decimal: return Dec(v.AsDec());
      case rt::TypeKind::Date: {
        rt::Ymd ymd = rt::CivilFromDays(v.AsDate().days);
        return date_(ymd.year, ymd.month, ymd.day);
      }
      case rt::TypeKind::Duration: return duration_(v.AsDur().months, v.AsDur().days);
      case rt::TypeKind::Text: return py::str(v.AsText());
      case rt::TypeKind::Enum: return Member(ti.ref, v.AsEnum().index);
      case rt::TypeKind::Set: {
        py::set s;
        size_t count = types_.enums[ti.ref].members.size();
        for (uint32_t i = 0; i < count; ++i)
          if (v.AsSet().Contains(i)) s.add(Member(ti.ref, i));
        return py::reinterpret_steal<py::object>(PyFrozenSet_New(s.ptr()));
      }
      case rt::TypeKind::Record: {
        const rt::RecordInfo& r = types_.records[ti.ref];
        const auto& fs = *v.AsRecord().fields;
        py::dict d;
        for (size_t i = 0; i < fs.size(); ++i) d[py::str(r.fields[i].name)] = ToPy(fs[i], r.fields[i].type);
        return d;
      }
      case rt::TypeKind::List: {
        const auto& es = *v.AsList().elems;
        py::list l(es.size());
        for (size_t i = 0; i < es.size(); ++i) l[i] = ToPy(es[i], ti.ref);
        return l;
      }
      case rt::TypeKind::Sum: {
        const rt::EnumInfo& e = types_.enums[ti.ref];
        const rt::SumValue& s = v.AsSum();
        if (e.optional()) return s.payload ? ToPy(*s.payload, e.optional_of) : py::none();
        if (!s.payload) return Member(ti.ref, s.index);
        py::dict d;
        d[Member(ti.ref, s.index)] = ToPy(*s.payload, e.payloads[s.index]);
        return d;
      }
    }
    return py::none();
  }

 private:
  static py::int_ Int(rt::i128 x) {
    if (x >= INT64_MIN && x <= INT64_MAX) return py::int_(int64_t(x));
    return py::reinterpret_steal<py::int_>(PyLong_FromString(rt::ToString(x).c_str(), nullptr, 10));
  }
  py::object Dec(const rt::Decimal& d) {
    if (as_decimal_) {
      std::string s = d.ToString();  // a finite expansion when one exists, else num/den
      if (s.find('/') == std::string::npos) return decimal_(py::str(s));
    }
    if (d.IsInteger()) return fraction_(Int(d.num()));
    return fraction_(Int(d.num()), Int(d.den()));
  }
  // Member names are made once per enum: a batch of a million enum outcomes shares them.
  py::object Member(uint32_t e, uint32_t i) {
    if (members_.size() <= e) members_.resize(e + 1);
    auto& ms = members_[e];
    if (ms.empty())
      for (const std::string& name : types_.enums[e].members) ms.push_back(py::str(name));
    return ms[i];
  }

  const rt::TypeTable& types_;
  bool as_decimal_;
  py::object fraction_, decimal_, date_, duration_;
  std::vector<std::vector<py::object>> members_;
};

std::vector<rt::CaseParam> ParamsOf(const ir::Decision& d) {
  std::vector<rt::CaseParam> ps;
  for (const auto& p : d.params) ps.push_back({p.name, p.type});
  return ps;
}

// A runtime error as Python data: (kind, message, at, provision, notes).
py::tuple ErrorTuple(const Program& prog, const rt::EvalError& e) {
  const SourceManager& sm = prog.p.sources;
  auto where = [&](SourceRange r) {
    return r.file < sm.size() ? py::object(py::str(sm.Where(r))) : py::object(py::none());
  };
  // The provision: the innermost rule, assertion or invariant check of any decision that holds
  // the site of the error, with its citation (the decision's when it has none of its own).
  py::object provision = py::none();
  uint32_t best = UINT32_MAX;
  auto consider = [&](const ir::Decision& dec, const std::string& what, const std::string& name,
                      const ir::Citation& cite, SourceRange r) {
    if (r.file != e.range.file || r.begin > e.range.begin || r.end < e.range.end || r.end - r.begin >= best) return;
    best = r.end - r.begin;
    py::dict p;
    p["decision"] = dec.name;
    p["kind"] = what;
    p["name"] = name;
    const ir::Citation& c = cite.empty() ? dec.cite : cite;
    p["citation"] = c.empty() ? py::object(py::none()) : py::object(py::str(c.cite));
    p["at"] = where(r);
    provision = p;
  };
  for (const ir::Decision& dec : prog.p.module.decisions) {
    for (const ir::Rule& r : dec.rules) consider(dec, "rule", r.name, r.cite, r.range);
    if (dec.has_default) consider(dec, "rule", "default", dec.default_rule.cite, dec.default_rule.range);
    for (const ir::Assertion& a : dec.assertions) consider(dec, "assertion", a.source, a.cite, a.range);
  }
  py::list notes;
  for (const auto& n : e.notes) notes.append(py::make_tuple(n.message, where(n.range)));
  return py::make_tuple(rt::Spelling(e.kind), e.message, where(e.range), provision, notes);
}

py::list IssueList(const std::vector<rt::CaseIssue>& issues) {
  py::list l;
  for (const auto& is : issues)
    l.append(py::make_tuple(is.field.empty() ? py::object(py::none()) : py::object(py::str(is.field)), is.message));
  return l;
}

struct ChunkResults;

// One decision of one version, ready to evaluate cases.
class Decision {
 public:
  Decision(std::shared_ptr<Program> prog, const std::string& name, const std::string& as_of, const std::string& version,
           const std::string& engine, bool decimals_as_decimal, const std::string& library, const std::string& symbol)
      : prog_(std::move(prog)),
        engine_name_(library.empty() ? engine : "library"),
        conv_(prog_->p.module.types, decimals_as_decimal),
        interp_(prog_->p.module) {
    if (engine != "jit" && engine != "interp")
      throw UsageFailure(fmt::format("engine must be \"jit\" or \"interp\", found \"{}\"", engine));
    int v = SelectVersion(*prog_, as_of, version);
    int d = prog_->p.module.FindDecision(name, v);
    if (d < 0) {
      std::string names;
      for (const auto& [dec, _] : prog_->p.module.versions[size_t(v)].decisions)
        names += (names.empty() ? "" : ", ") + ("`" + dec + "`");
      throw UsageFailure(fmt::format("`{}` declares no decision `{}`{}", prog_->path, name,
                                     names.empty() ? "" : "; its decisions are: " + names));
    }
    d_ = uint32_t(d);
    version_ = v;
    decoder_ = std::make_unique<rt::CaseDecoder>(prog_->p.module.types, ParamsOf(dec()));
    decoder_->SetLabelKey("id");
    if (!library.empty()) OpenLibrary(library, symbol);
  }
  ~Decision() {
    if (library_) dlclose(library_);
  }
  Decision(const Decision&) = delete;
  Decision& operator=(const Decision&) = delete;

  const ir::Decision& dec() const { return prog_->p.module.decisions[d_]; }
  py::list Params() const {
    py::list l;
    for (const auto& p : dec().params) l.append(py::make_tuple(p.name, FormatType(p.type)));
    return l;
  }
  std::string Result() const { return FormatType(dec().result); }
  std::string VersionName() const { return prog_->p.module.versions[size_t(version_)].name; }

  // (0, outcome) | (1, [(field, message)]) | (2, (kind, message, at, provision, notes)).
  py::tuple Call(const std::string& json) {
    rt::DecodedCase dc = decoder_->Decode(json);
    if (!dc.issues.empty()) return py::make_tuple(1, IssueList(dc.issues));
    try {
      rt::Value v;
      {
        py::gil_scoped_release release;
        std::lock_guard<std::mutex> lock(mu_);  // Python threads may share a decision
        if (engine_name_ == "jit") {
          Compile();
          v = runner_->Eval(d_, dc.args);
        } else if (library_fn_) {
          v = CallLibrary(dc.args);
        } else {
          v = interp_.EvalDecision(d_, std::move(dc.args));
        }
      }
      return py::make_tuple(0, conv_.ToPy(v, dec().result));
    } catch (const rt::EvalError& e) { return py::make_tuple(2, ErrorTuple(*prog_, e)); }
  }

  // (0|1|2, as Call, explanation JSON text): the interpreter's explanation of the case (both
  // engines give the same verdicts, tests/differential); on an invalid case, no explanation.
  py::tuple Explain(const std::string& json) {
    rt::DecodedCase dc = decoder_->Decode(json);
    if (!dc.issues.empty()) return py::make_tuple(1, IssueList(dc.issues), py::none());
    interp::DecisionTrace trace;
    py::tuple result;
    std::lock_guard<std::mutex> lock(mu_);
    try {
      rt::Value v = interp_.EvalDecision(d_, std::move(dc.args), &trace);
      interp_.Explain(&trace);
      result = py::make_tuple(0, conv_.ToPy(v, dec().result));
    } catch (const rt::EvalError& e) {
      interp_.Explain(&trace);
      result = py::make_tuple(2, ErrorTuple(*prog_, e));
    }
    return py::make_tuple(result[0], result[1], py::str(interp::ExplainJson(prog_->p.module, prog_->p.sources, trace)));
  }

  // Every case of a JSON Lines or CSV input, in input order: the outcome, or what
  // `make_error(kind, line, issues_or_error)` makes of a failed case. `data` is the input itself
  // (bytes) when `path` is empty.
  py::list Batch(const std::string& path, const py::bytes& data, bool csv, int threads, const py::function& make_error,
                 uint64_t first_line);
  // The same cases (in `data`, the first on line `first_line` of the input `name`) written as
  // `edict batch --format jsonl` writes them: (output bytes, cases, failed, diagnostics), the
  // diagnostics one `NAME:LINE: error: ...` line per problem.
  py::tuple BatchText(const py::bytes& data, bool csv, int threads, uint64_t first_line, const std::string& name);

 private:
  std::string FormatType(rt::TypeId t) const { return prog_->p.module.types.Name(t); }
  // A library made by `edict build` for this decision: its entry point `symbol` (by default the
  // name in the file's, `lib<symbol>.so`), refused unless its fingerprint is this decision's.
  void OpenLibrary(const std::string& path, std::string symbol) {
    if (symbol.empty()) {
      std::string file = path.substr(path.find_last_of('/') + 1);
      if (file.rfind("lib", 0) == 0 && file.size() > 6 && file.compare(file.size() - 3, 3, ".so") == 0)
        symbol = file.substr(3, file.size() - 6);
      else
        throw UsageFailure(
            fmt::format("cannot tell the entry point of '{}' from its name (lib<name>.so): give symbol=", path));
    }
    // A path without a slash would be looked for in the system's folders: the caller means the file.
    std::string where = path.find('/') == std::string::npos ? "./" + path : path;
    library_ = dlopen(where.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library_) throw UsageFailure(fmt::format("cannot load the library '{}': {}", path, dlerror()));
    using Text = const char* (*)();
    auto fingerprint = reinterpret_cast<Text>(dlsym(library_, (symbol + "_fingerprint").c_str()));
    library_fn_ = reinterpret_cast<LibraryFn>(dlsym(library_, symbol.c_str()));
    if (!fingerprint || !library_fn_)
      throw UsageFailure(fmt::format("'{}' is not a library `edict build` made for `{}` (no `{}`{})", path, symbol,
                                     symbol, fingerprint ? "" : " or no `" + symbol + "_fingerprint`"));
    std::string want = jit::AotFingerprint(prog_->p.module, d_);
    if (want.empty() || want != fingerprint())
      throw UsageFailure(fmt::format(
          "the library '{}' was not built from this decision (`{}` of version `{}` of '{}'): its code differs; build "
          "it again with `edict build {} -d {}`",
          path, dec().name, VersionName(), prog_->path, prog_->path, dec().name));
  }
  // Runs the library on a case's values; a runtime error is reported as the interpreter reports
  // it on the same case (both engines give the same errors, tests/differential).
  rt::Value CallLibrary(const std::vector<rt::Value>& args) {
    const rt::TypeLayout& il = decoder_->input_layout();
    const rt::Layouts& layouts = decoder_->layouts();
    std::vector<uint8_t> in_buf(il.size + 16), out_buf(layouts.of(dec().result).size + 16);
    auto aligned = [](std::vector<uint8_t>& b) {
      return reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(b.data()) + 15) / 16 * 16);
    };
    uint8_t *in = aligned(in_buf), *out = aligned(out_buf);
    rt::Arena arena;
    const auto& params = dec().params;
    for (size_t k = 0; k < params.size(); ++k)
      rt::WriteFlat(args[k], params[k].type, prog_->p.module.types, layouts, in + il.field_offsets[k], arena);
    LibraryError err{};
    if (library_fn_(in, out, &err) != 0) return interp_.EvalDecision(d_, args);  // throws the error
    return rt::ReadFlat(out, dec().result, prog_->p.module.types, layouts);
  }
  struct LibraryError {
    int32_t kind, site, rule_a, rule_b;  // edict_error of the library's header
  };
  using LibraryFn = int32_t (*)(const void* input, void* output, LibraryError* error);
  // Runs the cases of `in` (named `name`) through the decision on `threads` workers; `consume`
  // gets each chunk's results in input order (without the GIL). Throws UsageFailure when the
  // input cannot be read to its end.
  void RunCases(std::FILE* in, bool csv, int threads, uint64_t first_line, const std::string& name,
                const std::function<void(ChunkResults&)>& consume);
  void Compile() {
    if (engine_) return;
    std::string error;
    engine_ = jit::Engine::Create(prog_->p.module, jit::Options{false, 2, {d_}}, &error);
    if (!engine_) throw UsageFailure("the JIT could not compile the program: " + error);
    runner_ = std::make_unique<jit::Runner>(prog_->p.module, *engine_);
  }

  std::shared_ptr<Program> prog_;
  std::string engine_name_;
  Converter conv_;
  interp::Interpreter interp_;
  uint32_t d_ = 0;
  int version_ = 0;
  std::unique_ptr<rt::CaseDecoder> decoder_;
  std::unique_ptr<jit::Engine> engine_;
  std::unique_ptr<jit::Runner> runner_;
  void* library_ = nullptr;  // dlopen's handle of a library made by `edict build`
  LibraryFn library_fn_ = nullptr;
  std::mutex mu_;  // the engine and the interpreter of single calls
};

// What a worker found about one case of a chunk: its outcome, or why it has none.
struct CaseResult {
  uint64_t line = 0;
  int status = 0;  // 0 outcome, 1 invalid case (issues), 2 runtime error
  rt::Value value;
  std::vector<rt::CaseIssue> issues;
  std::unique_ptr<rt::EvalError> error;
};
struct ChunkResults : cases::ChunkExtra {
  std::vector<CaseResult> results;
};

py::list Decision::Batch(const std::string& path, const py::bytes& data, bool csv, int threads,
                         const py::function& make_error, uint64_t first_line) {
  std::string name = path.empty() ? "<cases>" : path;
  std::string error;
  std::FILE* in = nullptr;
  std::string bytes;
  if (path.empty()) {
    bytes = std::string(data);
    if (bytes.empty()) return py::list();
    in = fmemopen(bytes.data(), bytes.size(), "r");
    if (!in) throw UsageFailure("cannot read the cases: fmemopen failed");
  } else {
    in = cases::OpenCaseInput(path, &error);
    if (!in) throw UsageFailure(error);
  }
  const ir::Decision& decision = dec();
  py::list results;
  std::exception_ptr failed;
  auto consume = [&](ChunkResults& rs) {
    if (failed) return;
    py::gil_scoped_acquire acquire;
    try {
      for (CaseResult& r : rs.results) {
        if (r.status == 0)
          results.append(conv_.ToPy(r.value, decision.result));
        else if (r.status == 1)
          results.append(make_error("invalid_case", r.line, IssueList(r.issues)));
        else
          results.append(make_error(rt::Spelling(r.error->kind), r.line, ErrorTuple(*prog_, *r.error)));
      }
    } catch (py::error_already_set&) { failed = std::current_exception(); }
  };
  try {
    py::gil_scoped_release release;  // consume takes it back for each chunk
    RunCases(in, csv, threads, first_line, name, consume);
  } catch (...) {
    if (in != stdin) std::fclose(in);
    throw;
  }
  if (in != stdin) std::fclose(in);
  if (failed) std::rethrow_exception(failed);
  return results;
}

py::tuple Decision::BatchText(const py::bytes& data, bool csv, int threads, uint64_t first_line,
                              const std::string& name) {
  std::string bytes(data), output, diagnostics;
  uint64_t count = 0, failures = 0;
  if (bytes.empty()) return py::make_tuple(py::bytes(), 0, 0, "");
  std::FILE* in = fmemopen(bytes.data(), bytes.size(), "r");
  if (!in) throw UsageFailure("cannot read the cases: fmemopen failed");
  const ir::Decision& decision = dec();
  const auto& types = prog_->p.module.types;
  auto consume = [&](ChunkResults& rs) {
    for (CaseResult& r : rs.results) {
      ++count;
      if (r.status == 0) {
        output += cases::JsonlOutcome(r.line, rt::ValueToJson(r.value, decision.result, types));
        continue;
      }
      ++failures;
      if (r.status == 1) {
        output += cases::JsonlInvalidCase(r.line, r.issues);
        diagnostics += cases::InvalidCaseDiagnostics(name, r.line, r.issues);
        continue;
      }
      const rt::EvalError& e = *r.error;
      std::string at = e.range.file < prog_->p.sources.size() ? prog_->p.sources.Where(e.range) : "";
      output += cases::JsonlRuntimeError(r.line, rt::Spelling(e.kind), e.message, at);
      diagnostics += cases::RuntimeErrorDiagnostic(
          name, r.line, e.kind == rt::RtErrorKind::InvalidCase ? "invalid case" : "runtime error", rt::Spelling(e.kind),
          e.message, at);
    }
  };
  try {
    py::gil_scoped_release release;
    RunCases(in, csv, threads, first_line, name, consume);
  } catch (...) {
    std::fclose(in);
    throw;
  }
  std::fclose(in);
  return py::make_tuple(py::bytes(output), count, failures, diagnostics);
}

void Decision::RunCases(std::FILE* in, bool csv, int threads, uint64_t first_line, const std::string& name,
                        const std::function<void(ChunkResults&)>& consume_results) {
  if (engine_name_ == "jit") {
    std::lock_guard<std::mutex> lock(mu_);
    Compile();
  }
  const ir::Module& m = prog_->p.module;
  const ir::Decision& decision = dec();
  std::vector<rt::CaseParam> params = ParamsOf(decision);
  std::string error;
  cases::CsvCases csv_cases;
  csv_cases.Bind(&m.types, params);
  csv_cases.SetLabelColumn("id");
  std::ostringstream header_errors;
  bool header_ok = true;
  cases::PipelineOptions po;
  po.threads = threads > 0 ? unsigned(threads) : std::max(1u, std::thread::hardware_concurrency());
  po.csv = csv;
  po.name = name;
  po.first_line = first_line;
  if (csv) po.header = [&](std::string_view h) { return header_ok = csv_cases.SetHeader(h, name, header_errors); };
  const jit::Engine* engine = engine_.get();
  uint32_t d = d_;

  auto make_worker = [&]() -> std::function<void(cases::LineChunk&)> {
    struct State {
      rt::CaseDecoder decoder;
      interp::Interpreter interp;
      std::vector<uint8_t> in_buf, out_buf;
      std::vector<int32_t> statuses;
      std::vector<jit::NativeError> errors;
      rt::Arena arena;
      std::string csv_json;
      State(const ir::Module& m, std::vector<rt::CaseParam> ps) : decoder(m.types, std::move(ps)), interp(m) {}
    };
    auto st = std::make_shared<State>(m, params);
    st->decoder.SetTextScalars(csv);
    st->decoder.SetLabelKey("id");
    return [&, st](cases::LineChunk& chunk) {
      auto out = std::make_unique<ChunkResults>();
      const rt::TypeLayout& il = st->decoder.input_layout();
      const rt::Layouts& layouts = st->decoder.layouts();
      size_t stride = il.size, out_stride = layouts.of(decision.result).size;
      st->in_buf.resize(stride * (chunk.line_count + 1) + 16);
      uint8_t* base = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(st->in_buf.data()) + 15) / 16 * 16);
      st->arena.Clear();
      std::vector<size_t> valid;  // indices into results of the cases decoded
      cases::ForEachCaseLine(chunk, [&](uint64_t line, std::string_view row) {
        ++chunk.cases;
        CaseResult r;
        r.line = line;
        uint8_t* slot = base + valid.size() * stride;
        bool ok;
        if (csv) {
          ok = csv_cases.ToJson(row, line, &st->csv_json, &r.issues);
          st->csv_json.append(rt::CaseDecoder::kPadding, ' ');
          ok = ok && st->decoder.DecodeFlat(
                         std::string_view(st->csv_json.data(), st->csv_json.size() - rt::CaseDecoder::kPadding), slot,
                         st->arena, &r.issues);
        } else {
          ok = st->decoder.DecodeFlat(row, slot, st->arena, &r.issues);
        }
        if (!ok) {
          r.status = 1;
          ++chunk.failed;
        } else {
          valid.push_back(out->results.size());
        }
        out->results.push_back(std::move(r));
      });
      size_t n = valid.size();
      st->out_buf.resize(out_stride * n + 32);
      uint8_t* outs = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(st->out_buf.data()) + 15) / 16 * 16);
      st->statuses.assign(n, 0);
      st->errors.resize(n);
      edict_rt_boxes_reset();
      auto args_of = [&](size_t i) {
        std::vector<rt::Value> args;
        for (size_t k = 0; k < params.size(); ++k)
          args.push_back(rt::ReadFlat(base + i * stride + il.field_offsets[k], params[k].type, m.types, layouts));
        return args;
      };
      if (engine) {
        engine->batch(d)(base, n, outs, st->statuses.data(), st->errors.data());
      } else if (library_fn_) {
        LibraryError err{};
        for (size_t i = 0; i < n; ++i) st->statuses[i] = library_fn_(base + i * stride, outs + i * out_stride, &err);
      } else {
        for (size_t i = 0; i < n; ++i) {
          try {
            rt::WriteFlat(st->interp.EvalDecision(d, args_of(i)), decision.result, m.types, layouts,
                          outs + i * out_stride, st->arena);
          } catch (const rt::EvalError& e) { st->statuses[i] = int32_t(e.kind) + 1; }
        }
      }
      for (size_t i = 0; i < n; ++i) {
        CaseResult& r = out->results[valid[i]];
        if (st->statuses[i] == 0) {
          r.value = rt::ReadFlat(outs + i * out_stride, decision.result, m.types, layouts);
          continue;
        }
        // The message of a runtime error comes from the interpreter on that one case (the kind
        // and position from the engine itself), as in `edict batch`.
        ++chunk.failed;
        r.status = 2;
        try {
          st->interp.EvalDecision(d, args_of(i));
          r.error = std::make_unique<rt::EvalError>(rt::RtErrorKind(st->statuses[i] - 1), SourceRange{},
                                                    "the engines disagree on this case (internal error)");
        } catch (const rt::EvalError& e) { r.error = std::make_unique<rt::EvalError>(e); }
      }
      chunk.extra = std::move(out);
    };
  };

  auto consume = [&](cases::LineChunk& chunk) {
    auto* rs = static_cast<ChunkResults*>(chunk.extra.get());
    if (rs) consume_results(*rs);
    chunk.extra.reset();
  };
  bool ok = cases::RunLinePipeline(in, po, make_worker, consume, &error);
  if (!header_ok) throw UsageFailure(header_errors.str());
  if (!ok) throw UsageFailure(error);
}

// Runs `f` with the process's standard error written to a temporary file, and returns what was
// written there: the diff reports its problems on standard error, which become the message of
// the Python exception.
template <class F>
std::string CapturingStderr(F&& f) {
  char name[] = "/tmp/edict-python-stderr-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) {
    f();
    return "";
  }
  unlink(name);
  std::fflush(stderr);
  std::cerr.flush();
  int saved = dup(2);
  dup2(fd, 2);
  try {
    f();
  } catch (...) {
    std::cerr.flush();
    dup2(saved, 2);
    close(saved);
    close(fd);
    throw;
  }
  std::fflush(stderr);
  std::cerr.flush();
  dup2(saved, 2);
  close(saved);
  std::string text;
  lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, size_t(n));
  close(fd);
  return text;
}

// The corpus diff of `edict diff OLD NEW -d DECISION --cases CASES --format json`: its report as
// JSON text, or an exception with its messages.
std::string CorpusDiff(const std::string& old_file, const std::string& new_file, const std::string& decision,
                       const std::string& cases, const std::string& input_format, int threads) {
  char name[] = "/tmp/edict-python-diff-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) throw UsageFailure("cannot create a temporary file for the diff's report");
  close(fd);
  diff::DiffOptions o;
  o.old_file = old_file;
  o.new_file = new_file;
  o.decision = decision;
  o.cases = cases;
  o.input_format = input_format;
  o.format = "json";
  o.output = name;
  o.threads = threads;
  o.progress = false;
  int rc = 0;
  std::string messages;
  {
    py::gil_scoped_release release;
    messages = CapturingStderr([&] { rc = diff::RunDiff(Common{"text", false, "jit"}, o); });
  }
  std::string report;
  {
    std::ifstream f(name, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    report = ss.str();
  }
  std::remove(name);
  // Exit code 1 means cases were invalid or failed on a side: the report is complete and says so.
  if ((rc != kOk && rc != kFailed) || report.empty())
    throw UsageFailure(messages.empty() ? fmt::format("the diff failed (exit code {})", rc) : messages);
  return report;
}

// The corpus diff in parts, for a distributed run (python/edict/dask.py): both sides are loaded
// and compiled once per process; each part's totals come back as Python data (which Dask
// pickles between processes), and the parts, merged in corpus order, give the report `edict diff
// --cases` writes for the whole corpus.
class CorpusParts {
 public:
  CorpusParts(const std::string& old_file, const std::string& new_file, const std::string& decision,
              const std::string& cases, bool csv, const std::string& id_field, size_t examples, int threads) {
    o_.old_file = old_file;
    o_.new_file = new_file;
    o_.decision = decision;
    o_.cases = cases;
    o_.input_format = csv ? "csv" : "jsonl";
    o_.id_field = id_field;
    o_.examples = examples;
    o_.threads = threads;
    o_.progress = false;
    o_.max_errors = 0;  // every invalid case is reported: a part's messages go back to the caller
    int rc = 0;
    std::string messages;
    {
      py::gil_scoped_release release;
      messages = CapturingStderr([&] {
        rc = diff::LoadAndCompile(Common{"text", false, "jit"}, old_file, new_file, decision, programs_, &a_, &b_);
      });
    }
    if (rc != kOk) throw UsageFailure(messages.empty() ? fmt::format("the diff failed (exit code {})", rc) : messages);
  }

  // The totals of one part (whole records, the first on line `first_line` of the corpus; a CSV
  // part after the first starts with the header, on the line before), and the messages about its
  // invalid cases (`FILE:LINE: error: ...`, one per line).
  py::tuple Part(const py::bytes& data, uint64_t first_line) {
    std::string bytes(data);
    diff::CorpusTotals t;
    int rc = kOk;
    std::string messages;
    if (!bytes.empty()) {
      py::gil_scoped_release release;
      std::FILE* in = fmemopen(bytes.data(), bytes.size(), "r");
      if (!in) throw UsageFailure("cannot read the cases: fmemopen failed");
      messages = CapturingStderr([&] { rc = diff::RunCorpusPart(o_, a_, b_, in, first_line, &t); });
      std::fclose(in);
    }
    if (rc != kOk) throw UsageFailure(messages.empty() ? fmt::format("the diff failed (exit code {})", rc) : messages);
    py::list classes;
    for (const std::string& key : t.total.order) {
      const diff::ClassStats& c = t.total.classes.at(key);
      py::list examples;
      for (const auto& ex : c.examples) examples.append(py::make_tuple(ex.line, ex.label, py::bytes(ex.text)));
      classes.append(
          py::make_tuple(py::bytes(key), c.count, VerdictData(a_, c.old_v), VerdictData(b_, c.new_v), examples));
    }
    py::dict d;
    d["cases"] = t.cases;
    d["unchanged"] = t.total.unchanged;
    d["changed"] = t.total.changed;
    d["invalid"] = t.total.invalid;
    d["errors_old"] = t.total.errors_old;
    d["errors_new"] = t.total.errors_new;
    d["classes"] = classes;
    return py::make_tuple(d, messages);
  }

  // The report of the whole corpus in `format` (text, markdown, json, html) from its parts'
  // totals, in corpus order.
  std::string Report(const py::list& parts, const std::string& format) {
    diff::CorpusTotals total;
    total.csv = o_.input_format == "csv";
    for (const py::handle& h : parts) {
      py::dict d = h.cast<py::dict>();
      diff::DiffStats s;
      s.unchanged = d["unchanged"].cast<uint64_t>();
      s.changed = d["changed"].cast<uint64_t>();
      s.invalid = d["invalid"].cast<uint64_t>();
      s.errors_old = d["errors_old"].cast<uint64_t>();
      s.errors_new = d["errors_new"].cast<uint64_t>();
      for (const py::handle& ch : d["classes"].cast<py::list>()) {
        py::tuple c = ch.cast<py::tuple>();
        std::string key = c[0].cast<std::string>();
        diff::ClassStats& cs = s.classes[key];
        s.order.push_back(key);
        cs.count = c[1].cast<uint64_t>();
        cs.old_v = VerdictFrom(a_, c[2].cast<py::tuple>());
        cs.new_v = VerdictFrom(b_, c[3].cast<py::tuple>());
        for (const py::handle& e : c[4].cast<py::list>()) {
          py::tuple ex = e.cast<py::tuple>();
          cs.examples.push_back({ex[0].cast<uint64_t>(), ex[1].cast<std::string>(), ex[2].cast<std::string>()});
        }
      }
      total.cases += d["cases"].cast<uint64_t>();
      diff::MergeStats(total.total, std::move(s), o_.examples);
    }
    diff::DiffOptions o = o_;
    o.format = format;
    return diff::CorpusReport(o, a_, b_, total);
  }

 private:
  // A verdict as (ok, key, outcome as JSON or None, deciding rules).
  static py::tuple VerdictData(const diff::Side& s, const diff::Verdict& v) {
    py::object value = py::none();
    if (v.ok) value = py::str(rt::ValueToJson(v.value, s.dec().result, s.m().types));
    return py::make_tuple(v.ok, py::bytes(v.key), value, v.deciding);
  }
  static diff::Verdict VerdictFrom(const diff::Side& s, const py::tuple& t) {
    diff::Verdict v;
    v.ok = t[0].cast<bool>();
    v.key = t[1].cast<std::string>();
    v.deciding = t[3].cast<std::vector<uint32_t>>();
    if (v.ok) {
      rt::CaseDecoder dec(s.m().types, {{"outcome", s.dec().result}});
      rt::DecodedCase c = dec.Decode("{\"outcome\":" + t[2].cast<std::string>() + "}");
      if (!c.issues.empty())
        throw UsageFailure("a part's outcome does not decode (" + c.issues[0].message +
                           "): parts of one diff must come "
                           "from the same programs");
      v.value = std::move(c.args[0]);
    }
    return v;
  }

  diff::DiffOptions o_;
  std::unique_ptr<load::Program> programs_[2];
  diff::Side a_, b_;
};
}  // namespace

PYBIND11_MODULE(_edict, m) {
  m.doc() = "The native part of the Python package `edict` (docs/python.md)";
  py::register_exception<LoadFailure>(m, "LoadFailure");
  py::register_exception<UsageFailure>(m, "UsageFailure");

  py::class_<Program, std::shared_ptr<Program>>(m, "Program")
      .def_readonly("path", &Program::path)
      .def_readonly("warnings", &Program::warnings)
      .def("versions", &Versions);
  m.def("load", &LoadProgram, py::arg("path"), py::arg("allow_imports") = std::vector<std::string>{});

  py::class_<Decision>(m, "Decision")
      .def(py::init<std::shared_ptr<Program>, const std::string&, const std::string&, const std::string&,
                    const std::string&, bool, const std::string&, const std::string&>())
      .def("params", &Decision::Params)
      .def("result", &Decision::Result)
      .def("version", &Decision::VersionName)
      .def("call", &Decision::Call)
      .def("explain", &Decision::Explain)
      .def("batch", &Decision::Batch)
      .def("batch_text", &Decision::BatchText);

  m.def("corpus_diff", &CorpusDiff);
  py::class_<CorpusParts>(m, "CorpusParts")
      .def(py::init<const std::string&, const std::string&, const std::string&, const std::string&, bool,
                    const std::string&, size_t, int>())
      .def("part", &CorpusParts::Part)
      .def("report", &CorpusParts::Report);
}
