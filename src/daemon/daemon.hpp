// `llmgw serve`: a localhost HTTP server that speaks OpenAI's API (and Anthropic's
// Messages API) in front of every provider, through the one core Gateway, so every
// request gets the same retries, fallbacks, breakers, cache and ledger as the CLI.
//
// Lifecycle: construct, bind() (port 0: any free port), run() on one thread, stop() from
// any other (a signal thread). stop() stops accepting and closes idle keep-alive
// connections at once (idle_connections.hpp); requests in flight finish, and
// those still running after `shutdown_grace` are cancelled (their ledger rows record
// them as cancelled); then the ledger is flushed and run() returns.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "core/clock.hpp"
#include "core/config/config.hpp"
#include "core/config/credentials.hpp"
#include "core/gateway.hpp"
#include "core/http/transport.hpp"
#include "core/resilience/health.hpp"
#include "core/store/ledger_writer.hpp"
#include "core/store/response_cache.hpp"
#include "daemon/client_access.hpp"
#include "daemon/metrics.hpp"
#include "daemon/request_log.hpp"
#include "daemon/request_record.hpp"
#include "daemon/stream_format.hpp"

namespace llmgw::daemon {

struct DaemonOptions {
  std::string host = "127.0.0.1";
  int port = 8808;                                // 0: any free port (see bind())
  std::size_t max_threads = 4096;                 // connections served at once (--workers)
  std::size_t max_body_bytes = 20 * 1024 * 1024;  // larger request bodies get 413
  std::vector<std::string> cors_origins;          // empty: no CORS headers at all
  std::chrono::milliseconds shutdown_grace{10'000};
  std::chrono::seconds keep_alive_timeout{5};
  bool require_key = false;                // ask every client for a key even before one exists
  LogFormat log_format = LogFormat::json;  // request lines on `log`
  bool quiet = false;                      // no request lines (warnings still)
  std::ostream* log = nullptr;             // warnings (and request lines); null: none
};

class Daemon {
 public:
  Daemon(const Config& config, Transport& transport, const Credentials& credentials, Clock& clock,
         DaemonOptions options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Binds the listening socket; returns the port (the chosen one for port 0). Throws
  // GatewayError (io) naming the address when it cannot.
  int bind();
  // Serves until stop(), then drains, flushes the ledger and returns.
  void run();
  // Thread-safe; returns at once. A second call cancels every request still in flight.
  // Called before run() (a signal right after bind()), run() then returns at once.
  void stop();

  int port() const { return m_port; }
  // Whether clients must present a client key (one exists, or require_key).
  bool auth_required() { return m_access.required(); }
  // Ledger rows handed to the writer so far (for tests and /health/detailed).
  LedgerWriter& ledger() { return m_ledger; }

 private:
  // Requests in flight register their cancel token, so shutdown can cut them short.
  class InFlight {
   public:
    explicit InFlight(Daemon& daemon, CancelToken& token);
    ~InFlight();
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

   private:
    Daemon& m_daemon;
    CancelToken& m_token;
    Metrics::InFlight m_gauge;
  };
  void cancel_in_flight();
  // Stops cpp-httplib's accept loop, whether run() has begun it yet or not.
  void stop_listening();

  void install_routes();
  void install_hygiene();
  void install_fallbacks();
  bool cors_preflight(const httplib::Request& req, httplib::Response& res) const;

  // Routes (openai_routes.cpp, ops_routes.cpp).
  void chat_completions(const httplib::Request& req, httplib::Response& res);
  // `chain` (planned when a key reserved for it, else empty) and `admission` live until
  // the stream ends; `format` writes it in its API's shape.
  void stream_chat(ChatCall call, std::shared_ptr<std::vector<Route>> chain,
                   ClientLimiter::Admission admission, std::shared_ptr<StreamFormat> format,
                   httplib::Response& res);
  // A chat request's key, plan and admission (chat completions and messages alike).
  struct ChatAdmission {
    std::shared_ptr<std::vector<Route>> chain;
    ClientLimiter::Admission admission;
  };
  ChatAdmission admit_chat(const std::optional<ClientKey>& key, ChatCall& call);
  void messages(const httplib::Request& req, httplib::Response& res);
  // Embeddings and images: parse, fetch through the Gateway, answer whole.
  template <class Call, class Fetch>
  void serve_whole(const char* endpoint, const httplib::Request& req, httplib::Response& res,
                   Fetch&& fetch);
  void embeddings(const httplib::Request& req, httplib::Response& res);
  void images(const httplib::Request& req, httplib::Response& res);
  void list_models(const httplib::Request& req, httplib::Response& res);
  void get_model(const httplib::Request& req, httplib::Response& res);
  void health(const httplib::Request& req, httplib::Response& res);
  void ready(const httplib::Request& req, httplib::Response& res);
  void health_detailed(const httplib::Request& req, httplib::Response& res);
  void providers_status(const httplib::Request& req, httplib::Response& res);
  nlohmann::json breakers_json() const;

  void warn(const std::string& message);
  // The record of the request this thread serves (cpp-httplib runs a request's routing,
  // handler and post-routing on one thread); a stream moves a copy to its writer.
  static RequestRecord& current_record();
  void start_record(const httplib::Request& req, const std::string& request_id);
  // Logs the request and adds it to the metrics, once.
  void finish_record(RequestRecord& record, int status, const std::string& body);
  void metrics(const httplib::Request& req, httplib::Response& res);
  // For the calls that spend: the caller's key checked against the model and its limits,
  // with the request's most expensive deployment reserved (chat) or nothing (embeddings
  // and images, charged when they end). Empty when no key is required.
  ClientLimiter::Admission admit(const std::optional<ClientKey>& key, const nlohmann::json& request,
                                 double max_cost_usd);
  double max_chat_cost(const std::vector<Route>& chain, const nlohmann::json& request) const;
  void usage(const httplib::Request& req, httplib::Response& res);
  void transactions(const httplib::Request& req, httplib::Response& res);
  ClientKey require_caller(const httplib::Request& req);

  const Config& m_config;
  Clock& m_clock;
  const Credentials& m_credentials;
  DaemonOptions m_options;
  RequestLogger m_logger;  // early: members after it may warn while they are built
  Metrics m_metrics;
  HealthRegistry m_health;
  LedgerWriter m_ledger;
  ResponseCache m_cache;
  Gateway m_gateway;
  PriceBook m_prices;
  ClientAccess m_access;
  httplib::Server m_server;
  std::atomic<int> m_port{0};  // read by stop(), which a signal thread may call early
  int m_listen_socket = -1;    // the bound socket, as cpp-httplib's socket options saw it
  std::chrono::steady_clock::time_point m_started;

  // Client ports of the connections with a request in flight (routed, not yet finished),
  // which stop() must not cut (idle_connections.hpp).
  std::set<int> busy_ports();
  std::mutex m_busy_mutex;
  std::multiset<int> m_busy_ports;

  std::mutex m_in_flight_mutex;
  std::set<CancelToken*> m_in_flight;
  std::atomic<bool> m_stopping{false};
  std::mutex m_stop_mutex;  // guards the watchdog and m_run_started
  bool m_run_started = false;
  std::atomic<bool> m_run_returned{false};
  std::thread m_watchdog;  // cancels what is still running after shutdown_grace
  std::atomic<bool> m_drained{false};
};

}  // namespace llmgw::daemon
