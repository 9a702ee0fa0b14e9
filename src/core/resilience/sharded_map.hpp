// A string-keyed map of long-lived objects shared by every request of a process, split
// into shards so that no single lock is taken by all requests: a lookup takes one shard's
// lock in shared mode, and only the first use of a key takes it exclusively. Objects never
// move or die before the map does, so callers may keep references.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace llmgw {

template <class Value>
class ShardedMap {
 public:
  // The value for `key`, made by `make()` on first use.
  template <class Make>
  Value& get(const std::string& key, Make&& make) {
    if (Value* found = find(key))
      return *found;
    Shard& shard = shard_for(key);
    std::unique_lock lock(shard.mutex);
    auto& slot = shard.values[key];
    if (!slot)
      slot = make();
    return *slot;
  }

  // The value for `key` if it was made already, else null; never inserts (so a caller can
  // decide whether a new key may enter, e.g. under a cap on the number of keys).
  Value* find(const std::string& key) {
    Shard& shard = shard_for(key);
    std::shared_lock lock(shard.mutex);
    const auto it = shard.values.find(key);
    return it == shard.values.end() ? nullptr : it->second.get();
  }

  // Calls `visit(key, value)` for every entry (each shard locked in turn, shared).
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const Shard& shard : m_shards) {
      std::shared_lock lock(shard.mutex);
      for (const auto& [key, value] : shard.values)
        visit(key, *value);
    }
  }

 private:
  static constexpr std::size_t k_shards = 16;
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, std::unique_ptr<Value>> values;
  };
  Shard& shard_for(const std::string& key) {
    return m_shards[std::hash<std::string>{}(key) % k_shards];
  }

  std::array<Shard, k_shards> m_shards;
};

}  // namespace llmgw
