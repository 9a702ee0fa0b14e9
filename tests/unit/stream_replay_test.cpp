// A cached answer replayed as a stream folds back into the same answer.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/stream_accumulator.hpp"
#include "core/stream_replay.hpp"
#include "support/fixtures.hpp"

using namespace llmgw;
using nlohmann::json;

TEST_CASE("replay: every chat.completion fixture survives replay and fold", "[cache][replay]") {
  int checked = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(LLMGW_FIXTURES_DIR))) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 5 || name.substr(name.size() - 5) != ".json")
      continue;
    const json completion = json::parse(
        test::read_fixture(std::filesystem::relative(entry.path(), LLMGW_FIXTURES_DIR).string()),
        nullptr, false);
    if (!completion.is_object() || completion.value("object", "") != "chat.completion")
      continue;
    INFO(entry.path().string());
    CHECK(StreamAccumulator::fold(replay_chunks(completion)) == completion);
    ++checked;
  }
  CHECK(checked >= 4);
}

TEST_CASE("replay: chunk shapes for text, tool calls, several choices and usage",
          "[cache][replay]") {
  const json completion = json::parse(R"({
    "id": "chatcmpl-1", "object": "chat.completion", "created": 1750000000,
    "model": "gpt-4o-mini", "system_fingerprint": "fp_1",
    "choices": [
      {"index": 1, "message": {"role": "assistant", "content": null, "refusal": null,
        "tool_calls": [{"id": "call_a", "type": "function",
                        "function": {"name": "f", "arguments": "{\"x\":1}"}}]},
       "logprobs": null, "finish_reason": "tool_calls"},
      {"index": 0, "message": {"role": "assistant", "content": "Hello", "refusal": null,
        "reasoning_content": "thinking"},
       "logprobs": null, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}})");
  const std::vector<json> chunks = replay_chunks(completion);
  REQUIRE(chunks.size() == 5);
  for (const json& chunk : chunks) {
    CHECK(chunk["object"] == "chat.completion.chunk");
    CHECK(chunk["id"] == "chatcmpl-1");
    CHECK(chunk["system_fingerprint"] == "fp_1");
  }
  // Choice 0 first, its whole message in one delta, then its finish_reason.
  CHECK(chunks[0]["choices"][0]["index"] == 0);
  CHECK(chunks[0]["choices"][0]["delta"] ==
        json({{"role", "assistant"}, {"content", "Hello"}, {"reasoning_content", "thinking"}}));
  CHECK(chunks[1]["choices"][0]["finish_reason"] == "stop");
  CHECK(chunks[1]["choices"][0]["delta"] == json::object());
  // Tool calls carry their index, as streamed fragments do.
  CHECK(chunks[2]["choices"][0]["delta"]["tool_calls"][0]["index"] == 0);
  CHECK(chunks[2]["choices"][0]["delta"]["tool_calls"][0]["function"]["name"] == "f");
  CHECK(chunks[3]["choices"][0]["finish_reason"] == "tool_calls");
  CHECK(chunks[4]["choices"] == json::array());
  CHECK(chunks[4]["usage"]["total_tokens"] == 12);

  json sorted = completion;
  std::swap(sorted["choices"][0], sorted["choices"][1]);
  CHECK(StreamAccumulator::fold(chunks) == sorted);

  json without_usage = completion;
  without_usage.erase("usage");
  CHECK(replay_chunks(without_usage).size() == 4);
  CHECK(replay_chunks(json("not an object")).empty());
}
