#include <catch2/catch.hpp>

#include "runtime/date.h"

using namespace edict::rt;

static Date D(const char* s) {
  auto d = ParseDate(s);
  REQUIRE(d.has_value());
  return *d;
}

TEST_CASE("dates parse, print and validate", "[date]") {
  CHECK(ToString(D("2025-05-15")) == "2025-05-15");
  CHECK(ToString(D("1970-01-01")) == "1970-01-01");
  CHECK(ToString(D("0001-01-01")) == "0001-01-01");
  CHECK(ToString(D("2024-02-29")) == "2024-02-29");
  CHECK_FALSE(ParseDate("2025-02-29"));
  CHECK_FALSE(ParseDate("2025-13-01"));
  CHECK_FALSE(ParseDate("2025-1-01"));
  CHECK(D("2025-05-15").days - D("2025-01-13").days == 122);
}

TEST_CASE("month arithmetic rounds as documented", "[date]") {
  Date out;
  bool missing = false;
  REQUIRE(AddMonths(D("2025-01-31"), 1, &out));
  CHECK(ToString(out) == "2025-02-28");  // clamps down
  REQUIRE(AddMonthsUp(D("2025-01-31"), 1, &out));
  CHECK(ToString(out) == "2025-03-01");  // rolls over
  CHECK_FALSE(AddMonthsStrict(D("2025-01-31"), 1, &out, &missing));
  CHECK(missing);
  REQUIRE(AddMonths(D("2024-02-29"), 12, &out));
  CHECK(ToString(out) == "2025-02-28");
  REQUIRE(AddMonths(D("2025-03-31"), -1, &out));
  CHECK(ToString(out) == "2025-02-28");
  CHECK_FALSE(AddMonths(D("9999-12-01"), 1, &out));
}

TEST_CASE("durations compare only like with like", "[date]") {
  CHECK(CompareDurations(Duration{0, 30}, Duration{0, 31}) == -1);
  CHECK(CompareDurations(Duration{12, 0}, Duration{11, 0}) == 1);
  CHECK_FALSE(CompareDurations(Duration{1, 0}, Duration{0, 30}).has_value());
  CHECK(ToString(Duration{14, 3}) == "1 year + 2 months + 3 days");
}
