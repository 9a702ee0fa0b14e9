// Moments typed on the command line: the window of `llmgw usage` (--since and --until as
// dates, date-times or spans back from now) and a client key's --expires. Pure: "now" is given, and
// local time follows TZ.
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

// The expiry of a client key (`llmgw keys create --expires`), in unix ms:
//   "30d", "12h", "2w", "90m"  that long after `now_ms`
//   "2026-12-31"               the local midnight ending that day (the key works through it)
//   "2026-12-31T18:00"         that local minute
// A moment not after now_ms, or anything else, throws GatewayError{usage} with the forms
// in the fix.
std::int64_t parse_expiry(std::string_view text, std::int64_t now_ms);

}  // namespace llmgw
