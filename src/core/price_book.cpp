#include "core/price_book.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/pricing_data.hpp"

namespace llmgw {

namespace {

using nlohmann::json;

constexpr std::string_view k_rate_keys[] = {"input", "cached_input", "cache_write",
                                            "cache_write_1h", "output"};

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw std::runtime_error("prices.json: " + where + ": " + what);
}

double price_value(const json& value, const std::string& where) {
  if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0)
    bad(where, "must be a number 0 or more");
  return value.get<double>();
}

template <class Rates>  // TokenRates or const TokenRates
auto* rate_field(Rates& rates, std::string_view key) {
  using Field = decltype(&rates.input);
  if (key == "input")
    return &rates.input;
  if (key == "cached_input")
    return &rates.cached_input;
  if (key == "cache_write")
    return &rates.cache_write;
  if (key == "cache_write_1h")
    return &rates.cache_write_1h;
  if (key == "output")
    return &rates.output;
  return Field{nullptr};
}

ModelPrice parse_model(const std::string& name, const json& entry) {
  if (!entry.is_object())
    bad(name, "must be an object");
  ModelPrice price;
  for (const auto& [key, value] : entry.items()) {
    const std::string where = name + "." + key;
    if (auto* field = rate_field(price.rates, key)) {
      *field = price_value(value, where);
    } else if (key == "image") {
      if (!value.is_object() || value.empty())
        bad(where, "must be an object of \"<size>/<quality>\": USD per image");
      for (const auto& [size, usd] : value.items())
        price.image[size] = price_value(usd, where + "." + size);
    } else if (key == "long_context") {
      if (!value.is_object() || !value.contains("threshold") ||
          !value["threshold"].is_number_integer() || value["threshold"].get<long long>() <= 0)
        bad(where, "must have a threshold (prompt tokens, more than 0)");
      LongContextRates tier;
      tier.threshold = value["threshold"].get<long long>();
      for (const auto& [tier_key, tier_value] : value.items()) {
        if (tier_key == "threshold")
          continue;
        auto* field = rate_field(tier.rates, tier_key);
        if (field == nullptr)
          bad(where + "." + tier_key, "unknown key");
        *field = price_value(tier_value, where + "." + tier_key);
      }
      price.long_context = tier;
    } else {
      bad(where, "unknown key");
    }
  }
  if (price.rates.empty() && price.image.empty())
    bad(name, "has no price");
  return price;
}

}  // namespace

const PriceBook& PriceBook::builtin() {
  // Parsed on first use only: no start-up cost for commands that never price anything.
  static const PriceBook k_book = parse(k_prices_json);
  return k_book;
}

PriceBook PriceBook::parse(std::string_view json_text) {
  const json data = json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (!data.is_object())
    bad("top level", "not a JSON object");
  PriceBook book;
  if (!data.contains("version") || !data["version"].is_string())
    bad("version", "missing");
  book.m_version = data["version"].get<std::string>();
  book.m_date = data.value("date", std::string());
  const json sources = data.value("sources", json::object());
  for (const auto& [provider, source] : sources.items())
    book.m_sources[provider] = source.is_string() ? source.get<std::string>() : source.dump();
  const json free_providers = data.value("free_providers", json::array());
  for (const auto& provider : free_providers) {
    if (!provider.is_string())
      bad("free_providers", "must be provider names");
    book.m_free_providers.push_back(provider.get<std::string>());
  }
  if (!data.contains("models") || !data["models"].is_object())
    bad("models", "missing");
  for (const auto& [name, entry] : data["models"].items()) {
    const auto slash = name.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == name.size())
      bad(name, "must be named provider/model");
    book.m_models[name] = parse_model(name, entry);
  }
  return book;
}

PriceBook PriceBook::with_overrides(const std::map<std::string, PriceOverride>& overrides) const {
  PriceBook book = *this;
  for (const auto& [name, change] : overrides) {
    ModelPrice& price = book.m_models[name];  // a model only in config starts empty
    for (const std::string_view key : k_rate_keys) {
      const auto& value = *rate_field(change.rates, key);
      if (value)
        *rate_field(price.rates, key) = value;
    }
    if (change.image)
      price.image = *change.image;
  }
  return book;
}

bool PriceBook::is_free(const std::string& provider) const {
  return std::find(m_free_providers.begin(), m_free_providers.end(), provider) !=
         m_free_providers.end();
}

std::optional<ModelPrice> PriceBook::find(const std::string& provider,
                                          const std::string& model) const {
  const auto it = m_models.find(provider + "/" + model);
  if (it != m_models.end())
    return it->second;
  if (is_free(provider)) {
    ModelPrice free;
    free.rates = TokenRates{0.0, 0.0, 0.0, 0.0, 0.0};
    free.image[std::string(k_any_image)] = 0.0;
    return free;
  }
  return std::nullopt;
}

std::vector<std::string> PriceBook::priced_models(const std::string& provider) const {
  const std::string prefix = provider + "/";
  std::vector<std::string> names;
  for (const auto& [name, price] : m_models) {
    if (name.rfind(prefix, 0) == 0)
      names.push_back(name.substr(prefix.size()));
  }
  return names;  // std::map keys: already sorted
}

}  // namespace llmgw
