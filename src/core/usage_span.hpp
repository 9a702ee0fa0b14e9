// The time window of `llmgw usage`: --since and --until as dates, date-times or spans
// back from now. Pure: "now" is given, and local time follows TZ.
#pragma once

#include <cstdint>
#include <string_view>

namespace llmgw {

enum class Bound { since, until };

// Unix milliseconds for one bound:
//   "7d", "24h", "30m", "2w"   that long before `now_ms`
//   "2026-11-01"               local midnight starting that day (--since), or ending it
//                              (--until: the whole day is included)
//   "2026-11-01T09:30"         that local minute ("T" or one space between)
//   "now"                      now_ms
// Anything else throws GatewayError{usage} with the forms in the fix.
std::int64_t parse_time_bound(std::string_view text, Bound bound, std::int64_t now_ms);

}  // namespace llmgw
