#include "core/client_auth.hpp"

#include <openssl/crypto.h>

#include <unordered_map>
#include <utility>

#include "core/config/key_store.hpp"
#include "core/error.hpp"
#include "core/sha256.hpp"
#include "core/store/migrations.hpp"
#include "core/time_text.hpp"

namespace llmgw {

struct ClientKeyDirectory::Snapshot {
  std::unordered_map<std::string, ClientKeyRecord> by_id;
  bool any_not_revoked = false;
};

namespace {

std::int64_t steady_ns(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock.steady_now().time_since_epoch())
      .count();
}

std::int64_t data_version(Database& db) {
  Statement pragma = db.prepare("PRAGMA data_version");
  return pragma.step() ? pragma.int64(0) : 0;
}

bool same_hash(const std::string& presented, const std::string& stored) {
  // Both are 64 hex characters unless the table was edited by hand; then it is no match.
  return presented.size() == stored.size() &&
         CRYPTO_memcmp(presented.data(), stored.data(), presented.size()) == 0;
}

[[noreturn]] void refuse(std::string message, std::string fix) {
  fail(ErrorKind::unauthorized, std::move(message), std::move(fix));
}

std::string named(const ClientKey& key) {
  return "the client key '" + key.name + "' (" + key_hint(key.id) + ")";
}

}  // namespace

ClientKeyDirectory::ClientKeyDirectory(std::filesystem::path db_file, Clock& clock)
    : m_db_file(std::move(db_file)), m_clock(clock) {}

ClientKeyDirectory::~ClientKeyDirectory() = default;

void ClientKeyDirectory::reload_locked() {
  if (!m_db)
    m_db = std::make_unique<Database>(open_migrated(m_db_file));
  const std::int64_t version = data_version(*m_db);
  {
    std::shared_lock read(m_snapshot_mutex);
    if (m_snapshot && version == m_data_version)
      return;
  }
  auto fresh = std::make_shared<Snapshot>();
  for (ClientKeyRecord& record : read_client_key_records(*m_db)) {
    fresh->any_not_revoked = fresh->any_not_revoked || !record.key.revoked_ms;
    std::string id = record.key.id;
    fresh->by_id.emplace(std::move(id), std::move(record));
  }
  {
    std::unique_lock write(m_snapshot_mutex);
    m_snapshot = std::move(fresh);
  }
  m_data_version = version;
}

void ClientKeyDirectory::refresh() {
  std::lock_guard lock(m_refresh_mutex);
  reload_locked();
  m_next_check_ns.store(steady_ns(m_clock) + std::chrono::nanoseconds(k_refresh_interval).count(),
                        std::memory_order_release);
}

std::shared_ptr<const ClientKeyDirectory::Snapshot> ClientKeyDirectory::snapshot() {
  const auto current = [this] {
    std::shared_lock read(m_snapshot_mutex);
    return m_snapshot;
  };
  const std::int64_t now = steady_ns(m_clock);
  if (now < m_next_check_ns.load(std::memory_order_acquire))
    return current();
  // Due: one thread checks while the others use what is there, except on first use, when
  // there is nothing to use yet and they wait for it.
  std::unique_lock lock(m_refresh_mutex, std::try_to_lock);
  if (!lock.owns_lock() && !current())
    lock.lock();
  // A failed reload leaves the time as it was, so the next request tries again.
  if (lock.owns_lock() && now >= m_next_check_ns.load(std::memory_order_acquire)) {
    reload_locked();
    m_next_check_ns.store(now + std::chrono::nanoseconds(k_refresh_interval).count(),
                          std::memory_order_release);
  }
  return current();
}

bool ClientKeyDirectory::any_client_keys() {
  return snapshot()->any_not_revoked;
}

ClientKey ClientKeyDirectory::authenticate(std::string_view presented_token, std::int64_t now_ms) {
  if (presented_token.empty())
    refuse("no client key was given, and this llmgw requires one",
           "send a key that `llmgw keys create NAME` printed, as `Authorization: Bearer "
           "llmgw_…`");
  const auto parts = parse_client_key_text(presented_token);
  if (!parts)
    refuse("the key " + redact_secret(presented_token) +
               " is not an llmgw client key (those look like llmgw_<12 hex>.<64 hex>)",
           "send a key that `llmgw keys create NAME` printed, not a provider's key");
  const std::shared_ptr<const Snapshot> keys = snapshot();
  const auto found = keys->by_id.find(std::string(parts->id));
  if (found == keys->by_id.end())
    refuse("the client key " + key_hint(parts->id) + " is not known to this llmgw",
           "check that llmgw serve uses the database the key was made in (--db, LLMGW_DB); "
           "`llmgw keys list --clients` lists the keys, `llmgw keys create NAME` makes one");
  const ClientKeyRecord& record = found->second;
  if (!same_hash(sha256_hex(parts->secret), record.secret_hash))
    refuse("the client key " + key_hint(parts->id) + " has the wrong secret",
           "send the whole key as `llmgw keys create` printed it; a lost key cannot be shown "
           "again: revoke it (`llmgw keys revoke NAME`) and create another");
  const ClientKey& key = record.key;
  switch (key.status(now_ms)) {
    case ClientKeyStatus::revoked:
      refuse(named(key) + " was revoked on " + local_minute_text(*key.revoked_ms),
             "create a new key with `llmgw keys create " + key.name + "` and give it to the app");
    case ClientKeyStatus::expired:
      refuse(named(key) + " expired on " + local_minute_text(*key.expires_ms),
             "revoke it (`llmgw keys revoke " + key.name + "`) and create a new one with `llmgw " +
                 "keys create " + key.name + " --expires …`");
    case ClientKeyStatus::active:
      break;
  }
  return key;
}

bool model_allowed(const ClientKey& key, const std::string& model) {
  if (!key.models)
    return true;
  for (const std::string& allowed : *key.models) {
    if (allowed == model)
      return true;
    if (!allowed.empty() && allowed.back() == '*' &&
        model.compare(0, allowed.size() - 1, allowed, 0, allowed.size() - 1) == 0)
      return true;
  }
  return false;
}

void require_model_allowed(const ClientKey& key, const std::string& model) {
  if (model_allowed(key, model))
    return;
  std::string models;
  for (const std::string& allowed : *key.models)
    models += (models.empty() ? "" : ", ") + allowed;
  Error error = make_error(
      ErrorKind::forbidden,
      named(key) + " may not use the model '" + model +
          "'; it may use: " + (models.empty() ? "none" : models),
      "ask for one of those models, or give the app a key that allows this one (`llmgw keys "
      "create NAME --models " +
          model + "`)");
  error.param = "model";
  error.code = "model_not_allowed";
  throw GatewayError(std::move(error));
}

}  // namespace llmgw
