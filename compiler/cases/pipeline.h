// A streaming pipeline over the cases of a file: the input is read in chunks of whole records
// (lines of JSON Lines, or CSV records, which may hold line breaks inside quotes), worker threads
// process chunks in parallel, and a consumer receives them in input order. At most a few chunks
// per worker are in flight, so memory stays constant. Used by `edict batch`, `edict diff --cases`
// and `edict eval --cases`.
//
// Reading is checked: a file that cannot be read, a read that fails midway, or a record longer
// than limits::kMaxCaseBytes stops the run with a message naming the file (and the line). A UTF-8
// byte order mark at the start of the input is skipped.
#pragma once
#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <string>
#include <string_view>

namespace edict::cases {

// Whatever a worker computes about a chunk beyond its text output.
struct ChunkExtra {
  virtual ~ChunkExtra() = default;
};

struct LineChunk {
  size_t index = 0;
  bool csv = false;         // records are CSV records (PipelineOptions::csv)
  uint64_t first_line = 0;  // 1-based number of the chunk's first line
  uint64_t line_count = 0;  // how many lines the chunk holds
  // Whole lines followed by at least kPadding readable bytes: a view into the mapped input file,
  // or `text` (the lines read, then kPadding spaces).
  std::string_view view;
  std::string text;
  std::string output;       // written to the output in order
  std::string diagnostics;  // written to stderr in order
  uint64_t cases = 0, failed = 0;
  std::unique_ptr<ChunkExtra> extra;

  static constexpr size_t kPadding = 64;
  std::string_view lines() const { return view; }
};

// Writes the chunks' diagnostics (one line each) to stderr in order, at most `limit` lines
// (0: every one); Finish() then says how many were left out. A million cases of the wrong
// schema would otherwise print millions of lines.
class DiagnosticLimit {
 public:
  explicit DiagnosticLimit(uint64_t limit) : limit_(limit) {}
  void Write(std::string_view text);
  void Finish() const;

 private:
  uint64_t limit_, shown_ = 0, hidden_ = 0;
};

struct PipelineOptions {
  unsigned threads = 0;     // 0: every core
  bool progress = false;    // a progress line on stderr (callers pass isatty)
  bool csv = false;         // records are CSV (RFC 4180): a line break inside quotes does not end one
  std::string name;         // the input as messages name it
  uint64_t first_line = 1;  // the number of the input's first line (>1 for a part of a larger file)
  // Called with the first record when set (a CSV header); returning false stops the run.
  std::function<bool(std::string_view)> header;
  // When set, and true (typically set by `consume` after a write failed), no more input is read:
  // the chunks already read are still consumed, and the run ends early.
  const std::atomic<bool>* stop = nullptr;
};

// Runs the pipeline; `make_worker` is called once per thread and returns that thread's chunk
// processor (so each owns its decoders and buffers); `consume` sees chunks in order.
// Returns false if the input could not be read to its end, with the message for stderr in
// `error` (`error: cannot read 'x': ...` or `x:7: error: ...`), or if the header was rejected
// (`error` empty: the header callback reported it). Chunks before the failure are consumed.
bool RunLinePipeline(std::FILE* in, const PipelineOptions& options,
                     const std::function<std::function<void(LineChunk&)>()>& make_worker,
                     const std::function<void(LineChunk&)>& consume, std::string* error);

// Calls `f(line_number, record)` for every non-blank record of a chunk, with the number of the
// line it starts on: without its line break, and a JSON line without the CR of a CRLF (a CSV
// record keeps it: csv::ParseRecord removes it).
void ForEachCaseLine(const LineChunk& chunk, const std::function<void(uint64_t, std::string_view)>& f);

// Every read of a case or cases file goes through these two. `-` is standard input; any other
// path must name a regular file or a pipe: a directory, a device or a file that cannot be opened
// gives null/false and the message for stderr (`error: cannot read 'x': it is a directory`).
std::FILE* OpenCaseInput(const std::string& path, std::string* error);
// A whole case file (`--case`): at most limits::kMaxCaseBytes, without a leading UTF-8 BOM.
bool ReadCaseInput(const std::string& path, std::string* text, std::string* error);

// The number of '\n' bytes in s: sixteen bytes at a time with SSE2 (every x86-64 has it), or
// eight at a time in a word elsewhere.
inline size_t CountNewlines(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size(), count = 0, i = 0;
#if defined(__SSE2__)
  // Each byte lane counts its newlines (a match is -1: subtract it) for up to 255 blocks, then
  // the lanes are summed (psadbw); no popcnt instruction is needed.
  const __m128i nl = _mm_set1_epi8('\n');
  while (i + 16 <= n) {
    __m128i lanes = _mm_setzero_si128();
    for (int k = 0; k < 255 && i + 16 <= n; ++k, i += 16)
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), nl));
    __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
    count += size_t(_mm_cvtsi128_si64(sums)) + size_t(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
#else
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull, kNl = kOnes * '\n';
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    uint64_t x = w ^ kNl;  // a zero byte where there was a newline
    // Exact zero-byte test: the high bit of each byte of ~(((x & 0x7f..) + 0x7f..) | x) is set
    // exactly for the zero bytes of x.
    uint64_t z = ~(((x & ~kHighs) + ~kHighs) | x) & kHighs;
    count += size_t(((z >> 7) * kOnes) >> 56);  // the sum of the eight 0/1 bytes
  }
#endif
  for (; i < n; ++i) count += p[i] == '\n';
  return count;
}

}  // namespace edict::cases
