#include "compiler/serve/serve.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "compiler/cases/schema.h"
#include "compiler/diff/diff.h"
#include "compiler/page/page.h"
#include "compiler/serve/log.h"
#include "compiler/serve/openapi.h"
#include "compiler/serve/program.h"
#include "runtime/value.h"

namespace edict::serve {
namespace {

using Clock = std::chrono::steady_clock;

// The routes, as the metrics and the OpenAPI document name them.
std::string RouteOf(const httplib::Request& req) {
  const std::string& p = req.path;
  if (p.rfind("/decisions/", 0) == 0) {
    if (p.size() > 9 && p.compare(p.size() - 9, 9, "/evaluate") == 0) return "/decisions/{name}/evaluate";
    if (p.size() > 13 && p.compare(p.size() - 13, 13, "/explain-diff") == 0) return "/decisions/{name}/explain-diff";
    if (p.size() > 7 && p.compare(p.size() - 7, 7, "/schema") == 0) return "/decisions/{name}/schema";
    if (p.size() > 15 && p.compare(p.size() - 15, 15, "/outcome-schema") == 0)
      return "/decisions/{name}/outcome-schema";
  }
  for (const char* known : {"/health", "/metrics", "/openapi.json", "/instruments", "/versions", "/decisions"})
    if (p == known) return p;
  if (p == "/" || (p.size() > 1 && page::Find(p.substr(1)))) return "page";
  return "other";
}

// Counters and latency histograms in Prometheus's text format.
class Metrics {
 public:
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  void Request(const std::string& route, const std::string& method, int status, double seconds) {
    std::lock_guard<std::mutex> lock(mu_);
    ++requests_[{route, method, status}];
    if (seconds < 0) return;
    Histogram& h = latency_[route];
    for (size_t i = 0; i < kBuckets.size(); ++i)
      if (seconds <= kBuckets[i]) ++h.buckets[i];
    ++h.count;
    h.sum += seconds;
  }
  std::string Render() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::string s =
        "# HELP edict_http_requests_total HTTP requests answered, by route, method and status.\n"
        "# TYPE edict_http_requests_total counter\n";
    for (const auto& [k, n] : requests_)
      s += fmt::format("edict_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n", std::get<0>(k),
                       std::get<1>(k), std::get<2>(k), n);
    s += "# HELP edict_http_request_duration_seconds Time from routing a request to writing its response.\n"
         "# TYPE edict_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
      for (size_t i = 0; i < kBuckets.size(); ++i)
        s += fmt::format("edict_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", route,
                         kBuckets[i], h.buckets[i]);
      s += fmt::format("edict_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", route, h.count);
      s += fmt::format("edict_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", route, h.sum);
      s += fmt::format("edict_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", route, h.count);
    }
    return s;
  }

  std::atomic<uint64_t> decisions{0}, log_errors{0}, reloads{0}, reload_failures{0}, in_flight{0};

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

// A fixed pool of threads with a bounded queue of accepted connections: when the queue is full,
// the accepting thread waits for room, and new connections wait in the kernel's backlog.
class BoundedPool : public httplib::TaskQueue {
 public:
  BoundedPool(size_t threads, size_t queue) : max_queue_(queue) {
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
  }
  void enqueue(std::function<void()> fn) override {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return jobs_.size() < max_queue_ || shutdown_; });
    jobs_.push_back(std::move(fn));
    work_.notify_one();
  }
  void shutdown() override {  // the jobs queued are still run
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    work_.notify_all();
    room_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
        if (jobs_.empty()) return;
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        room_.notify_one();
      }
      fn();
    }
  }
  size_t max_queue_;
  std::mutex mu_;
  std::condition_variable work_, room_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  bool shutdown_ = false;
};

std::string ErrorJson(const std::string& kind, const std::string& message, const std::string& field = "") {
  return fmt::format("{{\"error\":{{\"kind\":{},\"message\":{}{}}}}}", rt::JsonQuote(kind), rt::JsonQuote(message),
                     field.empty() ? "" : ",\"field\":" + rt::JsonQuote(field));
}

void Fail(httplib::Response& res, int status, const std::string& kind, const std::string& message,
          const std::string& field = "") {
  res.status = status;
  res.set_content(ErrorJson(kind, message, field), "application/json");
}

class Service {
 public:
  Service(const ServeOptions& o, std::shared_ptr<Program> p) : o_(o), log_(o.log, o.log_max_bytes, o.log_keep) {
    current_ = std::move(p);
    auto boot = std::chrono::system_clock::now().time_since_epoch();
    boot_ = fmt::format("{:x}", std::chrono::duration_cast<std::chrono::microseconds>(boot).count());
  }
  DecisionLog& log() { return log_; }
  Metrics& metrics() { return metrics_; }

  std::shared_ptr<Program> Current() {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }

  void Routes(httplib::Server& svr);

  // Checks the files every watch_ms until Stop; loads, checks and compiles a changed program
  // fully before swapping it in. A program that fails keeps the old one serving.
  void Watch() {
    std::vector<FileStamp> failed;
    std::unique_lock<std::mutex> lock(watch_mu_);
    while (!watch_cv_.wait_for(lock, std::chrono::milliseconds(o_.watch_ms), [&] { return stopping_; })) {
      std::shared_ptr<Program> cur = Current();
      std::vector<std::string> paths;
      for (const auto& s : cur->stamps()) paths.push_back(s.path);
      std::vector<FileStamp> now = StampFiles(paths);
      if (now == cur->stamps() || now == failed) continue;
      std::string error;
      auto next = Program::Load(o_.file, o_.engine, cur->generation() + 1, &error);
      if (!next) {
        failed = now;
        ++metrics_.reload_failures;
        {
          std::lock_guard<std::mutex> l(mu_);
          last_reload_error_ = error;
        }
        std::cerr << fmt::format("edict serve: the changed program was not loaded; still serving generation {}:\n{}",
                                 cur->generation(), error);
        continue;
      }
      {
        std::lock_guard<std::mutex> l(mu_);
        current_ = next;  // requests in flight keep their own reference to the old one
        last_reload_error_.clear();
      }
      failed.clear();
      ++metrics_.reloads;
      std::cerr << fmt::format("edict serve: reloaded `{}`: generation {}\n", o_.file, next->generation());
    }
  }
  void StopWatching() {
    {
      std::lock_guard<std::mutex> lock(watch_mu_);
      stopping_ = true;
    }
    watch_cv_.notify_all();
  }

 private:
  std::string NextId() { return fmt::format("{}-{}", boot_, ++ids_); }
  // Appends the lines to the log; on failure answers 500 (the decisions were made, but are not
  // returned: none goes unlogged).
  bool Log(const std::string& lines, httplib::Response& res) {
    if (lines.empty()) return true;
    std::string error;
    if (log_.Append(lines, &error)) return true;
    ++metrics_.log_errors;
    std::cerr << "edict serve: " << error << "\n";
    Fail(res, 500, "log_error", "the decision could not be logged, so it is not returned: " + error);
    return false;
  }
  // The version a request selects with `version` or `as_of`; -1 after answering.
  int VersionOf(const Program& p, const httplib::Request& req, httplib::Response& res) {
    int status = 0;
    std::string error;
    int v = p.Version(req.get_param_value("version"), req.get_param_value("as_of"), &status, &error);
    if (v < 0)
      Fail(res, status, status == 404 ? "unknown_version" : "invalid_parameter", error,
           req.has_param("as_of") ? "as_of" : "version");
    return v;
  }
  int DecisionOf(const Program& p, const std::string& name, int version, httplib::Response& res) {
    int d = p.Decision(name, version);
    if (d >= 0) return d;
    std::string names;
    for (const auto& [n, _] : p.module().versions[size_t(version)].decisions) names += (names.empty() ? "" : ", ") + n;
    Fail(res, 404, "unknown_decision",
         fmt::format("the version `{}` has no decision `{}`; its decisions are: {}", p.VersionName(version), name,
                     names));
    return -1;
  }
  // Rejects parameters the route does not take (a misspelt `as-of` must not be silently ignored).
  static bool OnlyParams(const httplib::Request& req, httplib::Response& res, std::set<std::string> allowed) {
    for (const auto& [k, _] : req.params) {
      if (allowed.count(k)) continue;
      std::string names;
      for (const auto& a : allowed) names += (names.empty() ? "" : ", ") + a;
      Fail(res, 422, "invalid_parameter",
           fmt::format("unknown query parameter `{}`; this route takes: {}", k, names.empty() ? "none" : names), k);
      return false;
    }
    return true;
  }
  static bool Flag(const httplib::Request& req, const std::string& name, bool* value, httplib::Response& res) {
    if (!req.has_param(name.c_str())) return true;
    std::string v = req.get_param_value(name.c_str());
    if (v == "true" || v == "1" || v.empty())
      *value = true;
    else if (v == "false" || v == "0")
      *value = false;
    else {
      Fail(res, 422, "invalid_parameter", fmt::format("`{}` must be true or false, found `{}`", name, v), name);
      return false;
    }
    return true;
  }
  class CaseStream;
  void Evaluate(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void EvaluateDuplex(std::shared_ptr<Program> p, int v, uint32_t d, bool explain, const httplib::ContentReader& reader,
                      httplib::Response& res);
  void ExplainDiff(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);

  const ServeOptions& o_;
  DecisionLog log_;
  Metrics metrics_;
  std::mutex mu_;
  std::shared_ptr<Program> current_;
  std::string last_reload_error_;
  std::string boot_;
  std::atomic<uint64_t> ids_{0};
  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool stopping_ = false;
};

// Reads a whole request body. cpp-httplib refuses a body whose Content-Length passes the limit
// (413) but not a chunked one: the limit is counted here too. False after answering.
bool ReadBody(const httplib::ContentReader& reader, uint64_t max_body, httplib::Response& res, std::string* body) {
  bool too_large = false;
  reader([&](const char* data, size_t n) {
    if (body->size() + n > max_body) return !(too_large = true);
    body->append(data, n);
    return true;
  });
  if (too_large) res.status = 413;
  if (res.status != 413) return true;
  Fail(res, 413, "body_too_large", "the request body is larger than the server's limit (--max-body)");
  return false;
}

// The cases of a JSON Lines body, decided as their lines arrive: one result a line, in order,
// each with its line number; the results and their log lines wait in `out` and `log_lines`
// until taken. Stops at the time limit or at the body's size limit.
class Service::CaseStream {
 public:
  CaseStream(Service& s, const Program& p, int version, uint32_t decision, bool explain)
      : s_(s),
        p_(p),
        version_(version),
        decision_(decision),
        explain_(explain),
        deadline_(Clock::now() + std::chrono::seconds(s.o_.timeout)) {}

  // Takes the next bytes of the body; false when reading must stop (`late` or `too_large`).
  bool Feed(const char* data, size_t n) {
    received_ += n;
    if (received_ > s_.o_.max_body) {
      too_large = true;
      return false;
    }
    pending_.append(data, n);
    size_t start = 0;
    for (size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (Clock::now() > deadline_) {
        late = true;
        return false;
      }
      One(std::string_view(pending_).substr(start, nl - start));
    }
    pending_.erase(0, start);
    return true;
  }
  // The last line, if the body does not end with a line break.
  void Finish() {
    if (!late && !too_large && !pending_.empty()) One(pending_);
    pending_.clear();
  }
  // Why the stream stopped early, as an error object's kind and message; empty if it did not.
  std::pair<std::string, std::string> Stopped() const {
    if (late)
      return {"time_limit",
              fmt::format("the request passed the time limit of {} s after {} lines ({} cases decided and logged); "
                          "send fewer cases per request",
                          s_.o_.timeout, line_, decided_total_)};
    if (too_large)
      return {"body_too_large",
              fmt::format("the request body is larger than the server's limit (--max-body, {} bytes) after {} lines "
                          "({} cases decided and logged)",
                          s_.o_.max_body, line_, decided_total_)};
    return {};
  }

  std::string out, log_lines;
  uint64_t decided = 0;  // cases in log_lines
  bool late = false, too_large = false;

 private:
  void One(std::string_view text) {
    ++line_;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) return;  // a blank line is no case
    CaseResult r = p_.Evaluate(version_, decision_, text, explain_, s_.NextId());
    out += fmt::format("{{\"line\":{},", line_) + r.json.substr(1) + "\n";
    log_lines += r.log_line;
    if (!r.log_line.empty()) ++decided, ++decided_total_;
  }

  Service& s_;
  const Program& p_;
  int version_;
  uint32_t decision_;
  bool explain_;
  Clock::time_point deadline_;
  std::string pending_;
  uint64_t line_ = 0, received_ = 0, decided_total_ = 0;
};

void Service::Evaluate(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
  std::shared_ptr<Program> p = Current();  // this request finishes on this program, reloaded or not
  if (!OnlyParams(req, res, {"version", "as_of", "explain", "duplex"})) return;
  bool explain = false, duplex = false;
  if (!Flag(req, "explain", &explain, res) || !Flag(req, "duplex", &duplex, res)) return;
  int v = VersionOf(*p, req, res);
  if (v < 0) return;
  int d = DecisionOf(*p, req.matches[1], v, res);
  if (d < 0) return;
  bool stream = req.get_header_value("Content-Type").rfind("application/x-ndjson", 0) == 0;
  if (duplex && !stream)
    return Fail(res, 422, "invalid_parameter",
                "`duplex` answers a stream of cases: send JSON Lines with Content-Type application/x-ndjson", "duplex");
  if (!stream) {
    std::string body;
    if (!ReadBody(reader, o_.max_body, res, &body)) return;
    CaseResult r = p->Evaluate(v, uint32_t(d), body, explain, NextId());
    if (!Log(r.log_line, res)) return;
    if (!r.log_line.empty()) ++metrics_.decisions;
    res.status = r.status;
    res.set_content(r.json + "\n", "application/json");
    return;
  }
  if (req.has_header("Content-Length") &&
      std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10) > o_.max_body) {
    std::string none;
    ReadBody(reader, o_.max_body, res, &none);  // cpp-httplib skips the body and answers 413
    return;
  }
  if (duplex) return EvaluateDuplex(std::move(p), v, uint32_t(d), explain, reader, res);
  // JSON Lines, answered once the whole body has been read (any client can read this answer;
  // `duplex` sends each result as soon as it is decided).
  CaseStream cases(*this, *p, v, uint32_t(d), explain);
  reader([&](const char* data, size_t n) { return cases.Feed(data, n); });
  cases.Finish();
  // The cases decided are logged even when a limit stops the stream.
  if (!Log(cases.log_lines, res)) return;
  metrics_.decisions += cases.decided;
  auto [kind, message] = cases.Stopped();
  if (!kind.empty()) return Fail(res, kind == "time_limit" ? 503 : 413, kind, message);
  res.status = 200;
  res.set_content(cases.out, "application/x-ndjson");
}

// JSON Lines in and out at once: the answer (200, chunked) starts before the body has been
// read, and each batch of results is logged, then sent, as soon as the bytes that held its cases
// have arrived. The client must read while it sends. What goes wrong after the status line was
// sent ends the answer with a line holding only `error` (a limit, the decision log).
void Service::EvaluateDuplex(std::shared_ptr<Program> p, int v, uint32_t d, bool explain,
                             const httplib::ContentReader& reader, httplib::Response& res) {
  res.status = 200;
  // The reader reads the request's socket; cpp-httplib keeps the request and its stream alive
  // until the answer has been written (Server::process_request), so it can be called from here.
  res.set_chunked_content_provider(
      "application/x-ndjson", [this, p, v, d, explain, reader](size_t, httplib::DataSink& sink) {
        CaseStream cases(*this, *p, v, d, explain);
        std::string log_error;
        // Logs, then sends, what has been decided; false if either fails.
        auto flush = [&] {
          if (!cases.log_lines.empty() && !log_.Append(cases.log_lines, &log_error)) {
            ++metrics_.log_errors;
            std::cerr << "edict serve: " << log_error << "\n";
            return false;
          }
          metrics_.decisions += cases.decided;
          cases.log_lines.clear();
          cases.decided = 0;
          bool sent = cases.out.empty() || sink.write(cases.out.data(), cases.out.size());
          cases.out.clear();
          return sent;
        };
        bool client_gone = false;
        reader([&](const char* data, size_t n) {
          bool go = cases.Feed(data, n);
          if (!flush()) return !(client_gone = log_error.empty());
          return go;
        });
        if (client_gone || !sink.is_writable()) return false;  // nobody to tell
        if (log_error.empty()) {
          cases.Finish();
          if (!flush() && log_error.empty()) return false;
        }
        auto [kind, message] = cases.Stopped();
        if (!log_error.empty()) {
          kind = "log_error";
          message = "the last cases could not be logged, so they are not returned: " + log_error;
        }
        if (!kind.empty()) {
          std::string line = ErrorJson(kind, message) + "\n";
          if (!sink.write(line.data(), line.size())) return false;
        }
        sink.done();
        return true;
      });
}

void Service::ExplainDiff(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
  std::shared_ptr<Program> p = Current();
  if (!OnlyParams(req, res, {"old", "new"})) return;
  int versions[2] = {-1, -1};
  const char* keys[2] = {"old", "new"};
  int count = int(p->module().versions.size());
  for (int k : {1, 0}) {
    std::string name = req.get_param_value(keys[k]);
    if (name.empty()) {
      versions[k] = k == 1 ? count - 1 : versions[1] - 1;
      if (versions[k] < 0)
        return Fail(res, 422, "invalid_parameter",
                    "the new version is the first: there is no version before it; name one with `old`", "old");
      continue;
    }
    int status = 0;
    std::string error;
    versions[k] = p->Version(name, "", &status, &error);
    if (versions[k] < 0) return Fail(res, status, "unknown_version", error, keys[k]);
  }
  std::string body;
  if (!ReadBody(reader, o_.max_body, res, &body)) return;
  std::string name = req.matches[1];
  diff::CaseDiffExplanation x =
      diff::ExplainCaseDiff(p->program(), versions[0], p->program(), versions[1], name, body, "the request's case");
  if (!x.error.empty()) return Fail(res, 404, "unknown_decision", x.error);
  if (!x.issues.empty()) {
    res.status = rt::JsonSyntaxProblem(body).empty() ? 422 : 400;
    res.set_content("{" + IssuesJson(x.issues) + "}\n", "application/json");
    return;
  }
  std::string sides;
  for (int k = 0; k < 2; ++k)
    sides += fmt::format("{}{}:{{\"version\":{},\"label\":{},\"outcome\":{},\"explanation\":{}}}", k ? "," : "",
                         rt::JsonQuote(keys[k]), rt::JsonQuote(p->VersionName(versions[k])), rt::JsonQuote(x.label[k]),
                         rt::JsonQuote(x.outcome[k]), rt::JsonQuote(x.explanation[k]));
  std::string diffs, first;
  for (const auto& d : x.differences) {
    std::string item = fmt::format("{{\"rule\":{},\"old\":{},\"new\":{}}}", rt::JsonQuote(d.rule),
                                   rt::JsonQuote(d.old_status), rt::JsonQuote(d.new_status));
    if (first.empty()) first = item;
    diffs += (diffs.empty() ? "" : ",") + item;
  }
  res.set_content(
      fmt::format(
          "{{\"decision\":{},{},\"same_outcome\":{},\"first_difference\":{},\"differences\":[{}],\"text\":{}}}\n",
          rt::JsonQuote(name), sides, x.outcome[0] == x.outcome[1] ? "true" : "false", first.empty() ? "null" : first,
          diffs, rt::JsonQuote(x.text)),
      "application/json");
}

void Service::Routes(httplib::Server& svr) {
  svr.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    std::shared_ptr<Program> p = Current();
    std::string reload_error;
    {
      std::lock_guard<std::mutex> lock(mu_);
      reload_error = last_reload_error_;
    }
    res.set_content(fmt::format("{{\"status\":\"ok\",\"program\":{{\"file\":{},\"generation\":{},\"loaded_at\":{},"
                                "\"engine\":{},\"versions\":{}}},\"last_reload_error\":{}}}\n",
                                rt::JsonQuote(o_.file), p->generation(), rt::JsonQuote(p->loaded_at()),
                                p->native() ? "\"jit\"" : "\"interp\"", p->module().versions.size(),
                                reload_error.empty() ? "null" : rt::JsonQuote(reload_error)),
                    "application/json");
  });
  svr.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    std::shared_ptr<Program> p = Current();
    std::string s = metrics_.Render();
    auto gauge = [&](const char* name, const char* type, const char* help, uint64_t v) {
      s += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, v);
    };
    gauge("edict_decisions_total", "counter", "Cases decided and logged.", metrics_.decisions);
    gauge("edict_decision_log_errors_total", "counter", "Writes to the decision log that failed (the request failed).",
          metrics_.log_errors);
    gauge("edict_decision_log_rotations_total", "counter", "Rotations of the decision log.", log_.rotations());
    gauge("edict_reloads_total", "counter", "Changed programs loaded and swapped in.", metrics_.reloads);
    gauge("edict_reload_failures_total", "counter", "Changed programs that failed to load (the old one kept serving).",
          metrics_.reload_failures);
    gauge("edict_program_generation", "gauge", "The generation of the program served (1 at start).", p->generation());
    gauge("edict_requests_in_flight", "gauge", "Requests being handled.", metrics_.in_flight);
    res.set_content(s, "text/plain; version=0.0.4");
  });
  svr.Get("/openapi.json",
          [](const httplib::Request&, httplib::Response& res) { res.set_content(OpenApiJson(), "application/json"); });
  svr.Get("/instruments", [this](const httplib::Request& req, httplib::Response& res) {
    if (!OnlyParams(req, res, {})) return;
    std::shared_ptr<Program> p = Current();
    std::string items;
    for (const auto& ins : p->module().instruments) {
      std::string fields;
      for (const auto& [k, v] : ins.fields)
        fields += fmt::format("{}{}:{}", fields.empty() ? "" : ",", rt::JsonQuote(k), rt::JsonQuote(v));
      items += fmt::format("{}{{\"name\":{},\"file\":{},\"fields\":{{{}}}}}", items.empty() ? "" : ",",
                           rt::JsonQuote(ins.name), rt::JsonQuote(p->program().sources.file(ins.file).path), fields);
    }
    res.set_content(fmt::format("{{\"instruments\":[{}]}}\n", items), "application/json");
  });
  svr.Get("/versions", [this](const httplib::Request& req, httplib::Response& res) {
    if (!OnlyParams(req, res, {})) return;
    std::shared_ptr<Program> p = Current();
    std::string items;
    const auto& m = p->module();
    for (size_t v = 0; v < m.versions.size(); ++v) {
      const ir::Version& ver = m.versions[v];
      std::string decisions;
      for (const auto& [n, _] : ver.decisions) decisions += (decisions.empty() ? "" : ",") + rt::JsonQuote(n);
      items += fmt::format("{}{{\"name\":{},\"effective\":{},\"instrument\":{},\"latest\":{},\"decisions\":[{}]}}",
                           items.empty() ? "" : ",", rt::JsonQuote(p->VersionName(int(v))),
                           ver.effective.empty() ? "null" : rt::JsonQuote(ver.effective),
                           ver.instrument < 0 ? "null" : rt::JsonQuote(m.instruments[size_t(ver.instrument)].name),
                           v + 1 == m.versions.size() ? "true" : "false", decisions);
    }
    res.set_content(fmt::format("{{\"versions\":[{}]}}\n", items), "application/json");
  });
  svr.Get("/decisions", [this](const httplib::Request& req, httplib::Response& res) {
    if (!OnlyParams(req, res, {"version", "as_of"})) return;
    std::shared_ptr<Program> p = Current();
    int v = VersionOf(*p, req, res);
    if (v < 0) return;
    const auto& m = p->module();
    std::string items;
    for (const auto& [n, d] : m.versions[size_t(v)].decisions) {
      const ir::Decision& dec = m.decisions[d];
      std::string inputs;
      for (const auto& prm : dec.params)
        inputs += fmt::format("{}{{\"name\":{},\"type\":{}}}", inputs.empty() ? "" : ",", rt::JsonQuote(prm.name),
                              rt::JsonQuote(m.types.Name(prm.type)));
      items += fmt::format("{}{{\"name\":{},\"citation\":{},\"inputs\":[{}],\"outcome\":{}}}", items.empty() ? "" : ",",
                           rt::JsonQuote(n), dec.cite.empty() ? "null" : rt::JsonQuote(dec.cite.cite), inputs,
                           rt::JsonQuote(m.types.Name(dec.result)));
    }
    res.set_content(fmt::format("{{\"version\":{},\"decisions\":[{}]}}\n", rt::JsonQuote(p->VersionName(v)), items),
                    "application/json");
  });
  // The schemas of a decision's input and of its outcome.
  using SchemaOf = std::string (*)(const ir::Module&, uint32_t);
  for (auto [pattern, schema] : {std::pair<const char*, SchemaOf>{R"(/decisions/([^/]+)/schema)", cases::SchemaJson},
                                 {R"(/decisions/([^/]+)/outcome-schema)", cases::OutcomeSchemaJson}}) {
    svr.Get(pattern, [this, schema = schema](const httplib::Request& req, httplib::Response& res) {
      if (!OnlyParams(req, res, {"version", "as_of"})) return;
      std::shared_ptr<Program> p = Current();
      int v = VersionOf(*p, req, res);
      if (v < 0) return;
      int d = DecisionOf(*p, req.matches[1], v, res);
      if (d < 0) return;
      res.set_content(schema(p->module(), uint32_t(d)), "application/schema+json");
    });
  }
  // The page (compiler/page/): index.html at `/`, its other files by name. It takes its own
  // query parameters (`?api=`), so none is refused here.
  for (const page::File& f : page::Files()) {
    std::string path = "/";  // a pattern: the dots of a file's name are escaped
    if (f.path != "index.html")
      for (char ch : f.path) path += ch == '.' ? std::string("\\.") : std::string(1, ch);
    svr.Get(path, [&f](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-cache");
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_content(f.bytes.data(), f.bytes.size(), std::string(f.content_type).c_str());
    });
  }
  svr.Post(R"(/decisions/([^/]+)/evaluate)",
           [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
             Evaluate(req, res, reader);
           });
  svr.Post(R"(/decisions/([^/]+)/explain-diff)",
           [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
             ExplainDiff(req, res, reader);
           });
}

thread_local Clock::time_point request_start;
int stop_pipe[2] = {-1, -1};  // written by the handler of SIGTERM and SIGINT

}  // namespace

int Serve(const Common& c, const ServeOptions& o) {
  (void)c;
  // SIGTERM and SIGINT write a byte to a pipe (whichever thread the kernel delivers them to);
  // one thread waits on it and stops the server.
  if (::pipe2(stop_pipe, O_CLOEXEC) != 0) {
    std::cerr << "error: cannot create a pipe: " << std::strerror(errno) << "\n";
    return kSystemError;
  }
  struct sigaction sa {};
  sa.sa_handler = [](int) {
    int saved = errno;
    char b = 1;
    (void)!::write(stop_pipe[1], &b, 1);
    errno = saved;
  };
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a client that goes away is an error on its socket, not the end

  std::string error;
  std::shared_ptr<Program> program = Program::Load(o.file, o.engine, 1, &error);
  if (!program) {
    std::cerr << error;
    return kCompileError;
  }
  Service service(o, program);
  if (!service.log().Open(&error)) {
    std::cerr << "error: " << error << "\n";
    return kOutputError;
  }
  httplib::Server svr;
  svr.new_task_queue = [&o] { return new BoundedPool(o.threads, o.queue); };
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, with which a second server would
  // share the port of a running one instead of being refused.
  svr.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  svr.set_tcp_nodelay(true);  // a response goes out at once, not after a delayed ACK (40 ms per request)
  svr.set_payload_max_length(o.max_body);
  svr.set_read_timeout(time_t(o.timeout), 0);
  svr.set_write_timeout(time_t(o.timeout), 0);
  svr.set_keep_alive_max_count(10000);
  svr.set_keep_alive_timeout(5);
  svr.set_pre_routing_handler([&service](const httplib::Request&, httplib::Response&) {
    request_start = Clock::now();
    ++service.metrics().in_flight;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message;
    const char* kind = "http_error";
    switch (res.status) {
      case 404:
        kind = "not_found";
        message = fmt::format("no route {} {}; /openapi.json lists the routes", req.method, req.path);
        break;
      case 413:
        kind = "body_too_large";
        message = "the request body is larger than the server's limit (--max-body)";
        break;
      default: message = fmt::format("HTTP status {}", res.status);
    }
    res.set_content(ErrorJson(kind, message), "application/json");
  });
  svr.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) { what = e.what(); } catch (...) {
    }
    std::cerr << fmt::format("edict serve: {} {}: {}\n", req.method, req.path, what);
    Fail(res, 500, "internal_error", what);
  });
  // CORS: a page from an allowed origin (a static site's, `--allow-origin`) may read the answers,
  // errors included, and send JSON (the preflight OPTIONS request is answered for any path).
  if (!o.allow_origins.empty()) {
    auto allowed = [&o](const httplib::Request& req) -> std::string {
      std::string origin = req.get_header_value("Origin");
      if (origin.empty()) return "";
      for (const auto& a : o.allow_origins)
        if (a == "*" || a == origin) return a == "*" ? "*" : origin;
      return "";
    };
    svr.set_post_routing_handler([allowed](const httplib::Request& req, httplib::Response& res) {
      std::string origin = allowed(req);
      if (origin.empty()) return;
      res.set_header("Access-Control-Allow-Origin", origin);
      if (origin != "*") res.set_header("Vary", "Origin");
    });
    svr.Options(R"(/.*)", [allowed](const httplib::Request& req, httplib::Response& res) {
      if (allowed(req).empty()) {
        Fail(res, 403, "origin_not_allowed",
             fmt::format("the origin `{}` may not call this server (edict serve --allow-origin)",
                         req.get_header_value("Origin")));
        return;
      }
      res.status = 204;
      res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      res.set_header("Access-Control-Allow-Headers", "Content-Type");
      res.set_header("Access-Control-Max-Age", "600");
    });
  }
  svr.set_logger([&service](const httplib::Request& req, const httplib::Response& res) {
    double seconds = -1;
    if (request_start != Clock::time_point()) {
      seconds = std::chrono::duration<double>(Clock::now() - request_start).count();
      request_start = Clock::time_point();
      --service.metrics().in_flight;
    }
    service.metrics().Request(RouteOf(req), req.method, res.status, seconds);
  });
  service.Routes(svr);

  int port = o.port == 0 ? svr.bind_to_any_port(o.host) : (svr.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port < 0) {
    std::cerr << fmt::format("error: cannot listen on {}:{} (in use, or not an address of this machine)\n", o.host,
                             o.port);
    return kUsage;
  }
  std::printf("edict serve: listening on http://%s:%d\n", o.host.c_str(), port);
  if (std::fflush(stdout) != 0) return kOutputError;

  std::atomic<bool> signalled{false};
  std::thread signals([&] {
    char b = 0;
    while (::read(stop_pipe[0], &b, 1) < 0 && errno == EINTR) {}
    if (b == 1) signalled = true;
    service.StopWatching();
    svr.stop();  // stop accepting; listen_after_bind returns when the requests in flight are done
  });
  std::thread watcher;
  if (o.watch_ms > 0) watcher = std::thread([&] { service.Watch(); });
  bool listened = svr.listen_after_bind();
  if (!signalled) {
    char b = 2;  // not a signal: wake the thread that waits for one
    (void)!::write(stop_pipe[1], &b, 1);
  }
  signals.join();
  service.StopWatching();
  if (watcher.joinable()) watcher.join();
  if (!service.log().Close(&error)) {
    std::cerr << "error: " << error << "\n";
    return kOutputError;
  }
  std::cerr << fmt::format("edict serve: stopped; {} decisions logged to `{}`\n", service.metrics().decisions.load(),
                           o.log);
  if (!listened && !signalled) {
    std::cerr << "error: the server stopped accepting connections\n";
    return kSystemError;
  }
  return kOk;
}

}  // namespace edict::serve
