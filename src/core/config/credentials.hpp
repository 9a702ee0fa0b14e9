// API key lookup for a provider. The first layer that has a key gives all the keys:
//   1. the --key flag: that key only;
//   2. the keys file: every key stored for the provider, in stored order;
//   3. [providers.X] api_key_env (ProviderInfo::every_key_env_var): every listed variable
//      that is set, in order;
//   4. else the registry's conventional variables: the first one set (OPENAI_API_KEY;
//      GEMINI_API_KEY then GOOGLE_API_KEY).
// Several keys are used in turn (KeyPool); find/require give the first.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config/env.hpp"
#include "core/config/key_store.hpp"
#include "core/providers/registry.hpp"

namespace llmgw {

struct ResolvedKey {
  std::string key;
  // "flag --key", "keys file <path>" (one stored key), "keys file <path> #2" (the second
  // of several), "env OPENAI_API_KEY", "none" (a provider that needs no key).
  std::string source;
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

  // Every key by the rule above; empty when there is none.
  std::vector<ResolvedKey> find_all(const ProviderInfo& provider,
                                    const std::optional<std::string>& flag_key) const;

  // find_all, throwing as require does when it is empty; a provider that needs no key
  // gets one empty key (source "none") without any lookup.
  std::vector<ResolvedKey> require_all(const ProviderInfo& provider,
                                       const std::optional<std::string>& flag_key) const;

 private:
  const KeyStore& m_store;
  EnvLookup m_env;
};

}  // namespace llmgw
