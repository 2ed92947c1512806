// The operations of Edict's semantics that can fail. Every engine calls these (the interpreter
// directly, generated code through the C ABI), so overflow, division by zero and date errors are
// detected identically and reported at the same source range.
#pragma once
#include "runtime/date.h"
#include "runtime/decimal.h"
#include "runtime/errors.h"
#include "runtime/source_range.h"

namespace edict::rt {

int64_t IntAdd(int64_t a, int64_t b, SourceRange at);
int64_t IntSub(int64_t a, int64_t b, SourceRange at);
int64_t IntMul(int64_t a, int64_t b, SourceRange at);
int64_t IntNeg(int64_t a, SourceRange at);
// `a mod b`: the Euclidean remainder, 0 <= r < |b| with a = b * q + r for an integer q (so
// -7 mod 3 == 2 and 7 mod -3 == 1); `division_by_zero` when b == 0. It never overflows.
int64_t IntMod(int64_t a, int64_t b, SourceRange at);

// `l[i]` on a list of `count` elements: i itself, or `index_out_of_range` when i is not in
// [0, count).
size_t ListPosition(int64_t i, int64_t count, SourceRange at);
// `min`, `max`, `argmin`, `argmax` (`op`) of a list with no element: `empty_list`.
[[noreturn]] void EmptyList(const char* op, SourceRange at);

Decimal DecAdd(const Decimal& a, const Decimal& b, SourceRange at);
Decimal DecSub(const Decimal& a, const Decimal& b, SourceRange at);
Decimal DecMul(const Decimal& a, const Decimal& b, SourceRange at);
Decimal DecDiv(const Decimal& a, const Decimal& b, SourceRange at);
Decimal DecNeg(const Decimal& a, SourceRange at);

// Converts an exact integral decimal to int64; `not_an_integer` or `overflow` otherwise.
int64_t DecToInt(const Decimal& d, SourceRange at);
// An i128 rounding result back to int64, or `overflow` (rt::NarrowToInt64).
int64_t NarrowToInt(i128 v, SourceRange at);

Date DateAddDuration(Date d, const Duration& dur, SourceRange at);
Date DateSubDuration(Date d, const Duration& dur, SourceRange at);
Duration DurAdd(const Duration& a, const Duration& b, SourceRange at);
Duration DurNeg(const Duration& a, SourceRange at);
Duration DurScale(const Duration& a, int64_t k, SourceRange at);
// -1, 0, 1; `incomparable_durations` when one has months and the other days.
int DurCompare(const Duration& a, const Duration& b, SourceRange at);
// `invalid_date` unless y-m-d is a calendar day (rt::DateFromYmd).
Date MakeDate(int64_t y, int64_t m, int64_t d, SourceRange at);
// `incomparable_durations` when the duration has months (rt::DurationDays).
int64_t DaysOf(const Duration& dur, SourceRange at);

}  // namespace edict::rt
