// Shared by the Anthropic front end's answer side (anthropic_messages_response.cpp) and
// stream side (anthropic_messages_stream.cpp), so both name messages and tool calls alike.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace llmgw::anthropic_front::detail {

// "msg_" + `id` (as is when it already starts with "msg_"); when `id` is no non-empty
// string, "msg_llmgw_" + the start of the SHA-256 of `source`, so the same answer always
// gets the same id.
std::string message_id(const nlohmann::json& id, const nlohmann::json& source);

// A tool call's id, or "toolu_<message id without msg_>_<index>" when it has none.
std::string tool_use_id(const nlohmann::json& id, const std::string& message_id,
                        std::int64_t index);

// Canonical arguments (a JSON string, or already an object) → Anthropic's input object;
// {} when they are not a JSON object.
nlohmann::json tool_input(const nlohmann::json& arguments);

}  // namespace llmgw::anthropic_front::detail
