// The deployments a request's "model" names, in the order to try them: the
// comma-separated models the caller wrote ("gpt-4o,anthropic/claude-sonnet-4-5"), each
// followed by its [fallbacks], and every balanced alias ([aliases.<name>] table) expanded
// into its targets in the order its strategy gives now. Every name is resolved before
// anything is sent, so a typo anywhere in the chain is an error at once.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"
#include "core/resilience/health.hpp"
#include "core/routing.hpp"

namespace llmgw {

// Throws GatewayError like resolve_model, and {invalid_request, param "model"} for an
// empty name in the list ("gpt-4o,,x"). Duplicate deployments are kept once, first place.
std::vector<Route> resolve_chain(std::string_view requested, const Config& config,
                                 HealthRegistry& health, const std::function<double()>& random01);

}  // namespace llmgw
