#include "core/model_catalog.hpp"

#include <algorithm>
#include <map>

#include "core/error.hpp"
#include "core/pricing.hpp"
#include "core/providers/mock_provider.hpp"
#include "core/routing.hpp"

namespace llmgw {

std::vector<KnownModel> known_models(const Config& config, const std::string& provider) {
  const ProviderInfo info = effective_provider(provider, config);
  std::map<std::string, std::string> found;  // id → source; emplace keeps the first
  const auto add = [&](const std::string& model, const std::string& source) {
    if (!model.empty())
      found.emplace(provider + "/" + model, source);
  };
  if (info.protocol == Protocol::mock) {
    for (const auto& model : mock::known_models())
      add(model, "built in");
  }
  add(info.default_model, "default");
  for (const auto& model : priced_models(provider))
    add(model, "price table");
  for (const auto& [alias, target] : config.aliases) {
    try {
      const Route route = resolve_model(target.value, config);
      if (route.provider.name == provider)
        add(route.model, "alias " + alias);
    } catch (const GatewayError&) {
      // A broken alias is reported when it is used, not while listing.
    }
  }
  std::vector<KnownModel> models;
  for (const auto& [id, source] : found)
    models.push_back({id, source});
  return models;
}

std::vector<std::string> configured_providers(const Config& config,
                                              const Credentials& credentials) {
  std::vector<std::string> names;
  for (const std::string& name : known_provider_names(config)) {
    const ProviderInfo info = effective_provider(name, config);
    const bool has_table = config.providers.count(name) > 0;
    const bool usable = info.protocol == Protocol::mock || has_table ||
                        (info.requires_key() && credentials.find(info, std::nullopt));
    if (usable)
      names.push_back(name);
  }
  return names;
}

}  // namespace llmgw
