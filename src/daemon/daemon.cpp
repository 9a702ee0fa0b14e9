#include "daemon/daemon.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <regex>

#include "core/error.hpp"
#include "daemon/error_response.hpp"
#include "daemon/http_reply.hpp"
#include "daemon/idle_connections.hpp"
#include "daemon/task_pool.hpp"

namespace llmgw::daemon {

namespace {

GatewayOptions gateway_options(HealthRegistry& health, LedgerWriter& ledger, ResponseCache& cache) {
  GatewayOptions options;
  options.health = &health;
  options.ledger = [&ledger](LedgerRow row) { ledger.add(std::move(row)); };
  options.source = "daemon";
  options.cache = &cache;
  return options;
}

// Every route, and the methods it answers: an unknown path is a 404, a known path asked
// with another method a 405 naming the methods it has.
struct KnownRoute {
  std::regex path;
  const char* methods;
};

const std::vector<KnownRoute>& known_routes() {
  static const std::vector<KnownRoute> k_routes = {
      {std::regex("/v1/chat/completions"), "POST"},
      {std::regex("/v1/embeddings"), "POST"},
      {std::regex("/v1/images/generations"), "POST"},
      {std::regex("/v1/messages"), "POST"},
      {std::regex("/v1/models"), "GET"},
      {std::regex("/v1/models/.+"), "GET"},
      {std::regex("/health"), "GET"},
      {std::regex("/ready"), "GET"},
      {std::regex("/health/detailed"), "GET"},
      {std::regex("/v1/providers/status"), "GET"},
      {std::regex("/v1/usage"), "GET"},
      {std::regex("/metrics"), "GET"},
      {std::regex("/v1/usage/transactions"), "GET"},
  };
  return k_routes;
}

}  // namespace

Daemon::InFlight::InFlight(Daemon& daemon, CancelToken& token)
    : m_daemon(daemon), m_token(token), m_gauge(daemon.m_metrics.in_flight()) {
  std::lock_guard lock(m_daemon.m_in_flight_mutex);
  m_daemon.m_in_flight.insert(&m_token);
  if (m_daemon.m_drained)
    m_token.cancel();
}

Daemon::InFlight::~InFlight() {
  std::lock_guard lock(m_daemon.m_in_flight_mutex);
  m_daemon.m_in_flight.erase(&m_token);
}

Daemon::Daemon(const Config& config, Transport& transport, const Credentials& credentials,
               Clock& clock, DaemonOptions options)
    : m_config(config),
      m_clock(clock),
      m_credentials(credentials),
      m_options(std::move(options)),
      m_logger(m_options.log, m_options.log_format, m_options.quiet),
      m_health(config.breaker.value),
      m_ledger(config.paths.db_file, [this](const std::string& w) { warn(w); }),
      m_cache(config.paths.db_file, config.cache.value, [this](const std::string& w) { warn(w); }),
      m_gateway(config, transport, credentials, clock,
                gateway_options(m_health, m_ledger, m_cache)),
      m_prices(price_book(config)),
      m_access(config, clock, m_options.require_key),
      m_started(std::chrono::steady_clock::now()) {
  const std::size_t max_threads = m_options.max_threads;
  m_server.new_task_queue = [max_threads] { return new GrowingTaskPool(max_threads); };
  // Without it a small response waits for a delayed ACK (see design.md).
  m_server.set_tcp_nodelay(true);
  m_server.set_keep_alive_max_count(100'000);
  m_server.set_keep_alive_timeout(m_options.keep_alive_timeout.count());
  m_server.set_read_timeout(30, 0);
  m_server.set_write_timeout(30, 0);
  m_server.set_payload_max_length(m_options.max_body_bytes);
  // cpp-httplib's default sets SO_REUSEPORT, which lets a second daemon bind the same port
  // and silently share its connections; SO_REUSEADDR alone still allows a quick restart.
  m_server.set_socket_options([this](socket_t sock) {
    const int on = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    m_listen_socket = sock;
  });
  install_hygiene();
  install_routes();
  install_fallbacks();
}

Daemon::~Daemon() {
  stop();
  std::lock_guard lock(m_stop_mutex);
  if (m_watchdog.joinable())
    m_watchdog.join();
}

int Daemon::bind() {
  const bool any = m_options.port == 0;
  const int port =
      any ? m_server.bind_to_any_port(m_options.host)
          : (m_server.bind_to_port(m_options.host, m_options.port) ? m_options.port : -1);
  if (port <= 0) {
    fail(ErrorKind::io,
         "cannot listen on " + m_options.host + ":" + std::to_string(m_options.port) +
             (any ? "" : " (is another server using the port?)"),
         any ? "check that the host is an address of this machine"
             : "pick another port with --port, or --port 0 for any free one");
  }
  // Debian's cpp-httplib listens with a backlog of 5 (compiled in): a burst of clients
  // connecting at once would see SYNs dropped and 1 s retransmits. Listening again on the
  // bound socket raises it.
  if (m_listen_socket >= 0)
    ::listen(m_listen_socket, SOMAXCONN);
  m_port = port;
  return port;
}

void Daemon::run() {
  bool listen = false;
  {
    std::lock_guard lock(m_stop_mutex);
    listen = !m_stopping;
    m_run_started = true;
  }
  if (listen)
    m_server.listen_after_bind();  // returns after stop(), once every connection is done
  else if (m_listen_socket >= 0)
    ::shutdown(m_listen_socket, SHUT_RDWR);  // refuse connections; the socket stays httplib's
  m_run_returned = true;
  {
    std::lock_guard lock(m_in_flight_mutex);
    m_drained = true;
  }
  m_ledger.flush();
  m_logger.flush();
}

void Daemon::stop() {
  if (m_stopping.exchange(true)) {
    cancel_in_flight();
    return;
  }
  // Before the listening socket closes, which frees the port (see idle_connections.hpp).
  end_idle_connections(m_port, busy_ports());
  stop_listening();
  std::lock_guard lock(m_stop_mutex);
  m_watchdog = std::thread([this] {
    const auto deadline = std::chrono::steady_clock::now() + m_options.shutdown_grace;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard in_flight(m_in_flight_mutex);
        if (m_drained || m_in_flight.empty())
          return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    cancel_in_flight();
  });
}

void Daemon::stop_listening() {
  {
    std::lock_guard lock(m_stop_mutex);
    if (!m_run_started)
      return;  // run() has not begun: it sees m_stopping and does not listen
  }
  // cpp-httplib's stop() does nothing until listen_after_bind() has marked the server
  // running, its first step: a signal that comes right after bind() would be lost, and
  // the daemon would serve on. run() is at most a few instructions from there.
  while (!m_server.is_running() && !m_run_returned)
    std::this_thread::yield();
  m_server.stop();
}

void Daemon::cancel_in_flight() {
  std::lock_guard lock(m_in_flight_mutex);
  for (CancelToken* token : m_in_flight)
    token->cancel();
}

void Daemon::warn(const std::string& message) {
  m_logger.write_line("llmgw serve: warning: " + message + "\n");
}

RequestRecord& Daemon::current_record() {
  thread_local RequestRecord record;
  return record;
}

void Daemon::start_record(const httplib::Request& req, const std::string& request_id) {
  RequestRecord& record = current_record();
  record = RequestRecord{};
  record.started = std::chrono::steady_clock::now();
  record.entry.time_ms = m_clock.unix_milliseconds();
  record.entry.request_id = request_id;
  record.entry.method = req.method;
  record.entry.path = req.path;
  record.entry.endpoint = "other";
  record.client_port = req.remote_port;
  std::lock_guard lock(m_busy_mutex);
  m_busy_ports.insert(req.remote_port);
}

std::set<int> Daemon::busy_ports() {
  std::lock_guard lock(m_busy_mutex);
  return {m_busy_ports.begin(), m_busy_ports.end()};
}

void Daemon::finish_record(RequestRecord& record, int status, const std::string& body) {
  if (record.finished)
    return;
  record.finished = true;
  {
    std::lock_guard lock(m_busy_mutex);
    if (const auto it = m_busy_ports.find(record.client_port); it != m_busy_ports.end())
      m_busy_ports.erase(it);
  }
  RequestLogEntry& entry = record.entry;
  entry.status = status;
  if (status >= 400 && entry.error_type.empty()) {
    // The type the client was sent, from the error body (OpenAI's or Anthropic's shape).
    const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object())
      entry.error_type = parsed["error"].value("type", "");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - record.started).count();
  entry.latency_ms = seconds * 1000.0;
  RequestObservation observation;
  observation.endpoint = entry.endpoint;
  observation.provider = entry.provider;
  observation.model = entry.model_served;
  observation.status = status;
  observation.duration_seconds = seconds;
  observation.upstream_seconds = record.upstream_seconds;
  observation.input_tokens = entry.input_tokens;
  observation.output_tokens = entry.output_tokens;
  observation.cached_input_tokens = entry.cached_tokens;
  observation.cache_write_tokens = record.cache_write_tokens;
  observation.reasoning_tokens = record.reasoning_tokens;
  observation.cost_usd = entry.cost_usd;
  observation.cache = entry.cache;
  observation.retries = std::max(entry.attempts - 1, 0);
  m_metrics.observe(observation);
  m_logger.log(std::move(entry));  // formatted and written on the logger's thread
}

void Daemon::install_hygiene() {
  m_server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Cache-Control", "no-store");
    const std::string id = request_id_for(req);
    res.set_header("x-request-id", id);
    start_record(req, id);
    return cors_preflight(req, res) ? httplib::Server::HandlerResponse::Handled
                                    : httplib::Server::HandlerResponse::Unhandled;
  });
  m_server.set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
    RequestRecord& record = current_record();
    if (!record.deferred)
      finish_record(record, res.status, res.body);
  });
  // Statuses cpp-httplib answers by itself (413 for a body over the limit, 400 for a
  // request it cannot read) get a body in OpenAI's shape too; those with a body are ours.
  m_server.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty())
          return httplib::Server::HandlerResponse::Unhandled;
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_header("Cache-Control", "no-store");
        // Without a request id, no route ran (a 413 is answered from the headers alone):
        // the request gets its record, and its log line, here.
        const bool routed = res.has_header("x-request-id");
        if (!routed) {
          const std::string id = request_id_for(req);
          res.set_header("x-request-id", id);
          start_record(req, id);
        }
        Error error = make_error(ErrorKind::invalid_request, "the request could not be read");
        error.http_status = res.status;
        if (res.status == 413) {
          error.message = "the request body is larger than the daemon accepts";
          error.fix = "send less, or raise the limit with llmgw serve --max-body-mb";
          error.code = "request_too_large";
        } else if (res.status == 404) {
          error = make_error(ErrorKind::not_found, "no route " + req.method + " " + req.path);
        } else if (res.status >= 500) {
          error = make_error(ErrorKind::internal, "the daemon failed to answer");
          error.http_status = res.status;
        }
        send_error(res, error);
        if (!routed)
          finish_record(current_record(), res.status, res.body);
        return httplib::Server::HandlerResponse::Handled;
      }));
  m_server.set_exception_handler(
      [this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep)
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        warn("a handler failed: " + what);
        send_error(res, make_error(ErrorKind::internal, "unexpected failure: " + what));
      });
}

bool Daemon::cors_preflight(const httplib::Request& req, httplib::Response& res) const {
  const std::string origin = req.get_header_value("Origin");
  if (origin.empty() || m_options.cors_origins.empty())
    return false;
  const auto& allowed = m_options.cors_origins;
  const bool any = std::find(allowed.begin(), allowed.end(), "*") != allowed.end();
  if (!any && std::find(allowed.begin(), allowed.end(), origin) == allowed.end())
    return false;  // no CORS headers: the browser refuses the response
  res.set_header("Access-Control-Allow-Origin", any ? "*" : origin);
  res.set_header("Vary", "Origin");
  res.set_header("Access-Control-Expose-Headers",
                 "x-request-id, x-llmgw-provider, x-llmgw-model, x-llmgw-cost-usd, "
                 "x-llmgw-cache, x-llmgw-attempts");
  if (req.method != "OPTIONS")
    return false;
  res.status = 204;
  res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  res.set_header("Access-Control-Allow-Headers",
                 "Authorization, Content-Type, x-api-key, x-llmgw-cache, anthropic-version");
  res.set_header("Access-Control-Max-Age", "600");
  return true;
}

void Daemon::install_fallbacks() {
  const auto fallback = [](const httplib::Request& req, httplib::Response& res) {
    for (const KnownRoute& route : known_routes()) {
      if (std::regex_match(req.path, route.path)) {
        res.set_header("Allow", route.methods);
        Error error =
            make_error(ErrorKind::invalid_request,
                       req.method + " is not allowed on " + req.path + "; use " + route.methods);
        error.http_status = 405;
        error.code = "method_not_allowed";
        send_error(res, error);
        return;
      }
    }
    send_error(res, make_error(ErrorKind::not_found, "no route " + req.method + " " + req.path,
                               "the OpenAI API is under /v1, e.g. POST /v1/chat/completions"));
  };
  m_server.Get(".*", fallback);
  m_server.Post(".*", fallback);
  m_server.Put(".*", fallback);
  m_server.Patch(".*", fallback);
  m_server.Delete(".*", fallback);
  m_server.Options(".*", fallback);
}

}  // namespace llmgw::daemon
