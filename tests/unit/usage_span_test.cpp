// --since / --until: spans back from now, local dates and date-times, clear errors.
#include <catch2/catch.hpp>
#include <string>

#include "core/error.hpp"
#include "core/usage_span.hpp"
#include "support/expect_error.hpp"
#include "support/local_zone.hpp"

using namespace llmgw;
using llmgw::test::LocalZone;

namespace {

constexpr std::int64_t k_now = 1'763'900'000'000;  // 2025-11-23T12:13:20Z
constexpr std::int64_t k_minute = 60'000;
constexpr std::int64_t k_day = 24 * 60 * k_minute;

}  // namespace

TEST_CASE("usage span: relative spans count back from now", "[usage]") {
  CHECK(parse_time_bound("30m", Bound::since, k_now) == k_now - 30 * k_minute);
  CHECK(parse_time_bound("24h", Bound::since, k_now) == k_now - k_day);
  CHECK(parse_time_bound("7d", Bound::since, k_now) == k_now - 7 * k_day);
  CHECK(parse_time_bound("2w", Bound::until, k_now) == k_now - 14 * k_day);
  CHECK(parse_time_bound("0d", Bound::since, k_now) == k_now);
  CHECK(parse_time_bound("now", Bound::until, k_now) == k_now);
}

TEST_CASE("usage span: dates are local midnights; an --until date includes its day", "[usage]") {
  {
    LocalZone utc("UTC");
    CHECK(parse_time_bound("2025-11-01", Bound::since, k_now) == 1'761'955'200'000);
    CHECK(parse_time_bound("2025-11-01", Bound::until, k_now) == 1'761'955'200'000 + k_day);
    CHECK(parse_time_bound("2025-11-01T09:30", Bound::since, k_now) ==
          1'761'955'200'000 + (9 * 60 + 30) * k_minute);
    CHECK(parse_time_bound("2025-11-01 09:30", Bound::until, k_now) ==
          1'761'955'200'000 + (9 * 60 + 30) * k_minute);
    CHECK(parse_time_bound("2025-12-31", Bound::until, k_now) ==
          parse_time_bound("2026-01-01", Bound::since, k_now));
  }
  {
    LocalZone kolkata("Asia/Kolkata");  // +05:30
    CHECK(parse_time_bound("2025-11-01", Bound::since, k_now) ==
          1'761'955'200'000 - (5 * 60 + 30) * k_minute);
  }
  {
    LocalZone berlin("Europe/Berlin");  // 2025-10-26 has 25 hours (CEST → CET)
    const std::int64_t start = parse_time_bound("2025-10-26", Bound::since, k_now);
    CHECK(start == 1'761'429'600'000);  // 2025-10-25T22:00Z
    CHECK(parse_time_bound("2025-10-26", Bound::until, k_now) - start == k_day + 60 * k_minute);
  }
}

TEST_CASE("usage span: anything else is a usage error that names the forms", "[usage]") {
  for (const char* bad :
       {"", "7", "d", "7x", "-7d", "7.5d", "yesterday", "2025-13-01", "2025-02-30", "2025-1-1",
        "2025-11-01T25:00", "2025-11-01T09:3", "99999999999d", "1969-12-31"}) {
    INFO(bad);
    const Error e = test::error_of([&] { parse_time_bound(bad, Bound::since, k_now); });
    CHECK(e.kind == ErrorKind::usage);
    CHECK(e.message.find("--since '" + std::string(bad) + "'") == 0);
    CHECK(e.fix.find("7d") != std::string::npos);
  }
  CHECK(test::error_of([] {
          parse_time_bound("x", Bound::until, k_now);
        }).message.find("--until") == 0);
}

TEST_CASE("expiry: spans count ahead, a date runs through its day, the past is refused",
          "[usage][client_keys]") {
  LocalZone utc("UTC");
  CHECK(parse_expiry("30d", k_now) == k_now + 30 * k_day);
  CHECK(parse_expiry("12h", k_now) == k_now + 12 * 60 * k_minute);
  CHECK(parse_expiry("2w", k_now) == k_now + 14 * k_day);
  CHECK(parse_expiry("90m", k_now) == k_now + 90 * k_minute);
  CHECK(parse_expiry("2025-12-31", k_now) == parse_time_bound("2026-01-01", Bound::since, k_now));
  CHECK(parse_expiry("2025-12-31T18:00", k_now) ==
        parse_time_bound("2025-12-31T18:00", Bound::since, k_now));
  for (const char* bad :
       {"0d", "now", "2025-11-22", "2025-11-23T12:00", "2025-02-30", "soon", "-1d"}) {
    INFO(bad);
    const Error e = test::error_of([&] { parse_expiry(bad, k_now); });
    CHECK(e.kind == ErrorKind::usage);
    CHECK(e.message.find("--expires '" + std::string(bad) + "'") == 0);
    CHECK_THAT(e.fix, Catch::Contains("span from now"));
  }
  CHECK_THAT(test::error_of([] { parse_expiry("2025-11-22", k_now); }).message,
             Catch::Contains("not in the future"));
  // 2025-11-23 is today: it runs through its end, which is ahead of now.
  CHECK(parse_expiry("2025-11-23", k_now) == parse_time_bound("2025-11-24", Bound::since, k_now));
}
