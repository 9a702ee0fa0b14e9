// The Anthropic front end's StreamEncoder: canonical chunks → Anthropic stream events.
// Every event sequence is read back by fold_events, which checks the protocol's rules as a
// client relies on them (message_start first, blocks started, delta'd and stopped in
// order, each once, message_delta then message_stop last) while it rebuilds the message.
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/frontends/anthropic_messages.hpp"
#include "core/http/sse_parser.hpp"
#include "core/providers/anthropic_adapter.hpp"
#include "core/stream_accumulator.hpp"
#include "core/stream_replay.hpp"
#include "support/fixtures.hpp"

using namespace llmgw;
using nlohmann::json;
using Events = std::vector<anthropic_front::SseEvent>;

namespace {

const std::string k_model = "claude-sonnet-4-5";

Events encode(const std::vector<json>& chunks, const std::string& model = k_model) {
  anthropic_front::StreamEncoder encoder(model);
  Events out;
  for (const auto& chunk : chunks) {
    for (auto& event : encoder.add(chunk))
      out.push_back(std::move(event));
  }
  for (auto& event : encoder.finish())
    out.push_back(std::move(event));
  return out;
}

json as_json(const Events& events) {
  json out = json::array();
  for (const auto& event : events)
    out.push_back({{"event", event.event}, {"data", event.data}});
  return out;
}

// Rebuilds the message from its events, as an SDK does (usage: each non-null field of a
// message_delta overwrites), failing the test on any breach of the event order. Thinking
// blocks are kept as {type: thinking}; tool input is parsed at its block's stop.
json fold_events(const Events& events) {
  REQUIRE_FALSE(events.empty());
  REQUIRE(events.front().event == "message_start");
  json message = events.front().data["message"];
  CHECK(message["content"] == json::array());
  std::map<int, std::string> partial_json;
  std::vector<bool> stopped;
  bool delta_seen = false;
  for (std::size_t i = 1; i < events.size(); ++i) {
    const auto& [name, data] = events[i];
    INFO("event " << i << ": " << name << " " << data.dump());
    CHECK(data["type"] == name);
    CHECK_FALSE(name == "message_start");
    if (name == "content_block_start") {
      CHECK_FALSE(delta_seen);
      const int index = data["index"];
      // Blocks come in order, one at a time: the previous one is stopped first.
      REQUIRE(index == static_cast<int>(stopped.size()));
      CHECK((stopped.empty() || stopped.back()));
      message["content"].push_back(data["content_block"]);
      stopped.push_back(false);
    } else if (name == "content_block_delta" || name == "content_block_stop") {
      const int index = data["index"];
      REQUIRE(index >= 0);
      REQUIRE(index < static_cast<int>(stopped.size()));
      REQUIRE_FALSE(stopped[index]);
      json& block = message["content"][index];
      if (name == "content_block_stop") {
        stopped[index] = true;
        if (block["type"] == "tool_use") {
          const std::string text = partial_json[index];
          // Input that does not parse stays as its text, for the test to see.
          const json input = json::parse(text.empty() ? "{}" : text, nullptr, false);
          block["input"] = input.is_discarded() ? json(text) : input;
        }
        continue;
      }
      const json& delta = data["delta"];
      if (delta["type"] == "text_delta") {
        REQUIRE(block["type"] == "text");
        CHECK_FALSE(delta["text"].get<std::string>().empty());
        block["text"] = block["text"].get<std::string>() + delta["text"].get<std::string>();
      } else if (delta["type"] == "input_json_delta") {
        REQUIRE(block["type"] == "tool_use");
        partial_json[index] += delta["partial_json"].get<std::string>();
      }
    } else if (name == "message_delta") {
      delta_seen = true;
      message["stop_reason"] = data["delta"]["stop_reason"];
      message["stop_sequence"] = data["delta"]["stop_sequence"];
      for (const auto& [key, value] : data["usage"].items()) {
        if (!value.is_null())
          message["usage"][key] = value;
      }
    } else if (name == "message_stop") {
      CHECK(delta_seen);
      CHECK(i + 1 == events.size());
    }
  }
  CHECK(events.back().event == "message_stop");
  for (std::size_t i = 0; i < stopped.size(); ++i) {
    INFO("block " << i);
    CHECK(stopped[i]);
  }
  return message;
}

// The message without what a canonical answer cannot carry (thinking blocks).
json without_thinking(json message) {
  json content = json::array();
  for (auto& block : message["content"]) {
    if (block["type"] == "text" || block["type"] == "tool_use")
      content.push_back(std::move(block));
  }
  message["content"] = std::move(content);
  return message;
}

Events parse_sse(const std::string& body) {
  Events out;
  SseParser parser;
  parser.feed(body, [&](const SseEvent& event) {
    out.push_back({event.event, json::parse(event.data)});
  });
  return out;
}

std::vector<json> canonical_chunks(const std::string& body) {
  SseParser parser;
  anthropic::StreamDecoder decoder(ResponseContext{"anthropic", "claude", 1});
  std::vector<json> chunks;
  parser.feed(body, [&](const SseEvent& event) {
    for (auto& chunk : decoder.on_event(event))
      chunks.push_back(std::move(chunk));
  });
  return chunks;
}

json chunk(json delta, json finish_reason = nullptr) {
  return {
      {"id", "chatcmpl-7"},
      {"object", "chat.completion.chunk"},
      {"created", 1},
      {"model", "gpt-4o"},
      {"choices", {{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", finish_reason}}}}};
}

json usage_chunk(int prompt, int completion) {
  json out = chunk(json::object());
  out["choices"] = json::array();
  out["usage"] = {{"prompt_tokens", prompt},
                  {"completion_tokens", completion},
                  {"total_tokens", prompt + completion}};
  return out;
}

json tool_fragment(int index, json fields) {
  fields["index"] = index;
  return chunk({{"tool_calls", {std::move(fields)}}});
}

std::vector<std::string> names(const Events& events) {
  std::vector<std::string> out;
  for (const auto& event : events)
    out.push_back(event.event);
  return out;
}

}  // namespace

TEST_CASE("anthropic_front: a text and tool-call stream encodes to the expected events",
          "[anthropic_front]") {
  const json chunks =
      json::parse(test::read_fixture("anthropic_front/stream_text_tool.chunks.json"));
  const Events events = encode(chunks.get<std::vector<json>>());
  CHECK(as_json(events) ==
        json::parse(test::read_fixture("anthropic_front/stream_text_tool.events.json")));
  fold_events(events);
}

// Anthropic SSE → canonical chunks (the adapter) → Anthropic events (the encoder): the text,
// the tool calls with their ids and inputs, the stop reason and the usage come back.
TEST_CASE("anthropic_front: Anthropic streams made canonical encode back to the same message",
          "[anthropic_front]") {
  for (const char* name : {"stream_text.sse", "stream_tool_use.sse", "stream_max_tokens.sse"}) {
    INFO(name);
    const std::string body = test::read_fixture(std::string("anthropic/") + name);
    const json original = without_thinking(fold_events(parse_sse(body)));
    const std::vector<json> chunks = canonical_chunks(body);
    const json encoded = fold_events(encode(chunks, original["model"]));
    CHECK(encoded["content"] == original["content"]);
    CHECK(encoded["id"] == original["id"]);
    CHECK(encoded["stop_reason"] == original["stop_reason"]);
    for (const char* key : {"input_tokens", "output_tokens", "cache_read_input_tokens",
                            "cache_creation_input_tokens"}) {
      CHECK(encoded["usage"][key] == original["usage"][key]);
    }
    // The streamed and the whole answer agree.
    const json whole =
        anthropic_front::to_anthropic_response(StreamAccumulator::fold(chunks), original["model"]);
    CHECK(whole["content"] == encoded["content"]);
    CHECK(whole["stop_reason"] == encoded["stop_reason"]);
    CHECK(whole["usage"] == encoded["usage"]);
  }
}

TEST_CASE("anthropic_front: a replayed completion streams the same message as the whole one",
          "[anthropic_front]") {
  const json completion =
      json::parse(test::read_fixture("anthropic_front/completion_tool_use.canonical.json"));
  const json whole = anthropic_front::to_anthropic_response(completion, k_model);
  const json streamed = fold_events(encode(replay_chunks(completion)));
  CHECK(streamed == whole);
}

TEST_CASE("anthropic_front: usage that comes after the finish reason still counts",
          "[anthropic_front]") {
  const Events events =
      encode({chunk({{"content", "Hi"}}), chunk(json::object(), "length"), usage_chunk(30, 2)});
  const json message = fold_events(events);
  CHECK(message["stop_reason"] == "max_tokens");
  CHECK(message["usage"]["input_tokens"] == 30);
  CHECK(message["usage"]["output_tokens"] == 2);
  // message_start knew no usage yet; message_delta brings all of it.
  CHECK(events.front().data["message"]["usage"]["input_tokens"] == 0);
  CHECK(events[events.size() - 2].data["usage"]["input_tokens"] == 30);
}

TEST_CASE("anthropic_front: usage known from the first chunk shows in message_start",
          "[anthropic_front]") {
  json first = chunk({{"role", "assistant"}, {"content", ""}});
  first["usage"] = {{"prompt_tokens", 9}, {"completion_tokens", 0}};
  const Events events = encode({first, chunk({{"content", "x"}}, "stop")});
  CHECK(events.front().data["message"]["usage"]["input_tokens"] == 9);
  CHECK(events.front().data["message"]["id"] == "msg_chatcmpl-7");
}

TEST_CASE("anthropic_front: empty text starts no block", "[anthropic_front]") {
  const Events events = encode({chunk({{"role", "assistant"}, {"content", ""}}),
                                chunk({{"content", ""}}), chunk(json::object(), "stop")});
  CHECK(names(events) ==
        std::vector<std::string>{"message_start", "message_delta", "message_stop"});
  const json message = fold_events(events);
  CHECK(message["content"] == json::array());
  CHECK(message["stop_reason"] == "end_turn");
}

TEST_CASE("anthropic_front: a stream with no chunk at all is still a whole message",
          "[anthropic_front]") {
  anthropic_front::StreamEncoder encoder(k_model);
  const Events events = encoder.finish();
  CHECK(names(events) ==
        std::vector<std::string>{"message_start", "message_delta", "message_stop"});
  CHECK(events.front().data["message"]["id"].get<std::string>().rfind("msg_llmgw_", 0) == 0);
  CHECK(events.front().data["message"]["model"] == k_model);
  // Nothing comes after the end.
  CHECK(encoder.finish().empty());
  CHECK(encoder.add(chunk({{"content", "late"}})).empty());
}

TEST_CASE("anthropic_front: text after a tool call opens a new block", "[anthropic_front]") {
  const json message = fold_events(encode({
      chunk({{"content", "a"}}),
      tool_fragment(0, {{"id", "c1"}, {"function", {{"name", "f"}, {"arguments", "{}"}}}}),
      chunk({{"content", "b"}}),
      chunk({{"refusal", "c"}}),
      chunk(json::object(), "stop"),
  }));
  CHECK(message["content"] ==
        json{{{"type", "text"}, {"text", "a"}},
             {{"type", "tool_use"}, {"id", "c1"}, {"name", "f"}, {"input", json::object()}},
             {{"type", "text"}, {"text", "bc"}}});
  // finish_reason stop with a tool call: the client must still run the tool.
  CHECK(message["stop_reason"] == "tool_use");
}

TEST_CASE("anthropic_front: interleaved tool fragments never reach a closed block",
          "[anthropic_front]") {
  const Events events = encode({
      tool_fragment(0, {{"id", "c1"}, {"function", {{"name", "f"}, {"arguments", "{\"a\":"}}}}),
      tool_fragment(1, {{"id", "c2"}, {"function", {{"name", "g"}, {"arguments", "{}"}}}}),
      tool_fragment(0, {{"function", {{"arguments", "1}"}}}}),
      chunk(json::object(), "tool_calls"),
  });
  const json message = fold_events(events);  // checks no delta hits a stopped block
  REQUIRE(message["content"].size() == 2);
  // The late fragment is lost (documented): Anthropic cannot reopen a stopped block.
  CHECK(message["content"][0]["input"] == "{\"a\":");
  CHECK(message["content"][1] ==
        json{{"type", "tool_use"}, {"id", "c2"}, {"name", "g"}, {"input", json::object()}});
}

TEST_CASE("anthropic_front: calls without ids or indexes still become whole blocks",
          "[anthropic_front]") {
  const json message = fold_events(encode({
      chunk({{"tool_calls", {{{"function", {{"name", "f"}, {"arguments", "{\"x\""}}}}}}}),
      chunk({{"tool_calls", {{{"function", {{"arguments", ":1}"}}}}}}}),
      chunk({{"tool_calls", {{{"id", "c2"}, {"function", {{"name", "g"}, {"arguments", ""}}}}}}}),
      chunk(json::object(), "tool_calls"),
  }));
  REQUIRE(message["content"].size() == 2);
  CHECK(message["content"][0] == json{{"type", "tool_use"},
                                      {"id", "toolu_chatcmpl-7_0"},
                                      {"name", "f"},
                                      {"input", {{"x", 1}}}});
  CHECK(message["content"][1]["id"] == "c2");
}

TEST_CASE("anthropic_front: only choice 0 is encoded", "[anthropic_front]") {
  json both = chunk({{"content", "zero"}});
  both["choices"].push_back(
      {{"index", 1}, {"delta", {{"content", "one"}}}, {"finish_reason", nullptr}});
  const json message = fold_events(encode({both, chunk(json::object(), "stop")}));
  CHECK(message["content"] == json{{{"type", "text"}, {"text", "zero"}}});
}

TEST_CASE("anthropic_front: events are written as SSE", "[anthropic_front]") {
  CHECK(anthropic_front::wire_text({"message_stop", {{"type", "message_stop"}}}) ==
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  // Multi-line text stays on one data line (JSON escapes the newline).
  const anthropic_front::SseEvent text = {
      "content_block_delta",
      {{"type", "content_block_delta"}, {"delta", {{"type", "text_delta"}, {"text", "a\nb"}}}}};
  CHECK(anthropic_front::wire_text(text).find("a\\nb") != std::string::npos);
  CHECK(parse_sse(anthropic_front::wire_text(text)).front().data == text.data);
}
