#include "core/stream_replay.hpp"

#include <algorithm>

namespace llmgw {

namespace {

using nlohmann::json;

json chunk_head(const json& completion) {
  json head = json::object();
  for (const auto& [key, value] : completion.items()) {
    if (key != "choices" && key != "usage" && key != "object")
      head[key] = value;
  }
  head["object"] = "chat.completion.chunk";
  return head;
}

json delta_of(const json& message) {
  json delta = {{"role", "assistant"}};
  if (!message.is_object())
    return delta;
  for (const auto& [key, value] : message.items()) {
    if (key == "role" || value.is_null())
      continue;
    if (key == "tool_calls" && value.is_array()) {
      json calls = json::array();
      for (std::size_t i = 0; i < value.size(); ++i) {
        json call = value[i];
        if (call.is_object())
          call["index"] = i;
        calls.push_back(std::move(call));
      }
      delta["tool_calls"] = std::move(calls);
    } else {
      delta[key] = value;
    }
  }
  if (!delta.contains("content") && !delta.contains("tool_calls"))
    delta["content"] = "";
  return delta;
}

}  // namespace

std::vector<json> replay_chunks(const json& completion) {
  std::vector<json> chunks;
  if (!completion.is_object())
    return chunks;
  const json head = chunk_head(completion);
  std::vector<json> choices;
  if (const auto found = completion.find("choices"); found != completion.end() && found->is_array())
    choices.assign(found->begin(), found->end());
  std::stable_sort(choices.begin(), choices.end(), [](const json& a, const json& b) {
    return a.value("index", json(0)) < b.value("index", json(0));
  });
  for (const json& choice : choices) {
    if (!choice.is_object())
      continue;
    const json index = choice.value("index", json(0));
    json body = {{"index", index}, {"delta", delta_of(choice.value("message", json()))}};
    if (const auto logprobs = choice.find("logprobs");
        logprobs != choice.end() && !logprobs->is_null())
      body["logprobs"] = *logprobs;
    json first = head;
    first["choices"] = json::array({std::move(body)});
    chunks.push_back(std::move(first));

    json end_body = {{"index", index}, {"delta", json::object()}};
    for (const auto& [key, value] : choice.items()) {
      if (key != "index" && key != "message" && key != "logprobs")
        end_body[key] = value;
    }
    json last = head;
    last["choices"] = json::array({std::move(end_body)});
    chunks.push_back(std::move(last));
  }
  if (const auto usage = completion.find("usage"); usage != completion.end() && !usage->is_null()) {
    json tail = head;
    tail["choices"] = json::array();
    tail["usage"] = *usage;
    chunks.push_back(std::move(tail));
  }
  return chunks;
}

}  // namespace llmgw
