// Edge validation of a canonical (OpenAI Chat Completions) request. Checks what core
// relies on and what would otherwise fail upstream with a vaguer message; unknown fields
// pass through untouched. Throws GatewayError{invalid_request} with a precise message and
// `param`, e.g. "messages[2].role must be one of system, developer, user, assistant, tool".
#pragma once

#include <nlohmann/json.hpp>

namespace llmgw {

void validate_chat_request(const nlohmann::json& request);

}  // namespace llmgw
