#include "core/routing.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "core/error.hpp"
#include "core/providers/mock_provider.hpp"
#include "core/providers/openai_url.hpp"

namespace llmgw {

namespace {

constexpr long k_mock_slow_delay_ms = 200;

// Azure OpenAI's latest generally available dated API version (wire-formats §2.1), used
// for the deployment URL layout when neither config nor OPENAI_API_VERSION names one.
constexpr const char* k_azure_default_api_version = "2024-10-21";

// Protocols a custom [providers.<name>] may speak; mock is a built-in only.
constexpr const char* k_custom_protocols = "openai, anthropic, gemini, ollama";

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty())
      out += separator;
    out += item;
  }
  return out;
}

std::string known_providers_text(const Config& config) {
  return join(known_provider_names(config), ", ");
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string strip_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

const ProviderSettings* find_settings(const Config& config, const std::string& name) {
  const auto it = config.providers.find(name);
  return it == config.providers.end() ? nullptr : &it->second;
}

// A name in [providers.*] that is not built in; only usable once it has a base_url.
bool is_usable_custom(const std::string& name, const ProviderSettings& settings) {
  return find_builtin_provider(name) == nullptr && settings.base_url.has_value() &&
         !settings.base_url->value.empty();
}

// Follows [aliases]: the value of an alias may itself be an alias once more; anything
// deeper (or a cycle, which is necessarily deeper) is a config error rather than a loop.
std::string resolve_alias(const std::string& requested, const Config& config) {
  const auto first = config.aliases.find(requested);
  if (first == config.aliases.end())
    return requested;
  const std::string& target = first->second.value;
  const std::string fix =
      "point [aliases] " + requested + " at a provider/model name (" + first->second.source + ")";
  if (target == requested) {
    fail(ErrorKind::config, "alias '" + requested + "' points at itself", fix);
  }
  const auto second = config.aliases.find(target);
  if (second == config.aliases.end())
    return target;
  const std::string& final_target = second->second.value;
  if (final_target == requested || final_target == target) {
    fail(ErrorKind::config,
         "alias '" + requested + "' refers back to itself ('" + requested + "' -> '" + target +
             "' -> '" + final_target + "')",
         fix);
  }
  if (config.aliases.contains(final_target)) {
    fail(ErrorKind::config,
         "alias '" + requested + "' is nested too deeply ('" + requested + "' -> '" + target +
             "' -> '" + final_target + "'); an alias may point at one other alias at most",
         fix);
  }
  return final_target;
}

// The provider a bare model name belongs to, by its well-known prefix.
const char* provider_for_bare_name(std::string_view model) {
  for (const char* prefix : {"gpt-", "o1", "o3", "o4", "chatgpt-", "text-embedding-", "dall-e-"}) {
    if (starts_with(model, prefix))
      return "openai";
  }
  if (starts_with(model, "claude-"))
    return "anthropic";
  if (starts_with(model, "gemini-"))
    return "gemini";
  return nullptr;
}

ProviderInfo custom_provider(const std::string& name, const ProviderSettings& settings) {
  ProviderInfo info;
  info.name = name;
  info.auth = AuthStyle::bearer;
  info.protocol = Protocol::openai;
  if (settings.protocol) {
    const auto protocol = parse_protocol(settings.protocol->value);
    if (!protocol || *protocol == Protocol::mock) {
      fail(ErrorKind::config,
           "unknown protocol '" + settings.protocol->value + "' for [providers." + name + "] (" +
               settings.protocol->source + ")",
           std::string("protocol is one of ") + k_custom_protocols);
    }
    info.protocol = *protocol;
  }
  return info;
}

bool same_header_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Config headers replace registry headers of the same name and add the others.
void merge_headers(std::vector<std::pair<std::string, std::string>>& headers,
                   const std::vector<std::pair<std::string, std::string>>& overrides) {
  for (const auto& header : overrides) {
    std::erase_if(headers, [&](const auto& existing) {
      return same_header_name(existing.first, header.first);
    });
    headers.push_back(header);
  }
}

// Azure OpenAI has two API styles (wire-formats §2.1). A base_url ending in /openai/v1 is
// the v1 API, used like OpenAI with the deployment name as the model; any other base_url
// is a resource endpoint (https://<resource>.openai.azure.com) of the dated API, whose
// URLs name the deployment and need an api-version.
void apply_azure_layout(ProviderInfo& provider) {
  if (provider.base_url.empty() || provider.base_url.ends_with("/openai/v1"))
    return;
  provider.url_layout = UrlLayout::azure_deployment;
  if (provider.api_version.empty())
    provider.api_version = k_azure_default_api_version;
}

// The provider with [providers.<name>] applied; nullopt when the name is neither built
// in nor mentioned in config at all (the caller words that error for its context).
std::optional<ProviderInfo> find_provider(const std::string& name, const Config& config) {
  const ProviderSettings* settings = find_settings(config, name);
  ProviderInfo provider;
  if (const ProviderInfo* builtin = find_builtin_provider(name)) {
    provider = *builtin;
  } else if (settings == nullptr) {
    return std::nullopt;
  } else if (is_usable_custom(name, *settings)) {
    provider = custom_provider(name, *settings);
  } else {
    fail(ErrorKind::config, "[providers." + name + "] has no base_url",
         "[providers." + name + "] base_url = \"https://<host>/v1\"");
  }
  if (settings != nullptr) {
    if (settings->base_url)
      provider.base_url = strip_trailing_slashes(settings->base_url->value);
    if (settings->api_key_env) {
      provider.key_env_vars = settings->api_key_env->value;
      provider.every_key_env_var = true;
    }
    if (settings->api_version)
      provider.api_version = settings->api_version->value;
    if (settings->headers)
      merge_headers(provider.extra_headers, settings->headers->value);
  }
  if (provider.name == "azure")
    apply_azure_layout(provider);
  return provider;
}

std::string unknown_provider_fix(const std::string& name, const Config& config) {
  return "known providers: " + known_providers_text(config) + " (or define [providers." + name +
         "] with a base_url in config.toml)";
}

// Applies the per-request parts of [providers.<name>] (timeouts, retries, mock pacing).
void apply_settings(Route& route, const ProviderSettings& settings) {
  route.timeouts = settings.timeouts.value;
  if (settings.retry)
    route.retry = settings.retry->value;
  // delay_ms is the pacing of mock/slow; mock/echo answers at once by definition.
  if (settings.delay_ms && route.provider.protocol == Protocol::mock && route.model == "slow") {
    route.mock_delay_ms = settings.delay_ms->value;
  }
}

}  // namespace

std::vector<std::string> known_provider_names(const Config& config) {
  std::vector<std::string> names;
  for (const auto& provider : builtin_providers())
    names.push_back(provider.name);
  for (const auto& [name, settings] : config.providers) {
    if (is_usable_custom(name, settings))
      names.push_back(name);
  }
  return names;
}

Route resolve_model(std::string_view requested_view, const Config& config) {
  const std::string requested(requested_view);
  if (requested.empty()) {
    auto error = make_error(ErrorKind::invalid_request, "model must not be empty",
                            "name a model, e.g. openai/gpt-4o-mini");
    error.param = "model";
    throw GatewayError(std::move(error));
  }
  const std::string target = resolve_alias(requested, config);
  const std::string via_alias =
      target == requested ? std::string() : " (from alias '" + requested + "')";

  Route route;
  route.requested = requested;
  route.retry = config.retry.value;

  const auto slash = target.find('/');
  if (slash != std::string::npos) {
    const std::string provider_name = target.substr(0, slash);
    route.model = target.substr(slash + 1);
    auto provider = find_provider(provider_name, config);
    if (!provider) {
      fail(ErrorKind::unknown_model,
           "unknown provider '" + provider_name + "' in model '" + target + "'" + via_alias,
           unknown_provider_fix(provider_name, config));
    }
    route.provider = std::move(*provider);
    if (route.model.empty()) {
      auto error = make_error(ErrorKind::invalid_request,
                              "model '" + target + "' names no model after the provider",
                              route.provider.default_model.empty()
                                  ? std::string()
                                  : "e.g. " + provider_name + "/" + route.provider.default_model);
      error.param = "model";
      throw GatewayError(std::move(error));
    }
  } else if (const char* provider_name = provider_for_bare_name(target)) {
    route.provider = *find_provider(provider_name, config);
    route.model = target;
  } else {
    fail(ErrorKind::unknown_model,
         "cannot tell which provider serves model '" + target + "'" + via_alias,
         "name it as provider/model, e.g. ollama/" + target + " or openrouter/" + target +
             "; known providers: " + known_providers_text(config));
  }

  if (route.provider.protocol == Protocol::mock) {
    if (!mock::is_known_model(route.model)) {
      fail(ErrorKind::unknown_model,
           "unknown mock model '" + route.model + "'; mock models: echo, slow, embed, image",
           "use mock/echo for chat, mock/embed for embeddings, mock/image for images");
    }
    route.mock_delay_ms = route.model == "slow" ? k_mock_slow_delay_ms : 0;
  }
  if (const ProviderSettings* settings = find_settings(config, route.provider.name)) {
    apply_settings(route, *settings);
  }

  if (route.provider.name == "azure" && route.provider.base_url.empty()) {
    fail(ErrorKind::config, "azure needs a base_url",
         "set AZURE_OPENAI_ENDPOINT=https://<resource>.openai.azure.com, or [providers.azure] "
         "base_url in config.toml (…/openai/v1 for Azure's v1 API)");
  }
  if (route.provider.url_layout == UrlLayout::azure_deployment &&
      !is_valid_deployment_name(route.model)) {
    fail(ErrorKind::unknown_model,
         "'" + route.model +
             "' is not an Azure deployment name (1-64 letters, digits, '.', '_', '-')",
         "use azure/<deployment>, the name of the deployment in your Azure resource");
  }
  return route;
}

ProviderInfo effective_provider(std::string_view name_view, const Config& config) {
  const std::string name(name_view);
  auto provider = find_provider(name, config);
  if (!provider) {
    fail(ErrorKind::unknown_model, "unknown provider '" + name + "'",
         unknown_provider_fix(name, config));
  }
  return std::move(*provider);
}

DefaultModel choose_default_model(const Config& config,
                                  const std::function<bool(const std::string&)>& has_key) {
  if (config.default_model) {
    return {config.default_model->value, config.default_model->source, false};
  }
  for (const auto& provider : builtin_providers()) {
    // Keyless providers (ollama, mock) say nothing about what the user set up, and a
    // provider without a default model (azure) cannot supply one.
    if (!provider.requires_key() || provider.default_model.empty())
      continue;
    if (has_key(provider.name)) {
      return {provider.name + "/" + provider.default_model,
              "first provider with a key (" + provider.name + ")", false};
    }
  }
  return {"mock/echo", "no provider key configured", true};
}

}  // namespace llmgw
