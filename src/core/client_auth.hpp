// Authentication of `llmgw serve`'s clients by their client keys (store/client_keys.hpp),
// and their model allow-lists.
//
// ClientKeyDirectory keeps every key in memory, so checking a key costs a hash-map lookup
// and one SHA-256 of the presented secret (about a microsecond), and notices keys created
// or revoked by other processes (`llmgw keys revoke` while the daemon runs) within about a
// second: at most once per second of the injected Clock's steady time it asks SQLite's
// PRAGMA data_version whether another connection committed, and only then reads the table
// again. Thread-safe: requests read an immutable snapshot; one thread at a time refreshes
// it, the others go on with the last one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/store/client_keys.hpp"
#include "core/store/database.hpp"

namespace llmgw {

class ClientKeyDirectory {
 public:
  // How stale the keys in memory may be.
  static constexpr std::chrono::seconds k_refresh_interval{1};

  // Reads the keys of the database at `db_file` (opened with open_migrated, so it is
  // created and migrated when needed) on first use, through a connection of its own.
  ClientKeyDirectory(std::filesystem::path db_file, Clock& clock);
  ~ClientKeyDirectory();
  ClientKeyDirectory(const ClientKeyDirectory&) = delete;
  ClientKeyDirectory& operator=(const ClientKeyDirectory&) = delete;

  // The key whose text is `presented_token` (`llmgw_<id>.<secret>`, as the client sent it
  // after "Bearer "), if it is active at `now_ms` (unix ms). Otherwise throws
  // GatewayError{unauthorized} (401, code invalid_api_key) saying which: no key, not an
  // llmgw client key, unknown id, wrong secret, revoked, expired. Messages show at most
  // the key's id or its last 4 characters, never its secret, and name the fix.
  // The secret's hash is compared in constant time. A database that cannot be read when
  // the keys must be (re)loaded throws its GatewayError (io, config): never a pass.
  ClientKey authenticate(std::string_view presented_token, std::int64_t now_ms);

  // Whether any key is not revoked: the daemon requires a key from every client when one
  // exists. An expired key counts, so that a key running out never opens the daemon to
  // everyone; revoking the last key does.
  bool any_client_keys();

  // Reads the keys now if another connection changed the database, whatever the time.
  void refresh();

 private:
  struct Snapshot;
  std::shared_ptr<const Snapshot> snapshot();
  void reload_locked();

  const std::filesystem::path m_db_file;
  Clock& m_clock;
  std::mutex m_refresh_mutex;  // guards the two below: one refresher at a time
  std::unique_ptr<Database> m_db;
  std::int64_t m_data_version = 0;
  // steady_now() in ns since its epoch from which the next refresh is due.
  std::atomic<std::int64_t> m_next_check_ns{0};
  std::shared_mutex m_snapshot_mutex;  // guards m_snapshot (the pointer, not what it holds)
  std::shared_ptr<const Snapshot> m_snapshot;
};

// Whether `key` may use `model` (the model string the client asked for): yes when the key
// has no allow-list; else when an entry equals it, or an entry ending in `*` is a prefix
// of it (`openai/*`, `gpt-4o*`). The daemon checks each model of a comma-separated list.
bool model_allowed(const ClientKey& key, const std::string& model);

// Throws GatewayError{forbidden} (403, param "model", code model_not_allowed), naming the
// key, the model and the models it may use, unless model_allowed(key, model).
void require_model_allowed(const ClientKey& key, const std::string& model);

}  // namespace llmgw
