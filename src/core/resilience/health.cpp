#include "core/resilience/health.hpp"

#include <algorithm>
#include <memory>
#include <tuple>

#include "core/config/key_store.hpp"

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

}  // namespace

DeploymentHealth& HealthRegistry::deployment(const std::string& provider,
                                             const std::string& base_url, const std::string& key) {
  return m_deployments.get(join_id({provider, base_url, key}), [&] {
    return std::make_unique<DeploymentHealth>(
        provider, base_url, key.empty() ? std::string() : redact_secret(key), m_breaker);
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
  return m_key_pools.get(id, [&] { return std::make_unique<KeyPool>(keys.size()); });
}

std::atomic<std::uint64_t>& HealthRegistry::counter(const std::string& alias) {
  return m_counters.get(alias, [] { return std::make_unique<std::atomic<std::uint64_t>>(0); });
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
