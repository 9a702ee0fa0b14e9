// TEMPORARY (res-h3): the strategy names declared in balancer.hpp, so that config parsing
// links before balancer.cpp lands. Delete this file when balancer.cpp defines them.
#include <array>
#include <utility>

#include "core/resilience/balancer.hpp"

namespace llmgw {

namespace {

constexpr std::array<std::pair<Strategy, const char*>, 5> k_names = {{
    {Strategy::round_robin, "round-robin"},
    {Strategy::weighted, "weighted"},
    {Strategy::least_latency, "least-latency"},
    {Strategy::least_busy, "least-busy"},
    {Strategy::priority, "priority"},
}};

}  // namespace

const char* to_string(Strategy strategy) {
  for (const auto& [value, name] : k_names) {
    if (value == strategy) {
      return name;
    }
  }
  return "round-robin";
}

std::optional<Strategy> parse_strategy(std::string_view name) {
  for (const auto& [value, text] : k_names) {
    if (name == text) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace llmgw
