// The calling client key's own spend: GET /v1/usage (budget, spent, in flight, remaining,
// period, rate limits) and GET /v1/usage/transactions?limit=&offset= (its ledger rows).
#include <charconv>

#include "core/error.hpp"
#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "core/time_text.hpp"
#include "daemon/daemon.hpp"
#include "daemon/http_reply.hpp"

namespace llmgw::daemon {

namespace {

using nlohmann::json;

template <class T>
json or_null(const std::optional<T>& value) {
  return value ? json(*value) : json();
}

// A non-negative integer query parameter within [0, most], or `fallback` when absent.
std::int64_t query_number(const httplib::Request& req, const char* name, std::int64_t fallback,
                          std::int64_t most) {
  if (!req.has_param(name))
    return fallback;
  const std::string text = req.get_param_value(name);
  std::int64_t value = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > most) {
    Error error = make_error(ErrorKind::invalid_request,
                             std::string(name) + " must be a whole number from 0 to " +
                                 std::to_string(most) + ", got '" + text + "'");
    error.param = name;
    throw GatewayError(error);
  }
  return value;
}

json row_json(const LedgerRow& row) {
  return {{"time", utc_iso_text(row.ts_ms)},
          {"endpoint", row.endpoint},
          {"provider", or_null(row.provider)},
          {"model_requested", or_null(row.model_requested)},
          {"model_served", or_null(row.model_served)},
          {"status", row.status},
          {"error_type", or_null(row.error_type)},
          {"attempts", row.attempts},
          {"input_tokens", row.input_tokens},
          {"output_tokens", row.output_tokens},
          {"cached_input_tokens", row.cached_input_tokens},
          {"cache_write_tokens", row.cache_write_tokens},
          {"reasoning_tokens", row.reasoning_tokens},
          {"cost_usd", or_null(row.cost_usd)},
          {"cache_hit", row.cache_hit},
          {"saved_usd", or_null(row.saved_usd)},
          {"latency_ms", or_null(row.latency_ms)},
          {"ttft_ms", or_null(row.ttft_ms)}};
}

}  // namespace

ClientKey Daemon::require_caller(const httplib::Request& req) {
  if (auto key = m_access.identify(req))
    return *key;
  fail(ErrorKind::unauthorized,
       "no client key was given: /v1/usage shows the spend of the calling client key",
       "create one with `llmgw keys create NAME` and send it as Authorization: Bearer <key>");
}

void Daemon::usage(const httplib::Request& req, httplib::Response& res) {
  current_record().entry.endpoint = "usage";
  try {
    const ClientKey key = require_caller(req);
    const KeyUsage usage = m_access.usage(key);
    json body = {
        {"key", key.name},
        {"period", to_string(usage.period)},
        {"period_start", utc_iso_text(usage.window.start_ms)},
        {"period_end", usage.window.end_ms ? json(utc_iso_text(*usage.window.end_ms)) : json()},
        {"budget_usd", or_null(usage.budget_usd)},
        {"spent_usd", usage.spent_usd},
        {"reserved_usd", usage.reserved_usd},
        {"remaining_usd", or_null(usage.remaining_usd)},
        {"rpm", or_null(usage.rpm)},
        {"tpm", or_null(usage.tpm)},
        {"requests_last_minute", usage.requests_last_minute},
        {"tokens_last_minute", usage.tokens_last_minute}};
    send_json(res, 200, body);
  } catch (const GatewayError& e) {
    send_error(res, e.error());
  }
}

void Daemon::transactions(const httplib::Request& req, httplib::Response& res) {
  current_record().entry.endpoint = "usage";
  try {
    const ClientKey key = require_caller(req);
    const std::int64_t limit = query_number(req, "limit", 20, 1000);
    const std::int64_t offset = query_number(req, "offset", 0, 1'000'000'000);
    m_ledger.flush();  // rows of requests that just ended are in the database
    Database db = open_migrated(m_config.paths.db_file);
    json data = json::array();
    for (const LedgerRow& row : client_key_rows(db, key.name, limit, offset))
      data.push_back(row_json(row));
    send_json(res, 200,
              {{"object", "list"},
               {"key", key.name},
               {"limit", limit},
               {"offset", offset},
               {"data", std::move(data)}});
  } catch (const GatewayError& e) {
    send_error(res, e.error());
  }
}

}  // namespace llmgw::daemon
