// Helpers shared by the Gemini adapter's request side (gemini_request.cpp) and answer
// side (gemini_adapter.cpp). Internal to those two files.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/providers/adapter_util.hpp"

namespace llmgw::gemini::detail {

using nlohmann::json;

using adapter::ends_with;
using adapter::is_text;
using adapter::lower;
using adapter::member;
using adapter::member_or_null;
using adapter::present;
using adapter::trim;
using adapter::trim_view;

[[noreturn]] inline void invalid(const std::string& param, const std::string& message) {
  adapter::reject("gemini", param, message);
}

// ---- reading GenerateContentResponse values -----------------------------------------------

// candidate.content.parts, or an empty array when there is no such array.
inline const json& candidate_parts(const json& candidate) {
  static const json k_no_parts = json::array();
  const json* content = member(candidate, "content");
  const json* parts = content != nullptr ? member(*content, "parts") : nullptr;
  return parts != nullptr && parts->is_array() ? *parts : k_no_parts;
}

// A text part that is not a thought: what the user sees.
inline bool is_visible_text(const json& part) {
  const json* text = member(part, "text");
  const json* thought = member(part, "thought");
  return text != nullptr && text->is_string() &&
         !(thought != nullptr && thought->is_boolean() && thought->get<bool>());
}

inline bool is_function_call(const json& part) {
  const json* call = member(part, "functionCall");
  return call != nullptr && call->is_object();
}

// promptFeedback.blockReason when the prompt was blocked, else "".
inline std::string block_reason(const json& body) {
  const json& feedback = member_or_null(body, "promptFeedback");
  return std::string(adapter::text_member(feedback, "blockReason"));
}

inline std::string path(std::size_t i, const std::string& rest = {}) {
  return "messages[" + std::to_string(i) + "]" + rest;
}

}  // namespace llmgw::gemini::detail
