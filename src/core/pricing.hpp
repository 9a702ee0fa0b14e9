// Price table (data/prices.json, compiled into the binary with its version) → the cost
// of a reported usage. A model without a price has no cost (nullopt), never $0.
// (Config overrides, cache-write prices and the other providers' tables come with the
// spend ledger.)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace llmgw {

struct Price {
  double input = 0;         // USD per 1M uncached prompt tokens
  double cached_input = 0;  // USD per 1M cached prompt tokens
  double output = 0;        // USD per 1M completion tokens (reasoning included)
};

const std::string& price_table_version();
// Model names (without the provider prefix) the table has a price for, sorted.
std::vector<std::string> priced_models(const std::string& provider);
std::optional<Price> find_price(const std::string& provider, const std::string& model);

// Cost of an OpenAI-shaped usage object: cached prompt tokens at the cached price, the
// rest of the prompt at the input price, completion at the output price.
std::optional<double> cost_usd(const std::string& provider, const std::string& model,
                               const nlohmann::json& usage);

}  // namespace llmgw
