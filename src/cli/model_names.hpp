// The model names worth offering when a model is being typed (shell completion, the
// REPL's /model): the known models of every provider that is set up, and the aliases.
#pragma once

#include <string>
#include <vector>

#include "cli/context.hpp"

namespace llmgw::cli {

std::vector<std::string> offered_model_names(Context& ctx);

}  // namespace llmgw::cli
