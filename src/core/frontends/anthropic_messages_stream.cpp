// Canonical chunks → Anthropic stream events (wire-formats §3.6; §3.12 read backwards).
#include <algorithm>
#include <utility>

#include "core/frontends/anthropic_messages.hpp"
#include "core/frontends/anthropic_messages_internal.hpp"
#include "core/providers/adapter_util.hpp"

namespace llmgw::anthropic_front {

using nlohmann::json;

namespace {

SseEvent event(const char* type, json data) {
  data["type"] = type;
  return SseEvent{type, std::move(data)};
}

}  // namespace

StreamEncoder::StreamEncoder(std::string model) : m_model(std::move(model)) {}

void StreamEncoder::start_message(const json& chunk, std::vector<SseEvent>& out) {
  m_started = true;
  m_id = detail::message_id(adapter::member_or_null(chunk, "id"),
                            chunk.is_null() ? json(m_model) : chunk);
  if (m_model.empty())
    m_model = adapter::string_field(chunk, "model");
  json message = {{"id", m_id},
                  {"type", "message"},
                  {"role", "assistant"},
                  {"model", m_model},
                  {"content", json::array()},
                  {"stop_reason", nullptr},
                  {"stop_sequence", nullptr},
                  {"usage", to_anthropic_usage(m_usage)}};
  out.push_back(event("message_start", {{"message", std::move(message)}}));
}

void StreamEncoder::open_block(json content_block, bool text, std::vector<SseEvent>& out) {
  close_block(out);
  m_open_block = m_next_block++;
  m_open_is_text = text;
  out.push_back(event("content_block_start",
                      {{"index", m_open_block}, {"content_block", std::move(content_block)}}));
}

void StreamEncoder::close_block(std::vector<SseEvent>& out) {
  if (m_open_block < 0)
    return;
  out.push_back(event("content_block_stop", {{"index", m_open_block}}));
  m_open_block = -1;
}

SseEvent StreamEncoder::delta(json delta) const {
  return event("content_block_delta", {{"index", m_open_block}, {"delta", std::move(delta)}});
}

void StreamEncoder::add_text(std::string_view text, std::vector<SseEvent>& out) {
  if (text.empty())
    return;
  if (m_open_block < 0 || !m_open_is_text)
    open_block({{"type", "text"}, {"text", ""}}, true, out);
  json text_delta = {{"type", "text_delta"}};
  text_delta["text"] = text;
  out.push_back(delta(std::move(text_delta)));
}

// OpenAI's rule: a call's first fragment for an index carries its id and name; later ones
// only arguments. A fragment without an index continues the latest call, or starts the
// next when it has an id.
void StreamEncoder::add_tool_fragment(const json& fragment, std::vector<SseEvent>& out) {
  const json& function = adapter::member_or_null(fragment, "function");
  const bool has_id = adapter::present(fragment, "id");
  std::int64_t index = adapter::int_field(fragment, "index", -1);
  if (index < 0)
    index = has_id || m_last_tool < 0 ? m_last_tool + 1 : m_last_tool;

  const auto known = m_tool_blocks.find(index);
  if (known == m_tool_blocks.end()) {
    json block = {{"type", "tool_use"},
                  {"id", detail::tool_use_id(adapter::member_or_null(fragment, "id"), m_id, index)},
                  {"name", adapter::string_field(function, "name")},
                  {"input", json::object()}};
    open_block(std::move(block), false, out);
    m_tool_blocks.emplace(index, m_open_block);
    m_last_tool = std::max(m_last_tool, index);
  } else if (known->second != m_open_block) {
    return;  // its block is closed: Anthropic has no way to reopen it (see the header)
  }
  const std::string_view arguments = adapter::text_member(function, "arguments");
  if (arguments.empty())
    return;
  json json_delta = {{"type", "input_json_delta"}};
  json_delta["partial_json"] = arguments;
  out.push_back(delta(std::move(json_delta)));
}

std::vector<SseEvent> StreamEncoder::add(const json& chunk) {
  std::vector<SseEvent> out;
  if (m_finished)
    return out;
  if (const json* usage = adapter::member(chunk, "usage"); usage != nullptr && usage->is_object())
    m_usage = *usage;
  if (!m_started)
    start_message(chunk, out);

  const json& choices = adapter::member_or_null(chunk, "choices");
  if (!choices.is_array())
    return out;
  for (const auto& choice : choices) {
    if (adapter::int_field(choice, "index", 0) != 0)
      continue;
    const json& changes = adapter::member_or_null(choice, "delta");
    add_text(adapter::text_member(changes, "content"), out);
    add_text(adapter::text_member(changes, "refusal"), out);
    const json& calls = adapter::member_or_null(changes, "tool_calls");
    if (calls.is_array()) {
      for (const auto& call : calls)
        add_tool_fragment(call, out);
    }
    if (const json& reason = adapter::member_or_null(choice, "finish_reason"); !reason.is_null())
      m_finish_reason = reason;
  }
  return out;
}

std::vector<SseEvent> StreamEncoder::finish() {
  std::vector<SseEvent> out;
  if (m_finished)
    return out;
  if (!m_started)
    start_message(json(), out);
  close_block(out);
  m_finished = true;
  json changes = {{"stop_reason", to_stop_reason(m_finish_reason, !m_tool_blocks.empty())},
                  {"stop_sequence", nullptr}};
  out.push_back(event("message_delta",
                      {{"delta", std::move(changes)}, {"usage", to_anthropic_usage(m_usage)}}));
  out.push_back(event("message_stop", json::object()));
  return out;
}

}  // namespace llmgw::anthropic_front
