// The daemon's HTTP hygiene: every bad request gets OpenAI's error JSON with the right
// status (400, 404, 405, 413), security headers, CORS only when configured, liveness and
// readiness, and a graceful shutdown that loses no ledger row.
#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "support/daemon_harness.hpp"

using llmgw::test::DaemonHarness;
using llmgw::test::Reply;
using nlohmann::json;

namespace {

// The error object of an OpenAI error body, after checking the body has exactly its shape.
json error_of(const httplib::Result& res) {
  REQUIRE(res);
  CHECK(res->get_header_value("Content-Type") == "application/json; charset=utf-8");
  CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
  CHECK(res->get_header_value("Cache-Control") == "no-store");
  const json body = json::parse(res->body);
  REQUIRE(body.contains("error"));
  const json& error = body["error"];
  CHECK(error["message"].is_string());
  CHECK(error["type"].is_string());
  CHECK(error.contains("param"));
  CHECK(error.contains("code"));
  return error;
}

httplib::Result post_text(const DaemonHarness& d, const char* path, const std::string& text) {
  return d.client().Post(path, text, "application/json");
}

}  // namespace

TEST_CASE("daemon: bad requests get OpenAI's error JSON with the right status", "[daemon][http]") {
  DaemonHarness d;
  {
    const auto res = post_text(d, "/v1/chat/completions", R"({"model": "gpt-4o-mini", )");
    CHECK(res->status == 400);
    CHECK(error_of(res)["message"].get<std::string>().find("not valid JSON") != std::string::npos);
  }
  {
    const auto res = post_text(d, "/v1/chat/completions", "[1, 2]");
    CHECK(res->status == 400);
    CHECK(error_of(res)["message"].get<std::string>().find("JSON object") != std::string::npos);
  }
  {
    const auto res =
        post_text(d, "/v1/chat/completions", R"({"model": "gpt-4o-mini", "messages": "hi"})");
    CHECK(res->status == 400);
    CHECK(error_of(res)["param"] == "messages");
  }
  {
    const auto res = post_text(
        d, "/v1/chat/completions",
        R"({"model": "gpt-4o-mini", "temperature": "hot", "messages": [{"role": "user", "content": "x"}]})");
    CHECK(res->status == 400);
    CHECK(error_of(res)["param"] == "temperature");
  }
  {
    const auto res = post_text(
        d, "/v1/chat/completions",
        R"({"model": "nosuchprovider/x", "messages": [{"role": "user", "content": "x"}]})");
    CHECK(res->status == 404);
    // OpenAI's shape for an unknown model (SDKs and clients test the code).
    const json error = error_of(res);
    CHECK(error["type"] == "invalid_request_error");
    CHECK(error["code"] == "model_not_found");
  }
  {
    const auto res = post_text(d, "/v1/embeddings",
                               R"({"model": "no-provider-prefix-knows-this", "input": "x"})");
    CHECK(res->status == 404);
    const json error = error_of(res);
    CHECK(error["type"] == "invalid_request_error");
    CHECK(error["code"] == "model_not_found");
  }
  {
    const auto res = post_text(d, "/v1/embeddings", R"({"model": "text-embedding-3-small"})");
    CHECK(res->status == 400);
    error_of(res);
  }
  {
    const auto res = d.client().Get("/v2/whatever");
    CHECK(res->status == 404);
    CHECK(error_of(res)["type"] == "invalid_request_error");
  }
  {
    const auto res = d.client().Get("/v1/chat/completions");
    CHECK(res->status == 405);
    CHECK(res->get_header_value("Allow") == "POST");
    CHECK(error_of(res)["code"] == "method_not_allowed");
  }
  {
    const auto res = d.client().Delete("/v1/models");
    CHECK(res->status == 405);
    CHECK(res->get_header_value("Allow") == "GET");
  }
  // Nothing above reached the upstream.
  CHECK(d.upstream.requests().empty());
}

TEST_CASE("daemon: an upstream error keeps its status, except a refused provider key",
          "[daemon][http]") {
  DaemonHarness d;
  d.upstream.push(Reply::error(429, "Rate limit reached", "requests", "rate_limit_exceeded")
                      .with_header("Retry-After", "7"));
  const auto limited =
      post_text(d, "/v1/chat/completions",
                R"({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]})");
  CHECK(limited->status == 429);
  CHECK(limited->get_header_value("Retry-After") == "7");
  error_of(limited);

  d.upstream.push(
      Reply::error(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key"));
  const auto refused =
      post_text(d, "/v1/chat/completions",
                R"({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]})");
  CHECK(refused->status == 502);  // the client's request and key were fine
  CHECK(error_of(refused)["type"] == "upstream_authentication_error");
}

TEST_CASE("daemon: a body over the limit is refused with 413", "[daemon][http]") {
  DaemonHarness d([](llmgw::Config&, llmgw::daemon::DaemonOptions& options) {
    options.max_body_bytes = 64 * 1024;
  });
  const std::string big = R"({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": ")" +
                          std::string(100 * 1024, 'x') + R"("}]})";
  const auto res = post_text(d, "/v1/chat/completions", big);
  REQUIRE(res);
  CHECK(res->status == 413);
  CHECK(error_of(res)["code"] == "request_too_large");
  CHECK(d.upstream.requests().empty());
  // cpp-httplib answers it before any route runs; it is still one request log line.
  const std::string request_id = res->get_header_value("x-request-id");
  CHECK(request_id.rfind("req_", 0) == 0);
  d.stop();
  const std::string log = d.log.str();
  const auto line = log.find(request_id);
  REQUIRE(line != std::string::npos);
  const json logged = json::parse(
      log.substr(log.rfind('\n', line) + 1, log.find('\n', line) - log.rfind('\n', line) - 1));
  CHECK(logged["status"] == 413);
  CHECK(logged["path"] == "/v1/chat/completions");
  CHECK(logged["error_type"] == "invalid_request_error");
}

TEST_CASE("daemon: CORS is off unless an origin is allowed", "[daemon][http]") {
  {
    DaemonHarness d;
    const auto res = d.client().Get("/health", {{"Origin", "https://evil.example"}});
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK_FALSE(res->has_header("Access-Control-Allow-Origin"));
  }
  DaemonHarness d([](llmgw::Config&, llmgw::daemon::DaemonOptions& options) {
    options.cors_origins = {"https://app.example"};
  });
  const auto allowed = d.client().Get("/health", {{"Origin", "https://app.example"}});
  REQUIRE(allowed);
  CHECK(allowed->get_header_value("Access-Control-Allow-Origin") == "https://app.example");
  const auto other = d.client().Get("/health", {{"Origin", "https://evil.example"}});
  REQUIRE(other);
  CHECK_FALSE(other->has_header("Access-Control-Allow-Origin"));
  const auto preflight = d.client().Options(
      "/v1/chat/completions",
      {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "POST"}});
  REQUIRE(preflight);
  CHECK(preflight->status == 204);
  CHECK(preflight->get_header_value("Access-Control-Allow-Methods").find("POST") !=
        std::string::npos);
}

TEST_CASE("daemon: /health and /ready", "[daemon][http]") {
  DaemonHarness d;
  const auto health = d.client().Get("/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(json::parse(health->body)["status"] == "ok");
  const auto ready = d.client().Get("/ready");
  REQUIRE(ready);
  CHECK(ready->status == 200);
  CHECK(json::parse(ready->body)["checks"]["database"] == "ok");
}

TEST_CASE("daemon: /ready is 503 when the database cannot be used", "[daemon][http]") {
  DaemonHarness d([](llmgw::Config& config, llmgw::daemon::DaemonOptions&) {
    config.paths.db_file = "/proc/llmgw-cannot-be-here/llmgw.db";
  });
  const auto ready = d.client().Get("/ready");
  REQUIRE(ready);
  CHECK(ready->status == 503);
  CHECK(json::parse(ready->body)["status"] == "not ready");
  // Requests are still answered; the warning says they are not recorded.
  const auto answered = post_text(
      d, "/v1/chat/completions",
      R"({"model": "mock/echo", "messages": [{"role": "user", "content": "still here"}]})");
  REQUIRE(answered);
  CHECK(answered->status == 200);
  d.stop();
  CHECK(d.log.str().find("not being recorded") != std::string::npos);
}

TEST_CASE("daemon: shutdown lets requests in flight finish and loses no ledger row",
          "[daemon][shutdown]") {
  DaemonHarness d;
  for (int i = 0; i < 3; ++i)
    d.upstream.push(Reply::echo().with_delay(std::chrono::milliseconds(400)));
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 3; ++i) {
    clients.emplace_back([&, i] {
      const auto res =
          post_text(d, "/v1/chat/completions",
                    R"({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "slow )" +
                        std::to_string(i) + R"("}]})");
      if (res && res->status == 200)
        ++ok;
    });
  }
  for (int i = 0; i < 200 && d.upstream.requests().size() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(d.upstream.requests().size() == 3);
  d.stop();  // returns once they are answered and the ledger is written
  for (auto& client : clients)
    client.join();
  CHECK(ok == 3);
  llmgw::Database db = llmgw::open_migrated(d.config.paths.db_file);
  const auto rows = llmgw::read_ledger_rows(db);
  REQUIRE(rows.size() == 3);
  for (const auto& row : rows)
    CHECK(row.status == "ok");
  // Nothing listens any more.
  CHECK_FALSE(d.client().Get("/health"));
}

TEST_CASE("daemon: a request still running after the grace period is cancelled and recorded",
          "[daemon][shutdown]") {
  DaemonHarness d([](llmgw::Config&, llmgw::daemon::DaemonOptions& options) {
    options.shutdown_grace = std::chrono::milliseconds(200);
  });
  d.upstream.push(Reply::echo().with_delay(std::chrono::milliseconds(20'000)));
  std::thread client([&] {
    post_text(d, "/v1/chat/completions",
              R"({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "forever"}]})");
  });
  for (int i = 0; i < 200 && d.upstream.requests().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto started = std::chrono::steady_clock::now();
  d.stop();
  client.join();
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  llmgw::Database db = llmgw::open_migrated(d.config.paths.db_file);
  const auto rows = llmgw::read_ledger_rows(db);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].status == "cancelled");
}

TEST_CASE("daemon: /health/detailed and /v1/providers/status show the live breakers",
          "[daemon][http]") {
  DaemonHarness d([](llmgw::Config& config, llmgw::daemon::DaemonOptions&) {
    config.breaker.value.failure_threshold = 2;
  });
  for (int i = 0; i < 2; ++i) {
    d.upstream.push(Reply::error(503, "down", "server_error"));
    post_text(d, "/v1/chat/completions",
              R"({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]})");
  }
  const auto status = d.client().Get("/v1/providers/status");
  REQUIRE(status);
  CHECK(status->status == 200);
  const json breakers = json::parse(status->body)["breakers"];
  REQUIRE(breakers.size() == 1);
  CHECK(breakers[0]["provider"] == "openai");
  CHECK(breakers[0]["state"] == "open");
  CHECK(breakers[0]["failures"] == 2);
  CHECK(breakers[0]["key"].get<std::string>().find("9876") != std::string::npos);
  CHECK(status->body.find(DaemonHarness::k_provider_key) == std::string::npos);

  // Open: the next request fails fast without reaching the upstream.
  const auto skipped =
      post_text(d, "/v1/chat/completions",
                R"({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]})");
  CHECK(skipped->status >= 500);
  CHECK(d.upstream.requests().size() == 2);

  const auto detailed = d.client().Get("/health/detailed");
  REQUIRE(detailed);
  const json health = json::parse(detailed->body);
  CHECK(health["status"] == "ok");
  CHECK(health["uptime_seconds"].get<double>() >= 0);
  REQUIRE(health["breakers"].size() == 1);
  CHECK(health["breakers"][0]["state"] == "open");  // probe_in_ms moves on between the two
  CHECK(health["cache"]["enabled"] == true);
  CHECK(health["database"]["path"] == d.config.paths.db_file.string());
}

TEST_CASE("daemon: idle keep-alive connections do not hold up shutdown; one in flight finishes",
          "[daemon][shutdown]") {
  DaemonHarness d([](llmgw::Config&, llmgw::daemon::DaemonOptions& options) {
    options.keep_alive_timeout = std::chrono::seconds(30);
  });
  // An idle connection, as every SDK keeps: it would wait 30 s for its next request.
  httplib::Client idle = d.client();
  idle.set_keep_alive(true);
  const auto health = idle.Get("/health");
  REQUIRE(health);
  REQUIRE(health->status == 200);
  // And a request in flight on another kept-alive connection.
  d.upstream.push(Reply::echo().with_delay(std::chrono::milliseconds(400)));
  int slow_status = 0;
  std::string slow_body;
  std::thread busy([&] {
    httplib::Client client = d.client();
    client.set_keep_alive(true);
    const auto slow = client.Post(
        "/v1/chat/completions",
        R"({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "kept alive"}]})",
        "application/json");
    if (slow) {
      slow_status = slow->status;
      slow_body = slow->body;
    }
  });
  for (int i = 0; i < 200 && d.upstream.requests().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(d.upstream.requests().size() == 1);
  const auto started = std::chrono::steady_clock::now();
  d.stop();
  const auto took = std::chrono::steady_clock::now() - started;
  busy.join();
  CHECK(took < std::chrono::seconds(10));
  REQUIRE(slow_status == 200);
  CHECK(json::parse(slow_body)["choices"][0]["message"]["content"] == "fake: kept alive");
}

namespace {

// Whether a request to the port fails without waiting (nothing accepts connections).
bool refused_at_once(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1, 0);
  client.set_read_timeout(1, 0);
  const auto started = std::chrono::steady_clock::now();
  const auto res = client.Get("/health");
  return !res && std::chrono::steady_clock::now() - started < std::chrono::milliseconds(900);
}

}  // namespace

TEST_CASE("daemon: a stop that comes before or just as run() begins still ends it",
          "[daemon][shutdown]") {
  // As SIGTERM right after `serve` printed its URL: cpp-httplib alone would ignore a stop
  // that comes before its accept loop has begun, and serve on.
  SECTION("before run()") {
    DaemonHarness d({}, DaemonHarness::Start::by_test);
    d.server->stop();
    d.server->run();  // returns at once (a hang fails on the test timeout)
    CHECK(refused_at_once(d.port));
  }
  SECTION("at once after run() starts, many times") {
    for (int i = 0; i < 20; ++i) {
      DaemonHarness d;
      d.stop();  // joins run(): a hang fails on the test timeout
      CHECK(refused_at_once(d.port));
    }
  }
}
