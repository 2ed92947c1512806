// Running a function on a thread with a large stack. The compiler's passes recurse over nesting
// that compiler/base/limits.h bounds; the command runs on a stack sized so that every pass fits
// at those bounds with a wide margin (sanitizer builds included), instead of the 8 MB a process
// usually starts with.
#pragma once
#include <cstddef>
#include <functional>

namespace edict {

inline constexpr size_t kCommandStackBytes = size_t(512) << 20;  // reserved, not committed

// Runs `fn` on a new thread with a stack of `bytes` and returns its result; runs it on the
// calling thread if such a thread cannot be made. Threads created afterwards (batch workers, the
// JIT's compile thread, the diff's Z3 workers) get stacks of the same size: the interpreter
// recurses as deep on a worker as on the command's thread.
int RunWithStack(size_t bytes, const std::function<int()>& fn);

}  // namespace edict
