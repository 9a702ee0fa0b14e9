// The daemon's operations surface: one log line per request (JSON or text, never prompt
// text or keys) and GET /metrics in Prometheus text, as the requests really went.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/daemon_harness.hpp"

using llmgw::test::DaemonHarness;
using llmgw::test::Reply;
using nlohmann::json;

namespace {

const std::string k_secret_prompt = "the secret prompt text 7f3a";

std::string chat(const std::string& model, bool stream = false) {
  json body = {{"model", model}, {"messages", {{{"role", "user"}, {"content", k_secret_prompt}}}}};
  if (stream)
    body["stream"] = true;
  return body.dump();
}

std::vector<json> json_lines(const std::string& log) {
  std::vector<json> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    const json parsed = json::parse(line, nullptr, false);
    if (!parsed.is_discarded())
      lines.push_back(parsed);
  }
  return lines;
}

}  // namespace

TEST_CASE("daemon: one JSON log line per request, without prompt text or keys", "[daemon][ops]") {
  DaemonHarness d;
  d.client().Post("/v1/chat/completions", chat("gpt-4o-mini"), "application/json");
  d.client().Post("/v1/chat/completions", chat("gpt-4o-mini", true), "application/json");
  d.client().Post("/v1/chat/completions", "{oops", "application/json");
  d.client().Get("/nowhere");
  d.stop();
  const std::string log = d.log.str();
  CHECK(log.find(k_secret_prompt) == std::string::npos);
  CHECK(log.find(DaemonHarness::k_provider_key) == std::string::npos);
  const std::vector<json> lines = json_lines(log);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]["endpoint"] == "chat");
  CHECK(lines[0]["status"] == 200);
  CHECK(lines[0]["provider"] == "openai");
  CHECK(lines[0]["model_requested"] == "gpt-4o-mini");
  CHECK(lines[0]["input_tokens"] == 5);
  CHECK(lines[0]["cost_usd"].get<double>() > 0);
  CHECK(lines[0]["cache"] == "miss");
  CHECK(lines[0]["request_id"].get<std::string>().rfind("req_", 0) == 0);
  CHECK(lines[1]["stream"] == true);
  CHECK(lines[1]["status"] == 200);
  CHECK(lines[1]["ttft_ms"].is_number());
  CHECK(lines[1]["output_tokens"].get<int>() > 0);
  CHECK(lines[2]["status"] == 400);
  CHECK(lines[2]["error_type"] == "invalid_request_error");
  CHECK(lines[3]["status"] == 404);
}

TEST_CASE("daemon: --log-format text and quiet", "[daemon][ops]") {
  {
    DaemonHarness d([](llmgw::Config&, llmgw::daemon::DaemonOptions& options) {
      options.log_format = llmgw::daemon::LogFormat::text;
    });
    d.client().Post("/v1/chat/completions", chat("mock/echo"), "application/json");
    d.stop();
    const std::string log = d.log.str();
    CHECK(log.find("endpoint=chat") != std::string::npos);
    CHECK(log.find("status=200") != std::string::npos);
    CHECK(log.find("provider=mock") != std::string::npos);
  }
  DaemonHarness quiet(
      [](llmgw::Config&, llmgw::daemon::DaemonOptions& options) { options.quiet = true; });
  quiet.client().Post("/v1/chat/completions", chat("mock/echo"), "application/json");
  quiet.stop();
  CHECK(quiet.log.str().empty());
}

TEST_CASE("daemon: /metrics counts requests, tokens, cost, cache and breakers", "[daemon][ops]") {
  DaemonHarness d;
  json cached = json::parse(chat("gpt-4o-mini"));
  cached["temperature"] = 0;
  d.client().Post("/v1/chat/completions", cached.dump(), "application/json");
  d.client().Post("/v1/chat/completions", cached.dump(),
                  "application/json");  // a hit: no new tokens
  d.upstream.push(Reply::error(503, "down", "server_error"));
  d.client().Post("/v1/chat/completions", chat("gpt-4o-mini"), "application/json");
  const auto res = d.client().Get("/metrics");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
  const std::string& text = res->body;
  INFO(text);
  CHECK(
      text.find("llmgw_requests_total{endpoint=\"chat\",provider=\"openai\",model=\"gpt-4o-mini\","
                "status=\"200\"} 2") != std::string::npos);
  CHECK(text.find("status=\"503\"} 1") != std::string::npos);
  CHECK(text.find("llmgw_cache_requests_total{result=\"hit\"} 1") != std::string::npos);
  CHECK(text.find("llmgw_cache_requests_total{result=\"miss\"} 1") != std::string::npos);
  CHECK(
      text.find("llmgw_tokens_total{provider=\"openai\",model=\"gpt-4o-mini\",type=\"input\"} 5") !=
      std::string::npos);
  CHECK(text.find("# TYPE llmgw_overhead_seconds histogram") != std::string::npos);
  CHECK(text.find("# TYPE llmgw_request_duration_seconds histogram") != std::string::npos);
  CHECK(text.find("llmgw_cost_usd_total{provider=\"openai\",model=\"gpt-4o-mini\"}") !=
        std::string::npos);
  CHECK(text.find("llmgw_breaker_state{provider=\"openai\"") != std::string::npos);
  CHECK(text.find("llmgw_in_flight_requests 0") != std::string::npos);
  CHECK(text.find("llmgw_uptime_seconds") != std::string::npos);
}
