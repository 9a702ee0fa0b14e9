// The spend ledger: one row per request (chat, embeddings, images; success, failure and
// cache hit alike), in the `ledger` table of llmgw.db (migration 1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/store/database.hpp"

namespace llmgw {

struct LedgerRow {
  std::int64_t ts_ms = 0;                 // when the request started, unix milliseconds
  std::string source = "cli";             // cli, repl or daemon
  std::optional<std::string> client_key;  // the daemon client key's name, never the key
  std::string endpoint = "chat";          // chat, embeddings or images
  std::optional<std::string> provider;    // the provider that served (or last failed)
  std::optional<std::string> model_requested;
  std::optional<std::string> model_served;
  std::string status = "ok";  // ok, error or cancelled
  std::optional<std::string> error_type;
  int attempts = 1;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cached_input_tokens = 0;
  std::int64_t cache_write_tokens = 0;
  std::int64_t reasoning_tokens = 0;
  std::optional<double> cost_usd;  // NULL when unpriced: never a made-up 0
  std::optional<std::string> price_version;
  std::optional<std::int64_t> latency_ms;
  std::optional<std::int64_t> ttft_ms;
  bool cache_hit = false;
  std::optional<double> saved_usd;  // a cache hit: what the request would have cost
  std::optional<std::string> request_hash;

  bool operator==(const LedgerRow&) const = default;
};

// Inserts `rows` in one transaction (all or none), with their sums in ledger_rollup
// (ledger_rollup.hpp): the only way rows enter the ledger. Throws GatewayError.
void insert_ledger_rows(Database& db, const std::vector<LedgerRow>& rows);

// Every row, oldest first (for tests and exports).
std::vector<LedgerRow> read_ledger_rows(Database& db);

// The rows of the client key named `key_name`, newest first, `limit` from `offset`.
std::vector<LedgerRow> client_key_rows(Database& db, const std::string& key_name,
                                       std::int64_t limit, std::int64_t offset);

// Requests the response cache answered, and the cost they saved (where known).
struct CacheHitTotals {
  std::int64_t hits = 0;
  double saved_usd = 0;
};
CacheHitTotals cache_hit_totals(Database& db);

// What the client key named `key_name` has spent (the sum of known costs; unpriced
// requests count $0) in requests started at or after `since_ms`. The budgets of
// client_limits.hpp start from it.
double client_spend_usd(Database& db, const std::string& key_name, std::int64_t since_ms);

// Whether the ledger holds an answered, unpriced (cost NULL) request that `provider`
// served as `model_served`, started before `before_ms`: the "no price known" warning is
// given once per model and database, with the first such answer (whose own row may
// already be written when this is asked, hence `before_ms`).
bool has_unpriced_answer(Database& db, const std::string& provider, const std::string& model_served,
                         std::int64_t before_ms);

}  // namespace llmgw
