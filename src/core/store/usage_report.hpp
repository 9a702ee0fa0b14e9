// What was spent and used, from the ledger: totals over a time window, and breakdowns by
// day, ISO week or month (local time, TZ), model, provider, client key or source. Data
// only; `llmgw usage` formats it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/database.hpp"
#include "core/store/ledger_rollup.hpp"

namespace llmgw {

enum class UsageGroup { none, day, week, month, model, provider, key, source };

std::string_view to_string(UsageGroup group);
// "day", "week", "month", "model", "provider", "key", "source"; else nullopt.
std::optional<UsageGroup> parse_usage_group(std::string_view text);

struct UsageQuery {
  std::int64_t since_ms = 0;  // ts_ms >= since_ms
  std::int64_t until_ms = 0;  // ts_ms < until_ms
  UsageGroup group = UsageGroup::none;
};

struct UsageLine {
  // day "2026-11-23", week "2026-W48", month "2026-11", model "provider/model", provider,
  // key (a client key's name, "-" for CLI requests) or source.
  std::string label;
  UsageTotals totals;
};

struct UsageReport {
  UsageQuery query;
  std::vector<UsageLine> lines;  // time groups oldest first; others by cost, then name
  UsageTotals total;
};

// Reads the ledger of `db` (migrated: ledger_rollup must exist): the rollup's whole
// 15-minute buckets inside the window, and the ledger's own rows in the partial buckets
// at its edges, so the window is exact to the millisecond. Throws GatewayError.
UsageReport usage_report(Database& db, const UsageQuery& query);

}  // namespace llmgw
