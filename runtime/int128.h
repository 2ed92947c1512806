// 128-bit integer helpers shared by the exact decimal type and the value printer.
#pragma once
#include <cstdint>
#include <string>

namespace edict::rt {

using i128 = __int128;
using u128 = unsigned __int128;

// Greatest common divisor of two non-negative values (binary gcd, no division).
u128 Gcd(u128 a, u128 b);

// Decimal text of a 128-bit integer (std::to_string has no __int128 overload).
std::string ToString(i128 v);

// Quotients that take a 64-bit division when both operands fit (a 128-bit one is a library
// call): values in decisions are mostly small.
inline u128 UDiv(u128 a, u128 b) {
  if ((a >> 64) == 0 && (b >> 64) == 0) return uint64_t(a) / uint64_t(b);
  return a / b;
}
inline i128 SDiv(i128 a, i128 b) {
  if (a == i128(int64_t(a)) && b == i128(int64_t(b)) && !(a == INT64_MIN && b == -1)) return int64_t(a) / int64_t(b);
  return a / b;
}

// v as int64, or false when it does not fit (the `overflow` of converting to integer, shared by
// the interpreter and generated code).
inline bool NarrowToInt64(i128 v, int64_t* out) {
  if (v > INT64_MAX || v < INT64_MIN) return false;
  *out = int64_t(v);
  return true;
}

// Absolute value as unsigned; exact even for the most negative value.
inline u128 Abs(i128 v) { return v < 0 ? u128(0) - u128(v) : u128(v); }

}  // namespace edict::rt
