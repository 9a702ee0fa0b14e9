// Effective configuration with provenance. Precedence: default < file < env < flag.
// Every value remembers where it came from, for `llmgw config show`.
//
// config.toml keys:
//   default_model = "openai/gpt-4o-mini"
//   [aliases]            fast = "groq/llama-3.1-8b-instant"
//   [aliases.<name>]     targets = ["provider/model", ...], strategy, weights (BalancedAlias)
//   [fallbacks]          "model" = ["next", ...] (or one string)
//   [retry]              max_retries (0..20), base_delay, max_delay, max_wait (seconds)
//   [breaker]            failures, failure_ratio, min_requests, window, cooldown (seconds)
//   [providers.<name>]   base_url, api_key_env (a name or a list of names), protocol
//                        ("openai" for custom names), connect_timeout, first_byte_timeout,
//                        idle_timeout, total_timeout (seconds, may be fractional), delay_ms
//                        (mock only), headers (table of extra request headers, e.g.
//                        OpenRouter's "HTTP-Referer"), api_version (azure only),
//                        max_retries, retry_base_delay, retry_max_delay, max_retry_wait
//   [cache]              enabled (bool, default true), ttl (seconds, default 3600),
//                        max_size_mb (default 256): the response cache (response_cache.hpp)
//   logs = false         the CLI stores no conversations (store/conversations.hpp)
//   [prices."provider/model"]  input, output, cached_input, cache_write, cache_write_1h
//                        (USD per 1M tokens), image (USD per image: a number, or a table
//                        "<size>/<quality>" = number): overrides the built-in price table
// Environment: LLMGW_MODEL (default_model), OPENAI_BASE_URL, ANTHROPIC_BASE_URL,
//   AZURE_OPENAI_ENDPOINT, OLLAMA_HOST (base_url of those providers), OPENAI_API_VERSION
//   (azure's api_version), LLMGW_CONFIG (file path), LLMGW_DB (database path).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config/env.hpp"
#include "core/config/paths.hpp"
#include "core/http/transport.hpp"
#include "core/price_book.hpp"
#include "core/resilience/balancer.hpp"
#include "core/resilience/circuit_breaker.hpp"
#include "core/resilience/retry_policy.hpp"
#include "core/store/response_cache.hpp"

namespace llmgw {

// Where a value came from: "default", "file <path>:<line>", "env OPENAI_BASE_URL",
// "flag --model".
template <class T>
struct Sourced {
  T value{};
  std::string source = "default";
};

struct ProviderSettings {
  std::optional<Sourced<std::string>> base_url;  // unset: the registry default
  // Unset: the registry's env vars (the first one set gives the key). Set: every one of
  // these that is set gives a key, used in turn (KeyPool).
  std::optional<Sourced<std::vector<std::string>>> api_key_env;
  std::optional<Sourced<std::string>> protocol;     // only for providers not in the registry
  Sourced<Timeouts> timeouts;                       // source names the last layer that set any
  std::optional<Sourced<long>> delay_ms;            // mock/slow per-chunk delay
  std::optional<Sourced<std::string>> api_version;  // azure: its api-version parameter
  // Sent with every request to the provider, after (and replacing) the registry's own.
  // Never auth headers: keys live in the keys file, where they are redacted.
  std::optional<Sourced<std::vector<std::pair<std::string, std::string>>>> headers;
  // Effective retry settings when this provider sets any retry key: Config::retry with
  // the provider's keys applied. Unset: Config::retry applies as it is.
  std::optional<Sourced<RetrySettings>> retry;
};

// [aliases.<name>] written as a table: one name for several deployments of a model,
// chosen between by `strategy` (see balancer.hpp).
struct BalancedAlias {
  std::vector<std::string> targets;  // "provider/model" names (not aliases), at least one
  std::vector<double> weights;       // empty, or one weight > 0 per target
  Strategy strategy = Strategy::round_robin;
};

struct Config {
  Paths paths;
  // Who chose paths.config_file: "default", "env LLMGW_CONFIG" or "flag --config".
  std::string config_file_source = "default";
  // Who chose paths.db_file: "default", "env LLMGW_DB" or "flag --db".
  std::string db_file_source = "default";
  bool file_exists = false;
  std::optional<Sourced<std::string>> default_model;    // unset: chosen from configured keys
  std::map<std::string, Sourced<std::string>> aliases;  // [aliases] name = "target"
  std::map<std::string, Sourced<BalancedAlias>> balanced_aliases;  // [aliases.<name>] tables
  // [fallbacks] model = ["next", "after that"]: tried in order when `model` (as the caller
  // wrote it: a name, alias or provider/model) fails.
  std::map<std::string, Sourced<std::vector<std::string>>> fallbacks;
  Sourced<RetrySettings> retry;                       // [retry]
  Sourced<BreakerSettings> breaker;                   // [breaker]
  std::map<std::string, ProviderSettings> providers;  // only those mentioned anywhere
  // [prices."provider/model"]: applied on top of the built-in table (price_book()).
  std::map<std::string, Sourced<PriceOverride>> prices;
  Sourced<CacheSettings> cache;  // [cache]
  // Whether the CLI stores its prompts and answers (`llmgw logs`); the daemon never does.
  Sourced<bool> logs{true};
};

// The built-in price table with the config's [prices] overrides applied.
PriceBook price_book(const Config& config);

// Flag layer: values given on the command line (highest precedence).
struct ConfigFlags {
  std::optional<std::string> model;        // -m/--model
  std::optional<std::string> config_file;  // --config
  std::optional<std::string> db_file;      // --db
};

// Reads paths, the config file (if present) and the environment. A missing file is not
// an error; a malformed one throws GatewayError{config} whose message names the file and
// line, e.g. "config.toml:3:7: expected '=' ...". Unknown keys are errors too (typos
// must not be silently ignored), naming the key and the file:line.
Config load_config(const EnvLookup& env, const ConfigFlags& flags);

}  // namespace llmgw
