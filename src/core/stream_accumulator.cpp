#include "core/stream_accumulator.hpp"

#include <algorithm>

namespace llmgw {

namespace {

using nlohmann::json;

// Placeholders such as Azure's first chunk (id "", created 0, model "") carry nothing.
bool is_blank(const json& value) {
  return value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty()) ||
         (value.is_number() && value == 0) || (value.is_structured() && value.empty());
}

json new_choice(const json& index) {
  return {{"index", index},
          {"message", {{"role", "assistant"}, {"content", nullptr}, {"refusal", nullptr}}},
          {"logprobs", nullptr},
          {"finish_reason", nullptr}};
}

json& choice_at(json& choices, const json& index) {
  for (auto& choice : choices) {
    if (choice["index"] == index)
      return choice;
  }
  choices.push_back(new_choice(index));
  return choices.back();
}

void append_string(json& target, const json& piece) {
  if (!piece.is_string())
    return;
  if (target.is_string()) {
    target.get_ref<std::string&>() += piece.get_ref<const std::string&>();
  } else {
    target = piece;
  }
}

// Tool-call fragments are keyed by "index"; only the first fragment of a call carries id,
// type and name, later ones only more "arguments" text. A provider that omits "index"
// gets one per distinct id (a fragment without id continues the last call).
void add_tool_call_fragment(json& calls, const json& fragment) {
  if (!fragment.is_object())
    return;
  json index = fragment.value("index", json());
  if (!index.is_number_integer()) {
    const json id = fragment.value("id", json());
    const bool new_call =
        calls.empty() || (id.is_string() && !id.empty() && calls.back().value("id", json()) != id);
    index = new_call ? json(calls.size()) : calls.back()["index"];
  }
  json* call = nullptr;
  for (auto& existing : calls) {
    if (existing["index"] == index)
      call = &existing;
  }
  if (call == nullptr) {
    calls.push_back({{"index", index},
                     {"id", ""},
                     {"type", "function"},
                     {"function", {{"name", ""}, {"arguments", ""}}}});
    call = &calls.back();
  }
  for (const char* key : {"id", "type"}) {
    const auto it = fragment.find(key);
    if (it != fragment.end() && it->is_string() && !it->empty() && (*call)[key] == "") {
      (*call)[key] = *it;
    }
  }
  const auto function = fragment.find("function");
  if (function == fragment.end() || !function->is_object())
    return;
  json& target = (*call)["function"];
  if (const auto name = function->find("name");
      name != function->end() && name->is_string() && target["name"] == "") {
    target["name"] = *name;
  }
  if (const auto arguments = function->find("arguments"); arguments != function->end()) {
    append_string(target["arguments"], *arguments);
  }
}

void add_logprobs(json& target, const json& logprobs) {
  if (!logprobs.is_object())
    return;
  if (!target.is_object())
    target = json::object();
  for (const auto& [key, value] : logprobs.items()) {
    if (!value.is_array())
      continue;
    json& list = target[key];
    if (!list.is_array())
      list = json::array();
    list.insert(list.end(), value.begin(), value.end());
  }
}

void add_delta(json& message, const json& delta) {
  for (const auto& [key, value] : delta.items()) {
    if (key == "role")
      continue;
    if (key == "tool_calls") {
      if (!value.is_array())
        continue;
      json& calls = message["tool_calls"];
      if (!calls.is_array())
        calls = json::array();
      for (const auto& fragment : value)
        add_tool_call_fragment(calls, fragment);
    } else if (value.is_string()) {
      // content, refusal, and provider extras such as reasoning_content are all streamed
      // as text fragments to be joined.
      append_string(message[key], value);
    } else if (!value.is_null() && !message.contains(key)) {
      message[key] = value;
    }
  }
}

}  // namespace

void StreamAccumulator::add(const json& chunk) {
  if (!chunk.is_object())
    return;
  ++m_chunks;
  for (const auto& [key, value] : chunk.items()) {
    if (key == "choices" || key == "usage" || key == "object" || key == "obfuscation")
      continue;
    if (!is_blank(value) && !m_head.contains(key))
      m_head[key] = value;
  }
  if (const auto usage = chunk.find("usage"); usage != chunk.end() && !usage->is_null()) {
    m_usage = *usage;
  }
  const auto choices = chunk.find("choices");
  if (choices == chunk.end() || !choices->is_array())
    return;
  for (const auto& choice : *choices) {
    if (!choice.is_object())
      continue;
    json& state = choice_at(m_choices, choice.value("index", json(0)));
    for (const auto& [key, value] : choice.items()) {
      if (key == "index")
        continue;
      if (key == "delta") {
        if (value.is_object())
          add_delta(state["message"], value);
      } else if (key == "logprobs") {
        add_logprobs(state["logprobs"], value);
      } else if (!is_blank(value)) {
        // finish_reason, and extras such as Azure's content_filter_results: the last
        // non-empty one wins.
        state[key] = value;
      }
    }
  }
}

json StreamAccumulator::response() const {
  json out = m_head.is_object() ? m_head : json::object();
  out["object"] = "chat.completion";
  for (const char* key : {"id", "model"}) {
    if (!out.contains(key))
      out[key] = "";
  }
  if (!out.contains("created"))
    out["created"] = 0;

  json choices = m_choices.empty() ? json::array({new_choice(0)}) : m_choices;
  std::sort(choices.begin(), choices.end(),
            [](const json& a, const json& b) { return a["index"] < b["index"]; });
  for (auto& choice : choices) {
    json& message = choice["message"];
    const bool has_calls = message.contains("tool_calls") && !message["tool_calls"].empty();
    if (has_calls) {
      for (auto& call : message["tool_calls"])
        call.erase("index");
      if (message["content"] == "")
        message["content"] = nullptr;
    } else {
      message.erase("tool_calls");
      if (message["content"].is_null())
        message["content"] = "";
    }
  }
  out["choices"] = std::move(choices);
  if (m_usage)
    out["usage"] = *m_usage;
  return out;
}

nlohmann::json StreamAccumulator::fold(const std::vector<nlohmann::json>& chunks) {
  StreamAccumulator accumulator;
  for (const auto& chunk : chunks)
    accumulator.add(chunk);
  return accumulator.response();
}

}  // namespace llmgw
