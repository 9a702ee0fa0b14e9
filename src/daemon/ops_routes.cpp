// Liveness and readiness, and the route table.
#include "core/error.hpp"
#include "core/store/migrations.hpp"
#include "daemon/daemon.hpp"
#include "daemon/http_reply.hpp"

namespace llmgw::daemon {

void Daemon::health(const httplib::Request&, httplib::Response& res) {
  send_json(res, 200, {{"status", "ok"}});
}

void Daemon::ready(const httplib::Request&, httplib::Response& res) {
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

void Daemon::install_routes() {
  const auto route = [this](void (Daemon::*handler)(const httplib::Request&, httplib::Response&)) {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      (this->*handler)(req, res);
    };
  };
  m_server.Post("/v1/chat/completions", route(&Daemon::chat_completions));
  m_server.Post("/v1/embeddings", route(&Daemon::embeddings));
  m_server.Post("/v1/images/generations", route(&Daemon::images));
  m_server.Get("/v1/models", route(&Daemon::list_models));
  m_server.Get("/v1/models/(.+)", route(&Daemon::get_model));
  m_server.Get("/health", route(&Daemon::health));
  m_server.Get("/ready", route(&Daemon::ready));
}

}  // namespace llmgw::daemon
