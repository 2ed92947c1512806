// Exact decimal numbers. A Decimal is a rational number num/den held in 128-bit integers,
// always normalised (den > 0, gcd(num, den) = 1, |num| < 2^127). Every operation is exact; an
// operation returns false (and the caller raises the `overflow` runtime error) exactly when the
// normalised exact result does not fit, never because an intermediate step overflowed: such steps
// are redone in arbitrary precision (GMP). So every engine that computes the exact result, by any
// route, agrees with this one. No binary floating point is involved anywhere.
//
// Range: any value whose normalised numerator and denominator stay below 2^127 (about 1.7e38).
// That covers training compute of 10^30 operations with 8 decimal places, and every literal a
// regulation writes. Division is exact too (1/3 stays 1/3); printing shows such values as a
// fraction, since they have no finite decimal expansion.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "runtime/int128.h"

namespace edict::rt {

class Decimal {
 public:
  constexpr Decimal() = default;
  static constexpr Decimal FromInt(i128 v) {
    Decimal d;
    d.num_ = v;
    d.den_ = 1;
    return d;
  }
  // Builds num/den and normalises it; false on overflow or zero denominator.
  static bool FromRatio(i128 num, i128 den, Decimal* out);

  // Parses a decimal literal: optional sign, digits with optional `_` separators, an optional
  // fraction and an optional exponent (`1e26`, `2.5E-3`). Returns nullopt when the text is not
  // such a literal or the value is out of range. Whether a value is accepted depends on the value
  // only, never on its spelling: `1.000` (with any number of zeros), `1000e-3`, `0.1e1` and
  // `0e400` are all exact; `1e-400` is not (its denominator would be 10^400).
  enum class ParseProblem {
    kNone,
    kSyntax,      // not a decimal literal
    kTooLarge,    // the value's magnitude is 2^127 (about 1.7e38) or more
    kTooPrecise,  // the value's reduced denominator is 2^127 or more (e.g. 1e-39)
  };
  static std::optional<Decimal> Parse(std::string_view text, ParseProblem* problem = nullptr);
  // What a problem means, for messages: "out of the range of decimal (...)".
  static const char* Describe(ParseProblem problem);

  i128 num() const { return num_; }
  i128 den() const { return den_; }
  bool IsInteger() const { return den_ == 1; }
  int Sign() const { return num_ < 0 ? -1 : (num_ > 0 ? 1 : 0); }

  static bool Add(const Decimal& a, const Decimal& b, Decimal* out);
  static bool Sub(const Decimal& a, const Decimal& b, Decimal* out);
  static bool Mul(const Decimal& a, const Decimal& b, Decimal* out);
  // False when b is zero (the caller checks that first to report it precisely) or on overflow.
  static bool Div(const Decimal& a, const Decimal& b, Decimal* out);
  static bool Neg(const Decimal& a, Decimal* out);
  // Exact three-way comparison; never overflows.
  static int Compare(const Decimal& a, const Decimal& b);

  // Rounding to an integer, each mode named after what it does to the value.
  i128 Floor() const;
  i128 Ceil() const;
  i128 Truncate() const;
  i128 RoundHalfUp() const;    // halves go away from zero (2.5 -> 3, -2.5 -> -3)
  i128 RoundHalfEven() const;  // halves go to the even neighbour (2.5 -> 2, 3.5 -> 4)

  // Exact text: a finite decimal expansion when one exists ("15831.2"), otherwise "num/den".
  std::string ToString() const;

  friend bool operator==(const Decimal& a, const Decimal& b) { return a.num_ == b.num_ && a.den_ == b.den_; }

 private:
  i128 num_ = 0;
  i128 den_ = 1;
};

}  // namespace edict::rt
