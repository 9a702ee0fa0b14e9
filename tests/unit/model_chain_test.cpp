// resolve_chain: the deployments a "model" names, in order: comma lists, [fallbacks] and
// balanced aliases with their strategies (distributions on a fixed seed).
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/model_chain.hpp"
#include "support/expect_error.hpp"

using namespace llmgw;

namespace {

std::vector<std::string> names(const std::vector<Route>& chain) {
  std::vector<std::string> out;
  for (const Route& route : chain)
    out.push_back(route.provider.name + "/" + route.model);
  return out;
}

Config with_alias(Strategy strategy, std::vector<double> weights = {}) {
  Config config;
  BalancedAlias alias;
  alias.targets = {"openai/gpt-4o", "azure/gpt-4o"};
  alias.weights = std::move(weights);
  alias.strategy = strategy;
  config.balanced_aliases["smart"] = {alias, "file config.toml:3"};
  config.providers["azure"].base_url = Sourced<std::string>{"https://x.openai.azure.com", "test"};
  return config;
}

}  // namespace

TEST_CASE("model chain: comma lists and [fallbacks] in order, each deployment once",
          "[model_chain]") {
  Config config;
  config.fallbacks["gpt-4o"] = {{"anthropic/claude-sonnet-4-5", "gemini/gemini-2.5-pro"},
                                "file config.toml:2"};
  HealthRegistry health;
  const auto draw = [] { return 0.5; };
  CHECK(names(resolve_chain("gpt-4o", config, health, draw)) ==
        std::vector<std::string>{"openai/gpt-4o", "anthropic/claude-sonnet-4-5",
                                 "gemini/gemini-2.5-pro"});
  CHECK(names(resolve_chain("mock/echo, gpt-4o ,openai/gpt-4o", config, health, draw)) ==
        std::vector<std::string>{"mock/echo", "openai/gpt-4o", "anthropic/claude-sonnet-4-5",
                                 "gemini/gemini-2.5-pro"});
  const Error empty =
      test::error_of([&] { resolve_chain("gpt-4o,,mock/echo", config, health, draw); });
  CHECK(empty.param == "model");
  CHECK_THAT(empty.message, Catch::Contains("empty name"));
  // A typo anywhere fails before anything is sent.
  const Error unknown =
      test::error_of([&] { resolve_chain("gpt-4o,nosuch/model", config, health, draw); });
  CHECK(unknown.kind == ErrorKind::unknown_model);
}

TEST_CASE("model chain: balanced aliases follow their strategy", "[model_chain][balancer]") {
  HealthRegistry health;
  SECTION("round-robin alternates the first deployment and keeps the other as failover") {
    const Config config = with_alias(Strategy::round_robin);
    const auto draw = [] { return 0.5; };
    CHECK(names(resolve_chain("smart", config, health, draw)) ==
          std::vector<std::string>{"openai/gpt-4o", "azure/gpt-4o"});
    CHECK(names(resolve_chain("smart", config, health, draw)) ==
          std::vector<std::string>{"azure/gpt-4o", "openai/gpt-4o"});
    CHECK(resolve_chain("smart", config, health, draw)[0].requested == "smart");
  }
  SECTION("weighted 3:1 on a fixed seed") {
    const Config config = with_alias(Strategy::weighted, {3, 1});
    std::mt19937_64 engine(7);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const std::function<double()> draw = [&] { return uniform(engine); };
    std::map<std::string, int> first;
    for (int i = 0; i < 4000; ++i)
      ++first[names(resolve_chain("smart", config, health, draw))[0]];
    CHECK(first["openai/gpt-4o"] + first["azure/gpt-4o"] == 4000);
    CHECK(first["openai/gpt-4o"] / 4000.0 == Approx(0.75).margin(0.02));
  }
  SECTION("least-busy prefers the deployment with fewer requests in flight") {
    const Config config = with_alias(Strategy::least_busy);
    health.target("openai", "https://api.openai.com/v1", "gpt-4o").in_flight = 2;
    const auto draw = [] { return 0.5; };
    for (int i = 0; i < 3; ++i) {
      CHECK(names(resolve_chain("smart", config, health, draw)) ==
            std::vector<std::string>{"azure/gpt-4o", "openai/gpt-4o"});
    }
  }
  SECTION("least-latency prefers the faster one once both have answered") {
    const Config config = with_alias(Strategy::least_latency);
    health.target("openai", "https://api.openai.com/v1", "gpt-4o").latency.add(900);
    health.target("azure", "https://x.openai.azure.com", "gpt-4o").latency.add(300);
    const auto draw = [] { return 0.5; };
    CHECK(names(resolve_chain("smart", config, health, draw))[0] == "azure/gpt-4o");
  }
  SECTION("priority keeps the listed order") {
    const Config config = with_alias(Strategy::priority);
    const auto draw = [] { return 0.5; };
    for (int i = 0; i < 3; ++i)
      CHECK(names(resolve_chain("smart", config, health, draw))[0] == "openai/gpt-4o");
  }
}
