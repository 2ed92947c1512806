#include "compiler/base/output.h"

#include <cerrno>
#include <cstring>
#include <iostream>

#include <fmt/format.h>

namespace edict {

namespace {

// Set when an Output on standard output has reported its failure, so it is not reported twice.
bool stdout_failure_reported = false;

std::string Describe(const std::string& name, int err) {
  return fmt::format("cannot write {}: {}", name, err ? std::strerror(err) : "the write failed");
}

}  // namespace

Output::~Output() {
  if (f_ && owned_) std::fclose(f_);
}

bool Output::Open(const std::string& path) {
  if (path.empty() || path == "-") {
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

bool WriteStdout(std::string_view bytes) {
  std::cout.write(bytes.data(), std::streamsize(bytes.size()));
  return bool(std::cout);
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
  *error = stdout_failure_reported ? std::string() : Describe("standard output", err);
  return false;
}

}  // namespace edict
