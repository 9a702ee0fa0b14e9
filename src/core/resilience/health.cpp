#include "core/resilience/health.hpp"

#include <algorithm>
#include <memory>
#include <tuple>

#include "core/config/key_store.hpp"
#include "core/sha256.hpp"

namespace llmgw {

namespace {

// Map keys join the parts with a byte that cannot occur in names, URLs or keys.
std::string join_id(std::initializer_list<std::string_view> parts) {
  std::string id;
  for (const std::string_view part : parts) {
    id += part;
    id += '\x1f';
  }
  return id;
}

// Whole seconds in `left`, rounded up (0 when nothing is left).
std::int64_t whole_seconds(std::chrono::steady_clock::duration left) {
  if (left <= left.zero())
    return 0;
  return std::chrono::ceil<std::chrono::seconds>(left).count();
}

}  // namespace

std::string key_fingerprint(const std::string& key) {
  return key.empty() ? std::string() : sha256_hex(key).substr(0, 16);
}

HealthRegistry::PoolEntry::PoolEntry(std::string provider_name, std::string url,
                                     const std::vector<std::string>& keys)
    : provider(std::move(provider_name)), base_url(std::move(url)), pool(keys.size()) {
  for (const std::string& key : keys) {
    key_ids.push_back(key_fingerprint(key));
    key_hints.push_back(key.empty() ? std::string() : redact_secret(key));
  }
}

DeploymentHealth& HealthRegistry::deployment(const std::string& provider,
                                             const std::string& base_url, const std::string& key) {
  return m_deployments.get(join_id({provider, base_url, key}), [&] {
    const std::string id = key_fingerprint(key);
    auto health = std::make_unique<DeploymentHealth>(
        provider, base_url, id, key.empty() ? std::string() : redact_secret(key), m_breaker);
    if (const auto saved = m_saved_breakers.find(join_id({provider, base_url, id}));
        saved != m_saved_breakers.end()) {
      const SavedBreaker& s = saved->second;
      health->breaker.restore(s.state,
                              m_restored_at + std::chrono::seconds(s.open_until - m_restored_unix),
                              s.consecutive_failures, s.times_opened);
      health->requests = s.requests;
      health->failures = s.failures;
    }
    return health;
  });
}

TargetLoad& HealthRegistry::target(const std::string& provider, const std::string& base_url,
                                   const std::string& model) {
  return m_targets.get(join_id({provider, base_url, model}),
                       [] { return std::make_unique<TargetLoad>(); });
}

KeyPool& HealthRegistry::key_pool(const std::string& provider, const std::string& base_url,
                                  const std::vector<std::string>& keys) {
  std::string id = join_id({provider, base_url});
  for (const std::string& key : keys)
    id += join_id({key});
  return m_key_pools
      .get(id,
           [&] {
             auto entry = std::make_unique<PoolEntry>(provider, base_url, keys);
             for (std::size_t i = 0; i < keys.size(); ++i) {
               const auto saved =
                   m_saved_keys.find(join_id({provider, base_url, entry->key_ids[i]}));
               if (saved != m_saved_keys.end()) {
                 entry->pool.cool_down(
                     i, m_restored_at +
                            std::chrono::seconds(saved->second.cooling_until - m_restored_unix));
               }
             }
             return entry;
           })
      .pool;
}

void HealthRegistry::restore(SavedHealth saved, std::int64_t now_unix, TimePoint now) {
  m_restored_unix = now_unix;
  m_restored_at = now;
  for (SavedBreaker& breaker : saved.breakers) {
    std::string id = join_id({breaker.provider, breaker.base_url, breaker.key_id});
    m_saved_breakers[std::move(id)] = std::move(breaker);
  }
  for (SavedKey& key : saved.keys) {
    if (key.cooling_until <= now_unix)
      continue;
    std::string id = join_id({key.provider, key.base_url, key.key_id});
    m_saved_keys[std::move(id)] = std::move(key);
  }
}

SavedHealth HealthRegistry::export_used(std::int64_t now_unix, TimePoint now) const {
  SavedHealth out;
  m_deployments.for_each([&](const std::string&, const DeploymentHealth& health) {
    const CircuitBreaker::Snapshot snapshot = health.breaker.snapshot(now);
    SavedBreaker saved;
    saved.provider = health.provider;
    saved.base_url = health.base_url;
    saved.key_id = health.key_id;
    saved.key_hint = health.key_hint;
    saved.state =
        snapshot.state == BreakerState::closed ? BreakerState::closed : BreakerState::open;
    saved.consecutive_failures = snapshot.consecutive_failures;
    saved.times_opened = snapshot.times_opened;
    if (saved.state == BreakerState::open)
      saved.open_until = now_unix + whole_seconds(snapshot.retry_in);
    saved.requests = health.requests.load();
    saved.failures = health.failures.load();
    saved.updated = now_unix;
    out.breakers.push_back(std::move(saved));
  });
  m_key_pools.for_each([&](const std::string&, const PoolEntry& entry) {
    for (std::size_t i = 0; i < entry.key_ids.size(); ++i) {
      const KeyPool::KeyState state = entry.pool.state(i, now);
      if (state.cooling_for.count() > 0) {
        SavedKey saved;
        saved.provider = entry.provider;
        saved.base_url = entry.base_url;
        saved.key_id = entry.key_ids[i];
        saved.key_hint = entry.key_hints[i];
        saved.cooling_until = now_unix + whole_seconds(state.cooling_for);
        saved.updated = now_unix;
        out.keys.push_back(std::move(saved));
      }
    }
  });
  return out;
}

std::atomic<std::uint64_t>& HealthRegistry::counter(const std::string& alias) {
  return m_counters.get(
      alias, [this] { return std::make_unique<std::atomic<std::uint64_t>>(m_counter_start); });
}

std::vector<HealthRegistry::DeploymentStatus> HealthRegistry::status(TimePoint now) const {
  std::vector<DeploymentStatus> out;
  m_deployments.for_each([&](const std::string&, const DeploymentHealth& health) {
    out.push_back({health.provider, health.base_url, health.key_hint, health.breaker.snapshot(now),
                   health.requests.load(), health.failures.load()});
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.provider, a.base_url, a.key_hint) <
           std::tie(b.provider, b.base_url, b.key_hint);
  });
  return out;
}

}  // namespace llmgw
