// The most a request can cost, for the budgets of client keys (client_limits.hpp), which
// reserve it before the request is sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/price_book.hpp"

namespace llmgw {

// Completion tokens assumed for a chat request that sets neither max_completion_tokens
// nor max_tokens. A longer answer is still served and charged its real cost, so it can
// take a budget past its limit by at most its excess.
inline constexpr std::int64_t k_default_max_completion_tokens = 4096;

// Prompt tokens assumed per image in a request (its URL's bytes are not counted): above
// what OpenAI (at most 1445 for one image at high detail), Anthropic (about 1600) and
// Gemini (258 per tile) charge for one image.
inline constexpr std::int64_t k_image_prompt_tokens = 2000;

// An upper bound on what the chat request `request` (canonical, validated) can cost at
// `provider`/`model`, priced with chat_cost (pricing.hpp) at the uncached input rate:
//   prompt tokens      the bytes of the request as JSON (a token is at least one byte),
//                      each image_url part counted as k_image_prompt_tokens instead of
//                      its URL's bytes;
//   completion tokens  max_completion_tokens, else max_tokens, else
//                      k_default_max_completion_tokens; times n (choices).
// (Cache writes, at up to twice the input rate, stay under the bound: a token of text is
// several bytes.) nullopt when the model has no known price. For a chain of deployments the daemon
// takes the largest over them.
std::optional<double> max_chat_cost_usd(const PriceBook& book, const std::string& provider,
                                        const std::string& model, const nlohmann::json& request);

}  // namespace llmgw
