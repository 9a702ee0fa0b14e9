// API key lookup for a provider, in order: the --key flag, the keys file, then the
// environment ([providers.X] api_key_env if set, else the registry's conventional vars,
// e.g. OPENAI_API_KEY; GEMINI_API_KEY then GOOGLE_API_KEY).
#pragma once

#include <optional>
#include <string>

#include "core/config/env.hpp"
#include "core/config/key_store.hpp"
#include "core/providers/registry.hpp"

namespace llmgw {

struct ResolvedKey {
  std::string key;
  std::string source;  // "flag --key", "keys file <path>", "env OPENAI_API_KEY"
};

class Credentials {
 public:
  Credentials(const KeyStore& store, EnvLookup env) : m_store(store), m_env(std::move(env)) {}

  // provider: the effective ProviderInfo (Route::provider), whose key_env_vars already
  // reflect api_key_env from config.
  std::optional<ResolvedKey> find(const ProviderInfo& provider,
                                  const std::optional<std::string>& flag_key) const;

  // Throws GatewayError{missing_key} with a fix naming `llmgw keys set <name>` and the
  // env var(s), when the provider requires a key and none is found.
  ResolvedKey require(const ProviderInfo& provider,
                      const std::optional<std::string>& flag_key) const;

 private:
  const KeyStore& m_store;
  EnvLookup m_env;
};

}  // namespace llmgw
