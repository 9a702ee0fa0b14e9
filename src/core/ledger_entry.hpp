// The ledger row for one finished request, from what the Gateway returned or threw: the
// same for the CLI and (later) the daemon, so every request is accounted the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/gateway.hpp"
#include "core/price_book.hpp"
#include "core/store/ledger.hpp"

namespace llmgw {

struct RequestTiming {
  std::int64_t started_ms = 0;          // unix milliseconds
  std::int64_t latency_ms = 0;          // to the end of the answer (or the failure)
  std::optional<std::int64_t> ttft_ms;  // to the first streamed token
};

// Exactly one of `result` and `error` is given. Tokens come from the provider-reported
// usage (prompt, completion, cached, cache-write and reasoning tokens); the cost from
// `prices` (NULL when unpriced, never 0); attempts from the result or the error.
LedgerRow chat_ledger_row(const std::string& source, const std::string& model_requested,
                          const ChatResult* result, const Error* error, const PriceBook& prices,
                          const RequestTiming& timing);

}  // namespace llmgw
