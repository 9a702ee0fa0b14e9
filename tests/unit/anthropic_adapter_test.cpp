#include <cstdint>
#include <limits>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/http/sse_parser.hpp"
#include "core/providers/anthropic_adapter.hpp"
#include "core/stream_accumulator.hpp"
#include "support/expect_error.hpp"
#include "support/fixtures.hpp"
#include "support/http_reply.hpp"

using namespace llmgw;
using llmgw::test::error_of;
using llmgw::test::read_fixture;
using nlohmann::json;

using llmgw::test::response;

namespace {

constexpr std::int64_t k_created = 1'700'000'000;

ResponseContext context() {
  return ResponseContext{"anthropic", "claude-sonnet-4-5", k_created};
}

json user_request(json extra = json::object()) {
  json request = {{"model", "claude"}, {"messages", {{{"role", "user"}, {"content", "Hi"}}}}};
  request.update(extra);
  return request;
}

json mapped(const json& request, bool stream = false) {
  return anthropic::to_anthropic_request(request, "claude-x", stream);
}

// Feeds an SSE body through the real SseParser in pieces of `piece` bytes (0 = whole),
// collecting every chunk the decoder returns.
struct Decoded {
  std::vector<json> chunks;
  bool done = false;
  std::optional<json> usage;
};

Decoded decode(const std::string& body, std::size_t piece) {
  SseParser parser;
  anthropic::StreamDecoder decoder(context());
  Decoded out;
  const auto on_event = [&](const SseEvent& event) {
    for (auto& chunk : decoder.on_event(event))
      out.chunks.push_back(std::move(chunk));
  };
  if (piece == 0)
    piece = body.size();
  for (std::size_t i = 0; i < body.size(); i += piece)
    parser.feed(std::string_view(body).substr(i, piece), on_event);
  parser.finish(on_event);
  out.done = decoder.done();
  out.usage = decoder.usage();
  return out;
}

SseEvent event(std::string name, json data) {
  return SseEvent{std::move(name), data.dump(), ""};
}

}  // namespace

// ---------------------------------------------------------------- request mapping

TEST_CASE("anthropic: multi-turn request maps exactly to the expected Anthropic body",
          "[anthropic]") {
  const json request = json::parse(read_fixture("anthropic/request_multiturn.openai.json"));
  const json expected = json::parse(read_fixture("anthropic/request_multiturn.anthropic.json"));
  const json body = anthropic::to_anthropic_request(request, "claude-sonnet-4-5-20250929", false);
  CHECK(body == expected);

  json streamed = expected;
  streamed["stream"] = true;
  CHECK(anthropic::to_anthropic_request(request, "claude-sonnet-4-5-20250929", true) == streamed);

  CHECK(anthropic::dropped_fields(request) ==
        std::vector<std::string>{"frequency_penalty", "logit_bias", "n", "response_format", "seed",
                                 "stream_options"});
}

TEST_CASE("anthropic: build_chat_request sets URL, headers and body", "[anthropic]") {
  Endpoint endpoint{"anthropic", "https://api.anthropic.com/v1/", "sk-ant-test",
                    AuthStyle::x_api_key, Timeouts{}};
  endpoint.timeouts.idle = std::chrono::milliseconds(4321);
  const HttpRequest http =
      anthropic::build_chat_request(user_request(), "claude-x", endpoint, true);
  CHECK(http.method == "POST");
  CHECK(http.url == "https://api.anthropic.com/v1/messages");
  CHECK(http.header("content-type") == "application/json");
  CHECK(http.header("accept") == "text/event-stream");
  CHECK(http.header("x-api-key") == "sk-ant-test");
  CHECK(http.header("anthropic-version") == "2023-06-01");
  CHECK(http.header("user-agent") == std::string("llmgw/") + LLMGW_VERSION);
  CHECK_FALSE(http.header("authorization").has_value());
  CHECK(http.timeouts.idle == std::chrono::milliseconds(4321));
  CHECK(json::parse(http.body) == mapped(user_request(), true));

  endpoint.api_key.clear();
  const HttpRequest keyless =
      anthropic::build_chat_request(user_request(), "claude-x", endpoint, false);
  CHECK_FALSE(keyless.header("x-api-key").has_value());
  CHECK(keyless.header("accept") == "application/json");
  CHECK_FALSE(json::parse(keyless.body).contains("stream"));
}

TEST_CASE("anthropic: a minimal request gets the default max_tokens and no extras", "[anthropic]") {
  const json body = mapped(user_request());
  CHECK(body == json{{"model", "claude-x"},
                     {"messages", {{{"role", "user"}, {"content", "Hi"}}}},
                     {"max_tokens", anthropic::k_default_max_tokens}});
  CHECK(anthropic::dropped_fields(user_request()).empty());
}

TEST_CASE("anthropic: max_tokens comes from max_completion_tokens, then max_tokens",
          "[anthropic]") {
  CHECK(mapped(user_request({{"max_tokens", 100}}))["max_tokens"] == 100);
  CHECK(mapped(user_request({{"max_completion_tokens", 200}}))["max_tokens"] == 200);
  CHECK(mapped(user_request({{"max_tokens", 100}, {"max_completion_tokens", 200}}))["max_tokens"] ==
        200);
  CHECK(mapped(user_request({{"max_tokens", nullptr}}))["max_tokens"] ==
        anthropic::k_default_max_tokens);
  const Error e = error_of([] { mapped(user_request({{"max_tokens", "lots"}})); });
  CHECK(e.kind == ErrorKind::invalid_request);
  CHECK(e.param == "max_tokens");
}

TEST_CASE("anthropic: stop becomes stop_sequences", "[anthropic]") {
  CHECK(mapped(user_request({{"stop", "END"}}))["stop_sequences"] == json{"END"});
  CHECK(mapped(user_request({{"stop", {"a", "b"}}}))["stop_sequences"] == json{"a", "b"});
  CHECK_FALSE(mapped(user_request({{"stop", {" ", "\n"}}})).contains("stop_sequences"));
  CHECK_FALSE(mapped(user_request({{"stop", nullptr}})).contains("stop_sequences"));
}

TEST_CASE("anthropic: temperature must be within Anthropic's 0..1", "[anthropic]") {
  CHECK(mapped(user_request({{"temperature", 0}}))["temperature"] == 0);
  CHECK(mapped(user_request({{"temperature", 1.0}}))["temperature"] == 1.0);
  CHECK(mapped(user_request({{"top_p", 0.5}, {"top_k", 40}}))["top_k"] == 40);
  const Error e = error_of([] { mapped(user_request({{"temperature", 1.2}})); });
  CHECK(e.kind == ErrorKind::invalid_request);
  CHECK(e.http_status == 400);
  CHECK(e.message == "temperature must be between 0 and 1 for anthropic");
  CHECK(e.param == "temperature");
}

TEST_CASE("anthropic: user becomes metadata.user_id", "[anthropic]") {
  CHECK(mapped(user_request({{"user", "u-1"}}))["metadata"] == json{{"user_id", "u-1"}});
  CHECK(mapped(user_request({{"safety_identifier", "s-1"}}))["metadata"] ==
        json{{"user_id", "s-1"}});
  CHECK_FALSE(mapped(user_request({{"metadata", {{"k", "v"}}}})).contains("metadata"));
}

TEST_CASE("anthropic: system and developer messages go to the top-level system", "[anthropic]") {
  const json request = {
      {"messages",
       {{{"role", "user"}, {"content", "Hi"}},
        {{"role", "system"},
         {"content", {{{"type", "text"}, {"text", "A"}}, {{"type", "text"}, {"text", "B"}}}}}}}};
  const json body = mapped(request);
  CHECK(body["system"] == "A\n\nB");
  CHECK(body["messages"] == json{{{"role", "user"}, {"content", "Hi"}}});

  // cache_control on a system part keeps the blocks so the breakpoint survives.
  const json cached = {
      {"messages",
       {{{"role", "system"},
         {"content",
          {{{"type", "text"}, {"text", "Long"}, {"cache_control", {{"type", "ephemeral"}}}}}}},
        {{"role", "user"}, {"content", "Hi"}}}}};
  CHECK(mapped(cached)["system"] ==
        json{{{"type", "text"}, {"text", "Long"}, {"cache_control", {{"type", "ephemeral"}}}}});
}

TEST_CASE("anthropic: consecutive same-role messages are merged into one turn", "[anthropic]") {
  const json request = {{"messages",
                         {{{"role", "user"}, {"content", "one"}},
                          {{"role", "user"}, {"content", {{{"type", "text"}, {"text", "two"}}}}},
                          {{"role", "assistant"}, {"content", "three"}},
                          {{"role", "assistant"}, {"content", "four  "}}}}};
  const json body = mapped(request);
  CHECK(body["messages"] ==
        json{{{"role", "user"},
              {"content",
               {{{"type", "text"}, {"text", "one"}}, {{"type", "text"}, {"text", "two"}}}}},
             {{"role", "assistant"},
              // A final assistant turn is a prefill: trailing whitespace is removed.
              {"content",
               {{{"type", "text"}, {"text", "three"}}, {{"type", "text"}, {"text", "four"}}}}}});
}

TEST_CASE("anthropic: an empty assistant message opens no turn, so its neighbours merge",
          "[anthropic]") {
  // user "a", assistant "", user "b" would otherwise be two consecutive user turns, which
  // older API versions reject (wire-formats §3.2).
  const json request = {{"messages",
                         {{{"role", "user"}, {"content", "a"}},
                          {{"role", "assistant"}, {"content", ""}},
                          {{"role", "user"}, {"content", "b"}}}}};
  CHECK(
      mapped(request)["messages"] ==
      json{{{"role", "user"},
            {"content", {{{"type", "text"}, {"text", "a"}}, {{"type", "text"}, {"text", "b"}}}}}});
  // The same for null content with an empty tool_calls list, and for an empty user
  // message between two assistant turns.
  const json other = {
      {"messages",
       {{{"role", "user"}, {"content", "q"}},
        {{"role", "assistant"}, {"content", "x"}},
        {{"role", "user"}, {"content", json::array()}},
        {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", json::array()}},
        {{"role", "assistant"}, {"content", "y"}}}}};
  CHECK(
      mapped(other)["messages"] ==
      json{{{"role", "user"}, {"content", "q"}},
           {{"role", "assistant"},
            {"content", {{{"type", "text"}, {"text", "x"}}, {{"type", "text"}, {"text", "y"}}}}}});
}

TEST_CASE("anthropic: image parts map to base64 or url sources", "[anthropic]") {
  const auto image = [](const std::string& url) {
    return json{{"messages",
                 {{{"role", "user"},
                   {"content", {{{"type", "image_url"}, {"image_url", {{"url", url}}}}}}}}}};
  };
  CHECK(mapped(image("data:image/jpeg;base64,/9j/4AAQ"))["messages"][0]["content"][0] ==
        json{{"type", "image"},
             {"source", {{"type", "base64"}, {"media_type", "image/jpeg"}, {"data", "/9j/4AAQ"}}}});
  CHECK(
      mapped(image("http://example.com/a.gif"))["messages"][0]["content"][0] ==
      json{{"type", "image"}, {"source", {{"type", "url"}, {"url", "http://example.com/a.gif"}}}});
  const Error e = error_of([&] { mapped(image("ftp://example.com/a.gif")); });
  CHECK(e.kind == ErrorKind::invalid_request);
  CHECK(e.param == "messages[0].content[0].image_url.url");

  const json pdf = {{"messages",
                     {{{"role", "user"},
                       {"content",
                        {{{"type", "file"},
                          {"file", {{"file_data", "data:application/pdf;base64,JVBERi0="}}}}}}}}}};
  CHECK(mapped(pdf)["messages"][0]["content"][0] ==
        json{{"type", "document"},
             {"source",
              {{"type", "base64"}, {"media_type", "application/pdf"}, {"data", "JVBERi0="}}}});

  const json audio = {
      {"messages",
       {{{"role", "user"}, {"content", {{{"type", "input_audio"}, {"input_audio", {}}}}}}}}};
  CHECK(error_of([&] { mapped(audio); }).param == "messages[0].content[0].type");
}

TEST_CASE("anthropic: tools and tool_choice", "[anthropic]") {
  const json tools = json::parse(R"([
    {"type": "function", "function": {"name": "now"}},
    {"type": "function", "function": {"name": "add", "description": "Adds",
     "parameters": {"type": "object", "properties": {"a": {"type": "number"}}}}}
  ])");
  const json body = mapped(user_request({{"tools", tools}}));
  CHECK(body["tools"] ==
        json{{{"name", "now"}, {"input_schema", {{"type", "object"}}}},
             {{"name", "add"},
              {"description", "Adds"},
              {"input_schema",
               {{"type", "object"}, {"properties", {{"a", {{"type", "number"}}}}}}}}});
  CHECK_FALSE(body.contains("tool_choice"));

  const auto choice = [&](json value) {
    return mapped(user_request({{"tools", tools}, {"tool_choice", value}}))["tool_choice"];
  };
  CHECK(choice("auto") == json{{"type", "auto"}});
  CHECK(choice("required") == json{{"type", "any"}});
  CHECK(choice("none") == json{{"type", "none"}});
  CHECK(choice({{"type", "function"}, {"function", {{"name", "add"}}}}) ==
        json{{"type", "tool"}, {"name", "add"}});
  CHECK(error_of([&] { choice("sometimes"); }).param == "tool_choice");

  CHECK(mapped(user_request({{"tools", tools}, {"parallel_tool_calls", false}}))["tool_choice"] ==
        json{{"type", "auto"}, {"disable_parallel_tool_use", true}});
  CHECK(mapped(user_request({{"tools", tools},
                             {"tool_choice", "required"},
                             {"parallel_tool_calls", false}}))["tool_choice"] ==
        json{{"type", "any"}, {"disable_parallel_tool_use", true}});
  CHECK_FALSE(mapped(user_request({{"tools", tools}, {"parallel_tool_calls", true}}))
                  .contains("tool_choice"));

  CHECK_FALSE(mapped(user_request({{"parallel_tool_calls", false}})).contains("tool_choice"));

  const json bad_tool = {{{"type", "web_search"}}};
  CHECK(error_of([&] { mapped(user_request({{"tools", bad_tool}})); }).param == "tools[0].type");
  // A type that is not a string is no "function" either (it used to read as the default).
  const json typed_tool = {{{"type", 5}, {"function", {{"name", "f"}}}}};
  CHECK(error_of([&] { mapped(user_request({{"tools", typed_tool}})); }).param == "tools[0].type");
}

TEST_CASE("anthropic: assistant tool_calls become tool_use blocks", "[anthropic]") {
  const auto with_arguments = [](json arguments) {
    return json{{"messages",
                 {{{"role", "user"}, {"content", "go"}},
                  {{"role", "assistant"},
                   {"content", nullptr},
                   {"tool_calls",
                    {{{"id", "call_1"},
                      {"type", "function"},
                      {"function", {{"name", "now"}, {"arguments", arguments}}}}}}},
                  {{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "noon"}}}}};
  };
  const json body = mapped(with_arguments("{\"tz\":\"UTC\"}"));
  CHECK(body["messages"][1] == json{{"role", "assistant"},
                                    {"content",
                                     {{{"type", "tool_use"},
                                       {"id", "call_1"},
                                       {"name", "now"},
                                       {"input", {{"tz", "UTC"}}}}}}});
  CHECK(body["messages"][2] ==
        json{{"role", "user"},
             {"content",
              {{{"type", "tool_result"}, {"tool_use_id", "call_1"}, {"content", "noon"}}}}});
  // Empty arguments mean no arguments.
  CHECK(mapped(with_arguments(""))["messages"][1]["content"][0]["input"] == json::object());

  for (const char* bad : {"{not json", "[1,2]"}) {
    const Error e = error_of([&] { mapped(with_arguments(bad)); });
    CHECK(e.kind == ErrorKind::invalid_request);
    CHECK(e.param == "messages[1].tool_calls[0].function.arguments");
    CHECK(e.message.find("messages[1].tool_calls[0].function.arguments") != std::string::npos);
  }
}

TEST_CASE("anthropic: tool results come first in their user turn", "[anthropic]") {
  const json request = {
      {"messages",
       {{{"role", "user"}, {"content", "go"}},
        {{"role", "assistant"},
         {"tool_calls",
          {{{"id", "a"}, {"type", "function"}, {"function", {{"name", "f"}, {"arguments", "{}"}}}},
           {{"id", "b"},
            {"type", "function"},
            {"function", {{"name", "f"}, {"arguments", "{}"}}}}}}},
        {{"role", "user"}, {"content", "meanwhile"}},
        {{"role", "tool"}, {"tool_call_id", "a"}, {"content", "A"}},
        {{"role", "tool"},
         {"tool_call_id", "b"},
         {"content", {{{"type", "text"}, {"text", "B"}}}}}}}};
  const json body = mapped(request);
  REQUIRE(body["messages"].size() == 3);
  CHECK(body["messages"][2] ==
        json{{"role", "user"},
             {"content",
              {{{"type", "tool_result"}, {"tool_use_id", "a"}, {"content", "A"}},
               {{"type", "tool_result"},
                {"tool_use_id", "b"},
                {"content", {{{"type", "text"}, {"text", "B"}}}}},
               {{"type", "text"}, {"text", "meanwhile"}}}}});
  CHECK(error_of([] {
          mapped({{"messages", {{{"role", "tool"}, {"content", "x"}}}}});
        }).param == "messages[0].tool_call_id");
}

TEST_CASE("anthropic: unsupported roles and malformed messages are rejected", "[anthropic]") {
  CHECK(error_of([] {
          mapped({{"messages", {{{"role", "function"}, {"content", "x"}}}}});
        }).param == "messages[0].role");
  CHECK(error_of([] { mapped({{"model", "m"}}); }).param == "messages");
}

// ---------------------------------------------------------------- responses

TEST_CASE("anthropic: parse_chat_response for a text answer", "[anthropic]") {
  const json parsed = anthropic::parse_chat_response(
      response(200, read_fixture("anthropic/response_text.json")), context());
  const json expected = {{"id", "msg_01XFDUDYJgAACzvnptvVoYEL"},
                         {"object", "chat.completion"},
                         {"created", k_created},
                         {"model", "claude-sonnet-4-5-20250929"},
                         {"choices",
                          {{{"index", 0},
                            {"message",
                             {{"role", "assistant"},
                              {"content", "Hello! How can I help you today?"},
                              {"refusal", nullptr}}},
                            {"logprobs", nullptr},
                            {"finish_reason", "stop"}}}},
                         {"usage",
                          {{"prompt_tokens", 12},
                           {"completion_tokens", 12},
                           {"total_tokens", 24},
                           {"prompt_tokens_details", {{"cached_tokens", 0}}}}}};
  CHECK(parsed == expected);
}

TEST_CASE("anthropic: parse_chat_response for parallel tool_use with cache usage", "[anthropic]") {
  const json parsed = anthropic::parse_chat_response(
      response(200, read_fixture("anthropic/response_tool_use.json")), context());
  const json& message = parsed["choices"][0]["message"];
  CHECK(message["content"] == "I'll check both cities.");
  CHECK(message["tool_calls"] ==
        json{{{"id", "toolu_01A09q90qw90lq917835lq9"},
              {"type", "function"},
              {"function",
               {{"name", "get_weather"}, {"arguments", R"({"city":"Paris","unit":"celsius"})"}}}},
             {{"id", "toolu_01B7kq2mX3Lr8cQwe4TtY6pz"},
              {"type", "function"},
              {"function",
               {{"name", "get_weather"}, {"arguments", R"({"city":"Tokyo","unit":"celsius"})"}}}}});
  CHECK(parsed["choices"][0]["finish_reason"] == "tool_calls");
  CHECK(parsed["usage"] == json{{"prompt_tokens", 57 + 1200 + 2048},
                                {"completion_tokens", 131},
                                {"total_tokens", 57 + 1200 + 2048 + 131},
                                {"prompt_tokens_details",
                                 {{"cached_tokens", 2048},
                                  {"cache_write_tokens", 1200},
                                  {"cache_write_5m_tokens", 1200}}}});
}

TEST_CASE("anthropic: content is null when the answer is only tool calls", "[anthropic]") {
  const json body = {
      {"id", "msg_1"},
      {"content", {{{"type", "tool_use"}, {"id", "t"}, {"name", "f"}, {"input", json::object()}}}},
      {"stop_reason", "tool_use"},
      {"usage", {{"input_tokens", 1}, {"output_tokens", 2}}}};
  const json parsed = anthropic::parse_chat_response(response(200, body.dump()), context());
  CHECK(parsed["choices"][0]["message"]["content"].is_null());
  CHECK(parsed["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] == "{}");
  // No model in the body: the context's model is used.
  CHECK(parsed["model"] == "claude-sonnet-4-5");
}

TEST_CASE("anthropic: stop_reason mapping", "[anthropic]") {
  CHECK(anthropic::map_stop_reason("end_turn") == "stop");
  CHECK(anthropic::map_stop_reason("stop_sequence") == "stop");
  CHECK(anthropic::map_stop_reason("max_tokens") == "length");
  CHECK(anthropic::map_stop_reason("tool_use") == "tool_calls");
  CHECK(anthropic::map_stop_reason("refusal") == "content_filter");
  CHECK(anthropic::map_stop_reason("pause_turn") == "stop");
  CHECK(anthropic::map_stop_reason("model_context_window_exceeded") == "length");
  CHECK(anthropic::map_stop_reason("something_new") == "stop");
  CHECK(anthropic::map_stop_reason(nullptr) == "stop");
}

TEST_CASE("anthropic: parse_chat_response rejects bodies that are not a message", "[anthropic]") {
  const Error not_json = error_of(
      [] { anthropic::parse_chat_response(response(200, "<html>oops</html>"), context()); });
  CHECK(not_json.kind == ErrorKind::upstream);
  CHECK(not_json.message ==
        "anthropic returned HTTP 200 with a body that is not JSON: <html>oops</html>");
  const Error no_content =
      error_of([] { anthropic::parse_chat_response(response(200, R"({"id":"x"})"), context()); });
  CHECK(no_content.kind == ErrorKind::upstream);
  CHECK(no_content.message.find("HTTP 200") != std::string::npos);
  const Error error_body = error_of([] {
    anthropic::parse_chat_response(response(200, read_fixture("anthropic/error_529.json")),
                                   context());
  });
  CHECK(error_body.type == "overloaded_error");
  CHECK(error_body.retryable);
}

// ---------------------------------------------------------------- errors

TEST_CASE("anthropic: map_error 400 invalid_request_error", "[anthropic]") {
  const Error e =
      anthropic::map_error(response(400, read_fixture("anthropic/error_400.json")), "anthropic");
  CHECK(e.kind == ErrorKind::upstream);
  CHECK(e.http_status == 400);
  CHECK(e.type == "invalid_request_error");
  CHECK(e.provider == "anthropic");
  CHECK(e.message.rfind("anthropic: messages: roles must alternate", 0) == 0);
  CHECK_FALSE(e.retryable);
  CHECK(e.fix.empty());
}

TEST_CASE("anthropic: map_error 401 names the key fix", "[anthropic]") {
  const Error e =
      anthropic::map_error(response(401, read_fixture("anthropic/error_401.json")), "anthropic");
  CHECK(e.http_status == 401);
  CHECK(e.type == "authentication_error");
  CHECK(e.message == "anthropic: invalid x-api-key");
  CHECK_FALSE(e.retryable);
  CHECK(e.fix == "check the key: `llmgw keys set anthropic`");
}

TEST_CASE("anthropic: map_error 429 is retryable with retry-after", "[anthropic]") {
  const Error e = anthropic::map_error(
      response(429, read_fixture("anthropic/error_429.json"), {{"retry-after", "17"}}),
      "anthropic");
  CHECK(e.http_status == 429);
  CHECK(e.type == "rate_limit_error");
  CHECK(e.retryable);
  REQUIRE(e.retry_after.has_value());
  CHECK(*e.retry_after == Approx(17.0));

  const Error ms =
      anthropic::map_error(response(429, read_fixture("anthropic/error_429.json"),
                                    {{"retry-after-ms", "1500"}, {"retry-after", "17"}}),
                           "anthropic");
  CHECK(*ms.retry_after == Approx(1.5));
}

TEST_CASE("anthropic: map_error 529 overloaded and x-should-retry", "[anthropic]") {
  const Error e =
      anthropic::map_error(response(529, read_fixture("anthropic/error_529.json")), "anthropic");
  CHECK(e.http_status == 529);
  CHECK(e.type == "overloaded_error");
  CHECK(e.message == "anthropic: Overloaded");
  CHECK(e.retryable);
  CHECK_FALSE(e.retry_after.has_value());

  const Error forced = anthropic::map_error(
      response(529, read_fixture("anthropic/error_529.json"), {{"x-should-retry", "false"}}),
      "anthropic");
  CHECK_FALSE(forced.retryable);
  const Error allowed = anthropic::map_error(
      response(400, read_fixture("anthropic/error_400.json"), {{"x-should-retry", "true"}}),
      "anthropic");
  CHECK(allowed.retryable);
  // The error type alone makes an odd status retryable.
  const Error by_type = anthropic::map_error(
      response(400, R"({"type":"error","error":{"type":"api_error","message":"boom"}})"),
      "anthropic");
  CHECK(by_type.retryable);
}

TEST_CASE("anthropic: map_error with a body that is not JSON", "[anthropic]") {
  const Error e = anthropic::map_error(response(502, "<html>\n Bad   Gateway</html>"), "anthropic");
  CHECK(e.message == "HTTP 502 from anthropic: <html> Bad Gateway</html>");
  CHECK(e.http_status == 502);
  CHECK(e.retryable);
  CHECK(anthropic::map_error(response(503, ""), "anthropic").message ==
        "HTTP 503 from anthropic (empty body)");
}

// ---------------------------------------------------------------- streams

TEST_CASE("anthropic: text stream decodes to canonical chunks", "[anthropic]") {
  const Decoded d = decode(read_fixture("anthropic/stream_text.sse"), 0);
  CHECK(d.done);
  const auto base = [](json choices) {
    return json{{"id", "msg_01XFDUDYJgAACzvnptvVoYEL"},
                {"object", "chat.completion.chunk"},
                {"created", k_created},
                {"model", "claude-sonnet-4-5-20250929"},
                {"choices", std::move(choices)}};
  };
  const auto delta = [&](json value, json finish = nullptr) {
    return base(json::array({{{"index", 0},
                              {"delta", std::move(value)},
                              {"logprobs", nullptr},
                              {"finish_reason", std::move(finish)}}}));
  };
  const json usage = {{"prompt_tokens", 12},
                      {"completion_tokens", 12},
                      {"total_tokens", 24},
                      {"prompt_tokens_details", {{"cached_tokens", 0}}}};
  json usage_chunk = base(json::array());
  usage_chunk["usage"] = usage;
  // ping, content_block_stop and the unknown event type give nothing.
  const std::vector<json> expected = {
      delta({{"role", "assistant"}, {"content", ""}}), delta({{"content", "Hello! How"}}),
      delta({{"content", " can I help you today?"}}), delta(json::object(), "stop"), usage_chunk};
  CHECK(d.chunks == expected);
  CHECK(d.usage == usage);
}

TEST_CASE("anthropic: stream decoding does not depend on how the bytes are split", "[anthropic]") {
  for (const char* name : {"stream_text.sse", "stream_tool_use.sse", "stream_max_tokens.sse"}) {
    const std::string body = read_fixture(std::string("anthropic/") + name);
    const Decoded whole = decode(body, 0);
    for (std::size_t piece : {1u, 7u}) {
      const Decoded split = decode(body, piece);
      CHECK(split.chunks == whole.chunks);
      CHECK(split.usage == whole.usage);
      CHECK(split.done);
    }
  }
}

TEST_CASE("anthropic: tool_use stream gives sequential tool-call indices", "[anthropic]") {
  const Decoded d = decode(read_fixture("anthropic/stream_tool_use.sse"), 7);
  std::vector<json> tool_fragments;
  for (const auto& chunk : d.chunks) {
    for (const auto& choice : chunk["choices"]) {
      if (choice["delta"].contains("tool_calls"))
        tool_fragments.push_back(choice["delta"]["tool_calls"][0]);
      // Thinking never reaches the client.
      CHECK_FALSE(choice["delta"].contains("thinking"));
    }
  }
  REQUIRE(tool_fragments.size() == 7);
  CHECK(tool_fragments[0] == json{{"index", 0},
                                  {"id", "toolu_01A09q90qw90lq917835lq9"},
                                  {"type", "function"},
                                  {"function", {{"name", "get_weather"}, {"arguments", ""}}}});
  CHECK(tool_fragments[1] == json{{"index", 0}, {"function", {{"arguments", "{\"city\": \"Par"}}}});
  CHECK(tool_fragments[3]["index"] == 1);
  CHECK(tool_fragments[3]["id"] == "toolu_01B7kq2mX3Lr8cQwe4TtY6pz");
  CHECK(tool_fragments[6] == json{{"index", 1}, {"function", {{"arguments", "sius\"}"}}}});
}

TEST_CASE("anthropic: max_tokens stream ends with finish_reason length", "[anthropic]") {
  const Decoded d = decode(read_fixture("anthropic/stream_max_tokens.sse"), 1);
  const json folded = StreamAccumulator::fold(d.chunks);
  CHECK(folded["choices"][0]["finish_reason"] == "length");
  CHECK(folded["choices"][0]["message"]["content"] == "Once upon a");
  CHECK(folded["model"] == "claude-haiku-4-5");
  CHECK(folded["usage"]["completion_tokens"] == 5);
  CHECK(folded["usage"]["prompt_tokens"] == 20);
}

TEST_CASE("anthropic: streamed and non-streamed answers fold to the same result", "[anthropic]") {
  const std::vector<std::pair<const char*, const char*>> pairs = {
      {"stream_text.sse", "response_text.json"}, {"stream_tool_use.sse", "response_tool_use.json"}};
  for (const auto& [stream_name, response_name] : pairs) {
    const json streamed = StreamAccumulator::fold(
        decode(read_fixture(std::string("anthropic/") + stream_name), 7).chunks);
    const json whole = anthropic::parse_chat_response(
        response(200, read_fixture(std::string("anthropic/") + response_name)), context());
    const json& a = streamed["choices"][0];
    const json& b = whole["choices"][0];
    CHECK(a["message"]["content"] == b["message"]["content"]);
    CHECK(a["finish_reason"] == b["finish_reason"]);
    CHECK(streamed["usage"] == whole["usage"]);
    CHECK(streamed["id"] == whole["id"]);
    CHECK(streamed["model"] == whole["model"]);
    CHECK(a["message"].contains("tool_calls") == b["message"].contains("tool_calls"));
    if (b["message"].contains("tool_calls")) {
      const json& calls_a = a["message"]["tool_calls"];
      const json& calls_b = b["message"]["tool_calls"];
      REQUIRE(calls_a.size() == calls_b.size());
      for (std::size_t i = 0; i < calls_a.size(); ++i) {
        CHECK(calls_a[i]["id"] == calls_b[i]["id"]);
        CHECK(calls_a[i]["type"] == calls_b[i]["type"]);
        CHECK(calls_a[i]["function"]["name"] == calls_b[i]["function"]["name"]);
        // Anthropic streams its own JSON formatting; the values must agree.
        CHECK(json::parse(calls_a[i]["function"]["arguments"].get<std::string>()) ==
              json::parse(calls_b[i]["function"]["arguments"].get<std::string>()));
      }
    }
  }
}

TEST_CASE("anthropic: a mid-stream error event throws the provider's error", "[anthropic]") {
  SseParser parser;
  anthropic::StreamDecoder decoder(context());
  std::vector<json> chunks;
  const std::string body = read_fixture("anthropic/stream_error.sse");
  const Error e = error_of([&] {
    parser.feed(body, [&](const SseEvent& ev) {
      for (auto& chunk : decoder.on_event(ev))
        chunks.push_back(std::move(chunk));
    });
  });
  CHECK(e.kind == ErrorKind::upstream);
  CHECK(e.type == "overloaded_error");
  CHECK(e.http_status == 529);
  CHECK(e.message == "anthropic: Overloaded");
  CHECK(e.provider == "anthropic");
  CHECK(e.retryable);
  CHECK(chunks.size() == 2);  // role chunk and "Partial" arrived before the error
  CHECK_FALSE(decoder.done());

  const Error invalid = error_of([] {
    anthropic::StreamDecoder d(context());
    d.on_event(event(
        "error",
        {{"type", "error"}, {"error", {{"type", "invalid_request_error"}, {"message", "bad"}}}}));
  });
  CHECK_FALSE(invalid.retryable);
  CHECK(invalid.http_status == 400);
}

TEST_CASE("anthropic: ping, unknown events and non-JSON data", "[anthropic]") {
  anthropic::StreamDecoder decoder(context());
  CHECK(decoder.on_event(event("ping", {{"type", "ping"}})).empty());
  CHECK(decoder.on_event(event("brand_new", {{"type", "brand_new"}, {"x", 1}})).empty());
  CHECK(decoder
            .on_event(event("content_block_delta",
                            {{"type", "content_block_delta"},
                             {"index", 0},
                             {"delta", {{"type", "citations_delta"}, {"citation", {}}}}}))
            .empty());
  CHECK_FALSE(decoder.usage().has_value());
  const Error e = error_of([&] { decoder.on_event(SseEvent{"message_start", "{not json", ""}); });
  CHECK(e.kind == ErrorKind::stream_broken);
}

TEST_CASE("anthropic: message_delta usage overwrites message_start usage", "[anthropic]") {
  anthropic::StreamDecoder decoder(context());
  decoder.on_event(event("message_start", {{"type", "message_start"},
                                           {"message",
                                            {{"id", "msg_u"},
                                             {"model", "claude-x"},
                                             {"usage",
                                              {{"input_tokens", 10},
                                               {"cache_read_input_tokens", 5},
                                               {"cache_creation_input_tokens", 0},
                                               {"output_tokens", 1}}}}}}));
  REQUIRE(decoder.usage().has_value());
  CHECK((*decoder.usage())["prompt_tokens"] == 15);
  const auto chunks = decoder.on_event(event(
      "message_delta",
      {{"type", "message_delta"},
       {"delta", {{"stop_reason", "end_turn"}, {"stop_sequence", nullptr}}},
       {"usage",
        {{"output_tokens", 40}, {"input_tokens", 12}, {"cache_read_input_tokens", nullptr}}}}));
  REQUIRE(chunks.size() == 1);
  CHECK(chunks[0]["choices"][0]["finish_reason"] == "stop");
  CHECK(*decoder.usage() == json{{"prompt_tokens", 17},
                                 {"completion_tokens", 40},
                                 {"total_tokens", 57},
                                 {"prompt_tokens_details", {{"cached_tokens", 5}}}});
  const auto last = decoder.on_event(event("message_stop", {{"type", "message_stop"}}));
  REQUIRE(last.size() == 1);
  CHECK(last[0]["choices"] == json::array());
  CHECK(last[0]["usage"] == *decoder.usage());
  CHECK(decoder.done());
}

TEST_CASE("anthropic: token counts are non-negative integers, clamped, summed without overflow",
          "[anthropic]") {
  // Reproducer fuzz_stream_anthropic-usage-sum-overflow: INT64_MAX + 5 overflowed.
  anthropic::StreamDecoder decoder(context());
  decoder.on_event(event(
      "message_start", {{"type", "message_start"},
                        {"message",
                         {{"usage",
                           {{"input_tokens", std::numeric_limits<std::int64_t>::max()},
                            {"cache_read_input_tokens", std::numeric_limits<std::uint64_t>::max()},
                            {"output_tokens", 5}}}}}}));
  REQUIRE(decoder.usage().has_value());
  constexpr std::int64_t k_max = 1'000'000'000'000'000;
  CHECK((*decoder.usage())["prompt_tokens"] == k_max);
  CHECK((*decoder.usage())["prompt_tokens_details"]["cached_tokens"] == k_max);
  CHECK((*decoder.usage())["completion_tokens"] == 5);
  CHECK((*decoder.usage())["total_tokens"] == k_max);

  // Negative, fractional and string counts read as absent (0).
  const json usage = anthropic::to_openai_usage(
      {{"input_tokens", -3}, {"output_tokens", 2.5}, {"cache_read_input_tokens", "7"}});
  CHECK(usage["prompt_tokens"] == 0);
  CHECK(usage["completion_tokens"] == 0);
  CHECK(usage["total_tokens"] == 0);
  CHECK(usage["prompt_tokens_details"]["cached_tokens"] == 0);
}

TEST_CASE("anthropic: streamed cache writes keep the 5-minute / 1-hour split", "[anthropic]") {
  anthropic::StreamDecoder decoder(context());
  decoder.on_event(
      event("message_start",
            {{"type", "message_start"},
             {"message",
              {{"id", "msg_c"},
               {"model", "claude-x"},
               {"usage",
                {{"input_tokens", 10},
                 {"cache_read_input_tokens", 0},
                 {"cache_creation_input_tokens", 3000},
                 {"cache_creation",
                  {{"ephemeral_5m_input_tokens", 1000}, {"ephemeral_1h_input_tokens", 2000}}},
                 {"output_tokens", 1}}}}}}));
  decoder.on_event(event("message_delta", {{"type", "message_delta"},
                                           {"delta", {{"stop_reason", "end_turn"}}},
                                           {"usage", {{"output_tokens", 7}}}}));
  REQUIRE(decoder.usage().has_value());
  CHECK(*decoder.usage() == json{{"prompt_tokens", 3010},
                                 {"completion_tokens", 7},
                                 {"total_tokens", 3017},
                                 {"prompt_tokens_details",
                                  {{"cached_tokens", 0},
                                   {"cache_write_tokens", 3000},
                                   {"cache_write_5m_tokens", 1000},
                                   {"cache_write_1h_tokens", 2000}}}});
}
