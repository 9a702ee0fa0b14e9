#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/http/sse_parser.hpp"
#include "core/providers/gemini_adapter.hpp"
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

constexpr std::int64_t k_created = 1'760'000'000;

ResponseContext context() {
  return ResponseContext{"gemini", "gemini-2.5-flash", k_created};
}

json fixture_json(const std::string& name) {
  return json::parse(read_fixture("gemini/" + name));
}

json user_request(json extra = json::object()) {
  json request = {{"model", "gemini-2.5-flash"},
                  {"messages", json::array({{{"role", "user"}, {"content", "Hi"}}})}};
  request.update(extra);
  return request;
}

json generation_config_for(json extra) {
  return gemini::to_gemini_request(user_request(std::move(extra)))
      .value("generationConfig", json::object());
}

struct Decoded {
  std::vector<json> chunks;
  bool done = false;
  std::optional<json> usage;
};

// Feeds an SSE body through the real SseParser in pieces of `piece` bytes, then finish().
Decoded decode(const std::string& body, std::size_t piece) {
  SseParser parser;
  gemini::StreamDecoder decoder(context());
  Decoded out;
  const auto on_event = [&](const SseEvent& event) {
    for (auto& chunk : decoder.on_event(event))
      out.chunks.push_back(std::move(chunk));
  };
  for (std::size_t i = 0; i < body.size(); i += piece)
    parser.feed(std::string_view(body).substr(i, piece), on_event);
  parser.finish(on_event);
  for (auto& chunk : decoder.finish())
    out.chunks.push_back(std::move(chunk));
  out.done = decoder.done();
  out.usage = decoder.usage();
  return out;
}

}  // namespace

// ---- request ----------------------------------------------------------------------------

TEST_CASE("gemini: multi-turn request maps exactly to the expected body", "[gemini]") {
  const json request = fixture_json("request_multiturn.openai.json");
  const json expected = fixture_json("request_multiturn.gemini.json");
  const json actual = gemini::to_gemini_request(request);
  INFO(actual.dump(2));
  CHECK(actual == expected);
  CHECK(gemini::dropped_fields(request) == std::vector<std::string>{"parallel_tool_calls", "user"});
}

TEST_CASE("gemini: build_chat_request URL, headers and body", "[gemini]") {
  Endpoint endpoint{"gemini", "https://generativelanguage.googleapis.com/v1beta/", "AIza-test-key",
                    AuthStyle::goog_api_key, Timeouts{}};
  endpoint.timeouts.connect = std::chrono::milliseconds(4321);
  const json request = user_request();

  const HttpRequest plain =
      gemini::build_chat_request(request, "gemini-2.5-flash", endpoint, false);
  CHECK(plain.method == "POST");
  CHECK(plain.url ==
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
  CHECK(plain.header("content-type") == "application/json");
  CHECK(plain.header("accept") == "application/json");
  CHECK(plain.header("x-goog-api-key") == "AIza-test-key");
  CHECK(plain.header("user-agent") == std::string("llmgw/") + LLMGW_VERSION);
  CHECK(plain.url.find("AIza") == std::string::npos);
  CHECK(plain.timeouts.connect == std::chrono::milliseconds(4321));
  CHECK(json::parse(plain.body) == gemini::to_gemini_request(request));

  const HttpRequest streamed =
      gemini::build_chat_request(request, "models/gemini-2.5-pro", endpoint, true);
  CHECK(streamed.url ==
        "https://generativelanguage.googleapis.com/v1beta/models/"
        "gemini-2.5-pro:streamGenerateContent?alt=sse");
  CHECK(streamed.header("accept") == "text/event-stream");

  endpoint.api_key.clear();
  CHECK_FALSE(gemini::build_chat_request(request, "m", endpoint, false).header("x-goog-api-key"));
}

TEST_CASE("gemini: generationConfig rules", "[gemini]") {
  CHECK_FALSE(gemini::to_gemini_request(user_request()).contains("generationConfig"));
  CHECK(generation_config_for({{"max_tokens", 64}}) == json{{"maxOutputTokens", 64}});
  CHECK(generation_config_for({{"max_tokens", 64}, {"max_completion_tokens", 32}}) ==
        json{{"maxOutputTokens", 32}});
  CHECK(generation_config_for({{"stop", json::array({"a", "b"})}}) ==
        json{{"stopSequences", {"a", "b"}}});
  CHECK(generation_config_for({{"stop", "x"}}) == json{{"stopSequences", {"x"}}});
  CHECK(generation_config_for({{"n", 2}, {"seed", 3}}) == json{{"candidateCount", 2}, {"seed", 3}});
  CHECK(generation_config_for({{"presence_penalty", 0.5}, {"frequency_penalty", -0.5}}) ==
        json{{"presencePenalty", 0.5}, {"frequencyPenalty", -0.5}});
  CHECK(generation_config_for({{"temperature", nullptr}}) == json::object());
  CHECK(generation_config_for({{"response_format", {{"type", "json_object"}}}}) ==
        json{{"responseMimeType", "application/json"}});
  const json schema = {{"type", "object"}, {"properties", {{"a", {{"type", "string"}}}}}};
  CHECK(generation_config_for(
            {{"response_format",
              {{"type", "json_schema"}, {"json_schema", {{"name", "x"}, {"schema", schema}}}}}}) ==
        json{{"responseMimeType", "application/json"}, {"responseJsonSchema", schema}});
  CHECK(generation_config_for({{"response_format", {{"type", "text"}}}}) == json::object());
}

TEST_CASE("gemini: tool_choice modes", "[gemini]") {
  const auto config = [](json choice) {
    return gemini::to_gemini_request(user_request({{"tool_choice", choice}}))["toolConfig"];
  };
  CHECK(config("auto") == json::parse(R"({"functionCallingConfig":{"mode":"AUTO"}})"));
  CHECK(config("none") == json::parse(R"({"functionCallingConfig":{"mode":"NONE"}})"));
  CHECK(config("required") == json::parse(R"({"functionCallingConfig":{"mode":"ANY"}})"));
  CHECK(config({{"type", "function"}, {"function", {{"name", "f"}}}}) ==
        json::parse(R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["f"]}})"));
  const Error e = error_of([&] { config("sometimes"); });
  CHECK(e.kind == ErrorKind::invalid_request);
  CHECK(e.param == "tool_choice");
}

TEST_CASE("gemini: invalid tool arguments and unknown tool ids are request errors", "[gemini]") {
  json request = json::parse(R"({"messages":[
    {"role":"user","content":"hi"},
    {"role":"assistant","tool_calls":[
      {"id":"a","type":"function","function":{"name":"f","arguments":"{}"}},
      {"id":"b","type":"function","function":{"name":"g","arguments":"{not json"}}]}
  ]})");
  Error e = error_of([&] { gemini::to_gemini_request(request); });
  CHECK(e.kind == ErrorKind::invalid_request);
  CHECK(e.http_status == 400);
  CHECK(e.param == "messages[1].tool_calls[1].function.arguments");
  CHECK(e.message.find("messages[1].tool_calls[1].function.arguments") != std::string::npos);

  request["messages"][1]["tool_calls"][1]["function"]["arguments"] = "[1,2]";
  e = error_of([&] { gemini::to_gemini_request(request); });
  CHECK(e.param == "messages[1].tool_calls[1].function.arguments");

  request["messages"][1]["tool_calls"][1]["function"]["arguments"] = "";
  request["messages"].push_back({{"role", "tool"}, {"tool_call_id", "zzz"}, {"content", "1"}});
  e = error_of([&] { gemini::to_gemini_request(request); });
  CHECK(e.kind == ErrorKind::invalid_request);
  CHECK(e.param == "messages[2].tool_call_id");
  CHECK(e.message.find("messages[2].tool_call_id") != std::string::npos);

  // Empty arguments mean no arguments; a JSON number result is wrapped as output.
  request["messages"][2]["tool_call_id"] = "b";
  const json body = gemini::to_gemini_request(request);
  CHECK(body["contents"][1]["parts"][1] ==
        json::parse(R"({"functionCall":{"name":"g","args":{}}})"));
  CHECK(body["contents"][2] == json::parse(R"({"role":"user","parts":[
    {"functionResponse":{"name":"g","response":{"output":1}}}]})"));
}

TEST_CASE("gemini: roles, merging and content parts", "[gemini]") {
  const json request = json::parse(R"({"messages":[
    {"role":"user","content":""},
    {"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":""}]},
    {"role":"assistant","content":"b"},
    {"role":"assistant","content":[{"type":"text","text":"c"}]},
    {"role":"user","content":[
      {"type":"image_url","image_url":{"url":"http://x.test/cat.JPG"}},
      {"type":"image_url","image_url":{"url":"https://x.test/picture"}},
      {"type":"image_url","image_url":{"url":"https://x.test/a.gif#frag"}},
      {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"mp3"}}]}
  ]})");
  const json body = gemini::to_gemini_request(request);
  CHECK_FALSE(body.contains("systemInstruction"));
  CHECK(body["contents"] == json::parse(R"([
    {"role":"user","parts":[{"text":"a"}]},
    {"role":"model","parts":[{"text":"b"},{"text":"c"}]},
    {"role":"user","parts":[
      {"fileData":{"mimeType":"image/jpeg","fileUri":"http://x.test/cat.JPG"}},
      {"fileData":{"mimeType":"image/jpeg","fileUri":"https://x.test/picture"}},
      {"fileData":{"mimeType":"image/gif","fileUri":"https://x.test/a.gif#frag"}},
      {"inlineData":{"mimeType":"audio/mp3","data":"UklGRg=="}}]}
  ])"));

  Error e = error_of([] {
    gemini::to_gemini_request(json::parse(R"({"messages":[{"role":"function","content":"x"}]})"));
  });
  CHECK(e.param == "messages[0].role");
  e = error_of([] {
    gemini::to_gemini_request(json::parse(
        R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,abc"}}]}]})"));
  });
  CHECK(e.param == "messages[0].content[0].image_url.url");
  e = error_of([] {
    gemini::to_gemini_request(json::parse(R"({"messages":[],"tools":[{"type":"web_search"}]})"));
  });
  CHECK(e.param == "tools[0].type");
}

TEST_CASE("gemini: dropped_fields lists what is not carried", "[gemini]") {
  const json request = user_request({{"logit_bias", {{"1", 2}}},
                                     {"user", "u"},
                                     {"temperature", 1},
                                     {"stream", true},
                                     {"metadata", nullptr}});
  CHECK(gemini::dropped_fields(request) == std::vector<std::string>{"logit_bias", "user"});
}

// ---- responses --------------------------------------------------------------------------

TEST_CASE("gemini: non-stream text response", "[gemini]") {
  const json out = gemini::parse_chat_response(
      response(200, read_fixture("gemini/response_text.json")), context());
  CHECK(out["id"] == "tS77aIl-4ZvV7w_A9rTBBg");
  CHECK(out["object"] == "chat.completion");
  CHECK(out["created"] == k_created);
  CHECK(out["model"] == "gemini-2.5-flash");
  REQUIRE(out["choices"].size() == 1);
  const json& choice = out["choices"][0];
  CHECK(choice["index"] == 0);
  CHECK(choice["message"]["role"] == "assistant");
  CHECK(choice["message"]["content"] ==
        "The sky looks blue because air scatters short (blue) wavelengths of sunlight more than "
        "long ones.");
  CHECK_FALSE(choice["message"].contains("tool_calls"));
  CHECK(choice["finish_reason"] == "stop");
  CHECK(out["usage"] == json::parse(R"({"prompt_tokens":12,"completion_tokens":19,
    "total_tokens":31,"prompt_tokens_details":{"cached_tokens":0},
    "completion_tokens_details":{"reasoning_tokens":0}})"));
}

TEST_CASE("gemini: non-stream parallel function calls with thoughts and cache", "[gemini]") {
  const json out = gemini::parse_chat_response(
      response(200, read_fixture("gemini/response_function_calls.json")), context());
  const json& choice = out["choices"][0];
  CHECK(choice["finish_reason"] == "tool_calls");
  CHECK(choice["message"]["content"].is_null());  // the thought text is not content
  CHECK(choice["message"]["tool_calls"] == json::parse(R"([
    {"id":"call_0","type":"function",
     "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"},
     "extra_content":{"google":{"thought_signature":"CiQB0e2Kb1s="}}},
    {"id":"call_1","type":"function",
     "function":{"name":"get_weather","arguments":"{\"city\":\"Tokyo\",\"unit\":\"celsius\"}"}}
  ])"));
  CHECK(out["usage"] == json::parse(R"({"prompt_tokens":140,"completion_tokens":88,
    "total_tokens":228,"prompt_tokens_details":{"cached_tokens":96},
    "completion_tokens_details":{"reasoning_tokens":52}})"));
}

TEST_CASE("gemini: finish reasons, safety and prompt blocks", "[gemini]") {
  json out = gemini::parse_chat_response(
      response(200, read_fixture("gemini/response_max_tokens.json")), context());
  CHECK(out["choices"][0]["finish_reason"] == "length");
  CHECK(out["choices"][0]["message"]["content"] == "Once upon a time, in a kingdom by the");
  CHECK(out["id"] == "chatcmpl-gemini-1760000000");
  CHECK(out["usage"]["completion_tokens"] == 29);

  out = gemini::parse_chat_response(response(200, read_fixture("gemini/response_safety.json")),
                                    context());
  CHECK(out["choices"][0]["finish_reason"] == "content_filter");
  CHECK(out["choices"][0]["message"]["content"] == "");
  CHECK(out["usage"]["completion_tokens"] == 0);

  out = gemini::parse_chat_response(
      response(200, read_fixture("gemini/response_prompt_blocked.json")), context());
  REQUIRE(out["choices"].size() == 1);
  CHECK(out["choices"][0]["finish_reason"] == "content_filter");
  CHECK(out["choices"][0]["message"]["content"] == "");
  CHECK(out["usage"]["prompt_tokens"] == 11);
}

TEST_CASE("gemini: several candidates and unusual finish reasons", "[gemini]") {
  const json body = json::parse(R"({"candidates":[
    {"content":{"parts":[{"text":"A"}]},"finishReason":"RECITATION","index":0},
    {"content":{"parts":[{"functionCall":{"name":"f","args":{}}}]},"finishReason":"STOP","index":1},
    {"content":{"parts":[{"text":"C"}]},"finishReason":"MALFORMED_FUNCTION_CALL","index":2},
    {"content":{"parts":[{"text":"D"}]},"finishReason":"SOMETHING_NEW"}]})");
  const json out = gemini::parse_chat_response(response(200, body.dump()), context());
  REQUIRE(out["choices"].size() == 4);
  CHECK(out["choices"][0]["finish_reason"] == "content_filter");
  CHECK(out["choices"][1]["finish_reason"] == "tool_calls");
  CHECK(out["choices"][1]["message"]["tool_calls"][0]["id"] == "call_0");
  CHECK(out["choices"][1]["message"]["tool_calls"][0]["function"]["arguments"] == "{}");
  CHECK(out["choices"][2]["finish_reason"] == "stop");
  CHECK(out["choices"][3]["finish_reason"] == "stop");
  CHECK(out["choices"][3]["index"] == 3);
  CHECK(out["model"] == "gemini-2.5-flash");
  CHECK_FALSE(out.contains("usage"));
}

TEST_CASE("gemini: usage mapping edge cases", "[gemini]") {
  // Thoughts already inside candidates (prompt + candidates == total): not added twice.
  json usage = gemini::to_openai_usage(json::parse(
      R"({"promptTokenCount":10,"candidatesTokenCount":30,"thoughtsTokenCount":20,"totalTokenCount":40})"));
  CHECK(usage["completion_tokens"] == 30);
  CHECK(usage["completion_tokens_details"]["reasoning_tokens"] == 20);
  // No total: the sum.
  usage = gemini::to_openai_usage(json::parse(R"({"promptTokenCount":10,"thoughtsTokenCount":5})"));
  CHECK(usage["completion_tokens"] == 5);
  CHECK(usage["total_tokens"] == 15);
}

TEST_CASE("gemini: parse_chat_response rejects bodies that are not responses", "[gemini]") {
  Error e = error_of([] { gemini::parse_chat_response(response(200, "<html>"), context()); });
  CHECK(e.kind == ErrorKind::upstream);
  CHECK(e.message == "gemini returned HTTP 200 with a body that is not JSON: <html>");
  e = error_of([] { gemini::parse_chat_response(response(200, "{\"x\":1}"), context()); });
  CHECK(e.message ==
        "gemini returned HTTP 200 with a body that is not a GenerateContentResponse: "
        "{\"x\":1}");
  e = error_of([] {
    gemini::parse_chat_response(
        response(200, R"({"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}})"),
        context());
  });
  CHECK(e.message == "gemini: busy");
  CHECK(e.http_status == 503);
  CHECK(e.retryable);
}

// ---- errors -----------------------------------------------------------------------------

TEST_CASE("gemini: map_error 400 INVALID_ARGUMENT", "[gemini]") {
  const Error e = gemini::map_error(
      response(400, read_fixture("gemini/error_400_invalid_argument.json")), "gemini");
  CHECK(e.kind == ErrorKind::upstream);
  CHECK(e.http_status == 400);
  CHECK(e.type == "INVALID_ARGUMENT");
  CHECK(e.code == "INVALID_ARGUMENT");
  CHECK(e.param == "generation_config.temperature");
  CHECK(e.message ==
        "gemini: Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"");
  CHECK(e.provider == "gemini");
  CHECK_FALSE(e.retryable);
  CHECK(e.fix.empty());
}

TEST_CASE("gemini: map_error key problems name the fix", "[gemini]") {
  Error e = gemini::map_error(response(400, read_fixture("gemini/error_400_api_key_invalid.json")),
                              "gemini");
  CHECK(e.code == "API_KEY_INVALID");
  CHECK(e.type == "INVALID_ARGUMENT");
  CHECK(e.fix.find("`llmgw keys set gemini`") != std::string::npos);
  CHECK_FALSE(e.retryable);

  e = gemini::map_error(response(403, read_fixture("gemini/error_403_permission_denied.json")),
                        "gemini");
  CHECK(e.http_status == 403);
  CHECK(e.type == "PERMISSION_DENIED");
  CHECK(e.fix.find("`llmgw keys set gemini`") != std::string::npos);
  CHECK_FALSE(e.retryable);
}

TEST_CASE("gemini: map_error 404 NOT_FOUND", "[gemini]") {
  const Error e =
      gemini::map_error(response(404, read_fixture("gemini/error_404_not_found.json")), "gemini");
  CHECK(e.type == "NOT_FOUND");
  CHECK(e.message.rfind("gemini: models/gemini-9.9-ultra is not found", 0) == 0);
  CHECK_FALSE(e.retryable);
  CHECK(e.fix == "check the model name");
}

TEST_CASE("gemini: map_error 429 with RetryInfo is retryable after the delay", "[gemini]") {
  const Error e =
      gemini::map_error(response(429, read_fixture("gemini/error_429_retry.json")), "gemini");
  CHECK(e.http_status == 429);
  CHECK(e.type == "RESOURCE_EXHAUSTED");
  CHECK(e.message ==
        "gemini: You exceeded your current quota, please check your plan and billing details.");
  CHECK(e.retryable);
  REQUIRE(e.retry_after.has_value());
  CHECK(*e.retry_after == Approx(37.0));
}

TEST_CASE("gemini: map_error 429 per-day quota is not retryable", "[gemini]") {
  const Error e =
      gemini::map_error(response(429, read_fixture("gemini/error_429_per_day.json")), "gemini");
  CHECK_FALSE(e.retryable);
  REQUIRE(e.retry_after.has_value());
  CHECK(*e.retry_after == Approx(1.5));
  CHECK_FALSE(e.fix.empty());
}

TEST_CASE("gemini: map_error statuses and non-JSON bodies", "[gemini]") {
  for (int status : {408, 409, 500, 502, 503, 504}) {
    INFO(status);
    CHECK(gemini::map_error(response(status, "{}"), "gemini").retryable);
  }
  for (int status : {400, 401, 403, 404, 501}) {
    INFO(status);
    CHECK_FALSE(gemini::map_error(response(status, "{}"), "gemini").retryable);
  }
  Error e = gemini::map_error(response(502, read_fixture("gemini/error_502.html")), "gemini");
  CHECK(e.message ==
        "HTTP 502 from gemini: <html><head><title>502 Bad Gateway</title></head> <body>upstream "
        "connect error</body></html>");
  CHECK(e.retryable);
  CHECK(e.type == "INTERNAL");
  e = gemini::map_error(response(503, ""), "gemini");
  CHECK(e.message == "HTTP 503 from gemini (empty body)");
  CHECK(e.type == "UNAVAILABLE");
  CHECK_FALSE(e.retry_after.has_value());
}

TEST_CASE("gemini: parse_duration", "[gemini]") {
  CHECK(gemini::parse_duration("37s") == 37.0);
  CHECK(*gemini::parse_duration("1.5s") == Approx(1.5));
  CHECK(*gemini::parse_duration("0.250s") == Approx(0.25));
  CHECK(*gemini::parse_duration(json::parse(R"({"seconds":"3","nanos":500000000})")) ==
        Approx(3.5));
  CHECK(*gemini::parse_duration(json::parse(R"({"seconds":2})")) == Approx(2.0));
  CHECK_FALSE(gemini::parse_duration("37"));
  CHECK_FALSE(gemini::parse_duration("s"));
  CHECK_FALSE(gemini::parse_duration("-1s"));
  CHECK_FALSE(gemini::parse_duration("abcs"));
  CHECK_FALSE(gemini::parse_duration(37));
}

// ---- stream -----------------------------------------------------------------------------

TEST_CASE("gemini: text stream gives the same chunks at every split size", "[gemini]") {
  const std::string body = read_fixture("gemini/stream_text.sse");
  const Decoded whole = decode(body, body.size());
  for (std::size_t piece : {1, 7}) {
    INFO("piece size " << piece);
    const Decoded d = decode(body, piece);
    CHECK(d.chunks == whole.chunks);
  }
  CHECK(whole.done);
  // 4 delta chunks, 1 finish chunk, 1 usage chunk.
  REQUIRE(whole.chunks.size() == 6);
  CHECK(whole.chunks[0]["object"] == "chat.completion.chunk");
  CHECK(whole.chunks[0]["id"] == "tS77aIl-4ZvV7w_A9rTBBg");
  CHECK(whole.chunks[0]["created"] == k_created);
  CHECK(whole.chunks[0]["choices"][0]["delta"] ==
        json{{"role", "assistant"}, {"content", "The sky looks blue "}});
  CHECK(whole.chunks[1]["choices"][0]["delta"] == json{{"content", "because air scatters short "}});
  CHECK(whole.chunks[4]["choices"][0]["finish_reason"] == "stop");
  CHECK(whole.chunks[5]["choices"].empty());
  REQUIRE(whole.usage.has_value());
  CHECK((*whole.usage)["completion_tokens"] == 19);  // the last, not the sum
  CHECK(whole.chunks[5]["usage"] == *whole.usage);
}

TEST_CASE("gemini: streamed and non-streamed text answers fold to the same", "[gemini]") {
  const json streamed =
      StreamAccumulator::fold(decode(read_fixture("gemini/stream_text.sse"), 7).chunks);
  const json direct = gemini::parse_chat_response(
      response(200, read_fixture("gemini/response_text.json")), context());
  CHECK(streamed["id"] == direct["id"]);
  CHECK(streamed["model"] == direct["model"]);
  CHECK(streamed["choices"][0]["message"]["content"] == direct["choices"][0]["message"]["content"]);
  CHECK(streamed["choices"][0]["finish_reason"] == direct["choices"][0]["finish_reason"]);
  CHECK(streamed["usage"] == direct["usage"]);
}

TEST_CASE("gemini: function-call stream with CRLF framing", "[gemini]") {
  const std::string body = read_fixture("gemini/stream_function_call.sse");
  REQUIRE(body.find("\r\n\r\n") != std::string::npos);
  const Decoded whole = decode(body, body.size());
  for (std::size_t piece : {1, 7}) {
    INFO("piece size " << piece);
    CHECK(decode(body, piece).chunks == whole.chunks);
  }
  CHECK(whole.done);
  // The thought-only first event yields nothing; then two call chunks, finish, usage.
  REQUIRE(whole.chunks.size() == 4);
  CHECK(whole.chunks[0]["choices"][0]["delta"] == json::parse(R"({"role":"assistant",
    "tool_calls":[{"index":0,"id":"call_0","type":"function","function":{"name":"get_weather",
    "arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"},
    "extra_content":{"google":{"thought_signature":"CiQB0e2Kb1s="}}}]})"));
  CHECK(whole.chunks[1]["choices"][0]["delta"]["tool_calls"][0]["index"] == 1);
  CHECK(whole.chunks[1]["choices"][0]["delta"]["tool_calls"][0]["id"] == "call_1");
  CHECK(whole.chunks[2]["choices"][0]["finish_reason"] == "tool_calls");

  const json streamed = StreamAccumulator::fold(whole.chunks);
  json direct = gemini::parse_chat_response(
      response(200, read_fixture("gemini/response_function_calls.json")), context());
  // StreamAccumulator keeps only id/type/function of a tool call, so the thought signature
  // survives a fold only in the chunks themselves (checked above).
  for (auto& call : direct["choices"][0]["message"]["tool_calls"])
    call.erase("extra_content");
  CHECK(streamed["choices"][0]["message"]["content"] == direct["choices"][0]["message"]["content"]);
  CHECK(streamed["choices"][0]["message"]["tool_calls"] ==
        direct["choices"][0]["message"]["tool_calls"]);
  CHECK(streamed["choices"][0]["finish_reason"] == "tool_calls");
  CHECK(streamed["usage"] == direct["usage"]);
}

TEST_CASE("gemini: mid-stream error event throws the provider's message", "[gemini]") {
  const std::string body = read_fixture("gemini/stream_error.sse");
  SseParser parser;
  gemini::StreamDecoder decoder(context());
  std::string content;
  const auto on_event = [&](const SseEvent& event) {
    for (const auto& chunk : decoder.on_event(event))
      content += chunk["choices"][0]["delta"].value("content", "");
  };
  const Error e = error_of([&] {
    parser.feed(body, on_event);
    parser.finish(on_event);
  });
  CHECK(e.kind == ErrorKind::upstream);
  CHECK(e.message == "gemini: The model is overloaded. Please try again later.");
  CHECK(e.http_status == 503);
  CHECK(e.type == "UNAVAILABLE");
  CHECK(e.provider == "gemini");
  CHECK(content == "Partial answer");
  CHECK_FALSE(decoder.done());
}

TEST_CASE("gemini: stream edge cases", "[gemini]") {
  SECTION("no candidate ever: finish gives nothing and not done") {
    gemini::StreamDecoder decoder(context());
    CHECK(decoder.on_event(SseEvent{"", "", ""}).empty());
    CHECK(decoder
              .on_event(SseEvent{
                  "", R"({"usageMetadata":{"promptTokenCount":3,"totalTokenCount":3}})", ""})
              .empty());
    CHECK(decoder.finish().empty());
    CHECK_FALSE(decoder.done());
  }
  SECTION("cut off before finishReason: usage chunk but not done") {
    gemini::StreamDecoder decoder(context());
    CHECK(decoder
              .on_event(SseEvent{"", R"({"candidates":[{"content":{"parts":[{"text":"x"}]}}],
                "usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1}})",
                                 ""})
              .size() == 1);
    const auto tail = decoder.finish();
    REQUIRE(tail.size() == 1);
    CHECK(tail[0]["usage"]["total_tokens"] == 4);
    CHECK(tail[0]["id"] == "chatcmpl-gemini-1760000000");
    CHECK(tail[0]["model"] == "gemini-2.5-flash");
    CHECK_FALSE(decoder.done());
    CHECK(decoder.finish().empty());
  }
  SECTION("prompt blocked in the first chunk") {
    gemini::StreamDecoder decoder(context());
    const auto chunks = decoder.on_event(SseEvent{
        "", R"({"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":4}})",
        ""});
    REQUIRE(chunks.size() == 2);
    CHECK(chunks[1]["choices"][0]["finish_reason"] == "content_filter");
    CHECK(decoder.finish().size() == 1);
    CHECK(decoder.done());
  }
  SECTION("SAFETY finish with no content still opens the choice") {
    gemini::StreamDecoder decoder(context());
    const auto chunks = decoder.on_event(
        SseEvent{"", R"({"candidates":[{"finishReason":"SAFETY","index":0}]})", ""});
    REQUIRE(chunks.size() == 2);
    CHECK(chunks[0]["choices"][0]["delta"] == json{{"role", "assistant"}});
    CHECK(chunks[1]["choices"][0]["finish_reason"] == "content_filter");
  }
  SECTION("a payload that is not JSON breaks the stream") {
    gemini::StreamDecoder decoder(context());
    const Error e = error_of([&] { decoder.on_event(SseEvent{"", "{\"candid", ""}); });
    CHECK(e.kind == ErrorKind::stream_broken);
  }
}

// ---- malformed data ----------------------------------------------------------------------

TEST_CASE("gemini: a tool result object with an output or error member is wrapped", "[gemini]") {
  const auto response_for = [](const std::string& result) {
    json request = json::parse(R"({"messages":[
      {"role":"user","content":"hi"},
      {"role":"assistant","tool_calls":[
        {"id":"a","type":"function","function":{"name":"f","arguments":"{}"}}]}]})");
    request["messages"].push_back({{"role", "tool"}, {"tool_call_id", "a"}, {"content", result}});
    return gemini::to_gemini_request(
        request)["contents"][2]["parts"][0]["functionResponse"]["response"];
  };
  // Sent as-is, Gemini would read only "output" (or "error") and lose "size".
  CHECK(response_for(R"({"output":"a.txt","size":3})") ==
        json::parse(R"({"output":{"output":"a.txt","size":3}})"));
  CHECK(response_for(R"({"error":"not found"})") ==
        json::parse(R"({"output":{"error":"not found"}})"));
  // Neither key: the whole object is the output, sent as-is; other values are wrapped.
  CHECK(response_for(R"({"files":["a.txt"]})") == json::parse(R"({"files":["a.txt"]})"));
  CHECK(response_for("[1,2]") == json::parse(R"({"output":[1,2]})"));
  CHECK(response_for("plain text") == json::parse(R"({"output":"plain text"})"));
}

TEST_CASE("gemini: request fields of the wrong type are request errors naming the field",
          "[gemini]") {
  // Reproducers fuzz_validation-gemini-*: these passed validation and then threw a
  // nlohmann type_error from value().
  const auto param_of = [](const char* text) {
    const Error e = error_of([&] { gemini::to_gemini_request(json::parse(text)); });
    CHECK(e.kind == ErrorKind::invalid_request);
    CHECK(e.provider == "gemini");
    return e.param;
  };
  CHECK(param_of(R"({"messages":[{"role":"user","content":[
          {"type":"input_audio","input_audio":{"format":5,"data":"x"}}]}]})") ==
        "messages[0].content[0].input_audio.format");
  CHECK(param_of(R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":5}})") ==
        "response_format.type");
  CHECK(param_of(R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":5}]})") ==
        "tools[0].type");
  CHECK(param_of(R"({"messages":[{"role":5,"content":"x"}]})") == "messages[0].role");
  CHECK(param_of(R"({"messages":[{"role":"user","content":[{"type":5}]}]})") ==
        "messages[0].content[0].type");
  // A null type is the default (function); a null audio format is the default (wav).
  const json body = gemini::to_gemini_request(json::parse(R"({"messages":[{"role":"user",
      "content":[{"type":"input_audio","input_audio":{"format":null,"data":"x"}}]}],
      "tools":[{"type":null,"function":{"name":"f"}}]})"));
  CHECK(body["contents"][0]["parts"][0]["inlineData"]["mimeType"] == "audio/wav");
  CHECK(body["tools"][0]["functionDeclarations"][0]["name"] == "f");
}

TEST_CASE("gemini: upstream fields of the wrong type read as absent, never throw", "[gemini]") {
  SECTION(
      "a functionCall name that is not a string (fuzz_stream_gemini-function-name-not-string)") {
    gemini::StreamDecoder decoder(context());
    const auto chunks = decoder.on_event(SseEvent{
        "", R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":5}}]}}]})", ""});
    REQUIRE(chunks.size() == 1);
    const json& call = chunks[0]["choices"][0]["delta"]["tool_calls"][0];
    CHECK(call["function"]["name"] == "");
    CHECK(call["function"]["arguments"] == "{}");
  }
  SECTION("thought that is not a boolean does not hide the text") {
    const json out =
        gemini::parse_chat_response(response(200, R"({"candidates":[{"content":{"parts":[
          {"text":"a","thought":"yes"},{"text":"b","thought":true}]}}]})"),
                                    context());
    CHECK(out["choices"][0]["message"]["content"] == "a");
  }
  SECTION("quotaId, reason and field that are not strings (fuzz_response-gemini-quota-id-...)") {
    const Error e =
        gemini::map_error(response(429, R"({"error":{"code":429,"message":"m","details":[
          {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaId":5}]},
          {"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":7},
          {"@type":"type.googleapis.com/google.rpc.BadRequest",
           "fieldViolations":[{"field":["x"]}]}]}})"),
                          "gemini");
    CHECK(e.kind == ErrorKind::upstream);
    CHECK(e.http_status == 429);
    CHECK(e.retryable);  // not known to be a per-day quota
    CHECK(e.code == "RESOURCE_EXHAUSTED");
    CHECK(e.param.empty());
  }
}

TEST_CASE("gemini: token counts are non-negative integers, clamped, summed without overflow",
          "[gemini]") {
  constexpr std::int64_t k_max = 1'000'000'000'000'000;
  // fuzz_stream_gemini-usage-count-float-overflow: get<long>() on 1e300 was undefined.
  json usage = gemini::to_openai_usage(json::parse(
      R"({"promptTokenCount":1e300,"candidatesTokenCount":2,"thoughtsTokenCount":-4,
          "cachedContentTokenCount":"3"})"));
  CHECK(usage["prompt_tokens"] == 0);
  CHECK(usage["completion_tokens"] == 2);
  CHECK(usage["total_tokens"] == 2);
  CHECK(usage["prompt_tokens_details"]["cached_tokens"] == 0);
  CHECK(usage["completion_tokens_details"]["reasoning_tokens"] == 0);
  // fuzz_stream_gemini-usage-sum-overflow: INT64_MAX + 1 overflowed.
  usage = gemini::to_openai_usage(json::parse(
      R"({"promptTokenCount":9223372036854775807,"candidatesTokenCount":1,
          "thoughtsTokenCount":18446744073709551615})"));
  CHECK(usage["prompt_tokens"] == k_max);
  CHECK(usage["completion_tokens"] == k_max);
  CHECK(usage["total_tokens"] == k_max);
  // A total that is not a count is no total: the sum stands in.
  usage = gemini::to_openai_usage(
      json::parse(R"({"promptTokenCount":10,"candidatesTokenCount":5,"totalTokenCount":2.5})"));
  CHECK(usage["total_tokens"] == 15);

  gemini::StreamDecoder decoder(context());
  decoder.on_event(SseEvent{"", R"({"candidates":[{"content":{"parts":[{"text":"x"}]}}],
      "usageMetadata":{"promptTokenCount":9223372036854775807,"candidatesTokenCount":1}})",
                            ""});
  const auto tail = decoder.finish();
  REQUIRE(tail.size() == 1);
  CHECK(tail[0]["usage"]["total_tokens"] == k_max);
}
