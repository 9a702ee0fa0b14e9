// Model string → where to send it. Resolution order:
//   1. an alias from config ([aliases] name = "provider/model"), resolved once;
//   2. "provider/model" where provider is built in or defined in [providers.<name>]
//      (the rest may itself contain '/', e.g. "openrouter/meta-llama/llama-3-8b");
//   3. bare names by prefix: gpt-*, o1*, o3*, o4*, chatgpt-*, text-embedding-*, dall-e-*
//      → openai; claude-* → anthropic; gemini-* → gemini.
// Anything else throws GatewayError{unknown_model} listing the known providers.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"
#include "core/providers/registry.hpp"

namespace llmgw {

struct Route {
  ProviderInfo provider;  // effective: base_url/key env vars/protocol with config applied
  std::string model;      // the upstream model name, e.g. "gpt-4o-mini"
  std::string requested;  // what the caller asked for, e.g. "fast" or "gpt-4o-mini"
  Timeouts timeouts;
  RetrySettings retry;     // [retry], with [providers.<name>]'s retry keys applied
  long mock_delay_ms = 0;  // mock/slow: delay before each streamed chunk
};

// Names of every provider usable with this config: built-ins then custom ones.
std::vector<std::string> known_provider_names(const Config& config);

Route resolve_model(std::string_view requested, const Config& config);

// The provider `name` as a Route to it would carry it: registry entry (or custom
// [providers.<name>]) with base_url / api_key_env from config applied. For callers that
// need a provider's effective settings without a model (key lookup, `config show`).
// Throws GatewayError{unknown_model} for an unknown name, {config} for a custom provider
// without base_url or with a bad protocol. Does not insist on azure's base_url.
ProviderInfo effective_provider(std::string_view name, const Config& config);

struct DefaultModel {
  std::string model;
  // e.g. "file ~/.config/llmgw/config.toml:1", "first provider with a key (anthropic)"
  std::string source;
  bool mock_fallback = false;  // true: nothing configured at all, mock/echo chosen
};

// The model used when the caller names none: config default_model, else the default
// model of the first built-in provider (in registry order) for which has_key(name) is
// true, else mock/echo with mock_fallback set.
DefaultModel choose_default_model(const Config& config,
                                  const std::function<bool(const std::string&)>& has_key);

}  // namespace llmgw
