#include "compiler/base/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <streambuf>

#include <fmt/format.h>

namespace edict {

namespace {

// Set when an Output on standard output has reported its failure, so it is not reported twice.
bool stdout_failure_reported = false;
// The errno of the first failed write to standard output (0 if none was seen).
int stdout_errno = 0;

// std::cout's buffer once InstallStdoutBuffer ran: it writes file descriptor 1 with write(2),
// retrying short writes and EINTR, and keeps the errno of the first failure, which the C library
// buffer behind a synchronised std::cout loses.
class StdoutBuffer : public std::streambuf {
 public:
  StdoutBuffer() { setp(buffer_, buffer_ + sizeof buffer_); }

 protected:
  int_type overflow(int_type c) override {
    if (!Drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return Drain() ? 0 : -1; }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n >= std::streamsize(sizeof buffer_)) {  // large writes go straight out
      if (!Drain() || !WriteAll(s, size_t(n))) return 0;
      return n;
    }
    return std::streambuf::xsputn(s, n);
  }

 private:
  bool Drain() {
    size_t n = size_t(pptr() - pbase());
    setp(buffer_, buffer_ + sizeof buffer_);
    return n == 0 || WriteAll(buffer_, n);
  }
  bool WriteAll(const char* p, size_t n) {
    if (stdout_errno) return false;  // once failed, later output is dropped, not interleaved
    while (n > 0) {
      ssize_t w = ::write(1, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        stdout_errno = w < 0 ? errno : EIO;
        return false;
      }
      p += w;
      n -= size_t(w);
    }
    return true;
  }
  char buffer_[1 << 16];
};

std::string Describe(const std::string& name, int err) {
  return fmt::format("cannot write {}: {}", name, err ? std::strerror(err) : "the write failed");
}

}  // namespace

Output::~Output() {
  if (f_ && owned_) std::fclose(f_);
}

void InstallStdoutBuffer() {
  // Never destroyed: std::cout is flushed once more at exit, after the function-local statics
  // are gone (what a command printed before returning early, `--help` say, is written then).
  static StdoutBuffer* buffer = new StdoutBuffer;
  std::cout.rdbuf(buffer);
}

bool Output::Open(const std::string& path) {
  if (path.empty() || path == "-") {
    std::cout.flush();  // what the command wrote through std::cout comes first
    f_ = stdout;
    owned_ = false;
    name_ = "standard output";
    return true;
  }
  name_ = fmt::format("'{}'", path);
  errno = 0;
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) {
    Fail(errno);
    return false;
  }
  owned_ = true;
  return true;
}

void Output::Fail(int err) {
  if (error_.empty()) error_ = Describe(name_, err);
  if (f_ == stdout) stdout_failure_reported = true;
}

bool Output::Write(std::string_view bytes) {
  if (!f_ || !error_.empty()) return false;
  if (bytes.empty()) return true;
  errno = 0;
  if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size()) {
    Fail(errno);
    return false;
  }
  return true;
}

bool Output::Close() {
  if (!f_) return error_.empty();
  errno = 0;
  if (std::fflush(f_) != 0 || std::ferror(f_)) Fail(errno);
  if (owned_) {
    errno = 0;
    if (std::fclose(f_) != 0) Fail(errno);
  }
  f_ = nullptr;
  return error_.empty();
}

bool WriteWholeFile(const std::string& path, std::string_view bytes, std::string* error) {
  Output out;
  if (out.Open(path) && out.Write(bytes) && out.Close()) return true;
  out.Close();
  *error = out.error();
  return false;
}

bool ReplaceFileAtomically(const std::string& path, std::string_view bytes, std::string* error) {
  auto fail = [&](const std::string& name, int err) {
    *error = Describe("'" + name + "'", err);
    return false;
  };
  char resolved[PATH_MAX];
  if (!::realpath(path.c_str(), resolved)) return fail(path, errno);
  std::string target = resolved;
  struct stat st;
  if (::stat(target.c_str(), &st) != 0) return fail(path, errno);
  size_t slash = target.rfind('/');
  std::string temp = target.substr(0, slash + 1) + "." + target.substr(slash + 1) + ".edict-fmt-XXXXXX";
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return fail(temp, errno);
  int err = 0;
  for (size_t done = 0; done < bytes.size() && !err;) {
    ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0)
      err = w < 0 ? errno : EIO;
    else
      done += size_t(w);
  }
  if (!err && ::fchmod(fd, st.st_mode & 07777) != 0) err = errno;
  if (!err && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && !err) err = errno;
  if (!err && ::rename(temp.c_str(), target.c_str()) != 0) err = errno;
  if (err) {
    ::unlink(temp.c_str());
    return fail(path, err);
  }
  return true;
}

bool WriteStdout(std::string_view bytes) {
  errno = 0;
  std::cout.write(bytes.data(), std::streamsize(bytes.size()));
  if (std::cout) return true;
  if (!stdout_errno) stdout_errno = errno;
  return false;
}

bool FinishStdout(std::string* error) {
  errno = 0;
  std::cout.flush();
  bool stream_ok = bool(std::cout);
  int err = errno;
  if (std::fflush(stdout) != 0) {
    err = errno;
    stream_ok = false;
  }
  if (std::ferror(stdout)) stream_ok = false;
  if (stream_ok) return true;
  if (stdout_errno) err = stdout_errno;  // the reason of the first failed write, if it was seen
  *error = stdout_failure_reported ? std::string() : Describe("standard output", err);
  return false;
}

}  // namespace edict
