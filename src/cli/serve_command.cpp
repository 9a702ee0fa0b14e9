// `llmgw serve`: the localhost OpenAI-compatible daemon (src/daemon/daemon.hpp) in the
// foreground, until SIGINT or SIGTERM.
#include <pthread.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/report.hpp"
#include "core/error.hpp"
#include "daemon/daemon.hpp"

namespace llmgw::cli {

namespace {

constexpr const char* k_serve_footer =
    R"(Point any OpenAI SDK at the base URL it prints (http://127.0.0.1:8808/v1 by default)
and every provider works through it, with llmgw's retries, fallbacks, circuit breakers,
response cache and ledger. Models are named as in `llmgw chat -m`: openai/gpt-4o-mini,
claude-sonnet-4-5, an alias, "a,b" for a fallback.

Endpoints: POST /v1/chat/completions (streamed or not), /v1/embeddings,
/v1/images/generations; GET /v1/models, /v1/models/{id}, /health, /ready,
/health/detailed, /v1/providers/status, /metrics; and Anthropic's POST /v1/messages.
Answers carry "cost", "provider" and "response_time_ms", and the headers x-request-id,
x-llmgw-provider, x-llmgw-model, x-llmgw-cost-usd, x-llmgw-cache and x-llmgw-attempts.
The request header x-llmgw-cache: force|bypass|refresh steers the response cache.

Client keys (`llmgw keys create NAME`): once one exists, every client must send one
(Authorization: Bearer <key>, or x-api-key), and its model list, requests and tokens per
minute and budget apply (429 with Retry-After, or insufficient_quota). GET /v1/usage
shows the calling key's spend and budget, GET /v1/usage/transactions its requests.

Every request is one line on stderr (--log-format json|text): time, request id, client
key name, endpoint, model, provider, status, latency, tokens, cost, cache; never prompt
text or keys. GET /metrics is Prometheus text (requests, durations, llmgw's own
overhead, tokens, cost, cache, retries, breakers, in flight).

The first line on stdout is the base URL (with the port chosen for --port 0). SIGINT or
SIGTERM stops accepting, lets requests in flight finish (up to --grace seconds, then
cancels them), writes every ledger row and exits 0; a second signal cancels at once.

Examples:
  llmgw serve
  llmgw serve --port 0
  OPENAI_BASE_URL=http://127.0.0.1:8808/v1 OPENAI_API_KEY=unused python app.py
  curl -s http://127.0.0.1:8808/v1/chat/completions -H 'Content-Type: application/json' \
    -d '{"model":"mock/echo","messages":[{"role":"user","content":"hi"}]}')";

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8808;
  std::size_t workers = 4096;
  std::size_t max_body_mb = 20;
  double grace_seconds = 10;
  std::vector<std::string> cors_origins;
  bool insecure_no_auth = false;
  bool require_key = false;
  std::string log_format;  // json or text; default: text on a terminal, else json
  bool quiet = false;
};

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// SIGINT, SIGTERM and SIGHUP are taken by one thread (sigwait) instead of a handler, so
// stopping the daemon can lock and join like ordinary code. The signals are blocked from
// construction, before the daemon starts threads (which inherit the mask); SIGUSR1 ends
// the waiting thread.
class SignalThread {
 public:
  SignalThread() {
    sigemptyset(&m_set);
    for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGUSR1})
      sigaddset(&m_set, signal);
    pthread_sigmask(SIG_BLOCK, &m_set, &m_previous);
  }
  void start(daemon::Daemon& d) {
    m_thread = std::thread([this, &d] {
      for (;;) {
        int signal = 0;
        if (sigwait(&m_set, &signal) != 0 || signal == SIGUSR1)
          return;
        d.stop();
      }
    });
  }
  // Ends the thread; the signals stay blocked until the destructor.
  void join() {
    if (!m_thread.joinable())
      return;
    pthread_kill(m_thread.native_handle(), SIGUSR1);
    m_thread.join();
  }
  ~SignalThread() {
    join();
    pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
  }
  SignalThread(const SignalThread&) = delete;
  SignalThread& operator=(const SignalThread&) = delete;

 private:
  sigset_t m_set{};
  sigset_t m_previous{};
  std::thread m_thread;
};

// A proxied connection takes a descriptor for the client and one (or three, with its
// curl lane) for the upstream: under the usual soft limit of 1,024, streams past ~400
// would be refused. The soft limit is raised to the hard one (capped; "unlimited" cannot
// be set), as servers do; a failure leaves the limit as it was.
void raise_open_file_limit() {
  constexpr rlim_t k_cap = 1 << 20;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return;
  const rlim_t wanted = limit.rlim_max == RLIM_INFINITY ? k_cap : std::min(limit.rlim_max, k_cap);
  if (limit.rlim_cur >= wanted)
    return;
  limit.rlim_cur = wanted;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

int run_serve(Context& ctx, const ServeOptions& opts) {
  if (opts.port < 0 || opts.port > 65535)
    fail(ErrorKind::usage, "--port " + std::to_string(opts.port) + " is not a port",
         "use 1-65535, or 0 for any free port");
  daemon::DaemonOptions options;
  options.host = opts.host;
  options.port = opts.port;
  options.max_threads = opts.workers;
  options.max_body_bytes = opts.max_body_mb * 1024 * 1024;
  options.cors_origins = opts.cors_origins;
  options.shutdown_grace = std::chrono::milliseconds(static_cast<long>(opts.grace_seconds * 1000));
  options.log = &ctx.io().err;
  options.require_key = opts.require_key;
  options.quiet = opts.quiet;
  if (opts.log_format.empty()) {
    options.log_format = ctx.io().err_tty ? daemon::LogFormat::text : daemon::LogFormat::json;
  } else if (const auto format = daemon::parse_log_format(opts.log_format)) {
    options.log_format = *format;
  } else {
    fail(ErrorKind::usage, "--log-format '" + opts.log_format + "' is not a log format",
         "use json or text");
  }
  const Config& config = ctx.config();
  raise_open_file_limit();
  SignalThread signals;  // before the daemon's threads start, so they inherit the mask
  daemon::Daemon server(config, ctx.transport(), ctx.credentials(), ctx.clock(), options);
  signals.start(server);
  if (!is_loopback(opts.host) && !opts.insecure_no_auth && !server.auth_required()) {
    fail(ErrorKind::usage,
         "refusing to listen on " + opts.host +
             " without client keys: anyone who can reach it could spend on your provider keys",
         "create one with `llmgw keys create NAME` (or pass --require-key), listen on "
         "127.0.0.1, or pass --insecure-no-auth if this network is yours alone");
  }
  const int port = server.bind();
  const std::string base = "http://" + opts.host + ":" + std::to_string(port);
  ctx.io().out << base << "/v1\n" << std::flush;
  print_note(ctx.io(),
             "listening on " + base + " (OpenAI base URL " + base + "/v1); Ctrl-C stops it");
  server.run();
  signals.join();
  print_note(ctx.io(), "stopped; " + std::to_string(server.ledger().written()) +
                           " requests recorded in the ledger");
  return 0;
}

}  // namespace

void register_serve(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* cmd = parent.add_subcommand("serve", "Run the OpenAI-compatible daemon on localhost");
  cmd->add_option("--host", opts->host, "Address to listen on (default 127.0.0.1)")
      ->type_name("ADDR");
  cmd->add_option("--port", opts->port, "Port to listen on; 0 picks a free one (default 8808)")
      ->type_name("PORT");
  cmd->add_option("--workers", opts->workers,
                  "Most connections served at once; more wait (default 4096)")
      ->type_name("N")
      ->check(CLI::Range(1, 65536));
  cmd->add_option("--max-body-mb", opts->max_body_mb,
                  "Largest request body in MiB; larger gets 413 (default 20)")
      ->type_name("MB")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--grace", opts->grace_seconds,
                  "Seconds requests in flight may take to finish on shutdown (default 10)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--cors-origin", opts->cors_origins,
                  "Allow browsers from this origin (repeatable; * for any); default none")
      ->type_name("ORIGIN");
  cmd->add_option("--log-format", opts->log_format,
                  "One line per request on stderr as json or text (default: text on a "
                  "terminal, else json)")
      ->type_name("FORMAT");
  cmd->add_flag("-q,--quiet", opts->quiet, "No line per request (warnings still)");
  cmd->add_flag("--require-key", opts->require_key,
                "Ask every client for a client key, even before one exists");
  cmd->add_flag("--insecure-no-auth", opts->insecure_no_auth,
                "Allow listening on a non-loopback address without client keys");
  cmd->footer(k_serve_footer);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_serve(ctx, *opts); });
}

}  // namespace llmgw::cli
