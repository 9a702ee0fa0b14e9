// The price table: data/prices.json (compiled into the binary with its version and date)
// with the [prices."provider/model"] overrides of config.toml applied on top. Holds no
// global state beyond the parsed built-in table, so tests build their own books.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw {

// USD per 1M tokens. An unset rate means the provider has no separate price for that kind
// of token (see pricing.hpp for what is charged instead).
struct TokenRates {
  std::optional<double> input;           // prompt tokens neither read from nor written to a cache
  std::optional<double> cached_input;    // prompt_tokens_details.cached_tokens
  std::optional<double> cache_write;     // cache_write_tokens (Anthropic: the 5-minute cache)
  std::optional<double> cache_write_1h;  // cache_write_1h_tokens (Anthropic's 1-hour cache)
  std::optional<double> output;          // completion_tokens, reasoning included

  bool empty() const {
    return !input && !cached_input && !cache_write && !cache_write_1h && !output;
  }
};

// Rates for a request whose prompt_tokens exceed `threshold` (Gemini 2.5 Pro above 200k);
// they apply to every token of that request. Unset rates fall back to the base rates.
struct LongContextRates {
  long long threshold = 0;
  TokenRates rates;
};

// The key of an image price: "<size>/<quality>", e.g. "1024x1024/standard"; "*" stands for
// any size and quality (config.toml's `image = 0.04`).
inline constexpr std::string_view k_any_image = "*";

struct ModelPrice {
  TokenRates rates;
  std::map<std::string, double> image;  // USD per image
  std::optional<LongContextRates> long_context;
};

// One [prices."provider/model"] table of config.toml: the fields it names replace the
// table's; `image` replaces all image prices of the model. A long_context tier stays as
// the table has it (config cannot set one).
struct PriceOverride {
  TokenRates rates;
  std::optional<std::map<std::string, double>> image;
};

class PriceBook {
 public:
  // The table compiled into the binary (parsed on first use only).
  static const PriceBook& builtin();
  // A table from prices.json text; throws std::runtime_error naming what is wrong.
  static PriceBook parse(std::string_view json_text);

  // This book with overrides applied; a model only in `overrides` becomes priced.
  PriceBook with_overrides(const std::map<std::string, PriceOverride>& overrides) const;

  const std::string& version() const { return m_version; }
  const std::string& date() const { return m_date; }
  // provider → where its prices come from (the file's "sources").
  const std::map<std::string, std::string>& sources() const { return m_sources; }
  // Every entry, keyed "provider/model".
  const std::map<std::string, ModelPrice>& models() const { return m_models; }
  // Providers whose every model costs nothing (local or fake).
  bool is_free(const std::string& provider) const;

  // nullopt: no known price (a free provider gives an all-zero price).
  std::optional<ModelPrice> find(const std::string& provider, const std::string& model) const;
  // Model names (without the provider prefix) with a price, sorted.
  std::vector<std::string> priced_models(const std::string& provider) const;

 private:
  std::string m_version;
  std::string m_date;
  std::map<std::string, std::string> m_sources;
  std::vector<std::string> m_free_providers;
  std::map<std::string, ModelPrice> m_models;
};

}  // namespace llmgw
