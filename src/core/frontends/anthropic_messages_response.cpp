// Canonical answers and errors → Anthropic's message, usage and error shapes
// (wire-formats §3.5, §3.7, and §3.10-3.11 read backwards).
#include <algorithm>
#include <cstdint>
#include <string>

#include "core/frontends/anthropic_messages.hpp"
#include "core/frontends/anthropic_messages_internal.hpp"
#include "core/frontends/client_error.hpp"
#include "core/providers/adapter_util.hpp"
#include "core/providers/anthropic_adapter.hpp"
#include "core/sha256.hpp"

namespace llmgw::anthropic_front {

using nlohmann::json;

namespace {

std::int64_t count(const json& object, std::string_view key) {
  return adapter::token_count(object, key).value_or(0);
}

// The text of a message's content: a string, or the text (and refusal) parts of an array.
std::string content_text(const json& content) {
  if (content.is_string())
    return content.get<std::string>();
  std::string text;
  if (content.is_array()) {
    for (const auto& part : content) {
      text += adapter::text_member(part, "text");
      text += adapter::text_member(part, "refusal");
    }
  }
  return text;
}

const json& first_choice(const json& completion) {
  const json& choices = adapter::member_or_null(completion, "choices");
  if (choices.is_array()) {
    for (const auto& choice : choices) {
      if (adapter::int_field(choice, "index", 0) == 0)
        return choice;
    }
  }
  static const json k_none;
  return k_none;
}

}  // namespace

namespace detail {

std::string message_id(const json& id, const json& source) {
  if (id.is_string() && !id.get_ref<const std::string&>().empty()) {
    const std::string& text = id.get_ref<const std::string&>();
    return text.rfind("msg_", 0) == 0 ? text : "msg_" + text;
  }
  return "msg_llmgw_" + sha256_hex(adapter::dump_json(source)).substr(0, 24);
}

std::string tool_use_id(const json& id, const std::string& message_id, std::int64_t index) {
  if (id.is_string() && !id.get_ref<const std::string&>().empty())
    return id.get<std::string>();
  return "toolu_" + message_id.substr(4) + "_" + std::to_string(index);
}

json tool_input(const json& arguments) {
  if (arguments.is_object())
    return arguments;
  if (!arguments.is_string())
    return json::object();
  const json parsed = adapter::parse_json(arguments.get_ref<const std::string&>());
  return parsed.is_object() ? parsed : json::object();
}

}  // namespace detail

json to_anthropic_usage(const json& usage) {
  const std::int64_t prompt = count(usage, "prompt_tokens");
  const json& details = adapter::member_or_null(usage, "prompt_tokens_details");
  const std::int64_t cached = count(details, "cached_tokens");
  const std::int64_t written = count(details, "cache_write_tokens");
  // Counts are clamped to 1e15, so the difference cannot overflow.
  json out = {{"input_tokens", std::max<std::int64_t>(0, prompt - cached - written)},
              {"cache_creation_input_tokens", written},
              {"cache_read_input_tokens", cached},
              {"output_tokens", count(usage, "completion_tokens")}};
  const auto five = adapter::token_count(details, "cache_write_5m_tokens");
  const auto hour = adapter::token_count(details, "cache_write_1h_tokens");
  if (five || hour) {
    out["cache_creation"] = {{"ephemeral_5m_input_tokens", five.value_or(0)},
                             {"ephemeral_1h_input_tokens", hour.value_or(0)}};
  }
  return out;
}

std::string to_stop_reason(const json& finish_reason, bool has_tool_use) {
  if (adapter::is_text(finish_reason, "length"))
    return "max_tokens";
  if (adapter::is_text(finish_reason, "content_filter"))
    return "refusal";
  if (adapter::is_text(finish_reason, "tool_calls") ||
      adapter::is_text(finish_reason, "function_call") || has_tool_use)
    return "tool_use";
  return "end_turn";
}

json to_anthropic_response(const json& completion, const std::string& model) {
  const std::string id = detail::message_id(adapter::member_or_null(completion, "id"), completion);
  const json& choice = first_choice(completion);
  const json& message = adapter::member_or_null(choice, "message");

  json content = json::array();
  std::string text = content_text(adapter::member_or_null(message, "content"));
  if (text.empty())
    text = adapter::text_member(message, "refusal");
  if (!text.empty())
    content.push_back({{"type", "text"}, {"text", std::move(text)}});
  const json& calls = adapter::member_or_null(message, "tool_calls");
  bool has_tool_use = false;
  if (calls.is_array()) {
    for (std::size_t i = 0; i < calls.size(); ++i) {
      const json& function = adapter::member_or_null(calls[i], "function");
      content.push_back(
          {{"type", "tool_use"},
           {"id", detail::tool_use_id(adapter::member_or_null(calls[i], "id"), id,
                                      static_cast<std::int64_t>(i))},
           {"name", adapter::string_field(function, "name")},
           {"input", detail::tool_input(adapter::member_or_null(function, "arguments"))}});
      has_tool_use = true;
    }
  }

  const json& own_model = adapter::member_or_null(completion, "model");
  return {{"id", id},
          {"type", "message"},
          {"role", "assistant"},
          {"model", !model.empty() || !own_model.is_string() ? json(model) : own_model},
          {"content", std::move(content)},
          {"stop_reason",
           to_stop_reason(adapter::member_or_null(choice, "finish_reason"), has_tool_use)},
          {"stop_sequence", nullptr},
          {"usage", to_anthropic_usage(adapter::member_or_null(completion, "usage"))}};
}

// ---------------------------------------------------------------- errors

std::string error_type(const Error& error) {
  const int status = client_status(error);
  if (const char* type = anthropic::error_type_for_status(status))
    return type;
  return status < 500 ? "invalid_request_error" : "api_error";
}

namespace {

json error_body(const Error& error) {
  return {{"type", "error"},
          {"error", {{"type", error_type(error)}, {"message", client_message(error)}}}};
}

}  // namespace

std::pair<int, json> error_response(const Error& error) {
  return {client_status(error), error_body(error)};
}

SseEvent error_event(const Error& error) {
  return SseEvent{"error", error_body(error)};
}

std::string wire_text(const SseEvent& event) {
  return "event: " + event.event + "\ndata: " + adapter::dump_json(event.data) + "\n\n";
}

}  // namespace llmgw::anthropic_front
