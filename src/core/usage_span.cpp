#include "core/usage_span.hpp"

#include <charconv>
#include <ctime>
#include <string>

#include "core/error.hpp"

namespace llmgw {

namespace {

constexpr std::int64_t k_minute_ms = 60'000;
// Far enough back for any ledger, small enough that ms arithmetic cannot overflow.
constexpr std::int64_t k_max_span_units = 1'000'000;

[[noreturn]] void bad_bound(std::string_view text, Bound bound, const std::string& why) {
  const std::string flag = bound == Bound::since ? "--since" : "--until";
  fail(ErrorKind::usage, flag + " '" + std::string(text) + "' " + why,
       "use a span back from now (30m, 24h, 7d, 2w), a date (2026-11-01) or a date and "
       "local time (2026-11-01T09:30)");
}

bool read_number(std::string_view text, int& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

// Local time `tm` to unix ms; mktime picks the DST offset in force at that moment.
std::int64_t local_to_ms(std::tm tm, std::string_view text, Bound bound) {
  tm.tm_isdst = -1;
  const int month = tm.tm_mon;
  const int day = tm.tm_mday;
  const std::time_t seconds = std::mktime(&tm);
  if (seconds == static_cast<std::time_t>(-1) || tm.tm_mon != month || tm.tm_mday != day)
    bad_bound(text, bound, "is not a real date");
  return static_cast<std::int64_t>(seconds) * 1000;
}

}  // namespace

std::int64_t parse_time_bound(std::string_view text, Bound bound, std::int64_t now_ms) {
  if (text == "now")
    return now_ms;
  if (text.size() >= 2 && text.front() >= '0' && text.front() <= '9' &&
      std::string_view("mhdw").find(text.back()) != std::string_view::npos) {
    int count = 0;
    if (!read_number(text.substr(0, text.size() - 1), count) || count < 0 ||
        count > k_max_span_units)
      bad_bound(text, bound, "is not a span");
    const std::int64_t unit = text.back() == 'm'   ? k_minute_ms
                              : text.back() == 'h' ? 60 * k_minute_ms
                              : text.back() == 'd' ? 24 * 60 * k_minute_ms
                                                   : 7 * 24 * 60 * k_minute_ms;
    return now_ms - count * unit;
  }
  // YYYY-MM-DD, then optionally T or ' ' and HH:MM.
  const bool has_time = text.size() == 16 && (text[10] == 'T' || text[10] == ' ');
  if ((text.size() != 10 && !has_time) || text[4] != '-' || text[7] != '-')
    bad_bound(text, bound, "is not a date or a span");
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  if (!read_number(text.substr(0, 4), year) || !read_number(text.substr(5, 2), month) ||
      !read_number(text.substr(8, 2), day) || year < 1970 || month < 1 || month > 12 || day < 1 ||
      day > 31)
    bad_bound(text, bound, "is not a date");
  if (has_time) {
    if (text[13] != ':' || !read_number(text.substr(11, 2), hour) ||
        !read_number(text.substr(14, 2), minute) || hour > 23 || minute > 59)
      bad_bound(text, bound, "has no valid HH:MM time");
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  if (!has_time && bound == Bound::until)
    ++tm.tm_mday;  // the whole day is included: up to the next midnight
  const int asked_day = tm.tm_mday;
  std::int64_t ms = 0;
  if (!has_time && bound == Bound::until) {
    // Validate the date as written, then take the next day's midnight.
    std::tm check = tm;
    check.tm_mday = asked_day - 1;
    local_to_ms(check, text, bound);
    tm.tm_isdst = -1;
    ms = static_cast<std::int64_t>(std::mktime(&tm)) * 1000;
  } else {
    ms = local_to_ms(tm, text, bound);
  }
  return ms;
}

}  // namespace llmgw
