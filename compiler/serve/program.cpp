#include "compiler/serve/program.h"

#include <sys/stat.h>

#include <chrono>
#include <ctime>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/interp/explain.h"
#include "compiler/interp/interp.h"
#include "compiler/serve/log.h"
#include "runtime/date.h"
#include "runtime/value.h"

namespace edict::serve {

std::vector<FileStamp> StampFiles(const std::vector<std::string>& paths) {
  std::vector<FileStamp> out;
  for (const auto& p : paths) {
    FileStamp s{p, -1, -1};
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
      s.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
      s.size = int64_t(st.st_size);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string IssuesJson(const std::vector<rt::CaseIssue>& issues) {
  std::string items;
  for (const auto& is : issues)
    items += fmt::format("{}{{\"field\":{},\"message\":{}}}", items.empty() ? "" : ",",
                         is.field.empty() ? "null" : rt::JsonQuote(is.field), rt::JsonQuote(is.message));
  return fmt::format("\"error\":{{\"kind\":\"invalid_case\",\"issues\":[{}]}}", items);
}

std::string NowUtc() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

std::shared_ptr<Program> Program::Load(const std::string& file, const std::string& engine, uint64_t generation,
                                       std::string* error) {
  std::shared_ptr<Program> p(new Program());
  p->generation_ = generation;
  Diagnostics d;
  bool ok = load::Load({file}, p->p_, d);
  // Every file the program was read from is watched, the standard library's included.
  std::vector<std::string> paths;
  for (uint32_t f = 0; f < p->p_.sources.size(); ++f) paths.push_back(p->p_.sources.file(f).path);
  if (paths.empty()) paths.push_back(file);
  p->stamps_ = StampFiles(paths);
  if (!ok || d.error_count() > 0) {
    for (const auto& x : d.Sorted()) *error += RenderText(x, p->p_.sources, false);
    *error += fmt::format("{} error{} found\n", d.error_count(), d.error_count() == 1 ? "" : "s");
    return nullptr;
  }
  if (engine == "jit") {
    // Every decision of every version, traced (the log names the rules that decided).
    std::string why;
    p->engine_ = jit::Engine::Create(p->p_.module, jit::Options{true, 2, {}}, &why);
    if (!p->engine_) {
      *error = "the JIT could not compile the program: " + why + "\n";
      return nullptr;
    }
  }
  p->loaded_at_ = NowUtc();
  return p;
}

int Program::Version(const std::string& name, const std::string& as_of, int* status, std::string* error) const {
  const auto& vs = p_.module.versions;
  if (!name.empty() && !as_of.empty()) {
    *status = 422;
    *error = "give `version` or `as_of`, not both";
    return -1;
  }
  if (!name.empty()) {
    for (size_t v = 0; v < vs.size(); ++v)
      if (VersionName(int(v)) == name) return int(v);
    std::string names;
    for (size_t v = 0; v < vs.size(); ++v) names += (names.empty() ? "" : ", ") + VersionName(int(v));
    *status = 404;
    *error = fmt::format("no version `{}`; the versions are: {}", name, names);
    return -1;
  }
  if (as_of.empty()) return int(vs.size()) - 1;
  if (!rt::ParseDate(as_of)) {
    *status = 422;
    *error = fmt::format("`as_of` needs a date such as 2025-06-01, found `{}`", as_of);
    return -1;
  }
  int v = p_.module.VersionAt(as_of);
  if (v < 0) {
    *status = 422;
    *error = fmt::format("no version of the law is in force on {}: the first, `{}`, takes effect on {}", as_of,
                         VersionName(0), vs.front().effective);
  }
  return v;
}

std::string Program::VersionName(int version) const {
  const ir::Version& v = p_.module.versions[size_t(version)];
  return v.name.empty() ? p_.sources.file(v.file).path : v.name;
}

std::unique_ptr<rt::CaseDecoder> Program::TakeDecoder(uint32_t decision) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& pool = decoders_[decision];
    if (!pool.empty()) {
      auto d = std::move(pool.back());
      pool.pop_back();
      return d;
    }
  }
  std::vector<rt::CaseParam> ps;
  for (const auto& prm : p_.module.decisions[decision].params) ps.push_back({prm.name, prm.type});
  auto d = std::make_unique<rt::CaseDecoder>(p_.module.types, std::move(ps));
  d->SetLabelKey("id");  // a case's label, as `edict eval` and `edict diff` read it, is not an input
  return d;
}

void Program::GiveDecoder(uint32_t decision, std::unique_ptr<rt::CaseDecoder> d) const {
  std::lock_guard<std::mutex> lock(mu_);
  decoders_[decision].push_back(std::move(d));
}

std::unique_ptr<jit::Runner> Program::TakeRunner() const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!runners_.empty()) {
      auto r = std::move(runners_.back());
      runners_.pop_back();
      return r;
    }
  }
  return std::make_unique<jit::Runner>(p_.module, *engine_);
}

void Program::GiveRunner(std::unique_ptr<jit::Runner> r) const {
  std::lock_guard<std::mutex> lock(mu_);
  runners_.push_back(std::move(r));
}

CaseResult Program::Evaluate(int version, uint32_t decision, std::string_view json, bool explain,
                             const std::string& id) const {
  const ir::Module& m = p_.module;
  const ir::Decision& dec = m.decisions[decision];
  CaseResult r;
  auto decoder = TakeDecoder(decision);
  rt::DecodedCase dc = decoder->Decode(json);
  std::string label = decoder->label();
  GiveDecoder(decision, std::move(decoder));
  std::string label_json = label.empty() ? "" : fmt::format("\"id\":{},", rt::JsonQuote(label));
  if (!dc.issues.empty()) {
    // Not JSON at all: 400; JSON that does not fit the input: 422. Each issue names its field.
    r.status = rt::JsonSyntaxProblem(json).empty() ? 422 : 400;
    r.json = fmt::format("{{{}\"decision\":{},{}}}", label_json, rt::JsonQuote(dec.name), IssuesJson(dc.issues));
    return r;
  }
  interp::DecisionTrace trace;
  std::optional<rt::Value> out;
  std::optional<rt::EvalError> failure;
  auto interpret = [&](bool with_explanation) {
    interp::Interpreter in(m);
    trace = interp::DecisionTrace{};
    try {
      out = in.EvalDecision(decision, dc.args, &trace);
    } catch (const rt::EvalError& e) { failure = e; }
    if (with_explanation) in.Explain(&trace);
  };
  if (explain || !engine_) {
    interpret(explain);  // explanations come from the interpreter, as `edict eval --explain`'s do
  } else {
    auto runner = TakeRunner();
    jit::Runner::Native n = runner->RunNative(decision, dc.args, &trace, false);
    GiveRunner(std::move(runner));
    if (n.status == 0) {
      out = std::move(n.value);
    } else {
      // A runtime error's message names values: the interpreter decides the failing case again
      // (as jit::Runner::Eval does) and must fail too.
      interpret(false);
      if (out)
        throw std::logic_error("internal error: the engines disagree: native code failed, the interpreter succeeds");
    }
  }
  std::string rules;  // the provisions that decided
  for (const auto& rt_ : trace.rules) {
    if (!rt_.decided) continue;
    const ir::Rule& rule = rt_.rule == UINT32_MAX ? dec.default_rule : dec.rules[rt_.rule];
    rules += fmt::format("{}{{\"rule\":{},\"citation\":{}}}", rules.empty() ? "" : ",", rt::JsonQuote(rule.name),
                         rule.cite.empty() ? "null" : rt::JsonQuote(rule.cite.cite));
  }
  std::string version_name = rt::JsonQuote(VersionName(version));
  std::string outcome = out ? rt::ValueToJson(*out, dec.result, m.types) : "null";
  std::string result =
      out ? "\"outcome\":" + outcome
          : fmt::format(
                "\"error\":{{\"kind\":{},\"message\":{},\"at\":{}}}", rt::JsonQuote(rt::Spelling(failure->kind)),
                rt::JsonQuote(failure->message),
                failure->range.file < p_.sources.size() ? rt::JsonQuote(p_.sources.Where(failure->range)) : "null");
  // A case the rules cannot decide (a conflict, an invariant broken) is the request's problem: 422.
  r.status = out ? 200 : 422;
  r.json = fmt::format("{{{}\"decision_id\":{},\"decision\":{},\"version\":{},{},\"deciding_rules\":[{}]", label_json,
                       rt::JsonQuote(id), rt::JsonQuote(dec.name), version_name, result, rules);
  if (explain) r.json += ",\"explanation\":" + interp::ExplainJson(m, p_.sources, trace);
  r.json += "}";
  r.log_line = fmt::format(
      "{{\"id\":{},\"time\":{},\"program\":{},\"version\":{},\"decision\":{},\"input_sha256\":\"{}\",{},"
      "\"deciding_rules\":[{}]}}\n",
      rt::JsonQuote(id), rt::JsonQuote(NowUtc()), generation_, version_name, rt::JsonQuote(dec.name), Sha256Hex(json),
      out ? "\"outcome\":" + outcome
          : fmt::format("\"outcome\":null,\"error\":{}", rt::JsonQuote(rt::Spelling(failure->kind))),
      rules);
  return r;
}

}  // namespace edict::serve
