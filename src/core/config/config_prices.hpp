// [prices."provider/model"] tables of config.toml: price overrides on top of the built-in
// table (core/price_book.hpp). Internal to core/config.
#pragma once

#include <map>
#include <string>

#include "core/config/config.hpp"
#include "core/config/toml_reader.hpp"

namespace llmgw::config_detail {

// Keys: input, output, cached_input, cache_write, cache_write_1h (USD per 1M tokens) and
// image (USD per image: a number for any size, or a table "<size>/<quality>" = number).
// Numbers are 0 or more; unknown keys and names without a provider are errors at their
// file:line.
void read_prices(const TomlReader& reader, const toml::node& node,
                 std::map<std::string, Sourced<PriceOverride>>& out);

}  // namespace llmgw::config_detail
