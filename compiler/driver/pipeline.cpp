#include "compiler/driver/pipeline.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace edict::driver {

namespace {
constexpr size_t kChunkBytes = 1 << 20;
}  // namespace

void ForEachCaseLine(const LineChunk& chunk, const std::function<void(uint64_t, std::string_view)>& f) {
  std::string_view text = chunk.lines();
  size_t pos = 0;
  uint64_t line = chunk.first_line;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view row = text.substr(pos, end - pos);
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    pos = end + 1;
    uint64_t this_line = line++;
    if (row.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank lines hold no case
    f(this_line, row);
  }
}

bool RunLinePipeline(std::FILE* in, const PipelineOptions& options,
                     const std::function<std::function<void(LineChunk&)>()>& make_worker,
                     const std::function<void(LineChunk&)>& consume) {
  unsigned threads = options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::mutex mu;
  std::condition_variable work_cv, done_cv, space_cv;
  std::deque<std::unique_ptr<LineChunk>> queue;
  std::map<size_t, std::unique_ptr<LineChunk>> done;
  std::vector<std::string> spare;  // buffers of consumed chunks, for the reader to reuse
  size_t written = 0;
  bool reading_done = false, working_done = false;
  auto start = std::chrono::steady_clock::now();

  std::vector<std::thread> workers;
  for (unsigned i = 0; i < threads; ++i) {
    workers.emplace_back([&, work = make_worker()] {
      for (;;) {
        std::unique_ptr<LineChunk> chunk;
        {
          std::unique_lock<std::mutex> lock(mu);
          work_cv.wait(lock, [&] { return !queue.empty() || reading_done; });
          if (queue.empty()) return;
          chunk = std::move(queue.front());
          queue.pop_front();
        }
        work(*chunk);
        {
          std::lock_guard<std::mutex> lock(mu);
          done[chunk->index] = std::move(chunk);
        }
        done_cv.notify_one();
      }
    });
  }
  std::thread writer([&] {
    size_t next = 0;
    uint64_t cases = 0, failed = 0;
    auto last = std::chrono::steady_clock::now();
    for (;;) {
      std::unique_ptr<LineChunk> chunk;
      {
        std::unique_lock<std::mutex> lock(mu);
        done_cv.wait(lock, [&] { return done.count(next) || working_done; });
        auto it = done.find(next);
        if (it == done.end()) return;
        chunk = std::move(it->second);
        done.erase(it);
      }
      if (options.progress && !chunk->diagnostics.empty()) std::cerr << "\r\033[K";
      consume(*chunk);
      {
        std::lock_guard<std::mutex> lock(mu);
        if (spare.size() < 2 * threads) spare.push_back(std::move(chunk->text));
      }
      cases += chunk->cases;
      failed += chunk->failed;
      ++next;
      {
        std::lock_guard<std::mutex> lock(mu);
        written = next;
      }
      space_cv.notify_all();
      auto now = std::chrono::steady_clock::now();
      if (options.progress && now - last > std::chrono::milliseconds(300)) {
        double secs = std::chrono::duration<double>(now - start).count();
        std::cerr << fmt::format("\r\033[K{} cases ({:.0f}/s), {} failed", cases, double(cases) / secs, failed) << std::flush;
        last = now;
      }
    }
  });

  // Read straight into each chunk's buffer, after the previous block's partial line.
  bool ok = true;
  std::string partial;
  uint64_t line_no = 1;
  size_t index = 0;
  bool header_done = !options.header;
  for (bool eof = false; !eof && ok;) {
    auto chunk = std::make_unique<LineChunk>();
    std::string& text = chunk->text;
    {  // a consumed chunk's buffer, if any: growing it to about its old size fills little
      std::lock_guard<std::mutex> lock(mu);
      if (!spare.empty()) {
        text = std::move(spare.back());
        spare.pop_back();
      }
    }
    text.resize(partial.size() + kChunkBytes + LineChunk::kPadding);
    std::memcpy(text.data(), partial.data(), partial.size());
    size_t n = std::fread(text.data() + partial.size(), 1, kChunkBytes, in);
    eof = n < kChunkBytes;
    size_t len = partial.size() + n;
    size_t cut = len;
    if (!eof) {
      const char* last = static_cast<const char*>(memrchr(text.data(), '\n', len));
      cut = last ? size_t(last - text.data()) + 1 : 0;
    }
    partial.assign(text.data() + cut, len - cut);
    text.resize(cut);
    if (!header_done && !text.empty()) {
      size_t nl = text.find('\n');
      std::string header = text.substr(0, nl == std::string::npos ? text.size() : nl);
      if (!header.empty() && header.back() == '\r') header.pop_back();
      if (!options.header(header)) { ok = false; break; }
      text.erase(0, nl == std::string::npos ? text.size() : nl + 1);
      ++line_no;
      header_done = true;
    }
    if (text.empty()) continue;
    uint64_t lines = CountNewlines(text) + (text.back() == '\n' ? 0 : 1);
    chunk->index = index++;
    chunk->first_line = line_no;
    chunk->line_count = lines;
    text.append(LineChunk::kPadding, ' ');
    line_no += lines;
    std::unique_lock<std::mutex> lock(mu);
    space_cv.wait(lock, [&] { return index - written <= 4 * threads; });
    queue.push_back(std::move(chunk));
    work_cv.notify_one();
  }
  if (std::ferror(in)) ok = false;
  {
    std::lock_guard<std::mutex> lock(mu);
    reading_done = true;
  }
  work_cv.notify_all();
  for (auto& w : workers) w.join();
  {
    std::lock_guard<std::mutex> lock(mu);
    working_done = true;
  }
  done_cv.notify_all();
  writer.join();
  if (options.progress) std::cerr << "\r\033[K";
  return ok;
}

}  // namespace edict::driver
