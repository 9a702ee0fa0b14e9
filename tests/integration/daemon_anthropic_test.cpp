// POST /v1/messages: Anthropic's Messages API in front of an OpenAI-protocol upstream,
// whole and streamed, in Anthropic's exact shapes, with Anthropic's error bodies.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support/daemon_harness.hpp"

using llmgw::test::DaemonHarness;
using llmgw::test::Reply;
using nlohmann::json;

namespace {

json messages_body(const std::string& text, bool stream = false) {
  json body = {{"model", "gpt-4o-mini"},
               {"max_tokens", 256},
               {"system", "Be brief."},
               {"messages", {{{"role", "user"}, {"content", text}}}}};
  if (stream)
    body["stream"] = true;
  return body;
}

httplib::Result post(const DaemonHarness& d, const json& body) {
  return d.client().Post("/v1/messages", {{"anthropic-version", "2023-06-01"}}, body.dump(),
                         "application/json");
}

struct Event {
  std::string name;
  json data;
};

std::vector<Event> events_of(const std::string& body) {
  std::vector<Event> events;
  std::size_t at = 0;
  while ((at = body.find("event: ", at)) != std::string::npos) {
    const std::size_t name_end = body.find('\n', at);
    const std::size_t data_at = body.find("data: ", name_end) + 6;
    const std::size_t data_end = body.find("\n\n", data_at);
    events.push_back({body.substr(at + 7, name_end - at - 7),
                      json::parse(body.substr(data_at, data_end - data_at))});
    at = data_end;
  }
  return events;
}

}  // namespace

TEST_CASE("daemon messages: a whole answer in Anthropic's shape", "[daemon][anthropic]") {
  DaemonHarness d;
  const auto res = post(d, messages_body("hello claude"));
  REQUIRE(res);
  CHECK(res->status == 200);
  const json message = json::parse(res->body);
  CHECK(message["type"] == "message");
  CHECK(message["role"] == "assistant");
  CHECK(message["id"].get<std::string>().rfind("msg_", 0) == 0);
  CHECK(message["model"] == "gpt-4o-mini");
  REQUIRE(message["content"].size() == 1);
  CHECK(message["content"][0] == json{{"type", "text"}, {"text", "fake: hello claude"}});
  CHECK(message["stop_reason"] == "end_turn");
  CHECK(message["stop_sequence"].is_null());
  CHECK(message["usage"]["input_tokens"] == 4);  // "Be brief." + "hello claude"
  CHECK(message["usage"]["output_tokens"] == 3);
  CHECK(res->get_header_value("x-llmgw-provider") == "openai");
  // The upstream got an OpenAI request with the system prompt first.
  const json sent = d.upstream.requests().at(0).json;
  CHECK(sent["messages"][0]["role"] == "system");
  CHECK(sent["max_tokens"] == 256);
}

TEST_CASE("daemon messages: a stream of Anthropic events", "[daemon][anthropic]") {
  DaemonHarness d;
  const auto res = post(d, messages_body("stream these words", true));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "text/event-stream");
  const std::vector<Event> events = events_of(res->body);
  REQUIRE(events.size() >= 6);
  CHECK(events.front().name == "message_start");
  CHECK(events.front().data["message"]["content"].empty());
  CHECK(events[1].name == "content_block_start");
  std::string text;
  for (const Event& event : events) {
    CHECK(event.data["type"] == event.name);
    if (event.name == "content_block_delta")
      text += event.data["delta"]["text"].get<std::string>();
  }
  CHECK(text == "fake: stream these words");
  CHECK(events[events.size() - 3].name == "content_block_stop");
  const Event& delta = events[events.size() - 2];
  CHECK(delta.name == "message_delta");
  CHECK(delta.data["delta"]["stop_reason"] == "end_turn");
  CHECK(delta.data["usage"]["output_tokens"] == 4);
  CHECK(events.back().name == "message_stop");
  CHECK(res->body.find("[DONE]") == std::string::npos);
}

TEST_CASE("daemon messages: errors in Anthropic's shape", "[daemon][anthropic]") {
  DaemonHarness d;
  json no_max = messages_body("x");
  no_max.erase("max_tokens");
  const auto invalid = post(d, no_max);
  REQUIRE(invalid);
  CHECK(invalid->status == 400);
  const json body = json::parse(invalid->body);
  CHECK(body["type"] == "error");
  CHECK(body["error"]["type"] == "invalid_request_error");
  CHECK(body["error"]["message"].get<std::string>().find("max_tokens") != std::string::npos);

  d.upstream.push(Reply::error(429, "slow down", "requests", "rate_limit_exceeded")
                      .with_header("Retry-After", "3"));
  const auto limited = post(d, messages_body("x", true));
  REQUIRE(limited);
  CHECK(limited->status == 429);
  CHECK(limited->get_header_value("Retry-After") == "3");
  CHECK(json::parse(limited->body)["error"]["type"] == "rate_limit_error");
  CHECK_FALSE(limited->has_header("x-should-retry"));  // a rate limit passes

  // A provider out of credit: a 429 the SDK must not retry.
  d.upstream.push(Reply::error(429, "You exceeded your current quota", "insufficient_quota",
                               "insufficient_quota"));
  const auto broke = post(d, messages_body("x", false));
  REQUIRE(broke);
  CHECK(broke->status == 429);
  CHECK(broke->get_header_value("x-should-retry") == "false");

  const auto malformed = d.client().Post("/v1/messages", "{not json", "application/json");
  REQUIRE(malformed);
  CHECK(malformed->status == 400);
  CHECK(json::parse(malformed->body)["type"] == "error");
}
