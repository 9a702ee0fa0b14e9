// The resilience parts of config.toml: [retry], [breaker], [fallbacks], balanced
// [aliases.<name>] tables and the retry keys of [providers.<name>]. Internal to
// core/config; config.cpp calls these while it walks the document.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"
#include "core/config/toml_reader.hpp"

namespace llmgw::config_detail {

// [retry]: max_retries, base_delay, max_delay, max_wait. The source is the line of the
// first key set; an empty table leaves the defaults and their "default" source.
void read_retry(const TomlReader& reader, const toml::node& node, Sourced<RetrySettings>& out);

// [breaker]: failures, failure_ratio, min_requests, window, cooldown. Sourced as [retry].
void read_breaker(const TomlReader& reader, const toml::node& node, Sourced<BreakerSettings>& out);

// [fallbacks] "model" = ["next", ...] (or one string).
void read_fallbacks(const TomlReader& reader, const toml::node& node,
                    std::map<std::string, Sourced<std::vector<std::string>>>& out);

// [aliases.<name>] as a table: targets, strategy, weights.
Sourced<BalancedAlias> read_balanced_alias(const TomlReader& reader, const std::string& name,
                                           const toml::table& table);

// The retry keys a [providers.<name>] table may set, kept apart until the whole file is
// read: they apply on top of [retry], wherever [retry] sits in the file.
struct RetryOverrides {
  std::optional<int> max_retries;
  std::optional<std::chrono::milliseconds> base_delay, max_delay, max_wait;
  std::optional<std::size_t> first_line;

  bool empty() const { return !first_line; }
  RetrySettings applied_to(RetrySettings settings) const;
};

// Reads `key` into `overrides` when it is a provider retry key (max_retries,
// retry_base_delay, retry_max_delay, max_retry_wait); false otherwise.
bool read_provider_retry_key(const TomlReader& reader, std::string_view key,
                             const toml::node& value, const std::string& what,
                             RetryOverrides& overrides);

}  // namespace llmgw::config_detail
