// The daemon's one line per request: the JSON and text forms field by field, quoting, what
// a hostile path cannot do to a line, and whole lines from concurrent writers.
#include "daemon/request_log.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/time_text.hpp"

using namespace llmgw;
using namespace llmgw::daemon;
using nlohmann::json;

namespace {

// 2025-06-15T15:06:40.042Z
constexpr std::int64_t k_time_ms = 1'750'000'000'042;

RequestLogEntry streamed_chat() {
  RequestLogEntry e;
  e.time_ms = k_time_ms;
  e.request_id = "req_01";
  e.client_key_name = "team-a";
  e.method = "POST";
  e.path = "/v1/chat/completions";
  e.endpoint = "chat";
  e.model_requested = "fast";
  e.model_served = "gpt-4o-mini";
  e.provider = "openai";
  e.status = 200;
  e.latency_ms = 812.3456;
  e.ttft_ms = 95.0004;
  e.attempts = 2;
  e.input_tokens = 120;
  e.output_tokens = 48;
  e.cached_tokens = 64;
  e.cost_usd = 0.00125;
  e.cache = CacheOutcome::miss;
  e.stream = true;
  return e;
}

RequestLogEntry rejected() {
  RequestLogEntry e;
  e.time_ms = k_time_ms;
  e.request_id = "req_02";
  e.method = "POST";
  e.path = "/v1/chat/completions";
  e.endpoint = "chat";
  e.status = 400;
  e.error_type = "invalid_request_error";
  e.latency_ms = 0.25;
  return e;
}

}  // namespace

TEST_CASE("request log: UTC times with milliseconds", "[request_log]") {
  CHECK(utc_iso_ms_text(k_time_ms) == "2025-06-15T15:06:40.042Z");
  CHECK(utc_iso_ms_text(0) == "1970-01-01T00:00:00.000Z");
  CHECK(utc_iso_ms_text(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("request log: a JSON line holds every field, in order", "[request_log]") {
  const std::string line = format_request_log_line(streamed_chat(), LogFormat::json);
  REQUIRE(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  const auto parsed = nlohmann::ordered_json::parse(line);
  const auto expected = nlohmann::ordered_json::parse(R"({
    "time": "2025-06-15T15:06:40.042Z", "request_id": "req_01", "client_key": "team-a",
    "method": "POST", "path": "/v1/chat/completions", "endpoint": "chat",
    "model_requested": "fast", "model_served": "gpt-4o-mini", "provider": "openai",
    "status": 200, "error_type": null, "latency_ms": 812.346, "ttft_ms": 95.0,
    "attempts": 2, "input_tokens": 120, "output_tokens": 48, "cached_tokens": 64,
    "cost_usd": 0.00125, "cache": "miss", "stream": true})");
  CHECK(parsed == expected);  // ordered_json compares the order of keys too
}

TEST_CASE("request log: values a request lacks are null in JSON", "[request_log]") {
  const json parsed = json::parse(format_request_log_line(rejected(), LogFormat::json));
  CHECK(parsed["client_key"].is_null());
  CHECK(parsed["model_requested"].is_null());
  CHECK(parsed["model_served"].is_null());
  CHECK(parsed["provider"].is_null());
  CHECK(parsed["ttft_ms"].is_null());
  CHECK(parsed["cost_usd"].is_null());  // unpriced is not $0
  CHECK(parsed["error_type"] == "invalid_request_error");
  CHECK(parsed["status"] == 400);
  CHECK(parsed["attempts"] == 0);
  CHECK(parsed["cache"] == "none");
  CHECK(parsed["stream"] == false);
  CHECK(parsed.size() == 20);

  RequestLogEntry free = rejected();
  free.cost_usd = 0.0;  // a cache hit costs nothing, and says so
  CHECK(json::parse(format_request_log_line(free, LogFormat::json))["cost_usd"] == 0.0);
}

TEST_CASE("request log: text is key=value, absent values left out", "[request_log]") {
  CHECK(format_request_log_line(streamed_chat(), LogFormat::text) ==
        "time=2025-06-15T15:06:40.042Z request_id=req_01 client_key=team-a method=POST "
        "path=/v1/chat/completions endpoint=chat model_requested=fast model_served=gpt-4o-mini "
        "provider=openai status=200 latency_ms=812.346 ttft_ms=95.0 attempts=2 "
        "input_tokens=120 output_tokens=48 cached_tokens=64 cost_usd=0.00125 cache=miss "
        "stream=true\n");
  CHECK(format_request_log_line(rejected(), LogFormat::text) ==
        "time=2025-06-15T15:06:40.042Z request_id=req_02 method=POST path=/v1/chat/completions "
        "endpoint=chat status=400 error_type=invalid_request_error latency_ms=0.25 attempts=0 "
        "input_tokens=0 output_tokens=0 cached_tokens=0 cache=none stream=false\n");
}

TEST_CASE("request log: text values with spaces or specials are quoted and escaped",
          "[request_log]") {
  RequestLogEntry e = rejected();
  e.model_requested = "my model";
  e.client_key_name = "a=b";
  e.path = "/v1/\"x\"\\y\n\r\t\x01z";
  const std::string line = format_request_log_line(e, LogFormat::text);
  CHECK(line.find(" model_requested=\"my model\" ") != std::string::npos);
  CHECK(line.find(" client_key=\"a=b\" ") != std::string::npos);
  CHECK(line.find(" path=\"/v1/\\\"x\\\"\\\\y\\n\\r\\t\\u0001z\" ") != std::string::npos);
  CHECK(line.find('\n') == line.size() - 1);
}

TEST_CASE("request log: a hostile path cannot break a line or the JSON", "[request_log]") {
  RequestLogEntry e = rejected();
  e.path = "/v1/\n{\"forged\":true}\xff\xfe";  // a newline and bytes that are not UTF-8
  for (const LogFormat format : {LogFormat::json, LogFormat::text}) {
    const std::string line = format_request_log_line(e, format);
    CHECK(line.find('\n') == line.size() - 1);
  }
  const json parsed = json::parse(format_request_log_line(e, LogFormat::json));
  CHECK(parsed["path"] == "/v1/\n{\"forged\":true}\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(!parsed.contains("forged"));
}

TEST_CASE("request log: format names", "[request_log]") {
  CHECK(parse_log_format("json") == LogFormat::json);
  CHECK(parse_log_format("text") == LogFormat::text);
  CHECK(parse_log_format("JSON") == std::nullopt);
  CHECK(std::string(to_string(LogFormat::text)) == "text");
}

TEST_CASE("request log: the logger writes lines, or nothing when quiet", "[request_log]") {
  std::ostringstream out;
  RequestLogger logger(&out, LogFormat::text);
  logger.log(rejected());
  logger.write_line("a warning\n");
  logger.log(streamed_chat());
  logger.flush();
  CHECK(out.str() == format_request_log_line(rejected(), LogFormat::text) + "a warning\n" +
                         format_request_log_line(streamed_chat(), LogFormat::text));

  std::ostringstream silent;
  RequestLogger quiet(&silent, LogFormat::json, true);
  quiet.log(rejected());
  quiet.write_line("warnings still show\n");
  quiet.flush();
  CHECK(quiet.quiet());
  CHECK(silent.str() == "warnings still show\n");
}

TEST_CASE("request log: lines from two threads never interleave", "[request_log]") {
  std::ostringstream out;
  RequestLogger logger(&out, LogFormat::json);
  constexpr int k_lines = 2000;
  const auto write = [&](const std::string& thread) {
    for (int i = 0; i < k_lines; ++i) {
      RequestLogEntry e = streamed_chat();
      e.request_id = thread + "-" + std::to_string(i);
      e.path = "/v1/" + std::string(200 + i % 50, thread[0]);  // long enough to be split
      logger.log(e);
    }
  };
  std::thread a(write, "a");
  std::thread b(write, "b");
  a.join();
  b.join();
  logger.flush();

  std::istringstream lines(out.str());
  std::string line;
  int next_a = 0;
  int next_b = 0;
  while (std::getline(lines, line)) {
    const json parsed = json::parse(line);
    const std::string id = parsed["request_id"];
    const std::string path = parsed["path"];
    // Each thread's own lines come whole and in its order.
    int& next = id[0] == 'a' ? next_a : next_b;
    REQUIRE(id == std::string(1, id[0]) + "-" + std::to_string(next));
    CHECK(path == "/v1/" + std::string(200 + next % 50, id[0]));
    ++next;
  }
  CHECK(next_a == k_lines);
  CHECK(next_b == k_lines);
}
