#include "core/store/migrations.hpp"

#include <array>
#include <string>

#include "core/error.hpp"

namespace llmgw {

namespace {

// Never edit a migration that has shipped: databases out there already ran it. Change the
// schema by appending a migration.
constexpr std::string_view k_migration_1 = R"sql(
CREATE TABLE ledger (
  id                  INTEGER PRIMARY KEY,
  ts_ms               INTEGER NOT NULL,
  source              TEXT    NOT NULL,
  client_key          TEXT,
  endpoint            TEXT    NOT NULL,
  provider            TEXT,
  model_requested     TEXT,
  model_served        TEXT,
  status              TEXT    NOT NULL CHECK (status IN ('ok', 'error', 'cancelled')),
  error_type          TEXT,
  attempts            INTEGER NOT NULL DEFAULT 1,
  input_tokens        INTEGER NOT NULL DEFAULT 0,
  output_tokens       INTEGER NOT NULL DEFAULT 0,
  cached_input_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens  INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens    INTEGER NOT NULL DEFAULT 0,
  cost_usd            REAL,
  price_version       TEXT,
  latency_ms          INTEGER,
  ttft_ms             INTEGER,
  cache_hit           INTEGER NOT NULL DEFAULT 0 CHECK (cache_hit IN (0, 1)),
  saved_usd           REAL,
  request_hash        TEXT
);
CREATE INDEX ledger_ts ON ledger (ts_ms);
CREATE INDEX ledger_provider_model ON ledger (provider, model_served, ts_ms);

CREATE TABLE cache_entries (
  key          TEXT    PRIMARY KEY,
  model        TEXT    NOT NULL,
  created_ms   INTEGER NOT NULL,
  last_used_ms INTEGER NOT NULL,
  expires_ms   INTEGER NOT NULL,
  size_bytes   INTEGER NOT NULL,
  response     TEXT    NOT NULL,
  streamed     INTEGER NOT NULL DEFAULT 0 CHECK (streamed IN (0, 1))
);
CREATE INDEX cache_entries_lru ON cache_entries (last_used_ms);
CREATE INDEX cache_entries_expiry ON cache_entries (expires_ms);
)sql";

// The ledger summed per 15 minutes, per dimension of `llmgw usage` ('all' with label '',
// 'model' "provider/model", 'provider', 'key' (client key, '-' for none), 'source'), kept
// by insert_ledger_rows in the ledger's own transactions (ledger_rollup.hpp), so a usage
// report reads thousands of rows instead of millions. Backfilled from the ledger here;
// the labels are the same expressions ledger_rollup.cpp writes.
constexpr std::string_view k_migration_2 = R"sql(
CREATE TABLE ledger_rollup (
  dimension           TEXT    NOT NULL,
  bucket              INTEGER NOT NULL,
  label               TEXT    NOT NULL,
  requests            INTEGER NOT NULL DEFAULT 0,
  errors              INTEGER NOT NULL DEFAULT 0,
  cancelled           INTEGER NOT NULL DEFAULT 0,
  input_tokens        INTEGER NOT NULL DEFAULT 0,
  output_tokens       INTEGER NOT NULL DEFAULT 0,
  cached_input_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens  INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens    INTEGER NOT NULL DEFAULT 0,
  cost_usd            REAL    NOT NULL DEFAULT 0,
  unpriced            INTEGER NOT NULL DEFAULT 0,
  cache_hits          INTEGER NOT NULL DEFAULT 0,
  saved_usd           REAL    NOT NULL DEFAULT 0,
  PRIMARY KEY (dimension, bucket, label)
) WITHOUT ROWID;
INSERT INTO ledger_rollup
  SELECT dimension, bucket, label, COUNT(*), SUM(status = 'error'), SUM(status = 'cancelled'),
         SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens),
         SUM(cache_write_tokens), SUM(reasoning_tokens), TOTAL(cost_usd),
         SUM(status = 'ok' AND cost_usd IS NULL), SUM(cache_hit), TOTAL(saved_usd)
  FROM (
    SELECT 'all' AS dimension, ts_ms / 900000 AS bucket, '' AS label, * FROM ledger
    UNION ALL
    SELECT 'model', ts_ms / 900000,
           CASE WHEN substr(COALESCE(model_served, model_requested, '-'), 1,
                            length(COALESCE(provider, '-')) + 1) = COALESCE(provider, '-') || '/'
                THEN COALESCE(model_served, model_requested, '-')
                ELSE COALESCE(provider, '-') || '/' || COALESCE(model_served, model_requested, '-')
           END, *
      FROM ledger
    UNION ALL
    SELECT 'provider', ts_ms / 900000, COALESCE(provider, '-'), * FROM ledger
    UNION ALL
    SELECT 'key', ts_ms / 900000, COALESCE(client_key, '-'), * FROM ledger
    UNION ALL
    SELECT 'source', ts_ms / 900000, source, * FROM ledger)
  GROUP BY dimension, bucket, label;
)sql";

// Client keys of `llmgw serve` (client_keys.hpp). A name is unique among the keys not
// revoked, so a revoked key's name can be given again; ids are never reused. The ledger
// index answers "what has this key spent since…" (client_spend_usd) without a scan.
constexpr std::string_view k_migration_3 = R"sql(
CREATE TABLE client_keys (
  id            TEXT    PRIMARY KEY,
  name          TEXT    NOT NULL,
  secret_hash   TEXT    NOT NULL,
  created_ms    INTEGER NOT NULL,
  budget_usd    REAL    CHECK (budget_usd IS NULL OR budget_usd >= 0),
  budget_period TEXT    NOT NULL DEFAULT 'month'
                        CHECK (budget_period IN ('day', 'month', 'total')),
  rpm           INTEGER CHECK (rpm IS NULL OR rpm > 0),
  tpm           INTEGER CHECK (tpm IS NULL OR tpm > 0),
  models        TEXT,
  expires_ms    INTEGER,
  revoked_ms    INTEGER
);
CREATE UNIQUE INDEX client_keys_active_name ON client_keys (name) WHERE revoked_ms IS NULL;
CREATE INDEX ledger_client_key ON ledger (client_key, ts_ms);
)sql";

// The CLI's stored conversations (conversations.hpp): prompts and answers, the only text
// llmgw keeps. AUTOINCREMENT so that the id of a removed conversation is never given to
// another, which `--cid ID` would then continue by mistake. messages_fts is an external-
// content FTS5 index over messages.content, kept by the triggers (which also fire for the
// rows ON DELETE CASCADE removes).
constexpr std::string_view k_migration_4 = R"sql(
CREATE TABLE conversations (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  model      TEXT    NOT NULL,
  system     TEXT
);
CREATE INDEX conversations_updated ON conversations (updated_ms);
CREATE TABLE messages (
  id              INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  ts_ms           INTEGER NOT NULL,
  role            TEXT    NOT NULL CHECK (role IN ('user', 'assistant')),
  content         TEXT    NOT NULL,
  model           TEXT,
  input_tokens    INTEGER,
  output_tokens   INTEGER,
  cost_usd        REAL,
  latency_ms      INTEGER,
  cut             INTEGER NOT NULL DEFAULT 0 CHECK (cut IN (0, 1))
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE VIRTUAL TABLE messages_fts USING fts5 (content, content = 'messages', content_rowid = 'id');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
)sql";

// Adding a migration: write k_migration_5 above and append it here.
constexpr std::array<std::string_view, 4> k_migrations = {k_migration_1, k_migration_2,
                                                          k_migration_3, k_migration_4};

[[noreturn]] void fail_newer(const Database& db, std::int64_t found, std::int64_t known) {
  fail(ErrorKind::config,
       db.path().string() + " has schema version " + std::to_string(found) +
           ", made by a newer llmgw (this one knows up to version " + std::to_string(known) + ")",
       "upgrade llmgw, or point --db (or LLMGW_DB) at another file; llmgw never downgrades a "
       "database");
}

}  // namespace

std::span<const std::string_view> schema_migrations() {
  return k_migrations;
}

std::int64_t current_schema_version() {
  return static_cast<std::int64_t>(k_migrations.size());
}

std::int64_t migrate(Database& db, std::int64_t target) {
  if (target < 0 || target > current_schema_version())
    fail(ErrorKind::internal, "no schema version " + std::to_string(target));
  // Up to date: no write lock, so opening stays cheap and works on a read-only file.
  const std::int64_t seen = db.user_version();
  if (seen == target)
    return seen;
  if (seen > target)
    fail_newer(db, seen, target);
  return with_transaction(db, [&] {
    // Another process may have migrated between the read above and the lock.
    const std::int64_t found = db.user_version();
    if (found > target)
      fail_newer(db, found, target);
    for (std::int64_t version = found; version < target; ++version)
      db.exec(k_migrations[static_cast<std::size_t>(version)]);
    db.set_user_version(target);
    return found;
  });
}

Database open_migrated(const std::filesystem::path& file) {
  Database db = Database::open(file, OpenMode::create);
  const std::int64_t found = db.user_version();
  if (found > current_schema_version())
    fail_newer(db, found, current_schema_version());
  db.enable_wal();
  migrate(db);
  return db;
}

}  // namespace llmgw
