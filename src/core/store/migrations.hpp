// The schema of llmgw.db as numbered migrations, tracked in PRAGMA user_version: version
// k means the first k scripts have run. They run at open, all in one BEGIN IMMEDIATE
// transaction, so processes opening a fresh or older database together migrate it once
// and nobody sees half a schema. A database newer than this binary is refused, never
// downgraded.
//
// Migration 1:
//   ledger         one row per request (chat, embed, image; success, failure, cache hit):
//                  ts_ms (unix ms), source (cli, repl, daemon), client_key (the daemon
//                  client key's name, never a secret), endpoint, provider, model_requested,
//                  model_served, status ('ok', 'error', 'cancelled'), error_type, attempts,
//                  input/output/cached_input/cache_write/reasoning tokens, cost_usd (NULL
//                  when unpriced), price_version, latency_ms, ttft_ms, cache_hit (0/1),
//                  saved_usd (what a cache hit saved), request_hash.
//   cache_entries  the response cache: key (request hash), model, created/last_used/
//                  expires (unix ms), size_bytes, response (JSON text), streamed (0/1).
// Migration 2:
//   ledger_rollup  the ledger summed per 15-minute bucket and usage dimension (all, model,
//                  provider, key, source), for fast `llmgw usage` (ledger_rollup.hpp).
// Migration 3:
//   client_keys    the keys apps present to `llmgw serve` (client_keys.hpp): id (12 hex,
//                  random, the primary key), name (unique among keys not revoked),
//                  secret_hash (hex SHA-256 of the secret; the secret itself is never
//                  stored), created_ms, budget_usd (NULL: none), budget_period ('day',
//                  'month', 'total'), rpm and tpm (NULL: no limit), models (a JSON array;
//                  NULL: every model), expires_ms (NULL: never), revoked_ms (NULL: active).
//   ledger_client_key  an index on ledger (client_key, ts_ms), for a key's spend.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "core/store/database.hpp"

namespace llmgw {

// The scripts, oldest first; migration k (1-based) is element k-1.
std::span<const std::string_view> schema_migrations();

// The schema version this binary writes: the number of migrations.
std::int64_t current_schema_version();

// Brings `db` to `target` (default: current) by running the missing migrations in one
// BEGIN IMMEDIATE transaction. Returns the version found before. Throws
// GatewayError{config} when the database is newer than `target`.
std::int64_t migrate(Database& db, std::int64_t target = current_schema_version());

// The database every command uses: Database::open (creating it when missing), refuse a
// newer schema, switch to WAL, migrate. A refused file is left unchanged.
Database open_migrated(const std::filesystem::path& file);

}  // namespace llmgw
