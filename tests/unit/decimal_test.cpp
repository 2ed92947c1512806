#include <catch2/catch.hpp>

#include <string>

#include "runtime/decimal.h"

using edict::rt::Decimal;

static Decimal D(const char* s) {
  auto d = Decimal::Parse(s);
  REQUIRE(d.has_value());
  return *d;
}

TEST_CASE("decimal literals parse exactly", "[decimal]") {
  CHECK(D("15831.2").ToString() == "15831.2");
  CHECK(D("5.920").ToString() == "5.92");
  CHECK(D("4800.0").ToString() == "4800");
  CHECK(D("26_900_000").ToString() == "26900000");
  CHECK(D("1e26").ToString() == "100000000000000000000000000");
  CHECK(D("2.5E-3").ToString() == "0.0025");
  CHECK(D("-0.1").ToString() == "-0.1");
  CHECK_FALSE(Decimal::Parse("1.2.3"));
  CHECK_FALSE(Decimal::Parse(""));
  CHECK_FALSE(Decimal::Parse("abc"));
  CHECK_FALSE(Decimal::Parse("1e"));
  CHECK_FALSE(Decimal::Parse("1e999"));  // out of range: rejected, never rounded
}

TEST_CASE("arithmetic is exact where doubles are not", "[decimal]") {
  Decimal r, s;
  REQUIRE(Decimal::Add(D("0.1"), D("0.2"), &r));
  CHECK(r == D("0.3"));
  // The SPEC boundary: 208596.8 + 15831.2 * 1686 is exactly 26,900,000.
  REQUIRE(Decimal::Mul(D("15831.2"), D("1686"), &r));
  REQUIRE(Decimal::Add(r, D("208596.8"), &s));
  CHECK(Decimal::Compare(s, D("26900000")) == 0);
  REQUIRE(Decimal::Div(D("1"), D("3"), &r));
  CHECK(r.ToString() == "1/3");
  REQUIRE(Decimal::Mul(r, D("3"), &s));
  CHECK(s == D("1"));
  CHECK_FALSE(Decimal::Div(D("1"), D("0"), &r));
}

TEST_CASE("comparison never overflows", "[decimal]") {
  Decimal third, big;
  REQUIRE(Decimal::Div(D("1"), D("3"), &third));
  big = D("1e30");
  CHECK(Decimal::Compare(third, D("0.3333333333333333333333333333")) > 0);
  CHECK(Decimal::Compare(third, D("0.3333333333333333333333333334")) < 0);
  CHECK(Decimal::Compare(big, D("999999999999999999999999999999.9")) > 0);
  CHECK(Decimal::Compare(D("-1.5"), D("-1.4")) < 0);
  CHECK(Decimal::Compare(D("5.92"), D("5.920")) == 0);
}

TEST_CASE("overflow is reported, not wrapped", "[decimal]") {
  Decimal r;
  CHECK_FALSE(Decimal::Mul(D("1e30"), D("1e30"), &r));
  CHECK(Decimal::Mul(D("1e30"), D("1e7"), &r));
}

TEST_CASE("rounding modes", "[decimal]") {
  CHECK(D("2.5").RoundHalfEven() == 2);
  CHECK(D("3.5").RoundHalfEven() == 4);
  CHECK(D("-2.5").RoundHalfEven() == -2);
  CHECK(D("2.5").RoundHalfUp() == 3);
  CHECK(D("-2.5").RoundHalfUp() == -3);
  CHECK(D("-2.1").Floor() == -3);
  CHECK(D("-2.1").Ceil() == -2);
  CHECK(D("-2.9").Truncate() == -2);
}

TEST_CASE("overflow means the exact result does not fit, not an intermediate", "[decimal]") {
  // (2^126 - 1)/1 + (2^126 + 1)/1 = 2^127: does not fit.
  Decimal big, r;
  REQUIRE(Decimal::FromRatio((edict::rt::i128(1) << 126) - 1, 1, &big));
  Decimal big2;
  REQUIRE(Decimal::FromRatio((edict::rt::i128(1) << 126) + 1, 1, &big2));
  CHECK_FALSE(Decimal::Add(big, big2, &r));
  // x/3 + y/3 where x + y overflows 128 bits but (x + y)/3 fits: x = 2^126 + 1 and y = 2^126 + 3
  // (neither divisible by 3), x + y = 2^127 + 4 = 3 * 56713727820156410577229101238628035244.
  Decimal x, y;
  REQUIRE(Decimal::FromRatio((edict::rt::i128(1) << 126) + 1, 3, &x));
  REQUIRE(Decimal::FromRatio((edict::rt::i128(1) << 126) + 3, 3, &y));
  REQUIRE(x.den() == 3);
  REQUIRE(Decimal::Add(x, y, &r));
  CHECK(r.ToString() == "56713727820156410577229101238628035244");
}

TEST_CASE("gcd of a word and a wider number", "[decimal]") {
  using edict::rt::Gcd;
  using edict::rt::u128;
  u128 big = u128(3);
  for (int i = 0; i < 28; ++i) big *= 10;  // 3e28, beyond 64 bits
  CHECK(Gcd(big, 100) == 100);
  CHECK(Gcd(100, big) == 100);
  CHECK(Gcd(big + 1, 100) == 1);
  CHECK(Gcd(u128(1) << 100, 6) == 2);
  CHECK(Gcd(u128(7) << 90, u128(21) << 80) == (u128(7) << 80));
  CHECK(Gcd(big, 0) == big);
  // 99999999999999999999999999.99 reduces by the gcd with 100
  auto d = edict::rt::Decimal::Parse("99999999999999999999999999.99");
  REQUIRE(d);
  CHECK(d->den() == 100);
  auto e = edict::rt::Decimal::Parse("99999999999999999999999999.50");
  REQUIRE(e);
  CHECK(e->den() == 2);
}

TEST_CASE("a literal is accepted by its value, never by its spelling", "[decimal]") {
  using P = Decimal::ParseProblem;
  auto problem = [](const std::string& s) {
    P p = P::kNone;
    Decimal::Parse(s, &p);
    return p;
  };
  // Trailing zeros, exponents and leading zeros take no room: the value decides.
  CHECK(D("99999999999999999999999999999999999999.0").ToString() == "99999999999999999999999999999999999999");
  CHECK(D(("1." + std::string(42, '0')).c_str()).ToString() == "1");
  CHECK(D(("1" + std::string(43, '0') + "e-10").c_str()).ToString() == "1" + std::string(33, '0'));
  CHECK(D(("0.000" + std::string(100, '0') + "e105").c_str()).ToString() == "0");
  CHECK(D("0e400").ToString() == "0");
  CHECK(D("-0e-99999999999999999999").ToString() == "0");
  CHECK(D(("0." + std::string(50, '0') + "25e52").c_str()).ToString() == "25");
  CHECK(D("0.5e-37").den() == edict::rt::i128(2) * D("1e37").num());
  // Wide mantissas that reduce: 2^127 / 10 = 2^126 / 5; 5^50 / 10^50 = 2^-50.
  CHECK(D("170141183460469231731687303715884105728e-1").num() == edict::rt::i128(1) << 126);
  Decimal half50 = D("88817841970012523233890533447265625e-50");
  CHECK(half50.num() == 1);
  CHECK(half50.den() == edict::rt::i128(1) << 50);
  CHECK(D("-170141183460469231731687303715884105727").num() ==
        -((edict::rt::i128(1) << 126) - 1 + (edict::rt::i128(1) << 126)));
  // Out of range, and why.
  CHECK(problem("1e-400") == P::kTooPrecise);
  CHECK(problem("5e-39") == P::kTooPrecise);  // 1/(2*10^38): the denominator is above 2^127
  CHECK(problem("1e-127") == P::kTooPrecise);
  CHECK(problem("1e39") == P::kTooLarge);
  CHECK(problem("170141183460469231731687303715884105728") == P::kTooLarge);  // 2^127
  CHECK(problem(std::string(200, '7') + "e-100") == P::kTooLarge);
  CHECK(problem("1e999999999999999999999") == P::kTooLarge);
  CHECK(problem("1.2.3") == P::kSyntax);
  CHECK(problem("1e+") == P::kSyntax);
  CHECK(problem("15831.2") == P::kNone);
}

TEST_CASE("every value with a finite decimal expansion prints exactly, however many places", "[decimal]") {
  // 2^-126: 126 places. Scaling its numerator to 10^126 needs 5^126 (293 bits): that product
  // overflowed 128 bits (undefined behaviour, found by the fuzz target parse_check).
  const std::string dyadic =
      "0." + std::string(37, '0') +
      "11754943508222875079687365372222456778186655567720875215087517062784172594547271728515625";
  CHECK(D(dyadic.c_str()).ToString() == dyadic);
  const std::string negative =
      "-0." + std::string(37, '0') +
      "35264830524668625239062096116667370334559966703162625645262551188352517783641815185546875";
  CHECK(D(negative.c_str()).ToString() == negative);
  // (2^125 + 1) / 2: the scaled numerator lies between 2^127 and 2^128 (it was printed as a ratio).
  CHECK(D("21267647932558653966460912964485513216.5").ToString() == "21267647932558653966460912964485513216.5");
  CHECK(D("0.5").ToString() == "0.5");
  CHECK(D("-12.0625").ToString() == "-12.0625");
}
