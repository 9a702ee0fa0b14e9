#include "cli/model_names.hpp"

#include "core/model_catalog.hpp"

namespace llmgw::cli {

std::vector<std::string> offered_model_names(Context& ctx) {
  const Config& config = ctx.config();
  std::vector<std::string> names;
  for (const std::string& provider : configured_providers(config, ctx.credentials())) {
    for (const KnownModel& model : known_models(config, provider))
      names.push_back(model.id);
  }
  for (const auto& [alias, target] : config.aliases)
    names.push_back(alias);
  for (const auto& [alias, target] : config.balanced_aliases)
    names.push_back(alias);
  return names;
}

}  // namespace llmgw::cli
