#include "core/store/ledger_rollup.hpp"

#include <map>
#include <tuple>

namespace llmgw {

void UsageTotals::add(const UsageTotals& other) {
  requests += other.requests;
  errors += other.errors;
  cancelled += other.cancelled;
  input_tokens += other.input_tokens;
  output_tokens += other.output_tokens;
  cached_input_tokens += other.cached_input_tokens;
  cache_write_tokens += other.cache_write_tokens;
  reasoning_tokens += other.reasoning_tokens;
  cost_usd += other.cost_usd;
  unpriced += other.unpriced;
  cache_hits += other.cache_hits;
  saved_usd += other.saved_usd;
}

void UsageTotals::add(const LedgerRow& row) {
  ++requests;
  errors += row.status == "error" ? 1 : 0;
  cancelled += row.status == "cancelled" ? 1 : 0;
  input_tokens += row.input_tokens;
  output_tokens += row.output_tokens;
  cached_input_tokens += row.cached_input_tokens;
  cache_write_tokens += row.cache_write_tokens;
  reasoning_tokens += row.reasoning_tokens;
  cost_usd += row.cost_usd.value_or(0.0);
  unpriced += row.status == "ok" && !row.cost_usd ? 1 : 0;
  cache_hits += row.cache_hit ? 1 : 0;
  saved_usd += row.saved_usd.value_or(0.0);
}

std::string rollup_label(std::string_view dimension, const LedgerRow& row) {
  if (dimension == "model") {
    const std::string model =
        (row.model_served ? row.model_served : row.model_requested).value_or("-");
    const std::string provider = row.provider.value_or("-");
    return model.starts_with(provider + "/") ? model : provider + "/" + model;
  }
  if (dimension == "provider")
    return row.provider.value_or("-");
  if (dimension == "key")
    return row.client_key.value_or("-");
  if (dimension == "source")
    return row.source;
  return "";
}

void add_to_rollups(Database& db, const std::vector<LedgerRow>& rows) {
  // A batch mostly falls in one bucket with a few labels: sum it first, then one upsert
  // per distinct (dimension, bucket, label).
  std::map<std::tuple<std::string_view, std::int64_t, std::string>, UsageTotals> sums;
  for (const LedgerRow& row : rows) {
    const std::int64_t bucket = row.ts_ms / k_rollup_bucket_ms;
    for (const std::string_view dimension : k_rollup_dimensions)
      sums[{dimension, bucket, rollup_label(dimension, row)}].add(row);
  }
  Statement upsert = db.prepare(
      "INSERT INTO ledger_rollup (dimension, bucket, label, requests, errors, cancelled, "
      "input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, "
      "cost_usd, unpriced, cache_hits, saved_usd) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
      "ON CONFLICT (dimension, bucket, label) DO UPDATE SET "
      "requests = requests + excluded.requests, errors = errors + excluded.errors, "
      "cancelled = cancelled + excluded.cancelled, "
      "input_tokens = input_tokens + excluded.input_tokens, "
      "output_tokens = output_tokens + excluded.output_tokens, "
      "cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens, "
      "cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, "
      "reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, "
      "cost_usd = cost_usd + excluded.cost_usd, unpriced = unpriced + excluded.unpriced, "
      "cache_hits = cache_hits + excluded.cache_hits, saved_usd = saved_usd + excluded.saved_usd");
  for (const auto& [key, totals] : sums) {
    const auto& [dimension, bucket, label] = key;
    upsert.bind(1, dimension)
        .bind(2, bucket)
        .bind(3, label)
        .bind(4, totals.requests)
        .bind(5, totals.errors)
        .bind(6, totals.cancelled)
        .bind(7, totals.input_tokens)
        .bind(8, totals.output_tokens)
        .bind(9, totals.cached_input_tokens)
        .bind(10, totals.cache_write_tokens)
        .bind(11, totals.reasoning_tokens)
        .bind(12, totals.cost_usd)
        .bind(13, totals.unpriced)
        .bind(14, totals.cache_hits)
        .bind(15, totals.saved_usd);
    upsert.run();
    upsert.reset();
  }
}

}  // namespace llmgw
