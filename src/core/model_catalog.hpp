// The models llmgw knows of for a provider without asking it: the provider's default
// model, the models in the price table, and config aliases that point at it.
#pragma once

#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/config/credentials.hpp"

namespace llmgw {

struct KnownModel {
  std::string id;      // "provider/model"
  std::string source;  // "default", "price table", "alias fast", "built in"
};

// Sorted by id, each id once (the first source wins in the order above).
std::vector<KnownModel> known_models(const Config& config, const std::string& provider);

// Providers usable now without more set-up: those with a key, those with a
// [providers.<name>] table (or base-URL variable), and mock; in registry order.
std::vector<std::string> configured_providers(const Config& config, const Credentials& credentials);

}  // namespace llmgw
