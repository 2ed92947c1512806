// Running a function on a thread with a large stack. The compiler's passes recurse over nesting
// that compiler/base/limits.h bounds; the command runs on a stack sized so that every pass fits
// at those bounds with a wide margin (sanitizer builds included), instead of the 8 MB a process
// usually starts with.
#pragma once
#include <cstddef>
#include <functional>

namespace edict {

inline constexpr size_t kCommandStackBytes = size_t(512) << 20;  // reserved, not committed
// Every other thread (batch workers, the JIT's compile thread, Z3 workers): enough for the
// engines at the nesting limits (measured: the interpreter and the lowering at 10,000 levels
// through calls use under 16 MiB), small enough that -j 8 stays within a `ulimit -v` of 4 GB.
inline constexpr size_t kThreadStackBytes = size_t(64) << 20;

// Runs `fn` on a new thread with a stack of `bytes` and returns its result; runs it on the
// calling thread if such a thread cannot be made. Threads created afterwards get stacks of
// kThreadStackBytes (instead of the 8 MiB default).
int RunWithStack(size_t bytes, const std::function<int()>& fn);

}  // namespace edict
