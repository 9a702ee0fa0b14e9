#include <catch2/catch.hpp>

#include "core/http/sse_parser.hpp"
#include "core/providers/openai_adapter.hpp"
#include "core/stream_accumulator.hpp"
#include "support/fixtures.hpp"

using namespace llmgw;
using llmgw::test::read_fixture;
using nlohmann::json;

namespace {

// Runs an SSE fixture through SseParser and the OpenAI decoder into an accumulator.
// stop_after: feed at most this many chunks (a cut-off stream).
StreamAccumulator accumulate(const std::string& fixture,
                             std::size_t stop_after = static_cast<std::size_t>(-1)) {
  SseParser parser;
  openai::StreamDecoder decoder("openai");
  StreamAccumulator acc;
  std::size_t seen = 0;
  const auto on_event = [&](const SseEvent& event) {
    if (auto chunk = decoder.on_event(event); chunk && seen++ < stop_after)
      acc.add(*chunk);
  };
  parser.feed(read_fixture(fixture), on_event);
  parser.finish(on_event);
  return acc;
}

json chunk(json delta, json finish_reason = nullptr, int index = 0) {
  return {{"id", "c1"},
          {"object", "chat.completion.chunk"},
          {"created", 5},
          {"model", "m"},
          {"choices", json::array({{{"index", index},
                                    {"delta", std::move(delta)},
                                    {"logprobs", nullptr},
                                    {"finish_reason", std::move(finish_reason)}}})}};
}

}  // namespace

TEST_CASE("accumulating the text stream gives the non-stream shape", "[accumulator]") {
  const StreamAccumulator acc = accumulate("openai/stream_text.sse");
  CHECK_FALSE(acc.empty());
  CHECK(acc.response() == json::parse(read_fixture("openai/stream_text.expected.json")));
}

TEST_CASE("accumulating parallel tool calls joins arguments by index", "[accumulator]") {
  const StreamAccumulator acc = accumulate("openai/stream_tool_calls.sse");
  const json r = acc.response();
  CHECK(r == json::parse(read_fixture("openai/stream_tool_calls.expected.json")));
  const auto& calls = r["choices"][0]["message"]["tool_calls"];
  REQUIRE(calls.size() == 2);
  CHECK(json::parse(calls[0]["function"]["arguments"].get<std::string>()) ==
        json{{"city", "Edinburgh"}, {"country", "UK"}});
  CHECK(json::parse(calls[1]["function"]["arguments"].get<std::string>()) ==
        json{{"ticker", "AAPL"}, {"exchange", "NASDAQ"}});
}

TEST_CASE("accumulating an Azure stream ignores the placeholder first chunk", "[accumulator]") {
  const StreamAccumulator acc = accumulate("openai/stream_azure.sse");
  CHECK(acc.response() == json::parse(read_fixture("openai/stream_azure.expected.json")));
}

TEST_CASE("a cut-off stream gives a partial answer", "[accumulator]") {
  // Role chunk and two content chunks only: no finish_reason, no usage.
  const json r = accumulate("openai/stream_text.sse", 3).response();
  CHECK(r["id"] == "chatcmpl-ABfw1e5abc");
  CHECK(r["choices"][0]["message"]["content"] == "The sky");
  CHECK(r["choices"][0]["finish_reason"].is_null());
  CHECK_FALSE(r.contains("usage"));

  // Cut inside a tool call's arguments.
  const json t = accumulate("openai/stream_tool_calls.sse", 3).response();
  const auto& calls = t["choices"][0]["message"]["tool_calls"];
  REQUIRE(calls.size() == 1);
  CHECK(calls[0]["function"]["arguments"] == "{\"city\": \"Ed");
  CHECK(t["choices"][0]["message"]["content"].is_null());
}

TEST_CASE("an empty accumulator still gives a valid response", "[accumulator]") {
  StreamAccumulator acc;
  CHECK(acc.empty());
  const json r = acc.response();
  CHECK(r["object"] == "chat.completion");
  REQUIRE(r["choices"].size() == 1);
  CHECK(r["choices"][0]["message"]["content"] == "");
  CHECK(r["choices"][0]["message"]["role"] == "assistant");
  CHECK(r["choices"][0]["finish_reason"].is_null());
  CHECK_FALSE(r.contains("usage"));
}

TEST_CASE("refusal deltas are joined; refusal stays null otherwise", "[accumulator]") {
  StreamAccumulator acc;
  acc.add(chunk({{"role", "assistant"}, {"content", nullptr}, {"refusal", ""}}));
  acc.add(chunk({{"refusal", "I can't "}}));
  acc.add(chunk({{"refusal", "help with that."}}));
  acc.add(chunk(json::object(), "stop"));
  const json message = acc.response()["choices"][0]["message"];
  CHECK(message["refusal"] == "I can't help with that.");
  CHECK(message["content"] == "");
}

TEST_CASE("several choices are kept apart and ordered by index", "[accumulator]") {
  StreamAccumulator acc;
  acc.add(chunk({{"role", "assistant"}, {"content", ""}}, nullptr, 1));
  acc.add(chunk({{"role", "assistant"}, {"content", ""}}, nullptr, 0));
  acc.add(chunk({{"content", "B"}}, nullptr, 1));
  acc.add(chunk({{"content", "A"}}, nullptr, 0));
  acc.add(chunk(json::object(), "length", 1));
  acc.add(chunk(json::object(), "stop", 0));
  const json r = acc.response();
  REQUIRE(r["choices"].size() == 2);
  CHECK(r["choices"][0]["index"] == 0);
  CHECK(r["choices"][0]["message"]["content"] == "A");
  CHECK(r["choices"][0]["finish_reason"] == "stop");
  CHECK(r["choices"][1]["message"]["content"] == "B");
  CHECK(r["choices"][1]["finish_reason"] == "length");
}

TEST_CASE("tool-call fragments without index continue the call with the same id", "[accumulator]") {
  StreamAccumulator acc;
  acc.add(chunk({{"tool_calls", json::parse(R"([{"id":"a","type":"function",
      "function":{"name":"f","arguments":"{\"x\":"}}])")}}));
  acc.add(chunk({{"tool_calls", json::parse(R"([{"function":{"arguments":"1}"}}])")}}));
  acc.add(chunk({{"tool_calls", json::parse(R"([{"id":"b","type":"function",
      "function":{"name":"g","arguments":"{}"}}])")}}));
  acc.add(chunk(json::object(), "tool_calls"));
  const auto calls = acc.response()["choices"][0]["message"]["tool_calls"];
  REQUIRE(calls.size() == 2);
  CHECK(calls[0] == json{{"id", "a"},
                         {"type", "function"},
                         {"function", {{"name", "f"}, {"arguments", "{\"x\":1}"}}}});
  CHECK(calls[1]["id"] == "b");
  CHECK(calls[1]["function"]["arguments"] == "{}");
}

TEST_CASE("reasoning_content deltas are joined like content", "[accumulator]") {
  StreamAccumulator acc;
  acc.add(chunk({{"role", "assistant"}, {"reasoning_content", "Let me "}}));
  acc.add(chunk({{"reasoning_content", "think."}}));
  acc.add(chunk({{"content", "42"}}));
  const json message = acc.response()["choices"][0]["message"];
  CHECK(message["reasoning_content"] == "Let me think.");
  CHECK(message["content"] == "42");
}

TEST_CASE("the usage chunk is kept whole, cache-write extension fields included", "[accumulator]") {
  StreamAccumulator acc;
  acc.add(chunk({{"role", "assistant"}, {"content", "hi"}}));
  acc.add(chunk(json::object(), "stop"));
  json usage_chunk = chunk(json::object());
  usage_chunk["choices"] = json::array();
  usage_chunk["usage"] = {{"prompt_tokens", 3305},
                          {"completion_tokens", 131},
                          {"total_tokens", 3436},
                          {"prompt_tokens_details",
                           {{"cached_tokens", 2048},
                            {"cache_write_tokens", 1200},
                            {"cache_write_5m_tokens", 200},
                            {"cache_write_1h_tokens", 1000}}}};
  acc.add(usage_chunk);
  CHECK(acc.response()["usage"] == usage_chunk["usage"]);
}
