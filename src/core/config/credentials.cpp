#include "core/config/credentials.hpp"

#include "core/error.hpp"

namespace llmgw {

std::optional<ResolvedKey> Credentials::find(const ProviderInfo& provider,
                                             const std::optional<std::string>& flag_key) const {
  if (flag_key) {
    // An explicit but empty --key is almost always an unset shell variable; falling back
    // to another key would hide that.
    if (flag_key->empty()) {
      fail(ErrorKind::usage, "--key is empty");
    }
    return ResolvedKey{*flag_key, "flag --key"};
  }
  if (auto key = m_store.get(provider.name); key && !key->empty()) {
    return ResolvedKey{std::move(*key), "keys file " + m_store.path().string()};
  }
  for (const auto& variable : provider.key_env_vars) {
    if (auto key = m_env(variable)) {
      return ResolvedKey{std::move(*key), "env " + variable};
    }
  }
  return std::nullopt;
}

ResolvedKey Credentials::require(const ProviderInfo& provider,
                                 const std::optional<std::string>& flag_key) const {
  if (!provider.requires_key()) {
    if (flag_key && flag_key->empty()) {
      fail(ErrorKind::usage, "--key is empty");
    }
    // No lookup at all: a keyless provider must keep working with a broken keys file.
    return ResolvedKey{"", "none"};
  }
  if (auto key = find(provider, flag_key)) {
    return std::move(*key);
  }
  std::string fix = "run `llmgw keys set " + provider.name + "`";
  std::string variables;
  for (const auto& variable : provider.key_env_vars) {
    variables += (variables.empty() ? "" : " or ") + variable;
  }
  if (!variables.empty()) {
    fix += " or set " + variables;
  }
  Error error = make_error(ErrorKind::missing_key, "no API key for " + provider.name, fix);
  error.provider = provider.name;
  throw GatewayError(std::move(error));
}

}  // namespace llmgw
