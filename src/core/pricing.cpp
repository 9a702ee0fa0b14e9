#include "core/pricing.hpp"

#include <algorithm>
#include <cstdint>

namespace llmgw {

namespace {

using nlohmann::json;

// A reported count: a non-negative integer, else 0 (a negative or malformed count is
// treated as absent rather than allowed to make a cost negative).
long long tokens(const json& object, const char* field) {
  if (!object.is_object())
    return 0;
  const auto it = object.find(field);
  if (it == object.end() || !it->is_number_integer())
    return 0;
  if (it->is_number_unsigned())
    return static_cast<long long>(std::min<std::uint64_t>(it->get<std::uint64_t>(), 1ULL << 60));
  return std::max<long long>(0, it->get<long long>());
}

const json& details(const json& usage, const char* field) {
  static const json k_empty = json::object();
  const auto it = usage.find(field);
  return it != usage.end() && it->is_object() ? *it : k_empty;
}

std::optional<double> pick(const std::optional<double>& tier, const std::optional<double>& base) {
  return tier ? tier : base;
}

double usd(long long count, double per_million) {
  return static_cast<double>(count) * per_million / 1e6;
}

void total(CostBreakdown& cost) {
  cost.total_usd = cost.input_usd + cost.cached_input_usd + cost.cache_write_usd + cost.output_usd +
                   cost.image_usd;
}

}  // namespace

std::optional<CostBreakdown> chat_cost(const PriceBook& book, const std::string& provider,
                                       const std::string& model, const json& usage) {
  const auto price = book.find(provider, model);
  // No counts at all is an unknown cost, not a free request.
  if (!price || !usage.is_object() ||
      (!usage.contains("prompt_tokens") && !usage.contains("completion_tokens")))
    return std::nullopt;
  const json& prompt_details = details(usage, "prompt_tokens_details");
  const long long prompt = tokens(usage, "prompt_tokens");
  const long long completion = tokens(usage, "completion_tokens");
  long long cached = tokens(prompt_details, "cached_tokens");
  if (!prompt_details.contains("cached_tokens"))
    cached = tokens(usage, "prompt_cache_hit_tokens");  // DeepSeek's own field
  cached = std::min(cached, prompt);
  const long long writes = std::min(tokens(prompt_details, "cache_write_tokens"), prompt - cached);
  const long long writes_1h = std::min(tokens(prompt_details, "cache_write_1h_tokens"), writes);
  const long long writes_5m = writes - writes_1h;
  const long long uncached = prompt - cached - writes;

  TokenRates rates = price->rates;
  CostBreakdown cost;
  cost.price_version = book.version();
  if (price->long_context && prompt > price->long_context->threshold) {
    const TokenRates& tier = price->long_context->rates;
    rates.input = pick(tier.input, rates.input);
    rates.cached_input = pick(tier.cached_input, rates.cached_input);
    rates.cache_write = pick(tier.cache_write, rates.cache_write);
    rates.cache_write_1h = pick(tier.cache_write_1h, rates.cache_write_1h);
    rates.output = pick(tier.output, rates.output);
    cost.long_context = true;
  }
  if ((prompt > 0 && !rates.input) || (completion > 0 && !rates.output))
    return std::nullopt;
  const double input = rates.input.value_or(0);
  cost.input_usd = usd(uncached, input);
  cost.cached_input_usd = usd(cached, rates.cached_input.value_or(input));
  cost.cache_write_usd = usd(writes_5m, rates.cache_write.value_or(input)) +
                         usd(writes_1h, rates.cache_write_1h.value_or(input));
  cost.output_usd = usd(completion, rates.output.value_or(0));
  total(cost);
  return cost;
}

std::optional<CostBreakdown> embedding_cost(const PriceBook& book, const std::string& provider,
                                            const std::string& model, const json& usage) {
  const auto price = book.find(provider, model);
  // Gemini's embeddings report no usage: that is an unknown cost, not a free request.
  if (!price || !price->rates.input || !usage.is_object() ||
      (!usage.contains("prompt_tokens") && !usage.contains("total_tokens")))
    return std::nullopt;
  const long long input = usage.contains("prompt_tokens") ? tokens(usage, "prompt_tokens")
                                                          : tokens(usage, "total_tokens");
  CostBreakdown cost;
  cost.price_version = book.version();
  cost.input_usd = usd(input, *price->rates.input);
  total(cost);
  return cost;
}

std::optional<CostBreakdown> image_cost(const PriceBook& book, const std::string& provider,
                                        const std::string& model, const std::string& size,
                                        const std::string& quality, long long count) {
  const auto price = book.find(provider, model);
  if (!price)
    return std::nullopt;
  auto it = price->image.find(size + "/" + quality);
  if (it == price->image.end())
    it = price->image.find(std::string(k_any_image));
  if (it == price->image.end())
    return std::nullopt;
  CostBreakdown cost;
  cost.price_version = book.version();
  cost.image_usd = static_cast<double>(std::max<long long>(0, count)) * it->second;
  total(cost);
  return cost;
}

std::optional<double> cost_usd(const PriceBook& book, const std::string& provider,
                               const std::string& model, const json& usage) {
  const auto cost = chat_cost(book, provider, model, usage);
  if (!cost)
    return std::nullopt;
  return cost->total_usd;
}

const std::string& price_table_version() {
  return PriceBook::builtin().version();
}

std::vector<std::string> priced_models(const std::string& provider) {
  return PriceBook::builtin().priced_models(provider);
}

}  // namespace llmgw
