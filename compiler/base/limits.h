// The limits Edict puts on its inputs, in one place (docs/security.md lists them and says how to
// change them). A limit turns what would be a crash, a hang or unbounded memory into a diagnostic.
#pragma once
#include <cstddef>
#include <cstdint>

namespace edict::limits {

// How deeply expressions, types and statements may nest in a source file. Each compiler pass
// recurses over this depth, so the limit bounds their stack; the parser reports the first
// construct that goes deeper.
inline constexpr uint32_t kMaxNestingDepth = 1000;

// The most worker threads `batch -j` and `diff -j` accept: more cannot run at once on any machine
// Edict targets, and each costs a stack.
inline constexpr uint64_t kMaxThreads = 1024;

}  // namespace edict::limits
