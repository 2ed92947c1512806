#include "compiler/serve/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace edict::serve {

DecisionLog::~DecisionLog() {
  std::string ignored;
  Close(&ignored);
}

bool DecisionLog::Open(std::string* error) {
  std::lock_guard<std::mutex> lock(mu_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    *error = fmt::format("cannot open the decision log `{}`: {}", path_, std::strerror(errno));
    return false;
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    *error = fmt::format("cannot read the size of the decision log `{}`: {}", path_, std::strerror(errno));
    return false;
  }
  size_ = uint64_t(st.st_size);
  return true;
}

bool DecisionLog::Append(std::string_view lines, std::string* error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) {
    *error = fmt::format("the decision log `{}` is not open", path_);
    return false;
  }
  size_t done = 0;
  while (done < lines.size()) {
    ssize_t n = ::write(fd_, lines.data() + done, lines.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = fmt::format("cannot write to the decision log `{}`: {}", path_,
                           n < 0 ? std::strerror(errno) : "no byte written");
      return false;
    }
    done += size_t(n);
  }
  size_ += lines.size();
  return size_ < max_ || Rotate(error);
}

bool DecisionLog::Rotate(std::string* error) {
  // The full file is made durable before it is renamed; a new one is opened in its place.
  if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
    fd_ = -1;
    *error = fmt::format("cannot flush the decision log `{}` before rotating it: {}", path_, std::strerror(errno));
    return false;
  }
  fd_ = -1;
  if (keep_ == 0) {
    if (::unlink(path_.c_str()) != 0) {
      *error = fmt::format("cannot remove the full decision log `{}`: {}", path_, std::strerror(errno));
      return false;
    }
  } else {
    for (uint32_t k = keep_; k >= 1; --k) {
      std::string from = k == 1 ? path_ : fmt::format("{}.{}", path_, k - 1);
      std::string to = fmt::format("{}.{}", path_, k);
      if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
        *error = fmt::format("cannot rotate the decision log: `{}` to `{}`: {}", from, to, std::strerror(errno));
        return false;
      }
    }
  }
  ++rotations_;
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  size_ = 0;
  if (fd_ < 0) {
    *error = fmt::format("cannot open the decision log `{}` after rotating it: {}", path_, std::strerror(errno));
    return false;
  }
  return true;
}

bool DecisionLog::Close(std::string* error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) return true;
  bool ok = ::fsync(fd_) == 0;
  int saved = errno;
  ok = ::close(fd_) == 0 && ok;
  if (!ok) *error = fmt::format("cannot flush the decision log `{}`: {}", path_, std::strerror(saved ? saved : errno));
  fd_ = -1;
  return ok;
}

std::string Sha256Hex(std::string_view bytes) {
  static constexpr std::array<uint32_t, 64> k = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
      0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
      0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
      0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
      0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
      0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  auto rotr = [](uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  std::string msg(bytes);
  uint64_t bits = uint64_t(bytes.size()) * 8;
  msg += char(0x80);
  while (msg.size() % 64 != 56) msg += char(0);
  for (int i = 7; i >= 0; --i) msg += char((bits >> (8 * i)) & 0xff);
  for (size_t off = 0; off < msg.size(); off += 64) {
    uint32_t w[64];
    for (int i = 0; i < 16; ++i)
      w[i] = uint32_t(uint8_t(msg[off + 4 * i])) << 24 | uint32_t(uint8_t(msg[off + 4 * i + 1])) << 16 |
             uint32_t(uint8_t(msg[off + 4 * i + 2])) << 8 | uint32_t(uint8_t(msg[off + 4 * i + 3]));
    for (int i = 16; i < 64; ++i) {
      uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[size_t(i)] + w[i];
      uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
  }
  std::string out;
  for (uint32_t x : h) out += fmt::format("{:08x}", x);
  return out;
}

}  // namespace edict::serve
