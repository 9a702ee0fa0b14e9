// Liveness and readiness, and the route table.
#include "core/error.hpp"
#include "core/store/migrations.hpp"
#include "daemon/daemon.hpp"
#include "daemon/http_reply.hpp"
#include "daemon/prometheus_text.hpp"

namespace llmgw::daemon {

void Daemon::metrics(const httplib::Request& req, httplib::Response& res) {
  current_record().entry.endpoint = "metrics";
  try {
    m_access.identify(req);
    const double uptime =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
    res.set_content(m_metrics.render(m_health.status(m_clock.steady_now()), uptime),
                    k_prometheus_content_type);
  } catch (const GatewayError& e) {
    send_error(res, e.error());
  }
}

void Daemon::health(const httplib::Request&, httplib::Response& res) {
  current_record().entry.endpoint = "health";
  send_json(res, 200, {{"status", "ok"}});
}

void Daemon::ready(const httplib::Request&, httplib::Response& res) {
  current_record().entry.endpoint = "ready";
  // Config was loaded before the daemon started; what can go wrong later is the
  // database: it must open (migrated) and take a write lock.
  nlohmann::json checks = {{"config", "ok"}};
  bool ok = true;
  try {
    Database db = open_migrated(m_config.paths.db_file);
    db.exec("BEGIN IMMEDIATE");
    db.exec("ROLLBACK");
    checks["database"] = "ok";
  } catch (const GatewayError& e) {
    ok = false;
    checks["database"] = e.error().message;
  }
  send_json(res, ok ? 200 : 503, {{"status", ok ? "ready" : "not ready"}, {"checks", checks}});
}

nlohmann::json Daemon::breakers_json() const {
  nlohmann::json breakers = nlohmann::json::array();
  for (const auto& d : m_health.status(m_clock.steady_now())) {
    breakers.push_back({{"provider", d.provider},
                        {"base_url", d.base_url},
                        {"key", d.key_hint},
                        {"state", to_string(d.breaker.state)},
                        {"consecutive_failures", d.breaker.consecutive_failures},
                        {"times_opened", d.breaker.times_opened},
                        {"window_requests", d.breaker.window_requests},
                        {"window_failures", d.breaker.window_failures},
                        {"probe_in_ms", d.breaker.retry_in.count()},
                        {"requests", d.requests},
                        {"failures", d.failures}});
  }
  return breakers;
}

void Daemon::providers_status(const httplib::Request& req, httplib::Response& res) {
  current_record().entry.endpoint = "providers";
  try {
    m_access.identify(req);
    send_json(res, 200, {{"breakers", breakers_json()}});
  } catch (const GatewayError& e) {
    send_error(res, e.error());
  }
}

void Daemon::health_detailed(const httplib::Request& req, httplib::Response& res) {
  current_record().entry.endpoint = "health";
  try {
    m_access.identify(req);
    const CacheStats cache = m_cache.stats(m_clock.unix_milliseconds());
    const auto uptime = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - m_started);
    send_json(res, 200,
              {{"status", "ok"},
               {"uptime_seconds", static_cast<double>(uptime.count()) / 1000.0},
               {"version", LLMGW_VERSION},
               {"breakers", breakers_json()},
               {"cache",
                {{"enabled", m_cache.settings().enabled},
                 {"entries", cache.entries},
                 {"bytes", cache.bytes},
                 {"max_bytes", cache.max_bytes}}},
               {"database",
                {{"path", m_config.paths.db_file.string()},
                 {"ledger_rows_written", m_ledger.written()},
                 {"ledger_rows_dropped", m_ledger.dropped()}}}});
  } catch (const GatewayError& e) {
    send_error(res, e.error());
  }
}

void Daemon::install_routes() {
  const auto route = [this](void (Daemon::*handler)(const httplib::Request&, httplib::Response&)) {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      (this->*handler)(req, res);
    };
  };
  m_server.Post("/v1/chat/completions", route(&Daemon::chat_completions));
  m_server.Post("/v1/embeddings", route(&Daemon::embeddings));
  m_server.Post("/v1/images/generations", route(&Daemon::images));
  m_server.Post("/v1/messages", route(&Daemon::messages));
  m_server.Get("/v1/models", route(&Daemon::list_models));
  m_server.Get("/v1/models/(.+)", route(&Daemon::get_model));
  m_server.Get("/health", route(&Daemon::health));
  m_server.Get("/ready", route(&Daemon::ready));
  m_server.Get("/health/detailed", route(&Daemon::health_detailed));
  m_server.Get("/v1/providers/status", route(&Daemon::providers_status));
  m_server.Get("/metrics", route(&Daemon::metrics));
  m_server.Get("/v1/usage", route(&Daemon::usage));
  m_server.Get("/v1/usage/transactions", route(&Daemon::transactions));
}

}  // namespace llmgw::daemon
