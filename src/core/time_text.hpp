// Unix milliseconds as text, in local time (TZ) or UTC, for reports and headings.
#pragma once

#include <cstdint>
#include <string>

namespace llmgw {

enum class Zone { local, utc };

// `format` is strftime's; the result is cut at 63 bytes.
std::string format_unix_ms(std::int64_t unix_ms, const char* format, Zone zone);

// "2026-11-23 14:05" in local time.
std::string local_minute_text(std::int64_t unix_ms);

// "2026-11-23T14:05:09Z" (ISO 8601, UTC).
std::string utc_iso_text(std::int64_t unix_ms);

// "2026-11-23T14:05:09.042Z" (ISO 8601, UTC, milliseconds), for log lines.
std::string utc_iso_ms_text(std::int64_t unix_ms);

}  // namespace llmgw
