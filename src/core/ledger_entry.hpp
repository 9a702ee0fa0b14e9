// The ledger row of one finished request, built by the Gateway from what it returned or
// threw, the same way for the CLI and the daemon: every request is accounted once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/price_book.hpp"
#include "core/routing.hpp"
#include "core/store/ledger.hpp"

namespace llmgw {

struct RequestTiming {
  std::int64_t started_ms = 0;          // unix milliseconds
  std::int64_t latency_ms = 0;          // to the end of the answer (or the failure)
  std::optional<std::int64_t> ttft_ms;  // to the first streamed token
};

// What is known of a request whatever its outcome.
struct RequestFacts {
  std::string source = "cli";             // cli, repl or daemon
  std::optional<std::string> client_key;  // the daemon client key's name
  std::string endpoint = "chat";          // chat, embeddings or images
  std::string model_requested;            // as the caller wrote it ("" when missing)
  std::optional<std::string> request_hash;
  RequestTiming timing;
};

// What an answer brought back, for the row.
struct Answered {
  const Route* route = nullptr;  // the deployment that served it
  const nlohmann::json* response = nullptr;
  int attempts = 1;  // requests sent (0 for a cache hit)
};

// A request that failed or was cancelled: status, error type, attempts and the provider
// the error names; no tokens, no cost.
LedgerRow failed_row(const RequestFacts& facts, const Error& error, const PriceBook& prices);

// An answered chat: tokens from the provider-reported usage (prompt, completion, cached,
// cache-write and reasoning tokens), cost from `prices` (NULL when unpriced, never 0).
LedgerRow chat_row(const RequestFacts& facts, const Answered& answer, const PriceBook& prices);

// A chat answered from the response cache: nothing billed (tokens 0, cost 0), cache_hit,
// and saved_usd the cost the cached usage would have had (NULL when unpriced).
LedgerRow cache_hit_row(const RequestFacts& facts, const Answered& answer, const PriceBook& prices);

// Embeddings: input tokens from usage (estimated usage counts too: Gemini reports none),
// cost at the model's embedding price.
LedgerRow embed_row(const RequestFacts& facts, const Answered& answer, const PriceBook& prices);

// Images: the count drawn, priced by the request's size and quality; output_tokens stay 0
// (images are billed per image).
LedgerRow image_row(const RequestFacts& facts, const Answered& answer,
                    const nlohmann::json& request, const PriceBook& prices);

}  // namespace llmgw
