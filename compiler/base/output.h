// Writing results with every error checked. A result that could not be written is reported
// (`error: cannot write 'x': No space left on device`) and the command exits with 74
// (kOutputError); nothing says "done" over lost output.
#pragma once
#include <cstdio>
#include <string>
#include <string_view>

namespace edict {

// A file opened for writing, or standard output when the path is empty or "-". Writes after the
// first failure are dropped; `ok()` and `error()` say what failed.
class Output {
 public:
  Output() = default;
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output();

  // Opens `path` for writing (truncating it); false, with error() set, when it cannot be created.
  bool Open(const std::string& path);
  bool Write(std::string_view bytes);
  // Flushes and closes (standard output is flushed, not closed). False if any write failed.
  bool Close();

  bool ok() const { return error_.empty(); }
  // "cannot write 'PATH': REASON" (or "standard output"), empty while every write succeeded.
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }

 private:
  void Fail(int err);
  std::FILE* f_ = nullptr;
  bool owned_ = false;
  std::string name_;
  std::string error_;
};

// Writes a whole file; on failure returns false and sets *error ("cannot write 'PATH': REASON").
bool WriteWholeFile(const std::string& path, std::string_view bytes, std::string* error);

// Replaces the contents of the existing file `path` atomically: the bytes go to a new file in the
// same folder (with the old file's permissions), which is flushed to disk and then renamed over
// `path` (over the file a symbolic link points to, the link kept). A reader sees the old file or
// the new one, never a part; on any failure `path` is untouched, the new file removed, and false
// returned with *error set ("cannot write 'PATH': REASON").
bool ReplaceFileAtomically(const std::string& path, std::string_view bytes, std::string* error);

// Makes std::cout write file descriptor 1 through a buffer that keeps the reason of a failed write
// (`No space left on device`), for FinishStdout to report. Called once, first thing in main.
void InstallStdoutBuffer();

// Writes to standard output through the C++ stream the commands use. Returns false when the
// stream has failed (so a long producer can stop early).
bool WriteStdout(std::string_view bytes);

// Flushes standard output (std::cout and C stdio). False if any write to it failed during the
// run: the last check before a command reports success. *error says why, or is empty when an
// Output on standard output has already reported the failure.
bool FinishStdout(std::string* error);

}  // namespace edict
