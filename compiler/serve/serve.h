// `edict serve`: the decision service. An HTTP server (cpp-httplib, seen by this folder alone)
// over one program: its instruments, versions, decisions and their input schemas; evaluation of
// one case or of a stream of JSON Lines; the differential explanation of a case between two
// versions; health, Prometheus metrics, a decision log, and reload when the program's files change;
// the page for trying a case (compiler/page/) at `/`, and CORS headers for the origins allowed.
// docs/publishing.md describes the API and its deployment; docs/cli.md the options.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/base/command.h"

namespace edict::serve {

struct ServeOptions {
  std::string file;                             // the root file: the program served
  std::string host = "127.0.0.1";               // the address to listen on
  int port = 8080;                              // 0: an ephemeral port, printed on standard output
  std::string log = "decisions.jsonl";          // the decision log (JSON Lines)
  uint64_t log_max_bytes = uint64_t(64) << 20;  // rotate the log when it passes this size
  uint32_t log_keep = 5;                        // rotated logs kept: FILE.1 (newest) .. FILE.N
  uint64_t max_body = uint64_t(1) << 20;        // bytes of a request body, beyond which 413
  uint32_t timeout = 10;                        // seconds: reading, writing, and a request's evaluation
  uint32_t threads = 16;                        // requests handled at once (one thread each)
  uint32_t queue = 64;                          // connections accepted and waiting for a thread
  uint32_t watch_ms = 1000;                     // how often the files are checked for changes (0: never)
  std::string engine = "jit";                   // jit (native code, with the code cache) or interp
  std::vector<std::string> allow_origins;       // origins whose pages may call the API (CORS), or "*"
};

// Serves until SIGTERM or SIGINT, then finishes the requests in flight, flushes and fsyncs the
// decision log and returns 0. Returns kCompileError if the program has errors, kUsage if the
// address cannot be bound, kOutputError if the log cannot be opened or written when closing.
int Serve(const Common& c, const ServeOptions& o);

}  // namespace edict::serve
