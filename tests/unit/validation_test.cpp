#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/validation.hpp"

using namespace llmgw;
using nlohmann::json;

namespace {

json valid_request() {
  return json::parse(R"({
    "model": "openai/gpt-4o-mini",
    "messages": [
      {"role": "system", "content": "Be brief."},
      {"role": "user", "content": "Hi"}
    ]
  })");
}

// The error validate_chat_request throws for this request; fails the test if none.
Error rejection(const json& request) {
  try {
    validate_chat_request(request);
  } catch (const GatewayError& e) {
    return e.error();
  }
  FAIL("expected the request to be rejected: " << request.dump());
  return {};
}

void check_rejected(const json& request, const std::string& param, const std::string& message) {
  const Error e = rejection(request);
  CHECK(e.kind == ErrorKind::invalid_request);
  CHECK(e.http_status == 400);
  CHECK(e.type == "invalid_request_error");
  CHECK(e.param == param);
  CHECK(e.message == message);
}

json with(const json& base, const std::string& pointer, json value) {
  json out = base;
  out[json::json_pointer(pointer)] = std::move(value);
  return out;
}

}  // namespace

TEST_CASE("a well-formed request passes, unknown fields included", "[validation]") {
  json request = valid_request();
  request["x_custom_vendor_field"] = {{"anything", true}};
  request["temperature"] = 0.2;
  request["top_p"] = 1;
  request["max_tokens"] = 64;
  request["max_completion_tokens"] = 128;
  request["n"] = 2;
  request["stream"] = true;
  request["stop"] = json::array({"\n\n", "END"});
  request["tools"] = json::array();
  request["seed"] = nullptr;
  CHECK_NOTHROW(validate_chat_request(request));

  json minimal = valid_request();
  minimal.erase("model");  // the CLI fills it in
  CHECK_NOTHROW(validate_chat_request(minimal));
}

TEST_CASE("null counts as absent for optional fields", "[validation]") {
  json request = valid_request();
  for (const char* key : {"temperature", "top_p", "max_tokens", "max_completion_tokens", "n",
                          "stream", "stop", "tools"}) {
    request[key] = nullptr;
  }
  CHECK_NOTHROW(validate_chat_request(request));
}

TEST_CASE("the body must be an object", "[validation]") {
  check_rejected(json::array({1}), "", "the request body must be a JSON object, got [1]");
}

TEST_CASE("model must be a non-empty string when present", "[validation]") {
  check_rejected(with(valid_request(), "/model", ""), "model",
                 "model must be a non-empty string, got \"\"");
  check_rejected(with(valid_request(), "/model", 4), "model",
                 "model must be a non-empty string, got 4");
}

TEST_CASE("messages is required and a non-empty array", "[validation]") {
  json request = valid_request();
  request.erase("messages");
  check_rejected(request, "messages", "messages is required");
  check_rejected(with(valid_request(), "/messages", "hello"), "messages",
                 "messages must be an array of messages, got \"hello\"");
  check_rejected(with(valid_request(), "/messages", json::array()), "messages",
                 "messages must contain at least one message");
}

TEST_CASE("each message is an object", "[validation]") {
  check_rejected(with(valid_request(), "/messages/1", "hi"), "messages[1]",
                 "messages[1] must be an object, got \"hi\"");
}

TEST_CASE("role must be one of the known roles", "[validation]") {
  json request = valid_request();
  request["messages"].push_back({{"role", "robot"}, {"content", "beep"}});
  check_rejected(request, "messages[2].role",
                 "messages[2].role must be one of system, developer, user, assistant, tool");
  json missing = valid_request();
  missing["messages"][0].erase("role");
  check_rejected(missing, "messages[0].role",
                 "messages[0].role must be one of system, developer, user, assistant, tool");
  CHECK_NOTHROW(validate_chat_request(with(valid_request(), "/messages/0/role", "developer")));
}

TEST_CASE("content is a string, an array of parts, or null for tool-calling assistants",
          "[validation]") {
  json missing = valid_request();
  missing["messages"][1].erase("content");
  check_rejected(missing, "messages[1].content", "messages[1].content is required");

  check_rejected(with(valid_request(), "/messages/1/content", 42), "messages[1].content",
                 "messages[1].content must be a string or an array of content parts, got 42");
  check_rejected(with(valid_request(), "/messages/1/content", nullptr), "messages[1].content",
                 "messages[1].content must be a string or an array of content parts, got null");

  json assistant = valid_request();
  assistant["messages"].push_back({{"role", "assistant"}, {"content", nullptr}});
  check_rejected(assistant, "messages[2].content",
                 "messages[2].content must be a string or an array of content parts (or null "
                 "when tool_calls are given), got null");

  assistant["messages"][2]["tool_calls"] = json::parse(
      R"([{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}])");
  CHECK_NOTHROW(validate_chat_request(assistant));
  assistant["messages"][2].erase("content");
  CHECK_NOTHROW(validate_chat_request(assistant));
}

TEST_CASE("content parts need a string type, text parts a string text", "[validation]") {
  const json parts = json::parse(R"([
    {"type": "text", "text": "What is this?"},
    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
  ])");
  CHECK_NOTHROW(validate_chat_request(with(valid_request(), "/messages/1/content", parts)));

  check_rejected(with(valid_request(), "/messages/1/content", json::array({"text"})),
                 "messages[1].content[0]",
                 "messages[1].content[0] must be an object, got \"text\"");
  check_rejected(with(valid_request(), "/messages/1/content", json::parse(R"([{"text":"x"}])")),
                 "messages[1].content[0].type",
                 "messages[1].content[0].type must be a string, but it is missing");
  check_rejected(
      with(valid_request(), "/messages/1/content", json::parse(R"([{"type":"text","text":7}])")),
      "messages[1].content[0].text",
      "messages[1].content[0].text must be a string in a text part, got 7");
}

TEST_CASE("tool messages need a string tool_call_id", "[validation]") {
  json request = valid_request();
  request["messages"].push_back({{"role", "tool"}, {"content", "42"}});
  check_rejected(request, "messages[2].tool_call_id",
                 "messages[2].tool_call_id must be a string naming the tool call this message "
                 "answers");
  request["messages"][2]["tool_call_id"] = "call_1";
  CHECK_NOTHROW(validate_chat_request(request));
}

TEST_CASE("assistant tool_calls are objects with a function name", "[validation]") {
  json request = valid_request();
  request["messages"].push_back({{"role", "assistant"}, {"content", nullptr}});
  auto& message = request["messages"][2];

  message["tool_calls"] = "f";
  check_rejected(request, "messages[2].tool_calls",
                 "messages[2].tool_calls must be an array, got \"f\"");
  message["tool_calls"] = json::array({1});
  check_rejected(request, "messages[2].tool_calls[0]",
                 "messages[2].tool_calls[0] must be an object, got 1");
  message["tool_calls"] = json::parse(R"([{"id":"c","type":"function"}])");
  check_rejected(request, "messages[2].tool_calls[0].function",
                 "messages[2].tool_calls[0].function must be an object with a name");
  message["tool_calls"] = json::parse(R"([{"id":"c","function":{"name":3}}])");
  check_rejected(request, "messages[2].tool_calls[0].function.name",
                 "messages[2].tool_calls[0].function.name must be a string");
}

TEST_CASE("temperature is a number between 0 and 2", "[validation]") {
  check_rejected(with(valid_request(), "/temperature", "hot"), "temperature",
                 "temperature must be a number between 0 and 2, got \"hot\"");
  check_rejected(with(valid_request(), "/temperature", 2.5), "temperature",
                 "temperature must be a number between 0 and 2, got 2.5");
  check_rejected(with(valid_request(), "/temperature", -1), "temperature",
                 "temperature must be a number between 0 and 2, got -1");
  CHECK_NOTHROW(validate_chat_request(with(valid_request(), "/temperature", 2)));
  CHECK_NOTHROW(validate_chat_request(with(valid_request(), "/temperature", 0)));
}

TEST_CASE("top_p is a number between 0 and 1", "[validation]") {
  check_rejected(with(valid_request(), "/top_p", 1.5), "top_p",
                 "top_p must be a number between 0 and 1, got 1.5");
}

TEST_CASE("max_tokens and max_completion_tokens are positive integers", "[validation]") {
  check_rejected(with(valid_request(), "/max_tokens", 0), "max_tokens",
                 "max_tokens must be a positive integer, got 0");
  check_rejected(with(valid_request(), "/max_tokens", 10.5), "max_tokens",
                 "max_tokens must be a positive integer, got 10.5");
  check_rejected(with(valid_request(), "/max_completion_tokens", -3), "max_completion_tokens",
                 "max_completion_tokens must be a positive integer, got -3");
  check_rejected(with(valid_request(), "/max_completion_tokens", "100"), "max_completion_tokens",
                 "max_completion_tokens must be a positive integer, got \"100\"");
}

TEST_CASE("n is an integer of at least 1", "[validation]") {
  check_rejected(with(valid_request(), "/n", 0), "n", "n must be an integer of at least 1, got 0");
  check_rejected(with(valid_request(), "/n", true), "n",
                 "n must be an integer of at least 1, got true");
}

TEST_CASE("stream is a boolean", "[validation]") {
  check_rejected(with(valid_request(), "/stream", "yes"), "stream",
                 "stream must be true or false, got \"yes\"");
}

TEST_CASE("stop is a string or an array of up to 4 strings", "[validation]") {
  CHECK_NOTHROW(validate_chat_request(with(valid_request(), "/stop", "END")));
  check_rejected(with(valid_request(), "/stop", 5), "stop",
                 "stop must be a string or an array of strings, got 5");
  check_rejected(with(valid_request(), "/stop", json::array({"a", 2})), "stop[1]",
                 "stop[1] must be a string, got 2");
  check_rejected(with(valid_request(), "/stop", json::array({"a", "b", "c", "d", "e"})), "stop",
                 "stop must have at most 4 sequences, got 5");
}

TEST_CASE("tools is an array", "[validation]") {
  check_rejected(with(valid_request(), "/tools", json::object()), "tools",
                 "tools must be an array, got {}");
}

TEST_CASE("echoed values are truncated at about 40 characters on a character boundary",
          "[validation]") {
  const std::string long_value(100, 'x');
  const Error e = rejection(with(valid_request(), "/temperature", long_value));
  CHECK(e.message ==
        "temperature must be a number between 0 and 2, got \"" + std::string(39, 'x') + "\u2026");

  // 'é' is two bytes in UTF-8; the cut must not split one.
  std::string accents;
  for (int i = 0; i < 30; ++i)
    accents += "\u00e9";
  const Error u = rejection(with(valid_request(), "/temperature", accents));
  CHECK_NOTHROW(json(u.message).dump());
  CHECK(u.message.size() < 120);
}
