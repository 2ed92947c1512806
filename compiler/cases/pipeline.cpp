#include "compiler/cases/pipeline.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <iostream>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>

#include <fmt/format.h>

#include "compiler/base/limits.h"
#include "compiler/cases/csv.h"

namespace edict::cases {

namespace {
constexpr size_t kChunkBytes = 1 << 20;
constexpr size_t kReleaseBytes = 32 << 20;  // consumed bytes of a mapped file released at once

// A mapped file that shrinks while it is read (another process truncates it) makes the next
// access past its new end raise SIGBUS. For an address inside the mapping, this handler says so
// and ends the process with exit 3, as for any read error; other SIGBUS keep the default action.
struct MappedRange {
  std::atomic<const char*> begin{nullptr}, end{nullptr};
  char message[600] = {};
  size_t message_size = 0;
};
MappedRange g_mapped;

void OnBusError(int sig, siginfo_t* info, void*) {
  auto* addr = static_cast<const char*>(info->si_addr);
  const char *b = g_mapped.begin.load(), *e = g_mapped.end.load();
  if (b && addr >= b && addr < e) {
    ssize_t ignored = write(2, g_mapped.message, g_mapped.message_size);
    (void)ignored;
    _exit(3);
  }
  signal(sig, SIG_DFL);  // not ours: the fault repeats with the default action
}

// A regular file mapped whole (read-only), from the stream's current position; empty for
// pipes, terminals, empty files, or when mapping fails (the stream is then read as usual).
class MappedFile {
 public:
  MappedFile(std::FILE* f, const std::string& name) : MappedFile(f) {
    if (!base_) return;
    std::string m =
        fmt::format("\nerror: cannot read '{}': the file was truncated while it was read\n", name.substr(0, 400));
    std::memcpy(g_mapped.message, m.data(), m.size());
    g_mapped.message_size = m.size();
    g_mapped.begin = static_cast<const char*>(base_);
    g_mapped.end = static_cast<const char*>(base_) + size_;
    struct sigaction sa = {};
    sa.sa_sigaction = OnBusError;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, nullptr);
  }
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
    if (!base_) return;
    if (g_mapped.begin.load() == base_) {
      g_mapped.begin = nullptr;
      g_mapped.end = nullptr;
    }
    munmap(base_, size_);
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
  uint64_t line = chunk.first_line;
  while (!text.empty()) {
    size_t len = chunk.csv ? csv::FirstRecord(text, true) : std::min(text.find('\n'), text.size());
    std::string_view record = text.substr(0, len);
    text.remove_prefix(len < text.size() ? len + 1 : len);
    uint64_t this_line = line;
    line += 1 + (chunk.csv ? CountNewlines(record) : 0);
    // A JSON line loses the carriage return of its CRLF here; a CSV record keeps it for
    // csv::ParseRecord, which removes that one and rejects any other (`a\r\r\n` is a field
    // holding a carriage return, as csv::Parse reads it; found by the fuzz target case_csv).
    if (!chunk.csv && !record.empty() && record.back() == '\r') record.remove_suffix(1);
    if (csv::IsBlank(record)) continue;  // blank lines hold no case
    f(this_line, record);
  }
}

bool RunLinePipeline(std::FILE* in, const PipelineOptions& options,
                     const std::function<std::function<void(LineChunk&)>()>& make_worker,
                     const std::function<void(LineChunk&)>& consume, std::string* error) {
  if (error) error->clear();
  unsigned threads = options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::mutex mu;
  std::condition_variable work_cv, done_cv, space_cv;
  std::deque<std::unique_ptr<LineChunk>> queue;
  std::map<size_t, std::unique_ptr<LineChunk>> done;
  std::vector<std::string> spare;  // buffers of consumed chunks, for the reader to reuse
  size_t written = 0;
  bool reading_done = false, working_done = false;
  auto start = std::chrono::steady_clock::now();
  // An exception on a worker or the writer (out of memory, an internal error) stops the run: the
  // reader stops, the chunks in flight are passed on without being consumed, and the exception is
  // rethrown on this thread once every thread has stopped (never std::terminate).
  std::exception_ptr escaped;
  std::atomic<bool> aborted{false};
  auto abort_run = [&](std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(mu);
    if (!escaped) escaped = e;
    aborted.store(true, std::memory_order_relaxed);
  };

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
    return std::system_error(e.code(), fmt::format("cannot start {} ({} worker thread{} asked for)", what, threads,
                                                   threads == 1 ? "" : "s"));
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
          if (!aborted.load(std::memory_order_relaxed)) try {
              work(*chunk);
            } catch (...) { abort_run(std::current_exception()); }
          {
            std::lock_guard<std::mutex> lock(mu);
            done[chunk->index] = std::move(chunk);
          }
          done_cv.notify_one();
        }
      });
    } catch (const std::system_error& e) { throw refused(e, fmt::format("worker thread {}", i + 1)); }
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
        if (!aborted.load(std::memory_order_relaxed)) try {
            consume(*chunk);
          } catch (...) { abort_run(std::current_exception()); }
        if (chunk->text.empty()) {  // a view of the mapped file: release it 32 MB at a time
          if (!unreleased.data()) unreleased = chunk->view;
          unreleased =
              std::string_view(unreleased.data(), size_t(chunk->view.data() + chunk->view.size() - unreleased.data()));
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
          std::cerr << fmt::format("\r\033[K{} cases ({:.0f}/s), {} failed", cases, double(cases) / secs, failed)
                    << std::flush;
          last = now;
        }
      }
    });
  } catch (const std::system_error& e) { throw refused(e, "the writer thread"); }

  // Chunks of whole records. A regular file is mapped, and chunks are views into it (no copy);
  // a pipe (or a file that cannot be mapped) is read into buffers. Either way the bytes are
  // scanned once for record ends (RecordEnds keeps its place while more arrive), so a long line
  // costs time linear in its length, and a record longer than kMaxCaseBytes stops the run.
  bool ok = true;
  uint64_t line_no = options.first_line;
  size_t index = 0;
  bool header_done = !options.header;
  csv::RecordEnds ends(options.csv);
  auto fail = [&](std::string message) {
    ok = false;
    if (error) *error = std::move(message);
  };
  auto too_long = [&] {
    fail(fmt::format("{}:{}: error: the {} that starts here is longer than {} MiB, the limit for one case{}",
                     options.name, line_no, options.csv ? "record" : "line", limits::kMaxCaseBytes >> 20,
                     options.csv && ends.quoted() ? " (a quoted field in it may never be closed)" : ""));
  };
  // Hands a chunk (its view set) to the workers, once few enough are in flight.
  auto submit = [&](std::unique_ptr<LineChunk> chunk) {
    uint64_t lines = CountNewlines(chunk->view) + (chunk->view.back() == '\n' ? 0 : 1);
    chunk->index = index++;
    chunk->csv = options.csv;
    chunk->first_line = line_no;
    chunk->line_count = lines;
    line_no += lines;
    std::unique_lock<std::mutex> lock(mu);
    space_cv.wait(lock, [&] { return index - written <= 4 * threads; });
    queue.push_back(std::move(chunk));
    work_cv.notify_one();
  };
  // Where the next cut goes in `text` (the unconsumed input, starting at a record, of which
  // more may follow unless `eof`): just past the last record end scanned (the first while the
  // header is due); 0 to read more first; npos when the run must stop.
  auto cut_at = [&](std::string_view text, bool eof) -> size_t {
    ends.Scan(text, !header_done);
    size_t cut = header_done ? ends.last() : ends.first();
    if (cut != csv::RecordEnds::npos) {
      // Every record of a chunk but the first lies in the last kChunkBytes read.
      if (ends.first() > limits::kMaxCaseBytes) {
        too_long();
        return csv::RecordEnds::npos;
      }
      return cut;
    }
    if (text.size() > limits::kMaxCaseBytes) {
      too_long();
      return csv::RecordEnds::npos;
    }
    return eof ? text.size() : 0;  // the last record, with no line break at its end
  };
  // The header record off the front of `text`; false stops the run.
  auto take_header = [&](std::string_view text) {
    header_done = true;
    std::string_view header = text;
    if (!header.empty() && header.back() == '\n') header.remove_suffix(1);
    if (!header.empty() && header.back() == '\r') header.remove_suffix(1);
    line_no += CountNewlines(text) + (text.back() == '\n' ? 0 : 1);
    if (options.header(header)) return true;
    ok = false;
    return false;
  };
  auto spare_buffer = [&] {
    std::string buffer;
    std::lock_guard<std::mutex> lock(mu);
    if (!spare.empty()) {
      buffer = std::move(spare.back());
      spare.pop_back();
    }
    return buffer;
  };
  auto stopped = [&] {
    return aborted.load(std::memory_order_relaxed) || (options.stop && options.stop->load(std::memory_order_relaxed));
  };
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";
  MappedFile mapped(in, options.name);
  if (mapped.ok()) {
    std::string_view rest = mapped.bytes();
    const char* map_end = rest.data() + rest.size();
    if (rest.substr(0, 3) == kBom) rest.remove_prefix(3);
    size_t avail = 0;
    while (ok && !rest.empty() && !stopped()) {
      avail = std::min(rest.size(), avail + kChunkBytes);
      size_t cut = cut_at(rest.substr(0, avail), avail == rest.size());
      if (cut == csv::RecordEnds::npos) break;
      if (cut == 0) continue;
      std::string_view piece = rest.substr(0, cut);
      rest.remove_prefix(cut);
      avail = 0;
      ends.Reset();
      if (!header_done) {
        if (!take_header(piece)) break;
        continue;
      }
      auto chunk = std::make_unique<LineChunk>();
      if (piece.data() + piece.size() + LineChunk::kPadding <= map_end) {
        chunk->view = piece;
      } else {  // too near the end of the file for the padding: copied
        chunk->text = spare_buffer();
        chunk->text.assign(piece);
        chunk->text.append(LineChunk::kPadding, ' ');
        chunk->view = std::string_view(chunk->text.data(), piece.size());
      }
      submit(std::move(chunk));
    }
    std::fseek(in, 0, SEEK_END);
  } else {
    std::string buffer;
    bool eof = false, first_read = true;
    while (ok && !stopped()) {
      if (!eof) {
        size_t old = buffer.size();
        buffer.resize(old + kChunkBytes);
        size_t n = std::fread(buffer.data() + old, 1, kChunkBytes, in);
        buffer.resize(old + n);
        if (n < kChunkBytes) {
          eof = true;
          if (std::ferror(in)) {
            fail(fmt::format("error: cannot read '{}': {}", options.name, std::strerror(errno)));
            break;
          }
        }
        if (first_read && std::string_view(buffer).substr(0, 3) == kBom) buffer.erase(0, 3);
        first_read = false;
      }
      size_t cut = cut_at(buffer, eof);
      if (cut == csv::RecordEnds::npos) break;
      if (cut == 0) {
        if (eof) break;  // nothing left
        continue;
      }
      ends.Reset();
      if (!header_done) {
        bool taken = take_header(std::string_view(buffer).substr(0, cut));
        buffer.erase(0, cut);
        if (!taken) break;
        continue;
      }
      // The buffer becomes the chunk's text; what follows the cut starts the next buffer.
      auto chunk = std::make_unique<LineChunk>();
      std::string next = spare_buffer();
      next.assign(buffer, cut, std::string::npos);
      chunk->text = std::move(buffer);
      buffer = std::move(next);
      chunk->text.resize(cut);
      chunk->text.append(LineChunk::kPadding, ' ');
      chunk->view = std::string_view(chunk->text.data(), cut);
      submit(std::move(chunk));
      if (eof && buffer.empty()) break;
    }
  }
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
  if (escaped) std::rethrow_exception(escaped);
  return ok;
}

namespace {

// What a path names, when it is not something a case can be read from: "" when it is.
std::string NotReadable(const struct stat& st) {
  if (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) return "";
  if (S_ISDIR(st.st_mode)) return "it is a directory";
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return "it is a device, not a file";
  return "it is not a regular file";
}

std::string OpenError(int err) {
  if (err == ENOENT) return "no such file";
  if (err == EACCES) return "permission denied";
  return std::strerror(err);
}

}  // namespace

std::FILE* OpenCaseInput(const std::string& path, std::string* error) {
  if (path == "-") {  // standard input: whatever the shell connected (a terminal too)
    struct stat st;
    if (fstat(0, &st) == 0 && S_ISDIR(st.st_mode)) {
      *error = "error: cannot read standard input: it is a directory";
      return nullptr;
    }
    return stdin;
  }
  // A device is refused without being opened. A FIFO is opened as `cat` opens it: waiting for
  // its writer (opened without waiting, a FIFO whose writer has not come yet reads as empty).
  // Anything else is opened without waiting, then checked again.
  struct stat named;
  bool exists = stat(path.c_str(), &named) == 0;
  bool fifo = exists && S_ISFIFO(named.st_mode);
  if (exists && (S_ISCHR(named.st_mode) || S_ISBLK(named.st_mode))) {
    *error = fmt::format("error: cannot read '{}': {}", path, NotReadable(named));
    return nullptr;
  }
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | (fifo ? 0 : O_NONBLOCK));
  if (fd < 0) {
    *error = fmt::format("error: cannot read '{}': {}", path, OpenError(errno));
    return nullptr;
  }
  struct stat st;
  std::string why = fstat(fd, &st) != 0 ? std::strerror(errno) : NotReadable(st);
  if (why.empty() && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) why = std::strerror(errno);
  std::FILE* f = why.empty() ? fdopen(fd, "rb") : nullptr;
  if (!f) {
    if (why.empty()) why = std::strerror(errno);
    close(fd);
    *error = fmt::format("error: cannot read '{}': {}", path, why);
    return nullptr;
  }
  return f;
}

bool ReadCaseInput(const std::string& path, std::string* text, std::string* error) {
  std::FILE* f = OpenCaseInput(path, error);
  if (!f) return false;
  std::string name = path == "-" ? "standard input" : "'" + path + "'";
  text->clear();
  char buffer[1 << 16];
  bool ok = true;
  for (;;) {
    size_t n = std::fread(buffer, 1, sizeof buffer, f);
    text->append(buffer, n);
    if (text->size() > limits::kMaxCaseBytes) {
      *error = fmt::format("error: cannot read {}: it is longer than {} MiB, the limit for one case", name,
                           limits::kMaxCaseBytes >> 20);
      ok = false;
      break;
    }
    if (n < sizeof buffer) {
      if (std::ferror(f)) {
        *error = fmt::format("error: cannot read {}: {}", name, std::strerror(errno));
        ok = false;
      }
      break;
    }
  }
  if (f != stdin) std::fclose(f);
  if (ok && std::string_view(*text).substr(0, 3) == "\xEF\xBB\xBF") text->erase(0, 3);
  return ok;
}

}  // namespace edict::cases
