#include "core/config/config_prices.hpp"

#include <array>
#include <string_view>

namespace llmgw::config_detail {

namespace {

constexpr std::array<std::string_view, 6> k_price_keys = {
    "input", "output", "cached_input", "cache_write", "cache_write_1h", "image"};

double require_price(const TomlReader& reader, const toml::node& node, const std::string& what) {
  const double value = reader.require_number(node, what);
  if (value < 0) {
    reader.fail_at(node.source(), what + " must be 0 or more (USD)");
  }
  return value;
}

std::map<std::string, double> read_image(const TomlReader& reader, const toml::node& node,
                                         const std::string& what) {
  std::map<std::string, double> prices;
  if (node.is_table()) {
    for (const auto& [size, value] : *node.as_table()) {
      const std::string key(size.str());
      if (key.empty()) {
        reader.fail_at(size.source(), what + " keys must be \"<size>/<quality>\"");
      }
      prices[key] = require_price(reader, value, what + "." + key);
    }
    if (prices.empty()) {
      reader.fail_at(node.source(), what + " is an empty table",
                     "give a price per image, e.g. image = 0.04 or "
                     "image = { \"1024x1024/standard\" = 0.04 }");
    }
  } else {
    prices[std::string(k_any_image)] = require_price(reader, node, what);
  }
  return prices;
}

}  // namespace

void read_prices(const TomlReader& reader, const toml::node& node,
                 std::map<std::string, Sourced<PriceOverride>>& out) {
  for (const auto& [name_key, entry] : reader.require_table(node, "prices")) {
    const std::string name(name_key.str());
    const auto slash = name.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == name.size()) {
      reader.fail_at(name_key.source(), "prices." + name + " must be named provider/model",
                     "write [prices.\"openai/gpt-4o\"] (quoted, with the provider)");
    }
    const std::string prefix = "prices.\"" + name + "\"";
    PriceOverride change;
    for (const auto& [key, value] : reader.require_table(entry, prefix)) {
      const std::string_view setting = key.str();
      const std::string what = prefix + "." + std::string(setting);
      if (setting == "input") {
        change.rates.input = require_price(reader, value, what);
      } else if (setting == "output") {
        change.rates.output = require_price(reader, value, what);
      } else if (setting == "cached_input") {
        change.rates.cached_input = require_price(reader, value, what);
      } else if (setting == "cache_write") {
        change.rates.cache_write = require_price(reader, value, what);
      } else if (setting == "cache_write_1h") {
        change.rates.cache_write_1h = require_price(reader, value, what);
      } else if (setting == "image") {
        change.image = read_image(reader, value, what);
      } else {
        reader.unknown_key(key, "[" + prefix + "]", k_price_keys);
      }
    }
    if (change.rates.empty() && !change.image) {
      reader.fail_at(entry.source(), prefix + " sets no price",
                     "[prices.\"" + name + "\"] input = 2.5  output = 10  (USD per 1M tokens)");
    }
    out[name] = Sourced<PriceOverride>{std::move(change), reader.source(entry)};
  }
}

}  // namespace llmgw::config_detail
