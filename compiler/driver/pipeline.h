// A streaming pipeline over the lines of a file: the input is read in chunks of whole lines,
// worker threads process chunks in parallel, and a consumer receives them in input order. At
// most a few chunks per worker are in flight, so memory stays constant. Used by `edict batch`
// and `edict diff --cases`.
#pragma once
#include <cstdio>
#include <functional>
#include <memory>
#include <cstring>
#include <string>
#include <string_view>

namespace edict::driver {

// Whatever a worker computes about a chunk beyond its text output.
struct ChunkExtra {
  virtual ~ChunkExtra() = default;
};

struct LineChunk {
  size_t index = 0;
  uint64_t first_line = 0;  // 1-based number of the chunk's first line
  uint64_t line_count = 0;  // how many lines `text` holds
  std::string text;         // whole lines, followed by kPadding spaces
  std::string output;       // written to the output in order
  std::string diagnostics;  // written to stderr in order
  uint64_t cases = 0, failed = 0;
  std::unique_ptr<ChunkExtra> extra;

  static constexpr size_t kPadding = 64;
  std::string_view lines() const { return std::string_view(text.data(), text.size() - kPadding); }
};

struct PipelineOptions {
  unsigned threads = 0;          // 0: every core
  bool progress = false;         // a progress line on stderr (callers pass isatty)
  // Called with the first line when set (a CSV header); returning false stops the run.
  std::function<bool(std::string_view)> header;
};

// Runs the pipeline; `make_worker` is called once per thread and returns that thread's chunk
// processor (so each owns its decoders and buffers); `consume` sees chunks in order.
// Returns false if reading failed or the header was rejected.
bool RunLinePipeline(std::FILE* in, const PipelineOptions& options,
                     const std::function<std::function<void(LineChunk&)>()>& make_worker,
                     const std::function<void(LineChunk&)>& consume);

// Calls `f(line_number, line)` for every non-blank line of a chunk (without its newline or CR).
void ForEachCaseLine(const LineChunk& chunk, const std::function<void(uint64_t, std::string_view)>& f);

// The number of '\n' bytes in s (eight bytes at a time).
inline size_t CountNewlines(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull, kNl = kOnes * '\n';
  const char* p = s.data();
  size_t n = s.size(), count = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    uint64_t x = w ^ kNl;  // a zero byte where there was a newline
    // Exact zero-byte test: the high bit of each byte of ~(((x & 0x7f..) + 0x7f..) | x) is set
    // exactly for the zero bytes of x.
    uint64_t z = ~(((x & ~kHighs) + ~kHighs) | x) & kHighs;
    count += size_t(((z >> 7) * kOnes) >> 56);  // the sum of the eight 0/1 bytes
  }
  for (; i < n; ++i) count += p[i] == '\n';
  return count;
}

}  // namespace edict::driver
