#include "core/config/config_resilience.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace llmgw::config_detail {

namespace {

constexpr std::array<std::string_view, 4> k_retry_keys = {"max_retries", "base_delay", "max_delay",
                                                          "max_wait"};
constexpr std::array<std::string_view, 5> k_breaker_keys = {"failures", "failure_ratio",
                                                            "min_requests", "window", "cooldown"};
constexpr std::array<std::string_view, 3> k_alias_keys = {"targets", "strategy", "weights"};

// More retries than this only hammers a failing upstream; a typo like 300 is caught.
constexpr long long k_max_retries = 20;
// Keeps the breaker's counters far from int overflow.
constexpr long long k_max_count = 1'000'000;

constexpr std::array<Strategy, 5> k_strategies = {Strategy::round_robin, Strategy::weighted,
                                                  Strategy::least_latency, Strategy::least_busy,
                                                  Strategy::priority};

std::string strategy_names() {
  std::string names;
  for (const Strategy strategy : k_strategies) {
    names += (names.empty() ? "" : ", ") + std::string(to_string(strategy));
  }
  return names;
}

// The field of `settings` a retry key sets, with the shared validation of its value.
// `key` is the [retry] spelling (max_retries, base_delay, max_delay, max_wait).
bool read_retry_value(const TomlReader& reader, std::string_view key, const toml::node& value,
                      const std::string& what, RetryOverrides& out) {
  if (key == "max_retries") {
    out.max_retries = static_cast<int>(reader.require_integer(value, what, 0, k_max_retries));
  } else if (key == "base_delay") {
    out.base_delay = reader.require_seconds(value, what, true);
  } else if (key == "max_delay") {
    out.max_delay = reader.require_seconds(value, what, false);
  } else if (key == "max_wait") {
    out.max_wait = reader.require_seconds(value, what, true);
  } else {
    return false;
  }
  const std::size_t line = value.source().begin.line;
  out.first_line = std::min(out.first_line.value_or(line), line);
  return true;
}

}  // namespace

RetrySettings RetryOverrides::applied_to(RetrySettings settings) const {
  if (max_retries) {
    settings.max_retries = *max_retries;
  }
  if (base_delay) {
    settings.base_delay = *base_delay;
  }
  if (max_delay) {
    settings.max_delay = *max_delay;
  }
  if (max_wait) {
    settings.max_wait = *max_wait;
  }
  return settings;
}

void read_retry(const TomlReader& reader, const toml::node& node, Sourced<RetrySettings>& out) {
  RetryOverrides overrides;
  for (const auto& [key, value] : reader.require_table(node, "retry")) {
    if (!read_retry_value(reader, key.str(), value, "retry." + std::string(key.str()), overrides)) {
      reader.unknown_key(key, "[retry]", k_retry_keys);
    }
  }
  if (!overrides.empty()) {
    out = Sourced<RetrySettings>{overrides.applied_to(out.value),
                                 reader.source_line(*overrides.first_line)};
  }
}

bool read_provider_retry_key(const TomlReader& reader, std::string_view key,
                             const toml::node& value, const std::string& what,
                             RetryOverrides& overrides) {
  // The provider spelling says "retry" where [retry] does not need to.
  std::string_view retry_key;
  if (key == "max_retries") {
    retry_key = "max_retries";
  } else if (key == "retry_base_delay") {
    retry_key = "base_delay";
  } else if (key == "retry_max_delay") {
    retry_key = "max_delay";
  } else if (key == "max_retry_wait") {
    retry_key = "max_wait";
  } else {
    return false;
  }
  return read_retry_value(reader, retry_key, value, what, overrides);
}

void read_breaker(const TomlReader& reader, const toml::node& node, Sourced<BreakerSettings>& out) {
  BreakerSettings settings = out.value;
  std::optional<std::size_t> first_line;
  for (const auto& [key, value] : reader.require_table(node, "breaker")) {
    const std::string_view name = key.str();
    const std::string what = "breaker." + std::string(name);
    if (name == "failures") {
      settings.failure_threshold =
          static_cast<int>(reader.require_integer(value, what, 1, k_max_count));
    } else if (name == "failure_ratio") {
      const double ratio = reader.require_number(value, what);
      if (ratio <= 0 || ratio > 1) {
        reader.fail_at(value.source(), what + " must be more than 0 and at most 1");
      }
      settings.failure_ratio = ratio;
    } else if (name == "min_requests") {
      settings.min_requests = static_cast<int>(reader.require_integer(value, what, 1, k_max_count));
    } else if (name == "window") {
      settings.window = reader.require_seconds(value, what, false);
    } else if (name == "cooldown") {
      settings.cooldown = reader.require_seconds(value, what, false);
    } else {
      reader.unknown_key(key, "[breaker]", k_breaker_keys);
    }
    const std::size_t line = value.source().begin.line;
    first_line = std::min(first_line.value_or(line), line);
  }
  if (first_line) {
    out = Sourced<BreakerSettings>{settings, reader.source_line(*first_line)};
  }
}

void read_fallbacks(const TomlReader& reader, const toml::node& node,
                    std::map<std::string, Sourced<std::vector<std::string>>>& out) {
  for (const auto& [key, value] : reader.require_table(node, "fallbacks")) {
    const std::string name(key.str());
    if (name.empty()) {
      reader.fail_at(key.source(), "a [fallbacks] model name must not be empty");
    }
    out[name] = Sourced<std::vector<std::string>>{
        reader.require_string_list(value, "fallbacks." + name, true), reader.source(value)};
  }
}

Sourced<BalancedAlias> read_balanced_alias(const TomlReader& reader, const std::string& name,
                                           const toml::table& table) {
  const std::string prefix = "aliases." + name;
  BalancedAlias alias;
  const toml::node* weights_node = nullptr;
  bool has_targets = false;
  for (const auto& [key, value] : table) {
    const std::string_view setting = key.str();
    const std::string what = prefix + "." + std::string(setting);
    if (setting == "targets") {
      alias.targets = reader.require_string_list(value, what, false);
      has_targets = true;
      for (std::size_t i = 0; i < alias.targets.size(); ++i) {
        const std::string& target = alias.targets[i];
        const auto slash = target.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == target.size()) {
          reader.fail_at(value.as_array()->get(i)->source(),
                         what + "[" + std::to_string(i) + "] must be provider/model, like " +
                             "\"openai/gpt-4o\"",
                         "a balanced alias names deployments, not other aliases");
        }
      }
    } else if (setting == "strategy") {
      const std::string strategy = reader.require_nonempty_string(value, what);
      const auto parsed = parse_strategy(strategy);
      if (!parsed) {
        reader.fail_at(value.source(), what + " must be one of " + strategy_names());
      }
      alias.strategy = *parsed;
    } else if (setting == "weights") {
      const toml::array* array = value.as_array();
      if (array == nullptr) {
        reader.wrong_type(value, what, "an array of numbers");
      }
      for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& item = *array->get(i);
        const std::string item_what = what + "[" + std::to_string(i) + "]";
        const double weight = reader.require_number(item, item_what);
        if (weight <= 0) {
          reader.fail_at(item.source(), item_what + " must be more than 0");
        }
        alias.weights.push_back(weight);
      }
      weights_node = &value;
    } else {
      reader.unknown_key(key, "[" + prefix + "]", k_alias_keys);
    }
  }
  if (!has_targets) {
    reader.fail_at(table.source(), prefix + " has no targets",
                   "[" + prefix + "] targets = [\"openai/gpt-4o\", \"azure/gpt-4o\"]");
  }
  // Checked once both are read: their order in the table does not matter.
  if (weights_node != nullptr && alias.weights.size() != alias.targets.size()) {
    reader.fail_at(weights_node->source(),
                   prefix + ".weights has " + std::to_string(alias.weights.size()) +
                       " weights for " + std::to_string(alias.targets.size()) + " targets",
                   "give one weight per target, in the same order");
  }
  return Sourced<BalancedAlias>{std::move(alias), reader.source(table)};
}

}  // namespace llmgw::config_detail
