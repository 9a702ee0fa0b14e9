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
#include <map>
#include <string>
#include <vector>

#include "core/resilience/balancer.hpp"
#include "core/resilience/circuit_breaker.hpp"
#include "core/resilience/key_pool.hpp"
#include "core/resilience/sharded_map.hpp"

namespace llmgw {

struct DeploymentHealth {
  DeploymentHealth(std::string provider_name, std::string url, std::string id, std::string hint,
                   const BreakerSettings& settings)
      : provider(std::move(provider_name)),
        base_url(std::move(url)),
        key_id(std::move(id)),
        key_hint(std::move(hint)),
        breaker(settings) {}

  const std::string provider;
  const std::string base_url;
  const std::string key_id;    // key_fingerprint() of the key, or "" for no key
  const std::string key_hint;  // the key redacted to its last 4 characters, or ""
  CircuitBreaker breaker;
  std::atomic<std::uint64_t> requests{0};  // attempts sent
  std::atomic<std::uint64_t> failures{0};  // of those, health failures
};

struct TargetLoad {
  std::atomic<int> in_flight{0};
  LatencyEwma latency;  // milliseconds, of successful attempts
};

// What one process leaves for the next (resilience/health_file.hpp): open breakers and
// resting keys, in wall-clock seconds, and keys identified by fingerprint only.
struct SavedBreaker {
  std::string provider;
  std::string base_url;
  std::string key_id;
  std::string key_hint;
  BreakerState state = BreakerState::closed;  // half_open is saved as open
  int consecutive_failures = 0;
  int times_opened = 0;
  std::int64_t open_until = 0;  // unix seconds; 0 unless open
  std::uint64_t requests = 0;
  std::uint64_t failures = 0;
  std::int64_t updated = 0;  // unix seconds
  bool operator==(const SavedBreaker&) const = default;
};

struct SavedKey {
  std::string provider;
  std::string base_url;
  std::string key_id;
  std::string key_hint;
  std::int64_t cooling_until = 0;  // unix seconds
  std::int64_t updated = 0;
  bool operator==(const SavedKey&) const = default;
};

struct SavedHealth {
  std::vector<SavedBreaker> breakers;
  std::vector<SavedKey> keys;
  bool operator==(const SavedHealth&) const = default;
};

// A key's identity for state files and maps that outlive it: a prefix of its SHA-256.
std::string key_fingerprint(const std::string& key);

class HealthRegistry {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // counter_start: where every round-robin counter starts. A short-lived process (a CLI
  // run) passes a random one, so that successive runs spread over an alias's targets
  // instead of all taking the first.
  explicit HealthRegistry(BreakerSettings breaker = {}, std::uint64_t counter_start = 0)
      : m_breaker(breaker), m_counter_start(counter_start) {}

  DeploymentHealth& deployment(const std::string& provider, const std::string& base_url,
                               const std::string& key);
  TargetLoad& target(const std::string& provider, const std::string& base_url,
                     const std::string& model);
  // The pool for this exact list of keys of a provider (a changed list is a new pool).
  KeyPool& key_pool(const std::string& provider, const std::string& base_url,
                    const std::vector<std::string>& keys);
  std::atomic<std::uint64_t>& counter(const std::string& alias);

  // States an earlier process saved: each is applied to its deployment or key when this
  // process first uses it. Call before any request.
  void restore(SavedHealth saved, std::int64_t now_unix, TimePoint now);
  // The deployments and keys this process used, with the saved ones' counts carried on,
  // for saving. `now_unix` and `now` are the same instant on both clocks.
  SavedHealth export_used(std::int64_t now_unix, TimePoint now) const;

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
  struct PoolEntry {
    PoolEntry(std::string provider_name, std::string url, const std::vector<std::string>& keys);
    const std::string provider;
    const std::string base_url;
    std::vector<std::string> key_ids;
    std::vector<std::string> key_hints;
    KeyPool pool;
  };

  BreakerSettings m_breaker;
  std::uint64_t m_counter_start;
  ShardedMap<DeploymentHealth> m_deployments;
  ShardedMap<TargetLoad> m_targets;
  ShardedMap<PoolEntry> m_key_pools;
  ShardedMap<std::atomic<std::uint64_t>> m_counters;
  // From restore(), by provider + base URL + key id; read-only once requests run.
  std::map<std::string, SavedBreaker> m_saved_breakers;
  std::map<std::string, SavedKey> m_saved_keys;
  std::int64_t m_restored_unix = 0;
  TimePoint m_restored_at{};
};

}  // namespace llmgw
