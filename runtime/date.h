// Calendar dates and durations of the proleptic Gregorian calendar, years 1 to 9999.
//
// Month arithmetic has no single right answer (what is 31 January plus one month?), so Edict
// names its rounding: `AddMonths` clamps to the last day of the target month ("round down",
// 2025-01-31 + 1 month = 2025-02-28); `AddMonthsStrict` refuses such a date; `AddMonthsUp` moves
// to the first day of the following month (2025-01-31 + 1 month = 2025-03-01).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edict::rt {

struct Date {
  int32_t days = 0;  // days since 1970-01-01
  friend bool operator==(Date a, Date b) { return a.days == b.days; }
  friend auto operator<=>(Date a, Date b) { return a.days <=> b.days; }
};

// A duration: whole months and whole days, kept apart because a month has no fixed length.
struct Duration {
  int64_t months = 0;
  int64_t days = 0;
  friend bool operator==(const Duration&, const Duration&) = default;
};

struct Ymd {
  int32_t year;
  int32_t month;
  int32_t day;
};

// Days from civil and back (H. Hinnant's algorithms).
int32_t DaysFromCivil(int32_t y, int32_t m, int32_t d);
Ymd CivilFromDays(int32_t days);
bool IsValidYmd(int32_t y, int32_t m, int32_t d);
int32_t DaysInMonth(int32_t y, int32_t m);

// Parses `YYYY-MM-DD`; nullopt when malformed or not a real day.
std::optional<Date> ParseDate(std::string_view text);
std::string ToString(Date d);
std::string ToString(const Duration& d);

// Each returns false when the result leaves years 1-9999 or overflows.
bool AddDays(Date d, int64_t days, Date* out);
bool AddMonths(Date d, int64_t months, Date* out);    // clamps to month end
bool AddMonthsUp(Date d, int64_t months, Date* out);  // overflow days roll to the next month
// false also when the day does not exist in the target month (sets *nonexistent).
bool AddMonthsStrict(Date d, int64_t months, Date* out, bool* nonexistent);
// Date + duration: months first (clamping), then days.
bool AddDuration(Date d, const Duration& dur, Date* out);

// Durations compare only when both are pure days or both pure months; otherwise nullopt.
std::optional<int> CompareDurations(const Duration& a, const Duration& b);

// The failure rules of `make_date` and `days_of`, which the interpreter (runtime/ops.h) and
// generated code (runtime/abi.h, compiler/lower/) must share.
// make_date(y, m, d): false unless y-m-d is a day of the calendar in years 1 to 9999.
bool DateFromYmd(int64_t y, int64_t m, int64_t d, Date* out);
// days_of(dur): the days of a duration in days; false when it has months, which have no fixed
// number of days.
bool DurationDays(const Duration& dur, int64_t* out);

constexpr int32_t kMinDateDays = -719162;  // 0001-01-01
constexpr int32_t kMaxDateDays = 2932896;  // 9999-12-31

}  // namespace edict::rt
