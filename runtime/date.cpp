#include "runtime/date.h"

#include <fmt/format.h>

namespace edict::rt {

int32_t DaysFromCivil(int32_t y, int32_t m, int32_t d) {
  y -= m <= 2;
  const int32_t era = (y >= 0 ? y : y - 399) / 400;
  const uint32_t yoe = uint32_t(y - era * 400);
  const uint32_t doy = (153 * uint32_t(m > 2 ? m - 3 : m + 9) + 2) / 5 + uint32_t(d) - 1;
  const uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int32_t(doe) - 719468;
}

Ymd CivilFromDays(int32_t z) {
  z += 719468;
  const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  const uint32_t doe = uint32_t(z - era * 146097);
  const uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int32_t y = int32_t(yoe) + era * 400;
  const uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint32_t mp = (5 * doy + 2) / 153;
  const uint32_t d = doy - (153 * mp + 2) / 5 + 1;
  const uint32_t m = mp < 10 ? mp + 3 : mp - 9;
  return Ymd{y + (m <= 2), int32_t(m), int32_t(d)};
}

int32_t DaysInMonth(int32_t y, int32_t m) {
  static constexpr int32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

bool IsValidYmd(int32_t y, int32_t m, int32_t d) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m);
}

std::optional<Date> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](size_t from, size_t len, int32_t* out) {
    int32_t v = 0;
    for (size_t i = from; i < from + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int32_t y, m, d;
  if (!num(0, 4, &y) || !num(5, 2, &m) || !num(8, 2, &d) || !IsValidYmd(y, m, d)) return std::nullopt;
  return Date{DaysFromCivil(y, m, d)};
}

std::string ToString(Date d) {
  Ymd c = CivilFromDays(d.days);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::string ToString(const Duration& d) {
  std::string s;
  auto part = [&](int64_t n, const char* one, const char* many) {
    if (!s.empty()) s += " + ";
    s += fmt::format("{} {}", n, (n == 1 || n == -1) ? one : many);
  };
  int64_t years = d.months / 12, months = d.months % 12;
  if (years != 0) part(years, "year", "years");
  if (months != 0) part(months, "month", "months");
  if (d.days != 0 || s.empty()) part(d.days, "day", "days");
  return s;
}

static bool InRange(int64_t days) { return days >= kMinDateDays && days <= kMaxDateDays; }

bool AddDays(Date d, int64_t days, Date* out) {
  int64_t r;
  if (__builtin_add_overflow(int64_t(d.days), days, &r) || !InRange(r)) return false;
  out->days = int32_t(r);
  return true;
}

// Shared month step: returns the target year/month and the original day, or false if out of range.
static bool MonthTarget(Date d, int64_t months, int32_t* y, int32_t* m, int32_t* day) {
  Ymd c = CivilFromDays(d.days);
  if (months > 120000 || months < -120000) return false;
  int64_t total = int64_t(c.year) * 12 + (c.month - 1) + months;
  int64_t ny = total >= 0 ? total / 12 : -((-total + 11) / 12);
  int64_t nm = total - ny * 12 + 1;
  if (ny < 1 || ny > 9999) return false;
  *y = int32_t(ny);
  *m = int32_t(nm);
  *day = c.day;
  return true;
}

bool AddMonths(Date d, int64_t months, Date* out) {
  int32_t y, m, day;
  if (!MonthTarget(d, months, &y, &m, &day)) return false;
  out->days = DaysFromCivil(y, m, std::min(day, DaysInMonth(y, m)));
  return true;
}

bool AddMonthsUp(Date d, int64_t months, Date* out) {
  int32_t y, m, day;
  if (!MonthTarget(d, months, &y, &m, &day)) return false;
  int32_t dim = DaysInMonth(y, m);
  if (day <= dim) {
    out->days = DaysFromCivil(y, m, day);
    return true;
  }
  return AddDays(Date{DaysFromCivil(y, m, dim)}, 1, out);
}

bool AddMonthsStrict(Date d, int64_t months, Date* out, bool* nonexistent) {
  *nonexistent = false;
  int32_t y, m, day;
  if (!MonthTarget(d, months, &y, &m, &day)) return false;
  if (day > DaysInMonth(y, m)) {
    *nonexistent = true;
    return false;
  }
  out->days = DaysFromCivil(y, m, day);
  return true;
}

bool AddDuration(Date d, const Duration& dur, Date* out) {
  Date mid;
  return AddMonths(d, dur.months, &mid) && AddDays(mid, dur.days, out);
}

bool DateFromYmd(int64_t y, int64_t m, int64_t d, Date* out) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 || !IsValidYmd(int32_t(y), int32_t(m), int32_t(d)))
    return false;
  out->days = DaysFromCivil(int32_t(y), int32_t(m), int32_t(d));
  return true;
}

bool DurationDays(const Duration& dur, int64_t* out) {
  if (dur.months != 0) return false;
  *out = dur.days;
  return true;
}

std::optional<int> CompareDurations(const Duration& a, const Duration& b) {
  bool a_days = a.months == 0, b_days = b.months == 0;
  bool a_months = a.days == 0, b_months = b.days == 0;
  if (a_days && b_days) return a.days < b.days ? -1 : (a.days > b.days ? 1 : 0);
  if (a_months && b_months) return a.months < b.months ? -1 : (a.months > b.months ? 1 : 0);
  return std::nullopt;
}

}  // namespace edict::rt
