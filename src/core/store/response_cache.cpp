#include "core/store/response_cache.hpp"

#include <optional>
#include <utility>

#include "core/error.hpp"
#include "core/store/migrations.hpp"

namespace llmgw {

namespace {

std::string describe(const GatewayError& e) {
  std::string message = e.error().message;
  if (!e.error().fix.empty())
    message += " (" + e.error().fix + ")";
  return message;
}

}  // namespace

// Returns the connection to the pool when done, unless it failed (then it is dropped,
// along with whatever transaction state it had).
class ResponseCache::Lease {
 public:
  Lease(ResponseCache& cache, std::unique_ptr<Database> db) : m_cache(cache), m_db(std::move(db)) {}
  ~Lease() {
    if (m_db)
      m_cache.give_back(std::move(m_db));
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Database& db() { return *m_db; }

 private:
  ResponseCache& m_cache;
  std::unique_ptr<Database> m_db;
};

ResponseCache::ResponseCache(std::filesystem::path db_file, CacheSettings settings, Warn warn)
    : m_db_file(std::move(db_file)), m_settings(settings), m_warn(std::move(warn)) {}

ResponseCache::~ResponseCache() = default;

std::unique_ptr<Database> ResponseCache::borrow() {
  {
    std::lock_guard lock(m_mutex);
    if (!m_idle.empty()) {
      std::unique_ptr<Database> db = std::move(m_idle.back());
      m_idle.pop_back();
      return db;
    }
  }
  return std::make_unique<Database>(open_migrated(m_db_file));
}

void ResponseCache::give_back(std::unique_ptr<Database> db) {
  std::lock_guard lock(m_mutex);
  m_idle.push_back(std::move(db));
}

void ResponseCache::warn_once(const std::string& message) {
  {
    std::lock_guard lock(m_mutex);
    if (m_failed)
      return;
    m_failed = true;
  }
  if (m_warn)
    m_warn("the response cache is off for this run: " + message);
}

std::optional<CachedAnswer> ResponseCache::lookup(const std::string& key, std::int64_t now_ms) {
  {
    std::lock_guard lock(m_mutex);
    if (m_failed)
      return std::nullopt;
  }
  try {
    Lease lease(*this, borrow());
    Database& db = lease.db();
    std::optional<CachedAnswer> found;
    std::int64_t expires_ms = 0;
    std::string text;
    {
      Statement select = db.prepare(
          "SELECT response, streamed, created_ms, expires_ms FROM cache_entries WHERE key = ?1");
      select.bind(1, key);
      if (!select.step())
        return std::nullopt;
      text = select.text(0);
      found.emplace();
      found->streamed = select.int64(1) != 0;
      found->created_ms = select.int64(2);
      expires_ms = select.int64(3);
    }
    bool usable = expires_ms > now_ms;
    if (usable) {
      try {
        found->response = nlohmann::json::parse(text);
        usable = found->response.is_object();
      } catch (const nlohmann::json::exception&) {
        usable = false;
      }
    }
    if (!usable) {  // expired, or damaged by hand: gone
      db.prepare("DELETE FROM cache_entries WHERE key = ?1").bind(1, key).run();
      return std::nullopt;
    }
    db.prepare("UPDATE cache_entries SET last_used_ms = ?2 WHERE key = ?1")
        .bind(1, key)
        .bind(2, now_ms)
        .run();
    return found;
  } catch (const GatewayError& e) {
    warn_once(describe(e));
    return std::nullopt;
  }
}

void ResponseCache::store(const std::string& key, const std::string& model,
                          const nlohmann::json& response, bool streamed, std::int64_t now_ms) {
  {
    std::lock_guard lock(m_mutex);
    if (m_failed)
      return;
  }
  const std::string text = response.dump();
  const auto size = static_cast<std::int64_t>(text.size());
  if (size > m_settings.max_bytes)
    return;
  try {
    Lease lease(*this, borrow());
    Database& db = lease.db();
    with_transaction(db, [&] {
      db.prepare(
            "INSERT OR REPLACE INTO cache_entries (key, model, created_ms, last_used_ms, "
            "expires_ms, size_bytes, response, streamed) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7)")
          .bind(1, key)
          .bind(2, model)
          .bind(3, now_ms)
          .bind(4, now_ms + std::chrono::milliseconds(m_settings.ttl).count())
          .bind(5, size)
          .bind(6, text)
          .bind(7, streamed ? 1 : 0)
          .run();
      db.prepare("DELETE FROM cache_entries WHERE expires_ms <= ?1").bind(1, now_ms).run();
      Statement total = db.prepare("SELECT COALESCE(SUM(size_bytes), 0) FROM cache_entries");
      total.step();
      const std::int64_t excess = total.int64(0) - m_settings.max_bytes;
      if (excess <= 0)
        return;
      // The least recently used entries whose sizes, summed in that order, first reach the
      // excess: one pass over the LRU index, however many go.
      db.prepare(
            "DELETE FROM cache_entries WHERE key IN ("
            "  SELECT key FROM ("
            "    SELECT key, SUM(size_bytes) OVER (ORDER BY last_used_ms, created_ms, key"
            "      ROWS UNBOUNDED PRECEDING) - size_bytes AS before"
            "    FROM cache_entries WHERE key != ?2)"
            "  WHERE before < ?1)")
          .bind(1, excess)
          .bind(2, key)
          .run();
    });
  } catch (const GatewayError& e) {
    warn_once(describe(e));
  }
}

CacheStats ResponseCache::stats(std::int64_t now_ms) {
  CacheStats stats;
  stats.max_bytes = m_settings.max_bytes;
  stats.ttl = m_settings.ttl;
  if (!std::filesystem::exists(m_db_file))
    return stats;
  Database db = Database::open(m_db_file, OpenMode::existing);
  if (!db.table_exists("cache_entries"))
    return stats;
  Statement select = db.prepare(
      "SELECT COUNT(*), COALESCE(SUM(size_bytes), 0), "
      "COALESCE(SUM(expires_ms <= ?1), 0), MIN(created_ms), MAX(created_ms) FROM cache_entries");
  select.bind(1, now_ms);
  select.step();
  stats.entries = select.int64(0);
  stats.bytes = select.int64(1);
  stats.expired = select.int64(2);
  stats.oldest_ms = select.optional_int64(3);
  stats.newest_ms = select.optional_int64(4);
  return stats;
}

std::int64_t ResponseCache::clear() {
  if (!std::filesystem::exists(m_db_file))
    return 0;
  Database db = Database::open(m_db_file, OpenMode::existing);
  if (!db.table_exists("cache_entries"))
    return 0;
  return with_transaction(db, [&] {
    Statement count = db.prepare("SELECT COUNT(*) FROM cache_entries");
    count.step();
    const std::int64_t removed = count.int64(0);
    db.exec("DELETE FROM cache_entries");
    return removed;
  });
}

}  // namespace llmgw
