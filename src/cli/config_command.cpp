// `llmgw config`: where the files are and what every effective setting is, with the
// layer it came from (default < file < env < flag).
#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "core/config/key_store.hpp"
#include "core/error.hpp"
#include "core/routing.hpp"

namespace llmgw::cli {

namespace {

constexpr const char* k_config_footer =
    R"(Precedence, lowest first: built-in default < config file < environment < flag.
Environment: LLMGW_CONFIG (config file), LLMGW_DB (database), LLMGW_MODEL (default
model), OPENAI_BASE_URL, ANTHROPIC_BASE_URL, AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION
(azure), OLLAMA_HOST, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME.

Example config.toml:
  default_model = "openai/gpt-4o-mini"
  logs = true                  # keep CLI conversations (llmgw logs); false keeps none
  [aliases]
  fast = "groq/llama-3.1-8b-instant"
  [providers.openai]
  base_url = "http://127.0.0.1:8000/v1"
  idle_timeout = 30
  [providers.local]            # any OpenAI-compatible server
  base_url = "http://127.0.0.1:1234/v1"
  api_key_env = "LOCAL_API_KEY"
  [providers.openrouter]       # extra request headers (never keys)
  headers = { "HTTP-Referer" = "https://myapp.example" }
  [providers.azure]            # llmgw chat -m azure/<deployment>
  base_url = "https://myresource.openai.azure.com"
  api_version = "2024-10-21"
  max_retries = 5              # this provider's own retry settings
  [retry]                      # every provider: 3 retries, 0.5 s doubling to 20 s
  max_retries = 3
  base_delay = 0.5
  [breaker]                    # rest a deployment after 5 failures in a row, for 30 s
  failures = 5
  cooldown = 30
  [fallbacks]                  # when gpt-4o fails, try these in turn
  "openai/gpt-4o" = ["anthropic/claude-sonnet-4-5", "groq/llama-3.3-70b-versatile"]
  [aliases.smart]              # one name, several deployments
  targets = ["openai/gpt-4o", "azure/gpt-4o"]
  strategy = "weighted"        # round-robin, weighted, least-latency, least-busy, priority
  weights = [3, 1]
  [cache]                      # answers to deterministic requests, for an hour
  ttl = 3600                   # seconds
  max_size_mb = 256            # least recently used answers go beyond this
  [prices."openai/gpt-4o"]     # USD per 1M tokens; replaces the built-in price's fields
  input = 2.5                  # also output, cached_input, cache_write, cache_write_1h
  [prices."local/my-model"]    # a model the built-in table lacks becomes priced
  input = 0.1
  output = 0.2
  image = 0.04                 # USD per image (or a table "1024x1024/hd" = 0.08)

Examples:
  llmgw config path
  llmgw config show
  llmgw config show --json | jq .default_model
  llmgw --config ./test.toml config show)";

struct Row {
  std::string name, value, source;
};

// 0.5 → "0.5", 3 → "3": as a user writes the number in config.toml.
std::string number(double value) {
  std::string text = std::to_string(value);
  while (text.back() == '0')
    text.pop_back();
  if (text.back() == '.')
    text.pop_back();
  return text;
}

std::string seconds(std::chrono::milliseconds ms) {
  return number(static_cast<double>(ms.count()) / 1000.0) + " s";
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items)
    text += (text.empty() ? "" : ", ") + item;
  return text;
}

// "round-robin: openai/gpt-4o, azure/gpt-4o (weights 3, 1)"
std::string describe(const BalancedAlias& alias) {
  std::string text = std::string(to_string(alias.strategy)) + ": " + join(alias.targets);
  if (!alias.weights.empty()) {
    std::vector<std::string> weights;
    for (const double weight : alias.weights)
      weights.push_back(number(weight));
    text += " (weights " + join(weights) + ")";
  }
  return text;
}

std::string describe(const RetrySettings& retry) {
  return "max_retries " + std::to_string(retry.max_retries) + ", base_delay " +
         seconds(retry.base_delay) + ", max_delay " + seconds(retry.max_delay) + ", max_wait " +
         seconds(retry.max_wait);
}

void add_resilience_rows(const Config& config, std::vector<Row>& rows) {
  for (const auto& [model, next] : config.fallbacks)
    rows.push_back({"fallbacks." + model, join(next.value), next.source});
  const RetrySettings& retry = config.retry.value;
  const std::string& retry_source = config.retry.source;
  rows.push_back({"retry.max_retries", std::to_string(retry.max_retries), retry_source});
  rows.push_back({"retry.base_delay", seconds(retry.base_delay), retry_source});
  rows.push_back({"retry.max_delay", seconds(retry.max_delay), retry_source});
  rows.push_back({"retry.max_wait", seconds(retry.max_wait), retry_source});
  const BreakerSettings& breaker = config.breaker.value;
  const std::string& breaker_source = config.breaker.source;
  rows.push_back({"breaker.failures", std::to_string(breaker.failure_threshold), breaker_source});
  rows.push_back({"breaker.failure_ratio", number(breaker.failure_ratio), breaker_source});
  rows.push_back({"breaker.min_requests", std::to_string(breaker.min_requests), breaker_source});
  rows.push_back({"breaker.window", seconds(breaker.window), breaker_source});
  rows.push_back({"breaker.cooldown", seconds(breaker.cooldown), breaker_source});
  const CacheSettings& cache = config.cache.value;
  const std::string& cache_source = config.cache.source;
  rows.push_back({"cache.enabled", cache.enabled ? "true" : "false", cache_source});
  rows.push_back({"cache.ttl", std::to_string(cache.ttl.count()), cache_source});
  rows.push_back({"cache.max_size_mb",
                  number(static_cast<double>(cache.max_bytes) / (1024.0 * 1024.0)), cache_source});
  rows.push_back({"logs", config.logs.value ? "true" : "false", config.logs.source});
}

void add_price_rows(const Config& config, std::vector<Row>& rows) {
  for (const auto& [model, change] : config.prices) {
    const std::string prefix = "prices.\"" + model + "\".";
    const TokenRates& rates = change.value.rates;
    const std::pair<const char*, const std::optional<double>*> fields[] = {
        {"input", &rates.input},
        {"cached_input", &rates.cached_input},
        {"cache_write", &rates.cache_write},
        {"cache_write_1h", &rates.cache_write_1h},
        {"output", &rates.output}};
    for (const auto& [name, value] : fields) {
      if (*value)
        rows.push_back({prefix + name, "$" + number(**value) + " per 1M tokens", change.source});
    }
    if (change.value.image) {
      for (const auto& [size, usd] : *change.value.image)
        rows.push_back({prefix + "image" + (size == k_any_image ? "" : "." + size),
                        "$" + number(usd) + " per image", change.source});
    }
  }
}

// Every key the provider would use, redacted; keys from the keys file share one source
// (`file_source`, "keys file <path>") instead of one "#n" each.
Row key_row(const std::string& name, const std::vector<ResolvedKey>& keys,
            const std::string& file_source) {
  if (keys.empty())
    return {"providers." + name + ".key", "(none)", ""};
  std::vector<std::string> values, sources;
  for (const auto& key : keys) {
    values.push_back(redact_secret(key.key));
    // "keys file <path> #2" → "keys file <path>": one source for all of them.
    const std::string source = key.source.starts_with(file_source) ? file_source : key.source;
    if (sources.empty() || sources.back() != source)
      sources.push_back(source);
  }
  std::string value = join(values);
  if (keys.size() > 1)
    value += " (" + std::to_string(keys.size()) + " keys, used in turn)";
  return {"providers." + name + ".key", value, join(sources)};
}

std::vector<Row> effective_rows(Context& ctx, const std::optional<std::string>& model_flag) {
  const Config& config = ctx.config(model_flag);
  const Credentials& credentials = ctx.credentials();
  std::vector<Row> rows;
  rows.push_back({"config_file", config.paths.config_file.string(),
                  config.file_exists ? "found" : "not found (optional)"});
  rows.push_back({"keys_file", config.paths.keys_file.string(), ""});
  rows.push_back({"data_dir", config.paths.data_dir.string(), ""});
  rows.push_back({"db_file", config.paths.db_file.string(), config.db_file_source});
  rows.push_back({"state_dir", config.paths.state_dir.string(), ""});

  const DefaultModel chosen = ctx.default_model();
  rows.push_back({"default_model", chosen.model, chosen.source});
  std::map<std::string, Row> aliases;  // plain and balanced ones, in name order
  for (const auto& [alias, target] : config.aliases)
    aliases[alias] = {"aliases." + alias, target.value, target.source};
  for (const auto& [alias, balanced] : config.balanced_aliases)
    aliases[alias] = {"aliases." + alias, describe(balanced.value), balanced.source};
  for (auto& [alias, row] : aliases)
    rows.push_back(std::move(row));
  add_resilience_rows(config, rows);
  add_price_rows(config, rows);
  for (const std::string& name : known_provider_names(config)) {
    const ProviderInfo provider = effective_provider(name, config);
    const auto settings = config.providers.find(name);
    const bool has_settings = settings != config.providers.end();
    const bool base_url_set = has_settings && settings->second.base_url;
    if (!provider.base_url.empty() || base_url_set) {
      rows.push_back({"providers." + name + ".base_url", provider.base_url,
                      base_url_set ? settings->second.base_url->source : "default"});
    } else if (provider.protocol != Protocol::mock) {
      rows.push_back({"providers." + name + ".base_url",
                      "(none: set [providers." + name + "] base_url to use it)", ""});
    }
    if (!provider.api_version.empty()) {
      const bool set = has_settings && settings->second.api_version;
      rows.push_back({"providers." + name + ".api_version", provider.api_version,
                      set ? settings->second.api_version->source : "default"});
    }
    if (has_settings && settings->second.headers) {
      // Names only: a header value may be something the user would rather not show.
      std::string names;
      for (const auto& header : settings->second.headers->value)
        names += (names.empty() ? "" : ", ") + header.first;
      rows.push_back({"providers." + name + ".headers", names, settings->second.headers->source});
    }
    if (has_settings && settings->second.api_key_env) {
      rows.push_back({"providers." + name + ".api_key_env",
                      join(settings->second.api_key_env->value),
                      settings->second.api_key_env->source});
    }
    if (provider.requires_key())
      rows.push_back(key_row(name, credentials.find_all(provider, std::nullopt),
                             "keys file " + ctx.key_store().path().string()));
    if (has_settings && settings->second.timeouts.source != "default") {
      const Timeouts& t = settings->second.timeouts.value;
      rows.push_back({"providers." + name + ".timeouts",
                      "connect " + seconds(t.connect) + ", first byte " + seconds(t.first_byte) +
                          ", idle " + seconds(t.idle) + ", total " + seconds(t.total),
                      settings->second.timeouts.source});
    }
    if (has_settings && settings->second.retry) {
      rows.push_back({"providers." + name + ".retry", describe(settings->second.retry->value),
                      settings->second.retry->source});
    }
  }
  return rows;
}

int run_show(Context& ctx, bool json, const std::optional<std::string>& model_flag) {
  const std::vector<Row> rows = effective_rows(ctx, model_flag);
  std::ostream& out = ctx.io().out;
  if (json) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& row : rows)
      object[row.name] = {{"value", row.value}, {"source", row.source}};
    out << object.dump(2) << '\n';
    return 0;
  }
  std::size_t name_width = 0, value_width = 0;
  for (const auto& row : rows) {
    name_width = std::max(name_width, row.name.size());
    value_width = std::max(value_width, row.value.size());
  }
  for (const auto& row : rows) {
    out << row.name << std::string(name_width - row.name.size() + 2, ' ') << row.value;
    if (!row.source.empty()) {
      out << std::string(value_width - row.value.size() + 2, ' ') << "(" << row.source << ")";
    }
    out << '\n';
  }
  return 0;
}

}  // namespace

void register_config(CLI::App& parent, Context& ctx) {
  CLI::App* config =
      parent.add_subcommand("config", "Show where config lives and the effective settings");
  config->require_subcommand(1);
  config->footer(k_config_footer);

  CLI::App* path = config->add_subcommand("path", "Print the config file's path");
  path->callback([&ctx] {
    ctx.io().out << ctx.config().paths.config_file.string() << '\n';
    ctx.exit_code = 0;
  });

  struct ShowOptions {
    bool json = false;
    std::string model;
    CLI::Option* model_opt = nullptr;
  };
  auto opts = std::make_shared<ShowOptions>();
  CLI::App* show =
      config->add_subcommand("show", "Show every effective value and where it came from");
  show->add_flag("--json", opts->json, "Print a JSON object {name: {value, source}}");
  opts->model_opt = show->add_option("-m,--model", opts->model,
                                     "Show the effect of this -m flag on default_model");
  show->callback([&ctx, opts] {
    ctx.exit_code = run_show(
        ctx, opts->json, opts->model_opt->count() > 0 ? std::optional(opts->model) : std::nullopt);
  });
}

}  // namespace llmgw::cli
