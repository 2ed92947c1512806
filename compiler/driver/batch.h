// `edict batch`: streaming, multi-threaded, order-preserving evaluation of many cases.
#pragma once
#include <string>

#include "compiler/driver/commands.h"

namespace edict::driver {

struct BatchOptions {
  std::string file;
  std::string decision;
  std::string cases;                  // path, or - for standard input
  std::string input_format = "auto";  // auto (by extension), jsonl, csv
  std::string format = "jsonl";       // jsonl, csv, lines
  std::string output;                 // empty: standard output
  std::string engine = "jit";
  std::string as_of;
  int threads = 0;            // 0: every core
  bool progress = true;       // shown only on a terminal
  bool stats = false;         // time and throughput in the summary (always on a terminal)
  uint64_t max_errors = 100;  // error lines on stderr (0: every one)
};

int RunBatch(const Common& c, const BatchOptions& o);

}  // namespace edict::driver
