#include "runtime/decimal.h"

#include <gmp.h>

#include <algorithm>

namespace edict::rt {
namespace {

constexpr i128 kMax = ~(i128(1) << 127);

bool MulOv(i128 a, i128 b, i128* r) { return __builtin_mul_overflow(a, b, r); }
bool AddOv(i128 a, i128 b, i128* r) { return __builtin_add_overflow(a, b, r); }

// floor division for den > 0.
i128 FloorDiv(i128 n, i128 d) {
  i128 q = n / d;
  if ((n % d != 0) && (n < 0)) --q;
  return q;
}

// Compares n1/d1 with n2/d2 for d1, d2 > 0 by continued fractions, with no multiplication.
int CompareFractions(i128 n1, i128 d1, i128 n2, i128 d2) {
  for (;;) {
    i128 q1 = FloorDiv(n1, d1), q2 = FloorDiv(n2, d2);
    if (q1 != q2) return q1 < q2 ? -1 : 1;
    i128 r1 = n1 - q1 * d1, r2 = n2 - q2 * d2;  // 0 <= r < d
    if (r1 == 0 || r2 == 0) {
      if (r1 == r2) return 0;
      return r1 == 0 ? -1 : 1;
    }
    // r1/d1 < r2/d2  <=>  d1/r1 > d2/r2
    i128 nn1 = d2, nd1 = r2, nn2 = d1, nd2 = r1;
    n1 = nn1;
    d1 = nd1;
    n2 = nn2;
    d2 = nd2;
  }
}

void ToMpz(mpz_t out, i128 v) {
  u128 u = Abs(v);
  mpz_set_ui(out, static_cast<unsigned long>(u >> 64));
  mpz_mul_2exp(out, out, 64);
  mpz_add_ui(out, out, static_cast<unsigned long>(u & ~uint64_t(0)));
  if (v < 0) mpz_neg(out, out);
}

// Converts back; false if |v| >= 2^127 (the range of a normalised numerator or denominator).
bool FromMpz(const mpz_t v, i128* out) {
  if (mpz_sizeinbase(v, 2) > 127) return false;
  mpz_t a;
  mpz_init(a);
  mpz_abs(a, v);
  mpz_t hi;
  mpz_init(hi);
  mpz_fdiv_q_2exp(hi, a, 64);
  u128 u = (u128(mpz_get_ui(hi)) << 64) | u128(mpz_getlimbn(a, 0) & ~uint64_t(0));
  if (mpz_size(a) == 0) u = 0;
  mpz_clear(hi);
  mpz_clear(a);
  *out = mpz_sgn(v) < 0 ? -i128(u) : i128(u);
  return true;
}

// a/b + c/d computed exactly in arbitrary precision, then normalised: used only when the 128-bit
// computation overflowed, so that overflow means "the exact result does not fit", never "an
// intermediate did".
bool AddExact(i128 an, i128 ad, i128 bn, i128 bd, i128* rn, i128* rd) {
  mpz_t x, y, n, d, g;
  mpz_inits(x, y, n, d, g, nullptr);
  ToMpz(x, an);
  ToMpz(y, bd);
  mpz_mul(n, x, y);  // an*bd
  ToMpz(x, bn);
  ToMpz(y, ad);
  mpz_mul(x, x, y);  // bn*ad
  mpz_add(n, n, x);
  ToMpz(x, ad);
  ToMpz(y, bd);
  mpz_mul(d, x, y);
  mpz_gcd(g, n, d);
  if (mpz_sgn(g) != 0) {
    mpz_divexact(n, n, g);
    mpz_divexact(d, d, g);
  }
  bool ok = FromMpz(n, rn) && FromMpz(d, rd);
  mpz_clears(x, y, n, d, g, nullptr);
  return ok;
}

}  // namespace

bool Decimal::FromRatio(i128 num, i128 den, Decimal* out) {
  if (den == 0) return false;
  // Work on magnitudes, so that -2^127 (which unreduced native values may hold) reduces exactly.
  bool neg = (num < 0) != (den < 0);
  u128 n = Abs(num), d = Abs(den);
  u128 g = Gcd(n, d);
  if (g > 1) {
    n = UDiv(n, g);
    d = UDiv(d, g);
  }
  constexpr u128 kLimit = u128(1) << 127;  // normalised magnitudes stay below 2^127
  if (n >= kLimit || d >= kLimit) return false;
  out->num_ = neg ? -i128(n) : i128(n);
  out->den_ = i128(d);
  return true;
}

namespace {

using ParseProblem = Decimal::ParseProblem;

// The exact value sign * digits * 10^exp (digits: decimal digits with no leading or trailing
// zero, at most kMaxDigits of them), reduced, in arbitrary precision: used when 128 bits do not
// hold the mantissa or the power of ten.
ParseProblem ParseExact(bool neg, const std::string& digits, int64_t exp, i128* num, i128* den) {
  mpz_t n, d, g;
  mpz_inits(n, d, g, nullptr);
  mpz_set_str(n, digits.c_str(), 10);
  mpz_set_ui(d, 1);
  if (exp >= 0) {
    mpz_ui_pow_ui(g, 10, static_cast<unsigned long>(exp));
    mpz_mul(n, n, g);
  } else {
    mpz_ui_pow_ui(d, 10, static_cast<unsigned long>(-exp));
    mpz_gcd(g, n, d);
    mpz_divexact(n, n, g);
    mpz_divexact(d, d, g);
  }
  if (neg) mpz_neg(n, n);
  ParseProblem p = !FromMpz(n, num)   ? ParseProblem::kTooLarge
                   : !FromMpz(d, den) ? ParseProblem::kTooPrecise
                                      : ParseProblem::kNone;
  mpz_clears(n, d, g, nullptr);
  return p;
}

}  // namespace

const char* Decimal::Describe(ParseProblem problem) {
  switch (problem) {
    case ParseProblem::kNone: return "a decimal";
    case ParseProblem::kSyntax: return "not a decimal number";
    case ParseProblem::kTooLarge: return "out of the range of decimal (magnitudes below 2^127, about 1.7e38)";
    case ParseProblem::kTooPrecise:
      return "too precise for a decimal: decimals are exact, with denominators below 2^127 (about 38 decimal places)";
  }
  return "";
}

// The value is sign * mantissa * 10^exp, where the mantissa is the digits written (separators and
// the point removed) with their trailing zeros moved into exp. Zeros are only counted, never
// multiplied in, until a nonzero digit follows them, so `1.000...0` and `1000...0e-10` need no more
// room than `1` and `1e3`; the value itself decides whether it fits.
std::optional<Decimal> Decimal::Parse(std::string_view s, ParseProblem* problem) {
  auto fail = [&](ParseProblem p) -> std::optional<Decimal> {
    if (problem) *problem = p;
    return std::nullopt;
  };
  if (problem) *problem = ParseProblem::kNone;
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    neg = s[i] == '-';
    ++i;
  }
  i128 mant = 0;
  int64_t zeros = 0;                                // trailing zeros seen and not yet multiplied into mant
  int64_t frac_digits = 0;                          // digits after the point
  int64_t sig_digits = 0;                           // digits of mant (leading zeros excluded)
  bool any = false, in_frac = false, wide = false;  // wide: mant does not fit in 128 bits
  size_t mantissa_end = s.size();
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') continue;
    if (c == '.') {
      if (in_frac) return fail(ParseProblem::kSyntax);
      in_frac = true;
      continue;
    }
    if (c == 'e' || c == 'E') {
      mantissa_end = i;
      break;
    }
    if (c < '0' || c > '9') return fail(ParseProblem::kSyntax);
    any = true;
    if (in_frac) ++frac_digits;
    if (c == '0') {
      ++zeros;
      continue;
    }
    // A nonzero digit: the zeros before it are digits of the mantissa, unless they lead it.
    if (sig_digits == 0) {
      mant = c - '0';
      sig_digits = 1;
    } else {
      sig_digits += zeros + 1;
      for (int64_t z = 0; z <= zeros && !wide; ++z) wide = MulOv(mant, 10, &mant);
      if (!wide) wide = AddOv(mant, c - '0', &mant);
    }
    zeros = 0;
  }
  if (!any) return fail(ParseProblem::kSyntax);
  int64_t exp = 0;
  if (i < s.size()) {  // exponent; saturated far beyond any exponent that can be in range
    ++i;
    bool eneg = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      eneg = s[i] == '-';
      ++i;
    }
    bool edig = false;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return fail(ParseProblem::kSyntax);
      edig = true;
      if (exp < 1'000'000'000) exp = exp * 10 + (s[i] - '0');
    }
    if (!edig) return fail(ParseProblem::kSyntax);
    if (eneg) exp = -exp;
  }
  if (sig_digits == 0) return Decimal();  // zero, however written (`0e400`, `-0.000`)
  exp += zeros - frac_digits;             // the value is mant * 10^exp
  // Bounds that need no arithmetic: mant >= 10^(sig_digits-1), and dividing by 10^k removes at
  // most a factor 5^k (mant has no factor 10), leaving a denominator of at least 2^k.
  if (exp >= 0 && sig_digits + exp > 39) return fail(ParseProblem::kTooLarge);
  if (exp <= -127) return fail(ParseProblem::kTooPrecise);
  if (sig_digits > 130) return fail(ParseProblem::kTooLarge);  // >= 10^129 / 5^126 > 2^127
  i128 num, den = 1;
  if (!wide && exp >= -38) {  // 128-bit words hold mant and 10^|exp|
    num = neg ? -mant : mant;
    for (; exp > 0; --exp)
      if (MulOv(num, 10, &num)) return fail(ParseProblem::kTooLarge);
    for (; exp < 0; ++exp) den *= 10;
    Decimal d;
    if (!FromRatio(num, den, &d)) return fail(ParseProblem::kTooLarge);
    return d;
  }
  std::string digits;  // the mantissa's digits, for arbitrary precision
  for (size_t k = 0; k < mantissa_end; ++k)
    if (s[k] >= '0' && s[k] <= '9' && !(digits.empty() && s[k] == '0')) digits += s[k];
  digits.resize(size_t(sig_digits));  // without the trailing zeros (moved into exp)
  ParseProblem p = ParseExact(neg, digits, exp, &num, &den);
  if (p != ParseProblem::kNone) return fail(p);
  Decimal d;
  d.num_ = num;
  d.den_ = den;
  return d;
}

bool Decimal::Add(const Decimal& a, const Decimal& b, Decimal* out) {
  i128 n, d;
  if (a.den_ == b.den_) {
    if (!AddOv(a.num_, b.num_, &n)) {
      if (a.den_ == 1) {
        out->num_ = n;
        out->den_ = 1;
        return n != -kMax - 1;
      }
      return FromRatio(n, a.den_, out);
    }
  } else {
    i128 g = i128(Gcd(u128(a.den_), u128(b.den_)));
    i128 da = SDiv(a.den_, g), db = SDiv(b.den_, g);
    i128 x, y;
    if (!MulOv(a.num_, db, &x) && !MulOv(b.num_, da, &y) && !AddOv(x, y, &n) && !MulOv(a.den_, db, &d))
      return FromRatio(n, d, out);
  }
  // An intermediate overflowed: decide on the exact result.
  if (!AddExact(a.num_, a.den_, b.num_, b.den_, &n, &d)) return false;
  return FromRatio(n, d, out);
}

bool Decimal::Neg(const Decimal& a, Decimal* out) {
  if (a.num_ == -kMax - 1) return false;
  out->num_ = -a.num_;
  out->den_ = a.den_;
  return true;
}

bool Decimal::Sub(const Decimal& a, const Decimal& b, Decimal* out) {
  Decimal nb;
  return Neg(b, &nb) && Add(a, nb, out);
}

bool Decimal::Mul(const Decimal& a, const Decimal& b, Decimal* out) {
  if (a.den_ == 1 && b.den_ == 1) {
    i128 n;
    if (MulOv(a.num_, b.num_, &n)) return false;
    out->num_ = n;
    out->den_ = 1;
    return true;
  }
  i128 g1 = i128(Gcd(Abs(a.num_), u128(b.den_)));
  i128 g2 = i128(Gcd(Abs(b.num_), u128(a.den_)));
  if (g1 == 0) g1 = 1;
  if (g2 == 0) g2 = 1;
  i128 n, d;
  if (MulOv(SDiv(a.num_, g1), SDiv(b.num_, g2), &n) || MulOv(SDiv(a.den_, g2), SDiv(b.den_, g1), &d)) return false;
  // Cross-reduction of reduced operands gives a reduced product: no further gcd.
  if (n == -kMax - 1) return false;
  out->num_ = n;
  out->den_ = d;
  return true;
}

bool Decimal::Div(const Decimal& a, const Decimal& b, Decimal* out) {
  if (b.num_ == 0) return false;
  Decimal inv;
  if (!FromRatio(b.den_, b.num_, &inv)) return false;
  return Mul(a, inv, out);
}

int Decimal::Compare(const Decimal& a, const Decimal& b) {
  if (a.den_ == b.den_) return a.num_ < b.num_ ? -1 : (a.num_ > b.num_ ? 1 : 0);
  return CompareFractions(a.num_, a.den_, b.num_, b.den_);
}

i128 Decimal::Floor() const { return FloorDiv(num_, den_); }
i128 Decimal::Ceil() const { return -FloorDiv(-num_, den_); }
i128 Decimal::Truncate() const { return num_ / den_; }

i128 Decimal::RoundHalfUp() const {
  i128 t = Truncate();
  u128 rem2 = Abs(num_ - t * den_) * 2;
  if (rem2 >= u128(den_)) t += num_ < 0 ? -1 : 1;
  return t;
}

i128 Decimal::RoundHalfEven() const {
  i128 f = Floor();
  u128 rem2 = u128(num_ - f * den_) * 2;  // 0 <= rem < den
  if (rem2 > u128(den_) || (rem2 == u128(den_) && (f % 2 != 0))) ++f;
  return f;
}

std::string Decimal::ToString() const {
  if (den_ == 1) return rt::ToString(num_);
  // Finite expansion exists iff den = 2^a * 5^b; then scale to 10^max(a,b).
  i128 d = den_;
  int twos = 0, fives = 0;
  while (d % 2 == 0) {
    d /= 2;
    ++twos;
  }
  while (d % 5 == 0) {
    d /= 5;
    ++fives;
  }
  if (d != 1) return rt::ToString(num_) + "/" + rt::ToString(den_);
  // The digits of |num| * 10^digits / den = |num| * 2^(digits - twos) * 5^(digits - fives): in 128
  // bits when that fits, else in arbitrary precision (2^-126 has 126 decimal places, and 5^126
  // needs 293 bits). Either way every value with a finite expansion is printed exactly.
  int digits = std::max(twos, fives);
  u128 scaled = Abs(num_);
  bool fits = true;
  for (int i = twos; i < digits && fits; ++i) fits = !__builtin_mul_overflow(scaled, u128(2), &scaled);
  for (int i = fives; i < digits && fits; ++i) fits = !__builtin_mul_overflow(scaled, u128(5), &scaled);
  std::string s;
  if (fits) {
    for (; scaled != 0; scaled /= 10) s.push_back(char('0' + int(scaled % 10)));
    std::reverse(s.begin(), s.end());
  } else {
    mpz_t x, p;
    mpz_inits(x, p, nullptr);
    ToMpz(x, num_);
    mpz_abs(x, x);
    mpz_mul_2exp(x, x, static_cast<mp_bitcnt_t>(digits - twos));
    mpz_ui_pow_ui(p, 5, static_cast<unsigned long>(digits - fives));
    mpz_mul(x, x, p);
    s.assign(mpz_sizeinbase(x, 10) + 2, '\0');
    mpz_get_str(s.data(), 10, x);
    s.resize(std::char_traits<char>::length(s.c_str()));
    mpz_clears(x, p, nullptr);
  }
  if (int(s.size()) <= digits) s.insert(0, size_t(digits - int(s.size()) + 1), '0');
  s.insert(s.size() - size_t(digits), ".");
  return (num_ < 0 ? "-" : "") + s;
}

}  // namespace edict::rt
