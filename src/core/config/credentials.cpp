#include "core/config/credentials.hpp"

#include "core/error.hpp"

namespace llmgw {

namespace {

// An explicit but empty --key is almost always an unset shell variable; falling back to
// another key would hide that.
void check_flag_key(const std::optional<std::string>& flag_key) {
  if (flag_key && flag_key->empty()) {
    fail(ErrorKind::usage, "--key is empty");
  }
}

[[noreturn]] void fail_missing(const ProviderInfo& provider) {
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

}  // namespace

std::vector<ResolvedKey> Credentials::find_all(const ProviderInfo& provider,
                                               const std::optional<std::string>& flag_key) const {
  check_flag_key(flag_key);
  if (flag_key) {
    return {ResolvedKey{*flag_key, "flag --key"}};
  }
  std::vector<ResolvedKey> keys;
  const std::vector<std::string> stored = m_store.get_all(provider.name);
  const std::string file_source = "keys file " + m_store.path().string();
  for (std::size_t i = 0; i < stored.size(); ++i) {
    if (stored[i].empty()) {
      continue;  // a hand-edited "" is no key
    }
    keys.push_back(ResolvedKey{
        stored[i], stored.size() == 1 ? file_source : file_source + " #" + std::to_string(i + 1)});
  }
  if (!keys.empty()) {
    return keys;
  }
  for (const auto& variable : provider.key_env_vars) {
    if (auto key = m_env(variable)) {
      keys.push_back(ResolvedKey{std::move(*key), "env " + variable});
      if (!provider.every_key_env_var) {
        break;
      }
    }
  }
  return keys;
}

std::optional<ResolvedKey> Credentials::find(const ProviderInfo& provider,
                                             const std::optional<std::string>& flag_key) const {
  auto keys = find_all(provider, flag_key);
  if (keys.empty()) {
    return std::nullopt;
  }
  return std::move(keys.front());
}

std::vector<ResolvedKey> Credentials::require_all(
    const ProviderInfo& provider, const std::optional<std::string>& flag_key) const {
  if (!provider.requires_key()) {
    check_flag_key(flag_key);
    // No lookup at all: a keyless provider must keep working with a broken keys file.
    return {ResolvedKey{"", "none"}};
  }
  auto keys = find_all(provider, flag_key);
  if (keys.empty()) {
    fail_missing(provider);
  }
  return keys;
}

ResolvedKey Credentials::require(const ProviderInfo& provider,
                                 const std::optional<std::string>& flag_key) const {
  return std::move(require_all(provider, flag_key).front());
}

}  // namespace llmgw
