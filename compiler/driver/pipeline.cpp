#include "compiler/driver/pipeline.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace edict::driver {

namespace {
constexpr size_t kChunkBytes = 1 << 20;
constexpr size_t kReleaseBytes = 32 << 20;  // consumed bytes of a mapped file released at once

// A regular file mapped whole (read-only), from the stream's current position; empty for
// pipes, terminals, empty files, or when mapping fails (the stream is then read as usual).
class MappedFile {
 public:
  explicit MappedFile(std::FILE* f) {
    struct stat st;
    int fd = fileno(f);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return;
    long pos = std::ftell(f);
    if (pos < 0 || pos >= st.st_size) return;
    void* p = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) return;
    base_ = p;
    size_ = size_t(st.st_size);
    bytes_ = std::string_view(static_cast<const char*>(p) + pos, size_ - size_t(pos));
  }
  ~MappedFile() {
    if (base_) munmap(base_, size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  bool ok() const { return base_ != nullptr; }
  std::string_view bytes() const { return bytes_; }

 private:
  void* base_ = nullptr;
  size_t size_ = 0;
  std::string_view bytes_;
};
// Drops the whole pages of consumed views of the mapped input from the process (they stay in
// the page cache), so that memory stays bounded however large the file. Each call costs the
// other threads a TLB flush: it is done every kReleaseBytes, not per chunk.
void ReleaseMapped(std::string_view view) {
  const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  uintptr_t begin = (uintptr_t(view.data()) + page - 1) / page * page;
  uintptr_t end = (uintptr_t(view.data()) + view.size()) / page * page;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace

void DiagnosticLimit::Write(std::string_view text) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl == std::string_view::npos ? text.size() : nl + 1);
    text.remove_prefix(line.size());
    if (limit_ == 0 || shown_ < limit_) {
      std::cerr << line;
      ++shown_;
    } else {
      ++hidden_;
    }
  }
}

void DiagnosticLimit::Finish() const {
  if (hidden_ > 0)
    std::cerr << fmt::format("... and {} more error line{} not shown (--max-errors 0 shows every one)\n", hidden_,
                             hidden_ == 1 ? "" : "s");
}

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
  // A thread the system refuses to start is reported (std::system_error, once the threads started
  // so far have stopped), rather than ending the process with std::terminate.
  auto refused = [&](const std::system_error& e, const std::string& what) {
    {
      std::lock_guard<std::mutex> lock(mu);
      reading_done = working_done = true;
    }
    work_cv.notify_all();
    for (auto& w : workers) w.join();
    return std::system_error(e.code(), fmt::format("cannot start {} ({} worker thread{} asked for)", what, threads, threads == 1 ? "" : "s"));
  };
  for (unsigned i = 0; i < threads; ++i) try {
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
  } catch (const std::system_error& e) {
    throw refused(e, fmt::format("worker thread {}", i + 1));
  }
  std::thread writer;
  try {
    writer = std::thread([&] {
    size_t next = 0;
    std::string_view unreleased;  // consumed views of the mapped file, not yet released
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
      if (chunk->text.empty()) {  // a view of the mapped file: release it 32 MB at a time
        if (!unreleased.data()) unreleased = chunk->view;
        unreleased = std::string_view(unreleased.data(), size_t(chunk->view.data() + chunk->view.size() - unreleased.data()));
        if (unreleased.size() >= kReleaseBytes) {
          ReleaseMapped(unreleased);
          unreleased = {};
        }
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        if (spare.size() < 2 * threads && chunk->text.capacity() > 0) spare.push_back(std::move(chunk->text));
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
  } catch (const std::system_error& e) {
    throw refused(e, "the writer thread");
  }

  // Chunks of whole lines. A regular file is mapped, and chunks are views into it (no copy);
  // a pipe, or the end of a file too close to its end for the padding, is read into buffers.
  bool ok = true;
  uint64_t line_no = 1;
  size_t index = 0;
  bool header_done = !options.header;
  // Hands a chunk (its view set) to the workers, once few enough are in flight.
  auto submit = [&](std::unique_ptr<LineChunk> chunk) {
    uint64_t lines = CountNewlines(chunk->view) + (chunk->view.back() == '\n' ? 0 : 1);
    chunk->index = index++;
    chunk->first_line = line_no;
    chunk->line_count = lines;
    line_no += lines;
    std::unique_lock<std::mutex> lock(mu);
    space_cv.wait(lock, [&] { return index - written <= 4 * threads; });
    queue.push_back(std::move(chunk));
    work_cv.notify_one();
  };
  // The CSV header, if any, off the front of `text`; false stops the run.
  auto take_header = [&](std::string_view& text) {
    if (header_done || text.empty()) return true;
    size_t nl = text.find('\n');
    std::string header(text.substr(0, nl == std::string_view::npos ? text.size() : nl));
    if (!header.empty() && header.back() == '\r') header.pop_back();
    header_done = true;
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    return options.header(header);
  };
  MappedFile mapped(in);
  std::string_view rest = mapped.bytes();
  while (ok && rest.size() >= kChunkBytes + LineChunk::kPadding) {  // views, while the padding is there
    if (!take_header(rest)) { ok = false; break; }
    const char* last = static_cast<const char*>(memrchr(rest.data(), '\n', kChunkBytes));
    if (!last) last = static_cast<const char*>(std::memchr(rest.data(), '\n', rest.size() - LineChunk::kPadding));
    if (!last) break;  // a last line longer than a chunk: read below
    auto chunk = std::make_unique<LineChunk>();
    chunk->view = rest.substr(0, size_t(last - rest.data()) + 1);
    rest.remove_prefix(chunk->view.size());
    submit(std::move(chunk));
  }
  // The rest: the mapped tail, then whatever the stream still holds.
  std::string partial(rest);
  if (mapped.ok()) std::fseek(in, 0, SEEK_END);
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
    std::string_view body = text;
    if (!take_header(body)) { ok = false; break; }
    if (body.empty()) continue;
    text.erase(0, text.size() - body.size());
    text.append(LineChunk::kPadding, ' ');
    chunk->view = std::string_view(text.data(), text.size() - LineChunk::kPadding);
    submit(std::move(chunk));
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
