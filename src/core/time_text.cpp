#include "core/time_text.hpp"

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

}  // namespace llmgw
