// The response cache: whole chat answers (canonical chat.completion JSON) kept in the
// `cache_entries` table of llmgw.db under the hash of their canonical request
// (cache_key.hpp), each with an expiry (the TTL) and a last-use time, so the table stays
// under a size cap by evicting the least recently used entries.
//
// Thread-safe: connections are lent from a small pool (one per concurrent caller), so
// the daemon's workers never share a connection (see database.hpp) and a CLI run opens
// at most one. Nothing is opened until the first call.
//
// A cache that cannot be opened, read or written (read-only, full, damaged, newer schema)
// never fails a request: lookup() misses, store() does nothing, and `warn` is told once,
// naming the problem. stats() and clear() are asked for by the user, so they throw.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/store/database.hpp"

namespace llmgw {

struct CacheSettings {
  bool enabled = true;                   // false: the Gateway never looks or stores
  std::chrono::seconds ttl{3600};        // an entry is served for this long after it is stored
  std::int64_t max_bytes = 256LL << 20;  // sum of size_bytes kept; LRU evicts beyond it

  bool operator==(const CacheSettings&) const = default;
};

struct CachedAnswer {
  nlohmann::json response;  // the canonical chat.completion as it was stored
  bool streamed = false;    // it was stored from a streamed answer
  std::int64_t created_ms = 0;
};

struct CacheStats {
  std::int64_t entries = 0;
  std::int64_t bytes = 0;                 // sum of size_bytes
  std::int64_t expired = 0;               // entries past their expiry, not yet removed
  std::int64_t max_bytes = 0;             // the cap in force
  std::chrono::seconds ttl{0};            // the TTL in force
  std::optional<std::int64_t> oldest_ms;  // created_ms of the oldest entry
  std::optional<std::int64_t> newest_ms;  // created_ms of the newest entry
};

class ResponseCache {
 public:
  using Warn = std::function<void(const std::string& message)>;

  ResponseCache(std::filesystem::path db_file, CacheSettings settings, Warn warn = {});
  ~ResponseCache();
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  const CacheSettings& settings() const { return m_settings; }

  // The entry stored under `key`, unless it has expired by `now_ms` (unix milliseconds);
  // a hit marks the entry used at `now_ms` (for LRU). An expired entry is a miss (and is
  // removed). A stored response that no longer parses is a miss.
  std::optional<CachedAnswer> lookup(const std::string& key, std::int64_t now_ms);

  // Stores (or replaces) the answer under `key`, expiring at now_ms + ttl, then removes
  // expired entries and, while the table's bytes exceed max_bytes, the least recently
  // used ones. An answer larger than max_bytes on its own is not stored.
  void store(const std::string& key, const std::string& model, const nlohmann::json& response,
             bool streamed, std::int64_t now_ms);

  // Throw GatewayError. A missing database file gives empty stats and clears nothing,
  // and is not created.
  CacheStats stats(std::int64_t now_ms);
  std::int64_t clear();  // entries removed

 private:
  class Lease;
  std::unique_ptr<Database> borrow();  // from the pool, else a new migrated connection
  void give_back(std::unique_ptr<Database> db);
  void warn_once(const std::string& message);

  const std::filesystem::path m_db_file;
  const CacheSettings m_settings;
  const Warn m_warn;
  std::mutex m_mutex;  // guards the two below
  std::vector<std::unique_ptr<Database>> m_idle;
  bool m_failed = false;  // warned: every later call misses or does nothing
};

}  // namespace llmgw
