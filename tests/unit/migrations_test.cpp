// Every schema version this binary has ever written migrates to the current one, keeping
// its rows. Adding a migration means adding a sample for its version below.
#include "core/store/migrations.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/store/db_check.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::TempDir;

namespace {

// Rows a database at version k (the index) can hold, and a query per row that must still
// find it at the current version.
struct Sample {
  std::vector<std::string> inserts;
  std::vector<std::string> checks;  // each returns one row whose first column is 1
};

const std::vector<Sample>& samples() {
  static const std::vector<Sample> k_samples = {
      {},  // version 0: an empty file, no tables
      {
          {"INSERT INTO ledger (ts_ms, source, client_key, endpoint, provider, model_requested, "
           "model_served, status, error_type, attempts, input_tokens, output_tokens, "
           "cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_usd, price_version, "
           "latency_ms, ttft_ms, cache_hit, saved_usd, request_hash) VALUES (1700000000000, "
           "'daemon', 'key-1f2e', 'chat', 'openai', 'gpt-4o', 'gpt-4o-2024-08-06', 'ok', NULL, "
           "2, 120, 30, 100, 0, 12, 0.00125, '2026-11-01', 840, 210, 0, NULL, 'ab12')",
           "INSERT INTO cache_entries (key, model, created_ms, last_used_ms, expires_ms, "
           "size_bytes, response, streamed) VALUES ('ab12', 'openai/gpt-4o', 1, 2, 3, 17, "
           "'{\"choices\":[]}', 1)"},
          {"SELECT cost_usd = 0.00125 AND reasoning_tokens = 12 AND client_key = 'key-1f2e' "
           "FROM ledger WHERE request_hash = 'ab12'",
           "SELECT response = '{\"choices\":[]}' AND streamed = 1 FROM cache_entries "
           "WHERE key = 'ab12'"},
      },
      {
          {"INSERT INTO ledger_rollup (dimension, bucket, label, requests, cost_usd, unpriced) "
           "VALUES ('model', 1888888, 'openai/gpt-4o', 3, 0.5, 1)"},
          {"SELECT requests = 3 AND cost_usd = 0.5 AND unpriced = 1 FROM ledger_rollup "
           "WHERE dimension = 'model' AND bucket = 1888888"},
      },
      {
          {"INSERT INTO client_keys (id, name, secret_hash, created_ms, budget_usd, "
           "budget_period, rpm, tpm, models, expires_ms, revoked_ms) VALUES ('0123456789ab', "
           "'my-app', 'ff00', 1700000000000, 12.5, 'day', 60, 100000, '[\"gpt-4o\"]', "
           "1800000000000, NULL)"},
          {"SELECT budget_usd = 12.5 AND budget_period = 'day' AND rpm = 60 AND tpm = 100000 "
           "AND models = '[\"gpt-4o\"]' AND revoked_ms IS NULL FROM client_keys "
           "WHERE id = '0123456789ab' AND name = 'my-app'"},
      },
      {
          {"INSERT INTO conversations (id, created_ms, updated_ms, model, system) VALUES "
           "(7, 1700000000000, 1700000005000, 'smart', 'Be brief')",
           "INSERT INTO messages (conversation_id, ts_ms, role, content, model, input_tokens, "
           "output_tokens, cost_usd, latency_ms, cut) VALUES (7, 1700000005000, 'assistant', "
           "'a monad is a monoid', 'openai/gpt-4o', 12, 5, 0.0001, 900, 1)"},
          {"SELECT model = 'smart' AND system = 'Be brief' FROM conversations WHERE id = 7",
           "SELECT cut = 1 AND cost_usd = 0.0001 FROM messages WHERE conversation_id = 7",
           "SELECT count(*) = 1 FROM messages_fts WHERE messages_fts MATCH 'monoid'"},
      },
  };
  return k_samples;
}

}  // namespace

TEST_CASE("migrations: the test has a sample for every schema version", "[store][migration]") {
  CHECK(static_cast<std::int64_t>(samples().size()) == current_schema_version() + 1);
  CHECK(current_schema_version() == static_cast<std::int64_t>(schema_migrations().size()));
}

TEST_CASE("migrations: every earlier version migrates to the current one, keeping its rows",
          "[store][migration]") {
  for (std::int64_t from = 0; from < current_schema_version(); ++from) {
    CAPTURE(from);
    TempDir dir;
    const auto file = dir.path() / "llmgw.db";
    {
      // A database as a binary that knew `from` migrations left it, with rows in every
      // table that existed by then.
      Database old = Database::open(file);
      old.enable_wal();
      CHECK(migrate(old, from) == 0);
      REQUIRE(old.user_version() == from);
      for (std::int64_t version = 0; version <= from; ++version)
        for (const std::string& insert : samples()[static_cast<std::size_t>(version)].inserts)
          old.exec(insert);
    }
    Database db = open_migrated(file);
    CHECK(db.user_version() == current_schema_version());
    CHECK(db.table_exists("ledger"));
    CHECK(db.table_exists("cache_entries"));
    for (std::int64_t version = 0; version <= from; ++version) {
      for (const std::string& query : samples()[static_cast<std::size_t>(version)].checks) {
        CAPTURE(query);
        Statement check = db.prepare(query);
        REQUIRE(check.step());
        CHECK(check.int64(0) == 1);
      }
    }
    // The migrated schema takes the current version's rows too.
    for (const std::string& insert : samples().back().inserts)
      db.exec(insert);
    const DbCheck check = check_database(file);
    CHECK(check.ok());
    CHECK(check.problems.empty());
  }
}

TEST_CASE("migrations: a connection opened before another migrated finds the work done",
          "[store][migration]") {
  TempDir dir;
  const auto file = dir.path() / "llmgw.db";
  Database first = Database::open(file);
  Database second = Database::open(file);
  CHECK(migrate(first) == 0);
  CHECK(migrate(second) == current_schema_version());
  CHECK(second.user_version() == current_schema_version());
}
