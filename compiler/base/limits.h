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

// The most bytes one case may take: a line of a JSON Lines file, a record of a CSV file (with
// its line break), or a whole `--case` file. The batch pipeline holds a few records per worker in
// memory, so this bounds its memory whatever the input (a 1 GB line from a pipe, a file with no
// line break); a longer case stops the run with `FILE:LINE: error: ...` (exit 3). A real case is a
// few hundred bytes; a case with long lists stays far below this.
inline constexpr size_t kMaxCaseBytes = size_t(16) << 20;  // 16 MiB

}  // namespace edict::limits
