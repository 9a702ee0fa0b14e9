#include "cli/operation_model.hpp"

#include "cli/report.hpp"
#include "core/routing.hpp"

namespace llmgw::cli {

std::string operation_model(Context& ctx, const std::optional<std::string>& flag,
                            const OperationModels& models) {
  if (flag)
    return *flag;
  const Config& config = ctx.config();
  if (ctx.credentials().find(effective_provider("openai", config), std::nullopt))
    return models.openai;
  print_note(ctx.io(), std::string("no OpenAI key is configured, so answering with the built-in ") +
                           models.mock + " model. Name a model with -m (e.g. -m " + models.openai +
                           ") or add a key with `llmgw keys set openai`.");
  return models.mock;
}

}  // namespace llmgw::cli
