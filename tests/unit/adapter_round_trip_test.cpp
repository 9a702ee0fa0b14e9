// Issue 3: OpenAI → provider → OpenAI keeps the meaning of messages, tools and tool
// results, for every protocol and every ordered pair of protocols.
//
// For each request r and protocol P: meaning(read_P(build_P(r))) == meaning(carried(P, r)),
// where build_P is the adapter, read_P the independent oracle (support/request_readers),
// meaning() the normalisation (support/request_meaning.hpp lists what is and is not
// meaning) and carried() the explicit, named list of what a protocol cannot carry
// (support/protocol_limits.cpp). When carried() says the protocol cannot take r at all,
// the adapter must refuse it. For each pair A, B the read-back from A is rebuilt for B:
// meaning(read_B(build_B(read_A(build_A(r))))) == meaning(carried(B, carried(A, r))).
#include <exception>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/providers/chat_protocol.hpp"
#include "support/protocol_limits.hpp"
#include "support/request_meaning.hpp"
#include "support/request_readers.hpp"

using namespace llmgw;
using nlohmann::json;

namespace {

// A 1×1 PNG and the first bytes of a JFIF JPEG, so a sniffed media type is a real one.
const std::string k_png =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+"
    "M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const std::string k_jpeg = "/9j/4AAQSkZJRgABAQAAAQABAAD/2Q==";

constexpr Protocol k_protocols[] = {Protocol::openai, Protocol::anthropic, Protocol::gemini,
                                    Protocol::ollama};

json build(Protocol protocol, const json& request) {
  Endpoint endpoint;
  endpoint.provider = to_string(protocol);
  endpoint.base_url = "http://upstream.test";
  endpoint.auth = AuthStyle::none;
  return json::parse(
      chat_protocol(protocol)->build_request(request, "test-model", endpoint, false).body);
}

// OpenAI's body is the canonical request itself (fields pass through), so its reader is
// the identity.
json read_back(Protocol protocol, const json& body) {
  switch (protocol) {
    case Protocol::anthropic:
      return test::openai_from_anthropic(body);
    case Protocol::gemini:
      return test::openai_from_gemini(body);
    case Protocol::ollama:
      return test::openai_from_ollama(body);
    case Protocol::openai:
    case Protocol::mock:
      break;
  }
  return body;
}

json round_trip(Protocol protocol, const json& request) {
  const json body = build(protocol, request);
  UNSCOPED_INFO(to_string(protocol) << " body: " << body.dump());
  return read_back(protocol, body);
}

// Compares meanings; `actual` is computed here so that a refusal or a read error fails
// this one check instead of ending the whole test case.
template <class Read>
void compare(const json& expected_request, Read&& read_actual) {
  json actual_request;
  try {
    actual_request = read_actual();
  } catch (const std::exception& e) {
    FAIL_CHECK("threw instead of carrying the request: " << e.what());
    return;
  }
  const json expected = test::meaning(expected_request);
  const json actual = test::meaning(actual_request);
  INFO("expected meaning:\n" << expected.dump(2));
  INFO("actual meaning:\n" << actual.dump(2));
  CHECK(actual == expected);
}

void check_refused(Protocol protocol, const json& request) {
  INFO(to_string(protocol) << " cannot carry this request, so its adapter must refuse it");
  CHECK_THROWS_AS(build(protocol, request), GatewayError);
}

// Every protocol, then every ordered pair.
void check_round_trips(const json& request) {
  INFO("request: " << request.dump());
  for (const Protocol protocol : k_protocols) {
    INFO("round trip through " << to_string(protocol));
    const auto expected = test::carried(protocol, request);
    if (!expected) {
      check_refused(protocol, request);
      continue;
    }
    compare(*expected, [&] { return round_trip(protocol, request); });
  }
  for (const Protocol first : k_protocols) {
    const auto carried_first = test::carried(first, request);
    if (!carried_first)
      continue;  // refusal checked above
    json read_first;
    try {
      read_first = round_trip(first, request);
    } catch (const std::exception&) {
      continue;  // failed in the single-protocol check above
    }
    for (const Protocol second : k_protocols) {
      INFO("chain " << to_string(first) << " → " << to_string(second));
      const auto expected = test::carried(second, *carried_first);
      if (!expected) {
        check_refused(second, read_first);
        continue;
      }
      compare(*expected, [&] { return round_trip(second, read_first); });
    }
  }
}

// Lists are std::vector<json>, not braced json: a braced list of one json value may make
// that value rather than an array of it.
json user(const std::string& content) {
  return {{"role", "user"}, {"content", content}};
}

json user_parts(std::vector<json> parts) {
  return {{"role", "user"}, {"content", json(std::move(parts))}};
}

json assistant(const std::string& content) {
  return {{"role", "assistant"}, {"content", content}};
}

json instruction(const std::string& role, json content) {
  return {{"role", role}, {"content", std::move(content)}};
}

json text(const std::string& value) {
  return {{"type", "text"}, {"text", value}};
}

json image(const std::string& url) {
  return {{"type", "image_url"}, {"image_url", {{"url", url}}}};
}

json call(const std::string& id, const std::string& name, const std::string& arguments) {
  return {
      {"id", id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", arguments}}}};
}

// An assistant message with tool calls; `content` may be null.
json calls(json content, std::vector<json> tool_calls) {
  return {{"role", "assistant"},
          {"content", std::move(content)},
          {"tool_calls", json(std::move(tool_calls))}};
}

json result(const std::string& id, const std::string& content) {
  return {{"role", "tool"}, {"tool_call_id", id}, {"content", content}};
}

json request(std::vector<json> messages) {
  return {{"model", "gpt-test"}, {"messages", json(std::move(messages))}};
}

// get_weather has a schema; get_time has none (anthropic_needs_a_schema).
json weather_tools() {
  return json::parse(R"([
    {"type": "function", "function": {"name": "get_weather", "description": "Current weather",
      "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                     "required": ["city"]}}},
    {"type": "function", "function": {"name": "get_time", "description": "Local time"}}])");
}

}  // namespace

TEST_CASE("round trip: plain text", "[round-trip]") {
  check_round_trips(request({user("Hello")}));
}

TEST_CASE("round trip: system and developer messages in a multi-turn conversation",
          "[round-trip]") {
  check_round_trips(request({instruction("system", "You are terse."), user("Hi"),
                             assistant("Hello! How can I help?"),
                             instruction("developer", "Answer in French."), user("What is 2+2?")}));
}

TEST_CASE("round trip: consecutive same-role messages and multi-part text", "[round-trip]") {
  check_round_trips(request(
      {instruction("system", json::array({text("Be brief."), text(" Kind.")})), user("First."),
       user_parts({text("Second.")}), assistant("One"), assistant("Two"), user("Third.")}));
}

TEST_CASE("round trip: a tool definition, a call and its result", "[round-trip]") {
  json r = request({user("Weather in Paris?"),
                    calls(nullptr, {call("call_a", "get_weather", R"({"city": "Paris"})")}),
                    result("call_a", R"({"temp_c": 21, "sky": "clear"})"),
                    assistant("It is 21°C and clear.")});
  r["tools"] = weather_tools();
  check_round_trips(r);
}

TEST_CASE("round trip: parallel tool calls answered in one group", "[round-trip]") {
  json r = request({user("Weather and time in Paris?"),
                    calls("Checking both.", {call("w1", "get_weather", R"({"city":"Paris"})"),
                                             call("t1", "get_time", "{}")}),
                    result("t1", "14:00"), result("w1", "21C"), user("Thanks! And tomorrow?")});
  r["tools"] = weather_tools();
  check_round_trips(r);
}

// Two calls of one function answered out of order: linkage by id everywhere but Gemini,
// which links by name and order (gemini_links_results_by_name).
TEST_CASE("round trip: parallel calls of one function answered out of order", "[round-trip]") {
  json r = request({user("Paris or London, which is warmer?"),
                    calls(nullptr, {call("p", "get_weather", R"({"city":"Paris"})"),
                                    call("l", "get_weather", R"({"city":"London"})")}),
                    result("l", "12C"), result("p", "21C"), assistant("Paris.")});
  r["tools"] = weather_tools();
  check_round_trips(r);
}

TEST_CASE("round trip: an image as a base64 data URL", "[round-trip]") {
  json picture = image("data:image/png;base64," + k_png);
  picture["image_url"]["detail"] = "low";  // no meaning: no protocol but OpenAI has it
  check_round_trips(request({user_parts({text("What is in this picture?"), picture})}));
}

// Ollama refuses it (ollama_refuses_image_links).
TEST_CASE("round trip: an image as an http URL", "[round-trip]") {
  check_round_trips(
      request({user_parts({text("Describe this."), image("https://example.com/cat.png")})}));
}

// Ollama moves the images after the joined text (ollama_one_string_per_message).
TEST_CASE("round trip: text and images mixed in one message", "[round-trip]") {
  check_round_trips(
      request({user_parts({text("Compare "), image("data:image/png;base64," + k_png), text("with "),
                           image("data:image/jpeg;base64," + k_jpeg), text("please.")})}));
}

// Anthropic drops the blank stop sequence (anthropic_drops_blank_stops).
TEST_CASE("round trip: temperature, top_p, max_tokens and stop", "[round-trip]") {
  json r = request({user("Count to ten.")});
  r["temperature"] = 0.5;
  r["top_p"] = 0.9;
  r["max_tokens"] = 256;
  r["stop"] = {"END", "\n\n"};
  check_round_trips(r);
}

TEST_CASE("round trip: max_completion_tokens over max_tokens, and a single stop string",
          "[round-trip]") {
  json r = request({user("Count to ten.")});
  r["temperature"] = 1;
  r["max_completion_tokens"] = 128;
  r["max_tokens"] = 999;
  r["stop"] = "STOP";
  check_round_trips(r);
}

// Anthropic refuses it (anthropic_temperature_range).
TEST_CASE("round trip: a temperature above Anthropic's range", "[round-trip]") {
  json r = request({user("Be creative.")});
  r["temperature"] = 1.5;
  check_round_trips(r);
}

// Anthropic trims the prefill (anthropic_trims_the_prefill).
TEST_CASE("round trip: a final assistant message (prefill)", "[round-trip]") {
  check_round_trips(request({user("Write a haiku about rain."), assistant("Here it is:\n")}));
}

// Gemini reads a functionResponse.response object that has an "output" (or "error")
// member as that member alone (wire-formats §4.2), so gemini_request.cpp's
// function_response() sends such a tool result wrapped, as {"output": <object>}, and
// "size" is kept.
TEST_CASE("round trip: a tool result object with an output member", "[round-trip]") {
  json r =
      request({user("List the files."), calls(nullptr, {call("ls", "list_files", "{}")}),
               result("ls", R"({"output": "a.txt", "size": 3})"), assistant("One file, a.txt.")});
  r["tools"] = json::parse(R"([{"type": "function", "function": {"name": "list_files",
                                "parameters": {"type": "object", "properties": {}}}}])");
  check_round_trips(r);
}

// Arguments "" (what some clients send for a call without arguments) mean {} for every
// adapter, Ollama's parse_arguments() included (as do null and whitespace).
TEST_CASE("round trip: a call with empty-string arguments", "[round-trip]") {
  json r = request({user("What time is it?"), calls(nullptr, {call("t", "get_time", "")}),
                    result("t", "14:00"), assistant("It is 14:00.")});
  r["tools"] = weather_tools();
  check_round_trips(r);
}
