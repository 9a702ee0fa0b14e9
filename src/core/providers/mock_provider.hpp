// The built-in `mock` provider: no network, deterministic, for trying llmgw without a key
// and for tests. Models: "echo" (chat, answers at once), "slow" (chat; the Gateway waits
// Route::mock_delay_ms before each streamed chunk, default 200 ms), "embed" (embeddings,
// see embeddings::mock_embeddings) and "image" (image generation, see
// images::mock_images).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace llmgw::mock {

inline constexpr const char* k_reply_prefix = "mock: ";

// What a call asks a model to do. Each mock model does one of these, as real models do
// (an embeddings model cannot chat), so a mix-up is reported instead of answered.
enum class Operation { chat, embeddings, images };

// The mock models, in display order: echo, slow, embed, image.
const std::vector<std::string>& known_models();
bool is_known_model(std::string_view model);

// Throws GatewayError{invalid_request} (param "model", provider "mock") when the known
// mock model `model` does not do `operation`, e.g. "mock/echo is a chat model and makes
// no embeddings" with the fix "use mock/embed".
void require_operation(std::string_view model, Operation operation);

// A complete chat.completion: content is k_reply_prefix + the text of the last user
// message (text parts joined); usage counts tokens as ceil(chars / 4) over all message
// text (at least 1 each side). id is derived from the request content; created is given.
nlohmann::json respond(const nlohmann::json& request, const std::string& model, long created);

// The same answer as a stream: a role chunk, the content in several pieces (split after
// spaces, at most 4 words each), a finish chunk, then a usage chunk (choices: []).
std::vector<nlohmann::json> stream_chunks(const nlohmann::json& response);

}  // namespace llmgw::mock
