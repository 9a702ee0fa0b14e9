// `llmgw config`: where the files are and what every effective setting is, with the
// layer it came from (default < file < env < flag).
#include <CLI/CLI.hpp>
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
Environment: LLMGW_CONFIG (config file), LLMGW_MODEL (default model), OPENAI_BASE_URL,
ANTHROPIC_BASE_URL, AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION (azure), OLLAMA_HOST,
XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME.

Example config.toml:
  default_model = "openai/gpt-4o-mini"
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

Examples:
  llmgw config path
  llmgw config show
  llmgw config show --json | jq .default_model
  llmgw --config ./test.toml config show)";

struct Row {
  std::string name, value, source;
};

std::string seconds(std::chrono::milliseconds ms) {
  std::string text = std::to_string(static_cast<double>(ms.count()) / 1000.0);
  while (text.back() == '0')
    text.pop_back();
  if (text.back() == '.')
    text.pop_back();
  return text + " s";
}

std::vector<Row> effective_rows(Context& ctx, const std::optional<std::string>& model_flag) {
  const Config& config = ctx.config(model_flag);
  const Credentials& credentials = ctx.credentials();
  std::vector<Row> rows;
  rows.push_back({"config_file", config.paths.config_file.string(),
                  config.file_exists ? "found" : "not found (optional)"});
  rows.push_back({"keys_file", config.paths.keys_file.string(), ""});
  rows.push_back({"data_dir", config.paths.data_dir.string(), ""});
  rows.push_back({"state_dir", config.paths.state_dir.string(), ""});

  const DefaultModel chosen = ctx.default_model();
  rows.push_back({"default_model", chosen.model, chosen.source});
  for (const auto& [alias, target] : config.aliases) {
    rows.push_back({"aliases." + alias, target.value, target.source});
  }
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
    if (provider.requires_key()) {
      const auto key = credentials.find(provider, std::nullopt);
      rows.push_back({"providers." + name + ".key", key ? redact_secret(key->key) : "(none)",
                      key ? key->source : ""});
    }
    if (has_settings && settings->second.timeouts.source != "default") {
      const Timeouts& t = settings->second.timeouts.value;
      rows.push_back({"providers." + name + ".timeouts",
                      "connect " + seconds(t.connect) + ", first byte " + seconds(t.first_byte) +
                          ", idle " + seconds(t.idle) + ", total " + seconds(t.total),
                      settings->second.timeouts.source});
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
