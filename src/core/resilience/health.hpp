// What a process knows about the health of the places it sends requests to, shared by
// every request (the CLI makes one per run, the daemon one for its lifetime):
//   - per deployment (provider + base URL + key): a circuit breaker and counts;
//   - per model target (provider + base URL + model): requests in flight and a latency
//     average, for the least-busy and least-latency strategies;
//   - per set of keys of a provider: the KeyPool (rotation, cooldowns, bad keys);
//   - per balanced alias: the round-robin counter.
// Lookups go through sharded maps (no lock shared by all requests); the objects
// themselves are atomics or lock only themselves.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/resilience/balancer.hpp"
#include "core/resilience/circuit_breaker.hpp"
#include "core/resilience/key_pool.hpp"
#include "core/resilience/sharded_map.hpp"

namespace llmgw {

struct DeploymentHealth {
  DeploymentHealth(std::string provider_name, std::string url, std::string hint,
                   const BreakerSettings& settings)
      : provider(std::move(provider_name)),
        base_url(std::move(url)),
        key_hint(std::move(hint)),
        breaker(settings) {}

  const std::string provider;
  const std::string base_url;
  const std::string key_hint;  // the key redacted to its last 4 characters, or ""
  CircuitBreaker breaker;
  std::atomic<std::uint64_t> requests{0};  // attempts sent
  std::atomic<std::uint64_t> failures{0};  // of those, health failures
};

struct TargetLoad {
  std::atomic<int> in_flight{0};
  LatencyEwma latency;  // milliseconds, of successful attempts
};

class HealthRegistry {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit HealthRegistry(BreakerSettings breaker = {}) : m_breaker(breaker) {}

  DeploymentHealth& deployment(const std::string& provider, const std::string& base_url,
                               const std::string& key);
  TargetLoad& target(const std::string& provider, const std::string& base_url,
                     const std::string& model);
  // The pool for this exact list of keys of a provider (a changed list is a new pool).
  KeyPool& key_pool(const std::string& provider, const std::string& base_url,
                    const std::vector<std::string>& keys);
  std::atomic<std::uint64_t>& counter(const std::string& alias);

  struct DeploymentStatus {
    std::string provider;
    std::string base_url;
    std::string key_hint;
    CircuitBreaker::Snapshot breaker;
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;
  };
  // Every deployment used so far, sorted by provider, base URL and key hint.
  std::vector<DeploymentStatus> status(TimePoint now) const;

 private:
  BreakerSettings m_breaker;
  ShardedMap<DeploymentHealth> m_deployments;
  ShardedMap<TargetLoad> m_targets;
  ShardedMap<KeyPool> m_key_pools;
  ShardedMap<std::atomic<std::uint64_t>> m_counters;
};

}  // namespace llmgw
