#include "runtime/ops.h"

#include <fmt/format.h>

namespace edict::rt {

[[noreturn]] static void Overflow(SourceRange at, const char* what) {
  throw EvalError(RtErrorKind::Overflow, at, fmt::format("{} overflows", what));
}

int64_t IntAdd(int64_t a, int64_t b, SourceRange at) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) Overflow(at, "integer addition");
  return r;
}
int64_t IntSub(int64_t a, int64_t b, SourceRange at) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) Overflow(at, "integer subtraction");
  return r;
}
int64_t IntMul(int64_t a, int64_t b, SourceRange at) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) Overflow(at, "integer multiplication");
  return r;
}
int64_t IntNeg(int64_t a, SourceRange at) {
  int64_t r;
  if (__builtin_sub_overflow(int64_t(0), a, &r)) Overflow(at, "integer negation");
  return r;
}

size_t ListPosition(int64_t i, int64_t count, SourceRange at) {
  if (i >= 0 && i < count) return size_t(i);
  if (count == 0)
    throw EvalError(RtErrorKind::IndexOutOfRange, at, fmt::format("the list is empty: it has no position {}", i));
  throw EvalError(
      RtErrorKind::IndexOutOfRange, at,
      fmt::format("position {} is outside the list, whose {} elements are at positions 0 to {}", i, count, count - 1));
}

void EmptyList(const char* op, SourceRange at) {
  throw EvalError(RtErrorKind::EmptyList, at, fmt::format("`{}` of a list with no element has no value", op));
}

int64_t IntMod(int64_t a, int64_t b, SourceRange at) {
  if (b == 0) throw EvalError(RtErrorKind::DivisionByZero, at, "division by zero");
  if (b == -1) return 0;  // INT64_MIN % -1 is undefined in C++
  int64_t r = a % b;      // truncated: the sign of a
  if (r < 0) r = b < 0 ? r - b : r + b;
  return r;
}

Decimal DecAdd(const Decimal& a, const Decimal& b, SourceRange at) {
  Decimal r;
  if (!Decimal::Add(a, b, &r)) Overflow(at, "decimal addition");
  return r;
}
Decimal DecSub(const Decimal& a, const Decimal& b, SourceRange at) {
  Decimal r;
  if (!Decimal::Sub(a, b, &r)) Overflow(at, "decimal subtraction");
  return r;
}
Decimal DecMul(const Decimal& a, const Decimal& b, SourceRange at) {
  Decimal r;
  if (!Decimal::Mul(a, b, &r)) Overflow(at, "decimal multiplication");
  return r;
}
Decimal DecDiv(const Decimal& a, const Decimal& b, SourceRange at) {
  if (b.Sign() == 0) throw EvalError(RtErrorKind::DivisionByZero, at, "division by zero");
  Decimal r;
  if (!Decimal::Div(a, b, &r)) Overflow(at, "decimal division");
  return r;
}
Decimal DecNeg(const Decimal& a, SourceRange at) {
  Decimal r;
  if (!Decimal::Neg(a, &r)) Overflow(at, "decimal negation");
  return r;
}

int64_t NarrowToInt(i128 v, SourceRange at) {
  int64_t r;
  if (!NarrowToInt64(v, &r)) Overflow(at, "conversion to integer");
  return r;
}

int64_t DecToInt(const Decimal& d, SourceRange at) {
  if (!d.IsInteger())
    throw EvalError(RtErrorKind::NotAnInteger, at, fmt::format("{} is not a whole number", d.ToString()));
  return NarrowToInt(d.num(), at);
}

Date DateAddDuration(Date d, const Duration& dur, SourceRange at) {
  Date r;
  if (!AddDuration(d, dur, &r))
    throw EvalError(RtErrorKind::InvalidDate, at,
                    fmt::format("{} + {} is outside years 1 to 9999", ToString(d), ToString(dur)));
  return r;
}

Date DateSubDuration(Date d, const Duration& dur, SourceRange at) { return DateAddDuration(d, DurNeg(dur, at), at); }

Duration DurAdd(const Duration& a, const Duration& b, SourceRange at) {
  Duration r;
  if (__builtin_add_overflow(a.months, b.months, &r.months) || __builtin_add_overflow(a.days, b.days, &r.days))
    Overflow(at, "duration addition");
  return r;
}
Duration DurNeg(const Duration& a, SourceRange at) {
  Duration r;
  r.months = IntNeg(a.months, at);
  r.days = IntNeg(a.days, at);
  return r;
}
Duration DurScale(const Duration& a, int64_t k, SourceRange at) {
  Duration r;
  r.months = IntMul(a.months, k, at);
  r.days = IntMul(a.days, k, at);
  return r;
}

int DurCompare(const Duration& a, const Duration& b, SourceRange at) {
  auto c = CompareDurations(a, b);
  if (!c)
    throw EvalError(
        RtErrorKind::IncomparableDurations, at,
        fmt::format("cannot compare {} with {}: a month has no fixed number of days", ToString(a), ToString(b)));
  return *c;
}

Date MakeDate(int64_t y, int64_t m, int64_t d, SourceRange at) {
  Date r;
  if (!DateFromYmd(y, m, d, &r))
    throw EvalError(RtErrorKind::InvalidDate, at, fmt::format("{}-{}-{} is not a calendar date", y, m, d));
  return r;
}

int64_t DaysOf(const Duration& dur, SourceRange at) {
  int64_t r;
  if (!DurationDays(dur, &r))
    throw EvalError(RtErrorKind::IncomparableDurations, at,
                    fmt::format("{} has months, which have no fixed number of days", ToString(dur)));
  return r;
}

}  // namespace edict::rt
