#include "core/time_text.hpp"

#include <cstdio>
#include <ctime>

namespace llmgw {

std::string format_unix_ms(std::int64_t unix_ms, const char* format, Zone zone) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  if (zone == Zone::local)
    localtime_r(&seconds, &tm);
  else
    gmtime_r(&seconds, &tm);
  char buffer[64];
  const std::size_t size = std::strftime(buffer, sizeof buffer, format, &tm);
  return std::string(buffer, size);
}

std::string local_minute_text(std::int64_t unix_ms) {
  return format_unix_ms(unix_ms, "%Y-%m-%d %H:%M", Zone::local);
}

std::string utc_iso_text(std::int64_t unix_ms) {
  return format_unix_ms(unix_ms, "%Y-%m-%dT%H:%M:%SZ", Zone::utc);
}

std::string utc_iso_ms_text(std::int64_t unix_ms) {
  // Floor division, so that a time before 1970 still has its milliseconds in [0, 999].
  const std::int64_t millis = ((unix_ms % 1000) + 1000) % 1000;
  const std::int64_t seconds_ms = unix_ms - millis;
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03dZ", static_cast<int>(millis));
  return format_unix_ms(seconds_ms, "%Y-%m-%dT%H:%M:%S", Zone::utc) + fraction;
}

}  // namespace llmgw
