// The native engine: every decision of a module compiled to machine code through LLVM (ORC
// LLJIT). No LLVM type appears here; only compiler/lower/ and compiler/jit/*.cpp see LLVM.
//
// A compiled decision has the C signature
//   int32_t decision(const uint8_t* input, uint8_t* output, NativeError* error, uint8_t* trace);
// `input` holds the parameters as a C struct in the flat layout of runtime/layout.h, `output`
// receives the outcome in the same layout. It returns 0, or 1 + the RtErrorKind of a runtime
// error, with its site (a source range) in *error. With a trace buffer (engines created with
// Options::trace), it records which rules applied and the value of every atomic condition.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/lower/decision_info.h"
#include "runtime/layout.h"

namespace edict::jit {

// The error record a compiled decision fills, and what lowering decided about each decision (its
// input layout and its trace layout): defined by compiler/lower/decision_info.h.
using lower::DecisionInfo;
using lower::NativeError;

using DecisionFn = int32_t (*)(const uint8_t* input, uint8_t* output, NativeError* error, uint8_t* trace);
// Evaluates n cases: arrays of n inputs (stride info.input.size) and n outputs (stride
// info.output_size), one status and one NativeError per case. Strides known when compiling keep
// the loop's registers for the decision.
using BatchFn = void (*)(const uint8_t* inputs, uint64_t n, uint8_t* outputs, int32_t* statuses, NativeError* errors);

// Lets the thread that asked for a compilation give it up (`edict batch` exits without waiting for
// code the interpreter made unnecessary). Once requested, Engine::Create stops at its next step
// and returns null with the error "abandoned", and never starts writing the code cache: it writes
// under the lock, so a process that requests it and exits at once leaves no half-written entry.
class Abandon {
 public:
  void Request() {
    std::lock_guard<std::mutex> lock(mu_);
    requested_ = true;
  }
  bool requested() {
    std::lock_guard<std::mutex> lock(mu_);
    return requested_;
  }
  // Runs f under the lock unless abandonment was requested; whether it ran.
  template <class F>
  bool UnlessRequested(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    if (requested_) return false;
    f();
    return true;
  }

 private:
  std::mutex mu_;
  bool requested_ = false;
};

struct Options {
  bool trace = false;  // also record traces (the function then expects a trace buffer)
  int opt_level = 2;   // 0 to 3
  // Compile only these decisions and the decisions they call (empty: every decision).
  std::vector<uint32_t> only;
  // Reuse machine code compiled before for the same program (compiler/jit/code_cache.h).
  bool cache = true;
  std::shared_ptr<Abandon> abandon = nullptr;  // may be null
};

class Engine {
 public:
  // Compiles every decision of the module; on failure returns null with a message.
  static std::unique_ptr<Engine> Create(const ir::Module& m, Options options, std::string* error);
  ~Engine();

  DecisionFn decision(uint32_t d) const;  // null for a decision that was not compiled
  BatchFn batch(uint32_t d) const;        // null for engines created with Options::trace
  const DecisionInfo& info(uint32_t d) const;
  SourceRange site(int32_t s) const;
  const rt::Layouts& layouts() const;
  double compile_ms() const;  // lowering + optimisation + machine code, whole module
  bool from_cache() const;    // the machine code came from the compiled-code cache

 private:
  Engine();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edict::jit
