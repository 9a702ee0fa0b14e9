#include "core/providers/ollama_adapter.hpp"

#include <catch2/catch.hpp>

#include "core/http/ndjson_parser.hpp"
#include "core/stream_accumulator.hpp"
#include "support/expect_error.hpp"
#include "support/fixtures.hpp"

using namespace llmgw;
using nlohmann::json;
using test::error_of;
using test::read_fixture;

namespace {

const ResponseContext k_context{"ollama", "llama3.2", 1700000000};

// Feeds a transcript in pieces of `step` bytes and returns every chunk produced.
std::vector<json> decode(const std::string& transcript, std::size_t step, bool* done = nullptr) {
  NdjsonParser parser;
  ollama::StreamDecoder decoder(k_context);
  std::vector<json> chunks;
  const auto on_line = [&](std::string_view line) {
    for (auto& chunk : decoder.on_line(line))
      chunks.push_back(std::move(chunk));
  };
  for (std::size_t at = 0; at < transcript.size(); at += step) {
    parser.feed(std::string_view(transcript).substr(at, step), on_line);
  }
  parser.finish(on_line);
  if (done != nullptr)
    *done = decoder.done();
  return chunks;
}

}  // namespace

TEST_CASE("ndjson framing gives the same lines at every split point", "[ollama]") {
  const std::string text = "{\"a\":1}\r\n\n{\"b\":2}\n  \n{\"c\":3}";
  std::vector<std::string> reference;
  NdjsonParser whole;
  whole.feed(text, [&](std::string_view line) { reference.emplace_back(line); });
  whole.finish([&](std::string_view line) { reference.emplace_back(line); });
  REQUIRE(reference == std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"});
  for (std::size_t split = 0; split <= text.size(); ++split) {
    NdjsonParser parser;
    std::vector<std::string> lines;
    const auto keep = [&](std::string_view line) { lines.emplace_back(line); };
    parser.feed(std::string_view(text).substr(0, split), keep);
    parser.feed(std::string_view(text).substr(split), keep);
    parser.finish(keep);
    CHECK(lines == reference);
  }
}

TEST_CASE("an OpenAI request becomes the documented Ollama request", "[ollama]") {
  const json request = json::parse(read_fixture("ollama/request_openai.json"));
  const json expected = json::parse(read_fixture("ollama/request_ollama.expected.json"));
  CHECK(ollama::to_ollama_request(request, "llama3.2", true) == expected);
  const auto dropped = ollama::dropped_fields(request);
  CHECK(dropped == std::vector<std::string>{"n", "tool_choice", "user"});

  const Endpoint endpoint{"ollama", "http://127.0.0.1:11434", "", AuthStyle::none, Timeouts{}};
  const HttpRequest http = ollama::build_chat_request(request, "llama3.2", endpoint, false);
  CHECK(http.url == "http://127.0.0.1:11434/api/chat");
  CHECK(json::parse(http.body)["stream"] == false);  // always explicit: Ollama streams by default
  for (const auto& [name, value] : http.headers)
    CHECK(name != "Authorization");
}

TEST_CASE("what Ollama cannot take is a precise request error", "[ollama]") {
  json request = {
      {"messages",
       {{{"role", "user"},
         {"content", {{{"type", "image_url"}, {"image_url", {{"url", "https://x/cat.png"}}}}}}}}}};
  auto e = error_of([&] { ollama::to_ollama_request(request, "m", false); });
  CHECK(e.kind == ErrorKind::invalid_request);
  CHECK(e.param == "messages[0].content[0].image_url.url");

  request = {{"messages", {{{"role", "tool"}, {"tool_call_id", "nope"}, {"content", "x"}}}}};
  e = error_of([&] { ollama::to_ollama_request(request, "m", false); });
  CHECK(e.param == "messages[0].tool_call_id");

  request = {
      {"messages",
       {{{"role", "assistant"},
         {"content", nullptr},
         {"tool_calls", {{{"id", "c"}, {"function", {{"name", "f"}, {"arguments", "[1,2"}}}}}}}}}};
  e = error_of([&] { ollama::to_ollama_request(request, "m", false); });
  CHECK(e.param == "messages[0].tool_calls[0].function.arguments");
}

TEST_CASE("a whole Ollama answer becomes a chat.completion with exact usage", "[ollama]") {
  const HttpResponse reply{200, {}, read_fixture("ollama/response_text.json")};
  const json response = ollama::parse_chat_response(reply, k_context);
  CHECK(response["object"] == "chat.completion");
  CHECK(response["created"] == k_context.created);
  CHECK(response["choices"][0]["message"]["content"] == "The sky is blue.");
  CHECK(response["choices"][0]["finish_reason"] == "stop");
  CHECK(response["usage"] ==
        json{{"prompt_tokens", 26}, {"completion_tokens", 4}, {"total_tokens", 30}});
}

TEST_CASE("a missing prompt_eval_count leaves usage unknown, never zero", "[ollama]") {
  const HttpResponse reply{200, {}, read_fixture("ollama/response_length_no_prompt_count.json")};
  const json response = ollama::parse_chat_response(reply, k_context);
  CHECK(response["choices"][0]["finish_reason"] == "length");
  CHECK_FALSE(response.contains("usage"));
}

TEST_CASE("the NDJSON stream decodes the same at any split and matches the whole answer",
          "[ollama]") {
  const std::string transcript = read_fixture("ollama/stream_text.ndjson");
  bool done = false;
  const auto reference = decode(transcript, transcript.size(), &done);
  CHECK(done);
  for (std::size_t step : {1, 7, 64})
    CHECK(decode(transcript, step) == reference);
  REQUIRE(reference.size() == 6);  // role, 3 content, finish, usage
  CHECK(reference.front()["choices"][0]["delta"]["role"] == "assistant");
  CHECK(reference.back()["choices"].empty());

  const json streamed = StreamAccumulator::fold(reference);
  const json whole =
      ollama::parse_chat_response({200, {}, read_fixture("ollama/response_text.json")}, k_context);
  CHECK(streamed["choices"][0]["message"]["content"] == whole["choices"][0]["message"]["content"]);
  CHECK(streamed["choices"][0]["finish_reason"] == whole["choices"][0]["finish_reason"]);
  CHECK(streamed["usage"] == whole["usage"]);
}

TEST_CASE("tool calls arrive whole with stable indices and ids, finishing as tool_calls",
          "[ollama]") {
  const json folded =
      StreamAccumulator::fold(decode(read_fixture("ollama/stream_tools.ndjson"), 5));
  const json& message = folded["choices"][0]["message"];
  REQUIRE(message["tool_calls"].size() == 2);
  CHECK(message["tool_calls"][0]["id"] == "call_0");
  CHECK(message["tool_calls"][0]["function"]["name"] == "get_weather");
  CHECK(json::parse(message["tool_calls"][0]["function"]["arguments"].get<std::string>()) ==
        json{{"city", "Tokyo"}});
  CHECK(message["tool_calls"][1]["id"] == "call_x1");
  CHECK(folded["choices"][0]["finish_reason"] == "tool_calls");
  CHECK(folded["usage"]["prompt_tokens"] == 169);
}

TEST_CASE("an error line mid-stream throws with Ollama's message after the text so far",
          "[ollama]") {
  NdjsonParser parser;
  ollama::StreamDecoder decoder(k_context);
  std::vector<json> chunks;
  const auto e = error_of([&] {
    parser.feed(read_fixture("ollama/stream_error.ndjson"), [&](std::string_view line) {
      for (auto& chunk : decoder.on_line(line))
        chunks.push_back(chunk);
    });
  });
  CHECK(chunks.size() == 2);
  CHECK(e.kind == ErrorKind::upstream);
  CHECK(e.message.find("unexpected EOF") != std::string::npos);
  CHECK(error_of([&] { decoder.on_line("not json"); }).kind == ErrorKind::stream_broken);
}

TEST_CASE("Ollama errors keep the status and say what to do", "[ollama]") {
  const HttpResponse missing{
      404, {}, R"({"error":"model 'llama9' not found, try pulling it first"})"};
  const Error e = ollama::map_error(missing, "ollama");
  CHECK(e.http_status == 404);
  CHECK(e.message.find("model 'llama9' not found") != std::string::npos);
  CHECK(e.fix.find("ollama pull") != std::string::npos);
  CHECK_FALSE(e.retryable);
  const HttpResponse busy{
      503, {}, R"({"error":"server busy, please try again.  maximum pending requests exceeded"})"};
  CHECK(ollama::map_error(busy, "ollama").retryable);
}

TEST_CASE("ollama: empty, whitespace and null tool call arguments mean {}", "[ollama]") {
  json request = {{"messages",
                   {{{"role", "user"}, {"content", "What time is it?"}},
                    {{"role", "assistant"},
                     {"content", nullptr},
                     {"tool_calls",
                      {{{"id", "a"}, {"function", {{"name", "t"}, {"arguments", ""}}}},
                       {{"id", "b"}, {"function", {{"name", "t"}, {"arguments", " \n "}}}},
                       {{"id", "c"}, {"function", {{"name", "t"}, {"arguments", nullptr}}}},
                       {{"id", "d"}, {"function", {{"name", "t"}}}},
                       {{"id", "e"}, {"function", {{"name", "t"}, {"arguments", R"({"x":1})"}}}}}}},
                    {{"role", "tool"}, {"tool_call_id", "a"}, {"content", "14:00"}}}}};
  const json out = ollama::to_ollama_request(request, "m", false);
  const json& calls = out["messages"][1]["tool_calls"];
  REQUIRE(calls.size() == 5);
  for (std::size_t i = 0; i < 4; ++i)
    CHECK(calls[i]["function"]["arguments"] == json::object());
  CHECK(calls[4]["function"]["arguments"] == json{{"x", 1}});
  CHECK(out["messages"][2]["tool_name"] == "t");

  // Arguments that are there but not an object are still refused.
  request["messages"][1]["tool_calls"][0]["function"]["arguments"] = 5;
  const Error e = error_of([&] { ollama::to_ollama_request(request, "m", false); });
  CHECK(e.kind == ErrorKind::invalid_request);
  CHECK(e.param == "messages[1].tool_calls[0].function.arguments");
}

TEST_CASE("ollama: request fields of the wrong type are request errors naming the field",
          "[ollama]") {
  // Reproducer fuzz_validation-ollama-image-url-not-string: passed validation, then threw a
  // nlohmann type_error from value().
  const auto param_of = [](const char* text) {
    const Error e = error_of([&] { ollama::to_ollama_request(json::parse(text), "m", false); });
    CHECK(e.kind == ErrorKind::invalid_request);
    CHECK(e.provider == "ollama");
    return e.param;
  };
  CHECK(param_of(R"({"messages":[{"role":"user","content":[
          {"type":"image_url","image_url":{"url":5}}]}]})") ==
        "messages[0].content[0].image_url.url");
  CHECK(param_of(R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":5}})") ==
        "response_format.type");
  CHECK(param_of(R"({"messages":[{"role":"assistant","content":null,
          "tool_calls":[{"id":7,"function":{"name":"f","arguments":"{}"}}]}]})") ==
        "messages[0].tool_calls[0].id");
  CHECK(param_of(R"({"messages":[{"role":"user","content":[{"type":"text","text":5}]}]})") ==
        "messages[0].content[0].text");
  CHECK(param_of(R"({"messages":[{"role":"user","content":5}]})") == "messages[0].content");
  CHECK(param_of(R"({"messages":{}})") == "messages");
  // A json_schema without an object still maps (to an empty schema), without throwing.
  const json out =
      ollama::to_ollama_request(json::parse(R"({"messages":[{"role":"user","content":"x"}],
                      "response_format":{"type":"json_schema","json_schema":"oops"}})"),
                                "m", false);
  CHECK(out["format"] == json::object());
}

TEST_CASE("ollama: a whole answer without a message object is an upstream error", "[ollama]") {
  // Reproducer fuzz_response-ollama-model-not-string.
  for (const char* body : {R"({"model":1})", R"({"message":"x","done":true})", "{}"}) {
    const Error e = error_of([&] { ollama::parse_chat_response({200, {}, body}, k_context); });
    CHECK(e.kind == ErrorKind::upstream);
    CHECK(e.provider == "ollama");
    CHECK(e.message.find("is not an Ollama chat response") != std::string::npos);
  }
}

TEST_CASE("ollama: upstream fields of the wrong type read as absent, never throw", "[ollama]") {
  const json whole = ollama::parse_chat_response(
      {200,
       {},
       R"({"model":1,"message":{"content":5,"tool_calls":{"x":1}},"done_reason":3,"done":"yes"})"},
      k_context);
  CHECK(whole["model"] == "llama3.2");
  CHECK(whole["choices"][0]["message"]["content"] == "");
  CHECK_FALSE(whole["choices"][0]["message"].contains("tool_calls"));
  CHECK(whole["choices"][0]["finish_reason"] == "stop");

  const json calls = ollama::parse_chat_response(
      {200,
       {},
       R"({"message":{"tool_calls":[{"id":3,"function":{"name":[],"arguments":null}}, 5]}})"},
      k_context);
  const json& tool_calls = calls["choices"][0]["message"]["tool_calls"];
  REQUIRE(tool_calls.size() == 2);
  CHECK(tool_calls[0]["id"] == "call_0");
  CHECK(tool_calls[0]["function"]["name"] == "");
  CHECK(tool_calls[0]["function"]["arguments"] == "{}");

  // Stream reproducers fuzz_stream_ollama-message-not-object and -content-not-string.
  ollama::StreamDecoder decoder(k_context);
  CHECK(decoder.on_line(R"({"message":"x"})").empty());
  CHECK(decoder.on_line(R"({"message":{"content":5}})").empty());
  CHECK(decoder.on_line(R"({"message":{"content":"hi"},"done":1})").size() == 2);
  CHECK_FALSE(decoder.done());
  const auto last = decoder.on_line(R"({"done":true,"done_reason":7})");
  REQUIRE(last.size() == 1);
  CHECK(last[0]["choices"][0]["finish_reason"] == "stop");
  CHECK(decoder.done());
}

TEST_CASE("ollama: token counts are non-negative integers, clamped, summed without overflow",
          "[ollama]") {
  // Reproducer fuzz_stream_ollama-usage-sum-overflow: INT64_MAX + 1 overflowed.
  ollama::StreamDecoder decoder(k_context);
  const auto chunks = decoder.on_line(
      R"({"message":{"content":"x"},"done":true,"prompt_eval_count":9223372036854775807,"eval_count":1})");
  CHECK(chunks.back()["usage"]["total_tokens"] == 1'000'000'000'000'000);
  REQUIRE(decoder.usage().has_value());
  CHECK(*decoder.usage() == json{{"prompt_tokens", 1'000'000'000'000'000},
                                 {"completion_tokens", 1},
                                 {"total_tokens", 1'000'000'000'000'000}});
  // A negative or fractional count is no count: usage stays unknown.
  for (const char* body : {R"({"message":{},"prompt_eval_count":-1,"eval_count":1})",
                           R"({"message":{},"prompt_eval_count":2,"eval_count":1.5})"}) {
    CHECK_FALSE(ollama::parse_chat_response({200, {}, body}, k_context).contains("usage"));
  }
}
