// The cost of a provider-reported usage, from a PriceBook (price_book.hpp). Pure: no
// global state, no I/O. A model without a known price has no cost (nullopt), never $0.
//
// Rules for a chat usage (OpenAI-shaped, as every adapter produces it):
//   cached  = prompt_tokens_details.cached_tokens (DeepSeek: else prompt_cache_hit_tokens)
//   writes  = prompt_tokens_details.cache_write_tokens, of which cache_write_1h_tokens are
//             1-hour writes (Anthropic; the rest are 5-minute writes)
//   input   = prompt_tokens - cached - writes
//   Each is clamped so that no part is negative and the parts never exceed prompt_tokens
//   (cached first, then writes), whatever the provider reported.
//   input at `input`; cached at `cached_input`, or at `input` when the model has no cached
//   price (the provider does not discount cache reads); 5-minute writes at `cache_write`,
//   1-hour writes at `cache_write_1h`, either at `input` when the model has no such price
//   (the provider does not charge extra for writing); completion_tokens, which include
//   reasoning tokens (Gemini's thoughts are folded in by its adapter), at `output`.
//   When prompt_tokens exceed the model's long_context threshold, the long-context rates
//   apply to every token of the request.
//   A model with no `input` price (prompt tokens reported) or no `output` price
//   (completion tokens reported) cannot be priced, nor can a usage with no counts at all
//   (Gemini's embeddings report none): nullopt.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/price_book.hpp"

namespace llmgw {

struct CostBreakdown {
  double input_usd = 0;         // uncached prompt tokens (embeddings: all input tokens)
  double cached_input_usd = 0;  // cache reads
  double cache_write_usd = 0;   // cache writes, 5-minute and 1-hour
  double output_usd = 0;        // completion tokens, reasoning included
  double image_usd = 0;         // generated images
  double total_usd = 0;         // the sum of the above
  bool long_context = false;    // the long-context rates applied
  std::string price_version;    // PriceBook::version() of the table used
};

// A chat completion's usage object.
std::optional<CostBreakdown> chat_cost(const PriceBook& book, const std::string& provider,
                                       const std::string& model, const nlohmann::json& usage);

// An embeddings usage object: prompt_tokens (or total_tokens) at the input price.
std::optional<CostBreakdown> embedding_cost(const PriceBook& book, const std::string& provider,
                                            const std::string& model, const nlohmann::json& usage);

// `count` images of `size` ("1024x1024") and `quality` ("standard", "hd", "low", …; empty
// when the request named none): the "<size>/<quality>" price, else the "*" price.
std::optional<CostBreakdown> image_cost(const PriceBook& book, const std::string& provider,
                                        const std::string& model, const std::string& size,
                                        const std::string& quality, long long count);

// chat_cost(...)->total_usd, for callers that only need the total.
std::optional<double> cost_usd(const PriceBook& book, const std::string& provider,
                               const std::string& model, const nlohmann::json& usage);

// The built-in table's version and priced models (models listing).
const std::string& price_table_version();
std::vector<std::string> priced_models(const std::string& provider);

}  // namespace llmgw
