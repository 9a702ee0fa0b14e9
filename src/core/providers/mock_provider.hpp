// The built-in `mock` provider: no network, deterministic, for trying llmgw without a key
// and for tests. Models: "echo" (answers at once) and "slow" (the Gateway waits
// Route::mock_delay_ms before each streamed chunk, default 200 ms).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace llmgw::mock {

inline constexpr const char* k_reply_prefix = "mock: ";

bool is_known_model(std::string_view model);  // "echo" or "slow"

// A complete chat.completion: content is k_reply_prefix + the text of the last user
// message (text parts joined); usage counts tokens as ceil(chars / 4) over all message
// text (at least 1 each side). id is derived from the request content; created is given.
nlohmann::json respond(const nlohmann::json& request, const std::string& model, long created);

// The same answer as a stream: a role chunk, the content in several pieces (split after
// spaces, at most 4 words each), a finish chunk, then a usage chunk (choices: []).
std::vector<nlohmann::json> stream_chunks(const nlohmann::json& response);

}  // namespace llmgw::mock
