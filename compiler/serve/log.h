// The decision log of `edict serve`: JSON Lines appended with checked writes, rotated by size.
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace edict::serve {

class DecisionLog {
 public:
  DecisionLog(std::string path, uint64_t max_bytes, uint32_t keep)
      : path_(std::move(path)), max_(max_bytes), keep_(keep) {}
  ~DecisionLog();
  // Opens (creates, appends to) the file; false with *error.
  bool Open(std::string* error);
  // Appends whole lines (each ending with '\n') in one piece, then rotates if the file has passed
  // its size: FILE -> FILE.1 -> ... -> FILE.keep (the oldest is removed). False with *error if any
  // byte could not be written (the caller fails the request: no decision goes unlogged).
  bool Append(std::string_view lines, std::string* error);
  // fsync and close; false with *error on failure.
  bool Close(std::string* error);
  uint64_t rotations() const { return rotations_; }

 private:
  bool Rotate(std::string* error);
  std::mutex mu_;
  std::string path_;
  uint64_t max_, size_ = 0, rotations_ = 0;
  uint32_t keep_;
  int fd_ = -1;
};

// The SHA-256 of `bytes`, as 64 lowercase hexadecimal digits (FIPS 180-4).
std::string Sha256Hex(std::string_view bytes);

}  // namespace edict::serve
