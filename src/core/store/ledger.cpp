#include "core/store/ledger.hpp"

#include "core/store/ledger_rollup.hpp"

namespace llmgw {

namespace {

constexpr std::string_view k_columns =
    "ts_ms, source, client_key, endpoint, provider, model_requested, model_served, status, "
    "error_type, attempts, input_tokens, output_tokens, cached_input_tokens, "
    "cache_write_tokens, reasoning_tokens, cost_usd, price_version, latency_ms, ttft_ms, "
    "cache_hit, saved_usd, request_hash";

}  // namespace

void insert_ledger_rows(Database& db, const std::vector<LedgerRow>& rows) {
  if (rows.empty())
    return;
  with_transaction(db, [&] {
    Statement insert =
        db.prepare("INSERT INTO ledger (" + std::string(k_columns) +
                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                   "?16, ?17, ?18, ?19, ?20, ?21, ?22)");
    for (const LedgerRow& row : rows) {
      insert.bind(1, row.ts_ms)
          .bind(2, row.source)
          .bind(3, row.client_key)
          .bind(4, row.endpoint)
          .bind(5, row.provider)
          .bind(6, row.model_requested)
          .bind(7, row.model_served)
          .bind(8, row.status)
          .bind(9, row.error_type)
          .bind(10, row.attempts)
          .bind(11, row.input_tokens)
          .bind(12, row.output_tokens)
          .bind(13, row.cached_input_tokens)
          .bind(14, row.cache_write_tokens)
          .bind(15, row.reasoning_tokens)
          .bind(16, row.cost_usd)
          .bind(17, row.price_version)
          .bind(18, row.latency_ms)
          .bind(19, row.ttft_ms)
          .bind(20, row.cache_hit ? 1 : 0)
          .bind(21, row.saved_usd)
          .bind(22, row.request_hash);
      insert.run();
      insert.reset();
    }
    add_to_rollups(db, rows);
  });
}

namespace {

std::vector<LedgerRow> read_rows(Statement& select) {
  std::vector<LedgerRow> rows;
  while (select.step()) {
    LedgerRow row;
    row.ts_ms = select.int64(0);
    row.source = select.text(1);
    row.client_key = select.optional_text(2);
    row.endpoint = select.text(3);
    row.provider = select.optional_text(4);
    row.model_requested = select.optional_text(5);
    row.model_served = select.optional_text(6);
    row.status = select.text(7);
    row.error_type = select.optional_text(8);
    row.attempts = static_cast<int>(select.int64(9));
    row.input_tokens = select.int64(10);
    row.output_tokens = select.int64(11);
    row.cached_input_tokens = select.int64(12);
    row.cache_write_tokens = select.int64(13);
    row.reasoning_tokens = select.int64(14);
    row.cost_usd = select.optional_real(15);
    row.price_version = select.optional_text(16);
    row.latency_ms = select.optional_int64(17);
    row.ttft_ms = select.optional_int64(18);
    row.cache_hit = select.int64(19) != 0;
    row.saved_usd = select.optional_real(20);
    row.request_hash = select.optional_text(21);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::vector<LedgerRow> read_ledger_rows(Database& db) {
  Statement select = db.prepare("SELECT " + std::string(k_columns) + " FROM ledger ORDER BY id");
  return read_rows(select);
}

std::vector<LedgerRow> client_key_rows(Database& db, const std::string& key_name,
                                       std::int64_t limit, std::int64_t offset) {
  // ledger_client_key (client_key, ts_ms) serves the filter and the order.
  Statement select = db.prepare("SELECT " + std::string(k_columns) +
                                " FROM ledger WHERE client_key = ?1 ORDER BY ts_ms DESC, id DESC "
                                "LIMIT ?2 OFFSET ?3");
  select.bind(1, key_name).bind(2, limit).bind(3, offset);
  return read_rows(select);
}

CacheHitTotals cache_hit_totals(Database& db) {
  Statement select =
      db.prepare("SELECT COUNT(*), TOTAL(saved_usd) FROM ledger WHERE cache_hit = 1");
  CacheHitTotals totals;
  if (select.step()) {
    totals.hits = select.int64(0);
    totals.saved_usd = select.real(1);
  }
  return totals;
}

double client_spend_usd(Database& db, const std::string& key_name, std::int64_t since_ms) {
  // ledger_client_key (client_key, ts_ms) finds the rows (migration 3).
  Statement select =
      db.prepare("SELECT TOTAL(cost_usd) FROM ledger WHERE client_key = ?1 AND ts_ms >= ?2");
  select.bind(1, key_name).bind(2, since_ms);
  return select.step() ? select.real(0) : 0;
}

bool has_unpriced_answer(Database& db, const std::string& provider, const std::string& model_served,
                         std::int64_t before_ms) {
  // ledger_provider_model (provider, model_served, ts_ms) finds the candidates.
  Statement select = db.prepare(
      "SELECT 1 FROM ledger WHERE provider = ?1 AND model_served = ?2 AND status = 'ok' "
      "AND ts_ms < ?3 AND cost_usd IS NULL AND cache_hit = 0 LIMIT 1");
  select.bind(1, provider).bind(2, model_served).bind(3, before_ms);
  return select.step();
}

}  // namespace llmgw
