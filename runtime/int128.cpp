#include "runtime/int128.h"

#include <algorithm>

namespace edict::rt {

u128 Gcd(u128 a, u128 b) {
  if (a == 0) return b;
  if (b == 0) return a;
  // One word and one wider number (a large decimal over a power of ten): one Euclid step brings
  // both into a word.
  if ((a >> 64) != 0 && (b >> 64) == 0)
    a %= b;
  else if ((b >> 64) != 0 && (a >> 64) == 0)
    b %= a;
  if (a == 0) return b;
  if (b == 0) return a;
  if ((a >> 64) == 0 && (b >> 64) == 0) {  // the common case: binary gcd on 64-bit words
    uint64_t x = uint64_t(a), y = uint64_t(b);
    int shift = __builtin_ctzll(x | y);
    x >>= __builtin_ctzll(x);
    do {
      y >>= __builtin_ctzll(y);
      if (x > y) std::swap(x, y);
      y -= x;
    } while (y != 0);
    return u128(x << shift);
  }
  int shift = 0;
  while (((a | b) & 1) == 0) {
    a >>= 1;
    b >>= 1;
    ++shift;
  }
  while ((a & 1) == 0) a >>= 1;
  do {
    while ((b & 1) == 0) b >>= 1;
    if (a > b) std::swap(a, b);
    b -= a;
  } while (b != 0);
  return a << shift;
}

std::string ToString(i128 v) {
  if (v == 0) return "0";
  u128 u = Abs(v);
  std::string s;
  while (u != 0) {
    s.push_back(char('0' + int(u % 10)));
    u /= 10;
  }
  if (v < 0) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

}  // namespace edict::rt
