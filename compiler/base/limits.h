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

// How deeply evaluation may nest through calls: the depth of an expression, plus at each use of a
// helper or constant the depth of that one's expression, and so on down the deepest chain. The
// engines, the LLVM lowering and the Z3 encoding recurse this deep; every thread Edict starts has
// a stack that holds it (compiler/base/stack.h).
inline constexpr uint32_t kMaxEvaluationDepth = 10000;

// The largest input file read whole: an Edict source (a file named on the command line, an
// import, the base of an amendment) or a single case file (`--case`). Regulations are tens of
// kilobytes; the limit keeps `import "/dev/zero"`-like mistakes and attacks from exhausting
// memory. The environment variable EDICT_MAX_SOURCE_BYTES (a whole number of bytes) replaces it.
inline constexpr size_t kMaxSourceBytes = size_t(16) << 20;  // 16 MiB

// The most bytes one case may take: a line of a JSON Lines file, a record of a CSV file (with
// its line break), or a whole `--case` file. The batch pipeline holds a few records per worker in
// memory, so this bounds its memory whatever the input (a 1 GB line from a pipe, a file with no
// line break); a longer case stops the run with `FILE:LINE: error: ...` (exit 3). A real case is a
// few hundred bytes; a case with long lists stays far below this.
inline constexpr size_t kMaxCaseBytes = size_t(16) << 20;  // 16 MiB

// Z3's resource limit (its `rlimit`, a count of its elementary steps, deterministic whatever the
// machine's speed) for each step of the symbolic diff's search for transition classes (is there
// another class?). Large decisions (a 10,000-term `and`, a 1,000-term sum) can make one step run
// for many minutes; past the limit, the diff stops the search and says so (its result is marked
// incomplete, naming the limit) instead of running on. The largest step of the R1 -> R2 diff
// takes 5.2 million, a 900-term sum 0.5 million (EDICT_SYMBOLIC_DEBUG prints it). `edict diff
// --solver-limit N` replaces it (0: no limit).
inline constexpr uint64_t kSymbolicSolverLimit = 50'000'000;

// The most calls one explanation traces (`--explain`): each decision call nests the called
// decision's whole explanation, and each helper call what its body read, so a decision that calls
// others at many sites, which call others in turn, could explain into an output exponential in the
// program's size. A call site evaluated many times in one place (a list operation) is traced once
// and counted, whatever this limit; past the limit, a call is shown with its arguments and result
// only, and the explanation says that its trace was left out.
inline constexpr size_t kMaxTracedCalls = 1000;

// The most worker threads `batch -j` and `diff -j` accept: more cannot run at once on any machine
// Edict targets, and each costs a stack.
inline constexpr uint64_t kMaxThreads = 1024;

}  // namespace edict::limits
