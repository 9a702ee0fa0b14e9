#include "core/pricing.hpp"

#include <algorithm>
#include <map>

#include "core/pricing_data.hpp"

namespace llmgw {

namespace {

struct Table {
  std::string version;
  std::map<std::string, Price> prices;
};

const Table& table() {
  // Parsed on first use only: no start-up cost for commands that never price anything.
  static const Table k_table = [] {
    const auto data = nlohmann::json::parse(k_prices_json);
    Table t;
    t.version = data.at("version").get<std::string>();
    for (const auto& [name, p] : data.at("models").items()) {
      t.prices[name] =
          Price{p.at("input").get<double>(), p.value("cached_input", p.at("input").get<double>()),
                p.at("output").get<double>()};
    }
    return t;
  }();
  return k_table;
}

long tokens(const nlohmann::json& object, const char* field) {
  const auto it = object.find(field);
  return it != object.end() && it->is_number_integer() ? it->get<long>() : 0;
}

}  // namespace

const std::string& price_table_version() {
  return table().version;
}

std::vector<std::string> priced_models(const std::string& provider) {
  const std::string prefix = provider + "/";
  std::vector<std::string> models;
  for (const auto& [name, price] : table().prices) {
    if (name.rfind(prefix, 0) == 0)
      models.push_back(name.substr(prefix.size()));
  }
  return models;  // std::map keys: already sorted
}

std::optional<Price> find_price(const std::string& provider, const std::string& model) {
  const auto it = table().prices.find(provider + "/" + model);
  if (it == table().prices.end())
    return std::nullopt;
  return it->second;
}

std::optional<double> cost_usd(const std::string& provider, const std::string& model,
                               const nlohmann::json& usage) {
  const auto price = find_price(provider, model);
  if (!price || !usage.is_object())
    return std::nullopt;
  const long prompt = tokens(usage, "prompt_tokens");
  const long cached = std::min(
      prompt,
      tokens(usage.value("prompt_tokens_details", nlohmann::json::object()), "cached_tokens"));
  const long completion = tokens(usage, "completion_tokens");
  return (static_cast<double>(prompt - cached) * price->input +
          static_cast<double>(cached) * price->cached_input +
          static_cast<double>(completion) * price->output) /
         1e6;
}

}  // namespace llmgw
