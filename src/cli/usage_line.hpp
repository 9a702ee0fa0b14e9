// The `-u/--usage` line printed to stderr after an answer.
#pragma once

#include <string>

#include "core/gateway.hpp"
#include "core/price_book.hpp"

namespace llmgw::cli {

// e.g. "usage: 12 input + 34 output = 46 tokens (8 cached) · openai/gpt-4o-mini · cost $0.000022"
// with "(N cache write)" and "(N reasoning)" when reported. A model without a price in
// `prices` says "cost unknown (no price for X; add [prices."X"] to config.toml)" — never $0.
// A provider that reported no usage gives "usage: not reported by <provider>". An answer
// from the response cache ends "from the response cache: cost $0 (saved $X)".
std::string format_usage_line(const ChatResult& result, const PriceBook& prices);

}  // namespace llmgw::cli
