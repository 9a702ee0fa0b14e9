#include "core/usage_span.hpp"

#include <charconv>
#include <ctime>
#include <string>

#include "core/error.hpp"

namespace llmgw {

namespace {

constexpr std::int64_t k_minute_ms = 60'000;
// Far enough for any ledger or expiry, small enough that ms arithmetic cannot overflow.
constexpr std::int64_t k_max_span_units = 1'000'000;

// How one caller reads a moment: the flag it is given to (for messages and their fix),
// which way a span counts from now, and whether a bare date means the end of that day.
struct Reading {
  std::string_view flag;
  std::int64_t span_sign;  // -1: back from now; +1: ahead of now
  bool date_ends_day;
  const char* forms;  // the fix
};

constexpr const char* k_bound_forms =
    "use a span back from now (30m, 24h, 7d, 2w), a date (2026-11-01) or a date and "
    "local time (2026-11-01T09:30)";

[[noreturn]] void bad_moment(std::string_view text, const Reading& reading,
                             const std::string& why) {
  fail(ErrorKind::usage, std::string(reading.flag) + " '" + std::string(text) + "' " + why,
       reading.forms);
}

bool read_number(std::string_view text, int& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

// Local time `tm` to unix ms; mktime picks the DST offset in force at that moment.
std::int64_t local_to_ms(std::tm tm, std::string_view text, const Reading& reading) {
  tm.tm_isdst = -1;
  const int month = tm.tm_mon;
  const int day = tm.tm_mday;
  const std::time_t seconds = std::mktime(&tm);
  if (seconds == static_cast<std::time_t>(-1) || tm.tm_mon != month || tm.tm_mday != day)
    bad_moment(text, reading, "is not a real date");
  return static_cast<std::int64_t>(seconds) * 1000;
}

std::int64_t parse_moment(std::string_view text, const Reading& reading, std::int64_t now_ms) {
  if (text == "now")
    return now_ms;
  if (text.size() >= 2 && text.front() >= '0' && text.front() <= '9' &&
      std::string_view("mhdw").find(text.back()) != std::string_view::npos) {
    int count = 0;
    if (!read_number(text.substr(0, text.size() - 1), count) || count < 0 ||
        count > k_max_span_units)
      bad_moment(text, reading, "is not a span");
    const std::int64_t unit = text.back() == 'm'   ? k_minute_ms
                              : text.back() == 'h' ? 60 * k_minute_ms
                              : text.back() == 'd' ? 24 * 60 * k_minute_ms
                                                   : 7 * 24 * 60 * k_minute_ms;
    return now_ms + reading.span_sign * count * unit;
  }
  // YYYY-MM-DD, then optionally T or ' ' and HH:MM.
  const bool has_time = text.size() == 16 && (text[10] == 'T' || text[10] == ' ');
  if ((text.size() != 10 && !has_time) || text[4] != '-' || text[7] != '-')
    bad_moment(text, reading, "is not a date or a span");
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  if (!read_number(text.substr(0, 4), year) || !read_number(text.substr(5, 2), month) ||
      !read_number(text.substr(8, 2), day) || year < 1970 || month < 1 || month > 12 || day < 1 ||
      day > 31)
    bad_moment(text, reading, "is not a date");
  if (has_time) {
    if (text[13] != ':' || !read_number(text.substr(11, 2), hour) ||
        !read_number(text.substr(14, 2), minute) || hour > 23 || minute > 59)
      bad_moment(text, reading, "has no valid HH:MM time");
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  if (!has_time && reading.date_ends_day)
    ++tm.tm_mday;  // the whole day is included: up to the next midnight
  const int asked_day = tm.tm_mday;
  std::int64_t ms = 0;
  if (!has_time && reading.date_ends_day) {
    // Validate the date as written, then take the next day's midnight.
    std::tm check = tm;
    check.tm_mday = asked_day - 1;
    local_to_ms(check, text, reading);
    tm.tm_isdst = -1;
    ms = static_cast<std::int64_t>(std::mktime(&tm)) * 1000;
  } else {
    ms = local_to_ms(tm, text, reading);
  }
  return ms;
}

}  // namespace

std::int64_t parse_time_bound(std::string_view text, Bound bound, std::int64_t now_ms) {
  const Reading reading{bound == Bound::since ? "--since" : "--until", -1, bound == Bound::until,
                        k_bound_forms};
  return parse_moment(text, reading, now_ms);
}

std::int64_t parse_expiry(std::string_view text, std::int64_t now_ms) {
  const Reading reading{"--expires", +1, true,
                        "use a span from now (12h, 30d, 2w), a date (2026-12-31: the key works "
                        "through that day) or a date and local time (2026-12-31T18:00)"};
  const std::int64_t ms = parse_moment(text, reading, now_ms);
  if (ms <= now_ms)
    bad_moment(text, reading, "is not in the future");
  return ms;
}

}  // namespace llmgw
