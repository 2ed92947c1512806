// The program `edict serve` serves: loaded, checked and compiled once, then shared read-only by
// the requests that started while it was current (a reload makes a new one and swaps it in).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/jit/engine.h"
#include "compiler/jit/run.h"
#include "compiler/load/load.h"
#include "runtime/case_json.h"

namespace edict::serve {

// What a file looked like when it was read: a change of either means it was edited.
struct FileStamp {
  std::string path;
  int64_t mtime_ns = -1;  // -1: missing
  int64_t size = -1;
  bool operator==(const FileStamp&) const = default;
};
std::vector<FileStamp> StampFiles(const std::vector<std::string>& paths);

// One case decided: the HTTP status, the response's JSON object, and the decision log's line
// (empty when nothing was decided: a case that does not fit the input).
struct CaseResult {
  int status = 200;
  std::string json;
  std::string log_line;
};

class Program {
 public:
  // Loads, checks and (with the JIT engine) compiles; null with *error (diagnostics as text).
  static std::shared_ptr<Program> Load(const std::string& file, const std::string& engine, uint64_t generation,
                                       std::string* error);

  const load::Program& program() const { return p_; }
  const ir::Module& module() const { return p_.module; }
  uint64_t generation() const { return generation_; }
  const std::string& loaded_at() const { return loaded_at_; }
  const std::vector<FileStamp>& stamps() const { return stamps_; }
  bool native() const { return engine_ != nullptr; }

  // The version a request names: by name, or in force on a date, or the latest. -1 with *error
  // and *status (404 unknown version, 422 a bad date or none in force).
  int Version(const std::string& name, const std::string& as_of, int* status, std::string* error) const;
  std::string VersionName(int version) const;
  // A decision of a version, or -1.
  int Decision(const std::string& name, int version) const { return p_.module.FindDecision(name, version); }

  // Decides one case given as JSON text. `id` names the decision in the log.
  CaseResult Evaluate(int version, uint32_t decision, std::string_view json, bool explain, const std::string& id) const;

 private:
  Program() = default;
  // Borrowed from a pool per decision (a decoder and a runner are not shared between threads).
  std::unique_ptr<rt::CaseDecoder> TakeDecoder(uint32_t decision) const;
  void GiveDecoder(uint32_t decision, std::unique_ptr<rt::CaseDecoder> d) const;
  std::unique_ptr<jit::Runner> TakeRunner() const;
  void GiveRunner(std::unique_ptr<jit::Runner> r) const;

  load::Program p_;
  uint64_t generation_ = 0;
  std::string loaded_at_;
  std::vector<FileStamp> stamps_;
  std::unique_ptr<jit::Engine> engine_;  // traced: it records the rules that decide
  mutable std::mutex mu_;
  mutable std::map<uint32_t, std::vector<std::unique_ptr<rt::CaseDecoder>>> decoders_;
  mutable std::vector<std::unique_ptr<jit::Runner>> runners_;
};

// `"error":{"kind":"invalid_case","issues":[{"field","message"}...]}`: what is wrong with a case,
// each issue with its field's path (null for the case as a whole).
std::string IssuesJson(const std::vector<rt::CaseIssue>& issues);

// The time now as RFC 3339 UTC with milliseconds: 2026-12-02T05:19:31.123Z.
std::string NowUtc();

}  // namespace edict::serve
