// The ledger summed per 15 minutes and per usage dimension (table ledger_rollup,
// migration 2), so `llmgw usage` reads a few thousand sums instead of every request.
// insert_ledger_rows (ledger.hpp), the ledger's only writer, adds each batch here in the
// same transaction, so the sums always match the rows.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/database.hpp"
#include "core/store/ledger.hpp"

namespace llmgw {

// Every real time zone's offset is a whole number of quarter hours, so 15-minute sums
// can be put in local days, ISO weeks and months exactly.
inline constexpr std::int64_t k_rollup_bucket_ms = 15 * 60 * 1000;

struct UsageTotals {
  std::int64_t requests = 0;
  std::int64_t errors = 0;     // status error
  std::int64_t cancelled = 0;  // status cancelled
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cached_input_tokens = 0;
  std::int64_t cache_write_tokens = 0;
  std::int64_t reasoning_tokens = 0;
  double cost_usd = 0;        // the sum of the known costs
  std::int64_t unpriced = 0;  // answered requests without a known cost (not in cost_usd)
  std::int64_t cache_hits = 0;
  double saved_usd = 0;  // what the cache hits would have cost (where known)

  void add(const UsageTotals& other);
  void add(const LedgerRow& row);
  bool operator==(const UsageTotals&) const = default;
};

// The rollup's dimensions, and a row's label in each: "" for all, "provider/model" (the
// model served, else asked for; "-" when unknown; a model already written "provider/..."
// is not prefixed again), the provider, the client key ("-" for none), the source. The
// SQL of migration 2 and k_model_label_sql spell the same labels.
inline constexpr std::array<std::string_view, 5> k_rollup_dimensions = {"all", "model", "provider",
                                                                        "key", "source"};
std::string rollup_label(std::string_view dimension, const LedgerRow& row);

// rollup_label("model", row) as an SQL expression over the ledger's columns.
inline constexpr std::string_view k_model_label_sql =
    "CASE WHEN substr(COALESCE(model_served, model_requested, '-'), 1, "
    "length(COALESCE(provider, '-')) + 1) = COALESCE(provider, '-') || '/' "
    "THEN COALESCE(model_served, model_requested, '-') "
    "ELSE COALESCE(provider, '-') || '/' || COALESCE(model_served, model_requested, '-') END";

// Adds `rows` to ledger_rollup; call inside the transaction that inserts them.
void add_to_rollups(Database& db, const std::vector<LedgerRow>& rows);

}  // namespace llmgw
