#include "core/model_chain.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "core/providers/adapter_util.hpp"
#include "core/resilience/balancer.hpp"

namespace llmgw {

namespace {

// The names of a comma-separated list, each followed by its [fallbacks] (one level: a
// fallback's own fallbacks are not followed, so chains stay as written), duplicates
// dropped.
std::vector<std::string> model_names(std::string_view requested, const Config& config) {
  std::vector<std::string> names;
  const auto add = [&](const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(name);
  };
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = requested.find(',', start);
    const std::string name = adapter::trim(requested.substr(start, comma - start));
    if (name.empty() && (comma != std::string_view::npos || start > 0)) {
      Error error =
          make_error(ErrorKind::invalid_request,
                     "model '" + std::string(requested) + "' has an empty name in its list",
                     "separate models with single commas, e.g. gpt-4o,anthropic/claude-sonnet-4-5");
      error.param = "model";
      throw GatewayError(std::move(error));
    }
    add(name);
    if (const auto fallbacks = config.fallbacks.find(name); fallbacks != config.fallbacks.end()) {
      for (const std::string& fallback : fallbacks->second.value)
        add(fallback);
    }
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return names;
}

// The targets of a balanced alias in the order its strategy picks now.
std::vector<Route> balanced_routes(const std::string& name, const BalancedAlias& alias,
                                   const Config& config, HealthRegistry& health,
                                   const std::function<double()>& random01) {
  std::vector<Route> routes;
  std::vector<BalanceCandidate> candidates;
  for (std::size_t i = 0; i < alias.targets.size(); ++i) {
    Route route = resolve_model(alias.targets[i], config);
    route.requested = name;
    const TargetLoad& load =
        health.target(route.provider.name, route.provider.base_url, route.model);
    candidates.push_back({i < alias.weights.size() ? alias.weights[i] : 1.0,
                          load.in_flight.load(std::memory_order_relaxed), load.latency.value()});
    routes.push_back(std::move(route));
  }
  const double draw = alias.strategy == Strategy::weighted ? random01() : 0.0;
  const std::uint64_t turn = health.counter(name).fetch_add(1, std::memory_order_relaxed);
  std::vector<Route> ordered;
  for (const std::size_t index : balance_order(alias.strategy, candidates, turn, draw))
    ordered.push_back(routes[index]);
  return ordered;
}

bool same_deployment(const Route& a, const Route& b) {
  return a.provider.name == b.provider.name && a.provider.base_url == b.provider.base_url &&
         a.model == b.model;
}

}  // namespace

std::vector<Route> resolve_chain(std::string_view requested, const Config& config,
                                 HealthRegistry& health, const std::function<double()>& random01) {
  std::vector<Route> chain;
  for (const std::string& name : model_names(requested, config)) {
    std::vector<Route> routes;
    if (const auto alias = config.balanced_aliases.find(name);
        alias != config.balanced_aliases.end()) {
      routes = balanced_routes(name, alias->second.value, config, health, random01);
    } else {
      routes.push_back(resolve_model(name, config));
    }
    for (Route& route : routes) {
      const bool seen = std::any_of(chain.begin(), chain.end(),
                                    [&](const Route& r) { return same_deployment(r, route); });
      if (!seen)
        chain.push_back(std::move(route));
    }
  }
  return chain;
}

}  // namespace llmgw
