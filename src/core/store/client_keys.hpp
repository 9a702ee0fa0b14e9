// Client keys: the keys apps present to `llmgw serve`, each with an optional budget, rate
// limits, model allow-list and expiry, in the `client_keys` table of llmgw.db (migration 3).
//
// A key's text is `llmgw_<id>.<secret>`: the id is 12 lower-case hex characters (6 random
// bytes), the secret 64 (32 random bytes from RAND_bytes). Only the hex SHA-256 of the
// secret is stored: the secret is high-entropy, so a fast hash is enough and no salt or
// stretching is needed. The whole key exists only in what create_client_key returns; it is
// never stored or logged, and elsewhere a key is shown as `llmgw_<id>.…` (key_hint).
//
// Authentication (client_auth.hpp) and limits (client_limits.hpp) build on this; the
// ledger's `client_key` column holds a key's name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/database.hpp"

namespace llmgw {

// What a budget counts: spend since local midnight, since the 1st of the month (local
// time), or since the key was created.
enum class BudgetPeriod { day, month, total };

const char* to_string(BudgetPeriod period);
std::optional<BudgetPeriod> parse_budget_period(std::string_view text);

// What `llmgw keys create` asks for. Every limit is optional: unset means none.
struct ClientKeySpec {
  std::string name;                  // 1-64 of [a-z0-9_-]; unique among keys not revoked
  std::optional<double> budget_usd;  // >= 0, finite
  BudgetPeriod budget_period = BudgetPeriod::month;
  std::optional<std::int64_t> rpm;  // requests per minute, > 0
  std::optional<std::int64_t> tpm;  // tokens per minute, > 0
  // Model names the key may use (see model_allowed in client_auth.hpp); unset: every
  // model. Neither empty nor with empty names.
  std::optional<std::vector<std::string>> models;
  std::optional<std::int64_t> expires_ms;  // unix ms; unset: never. After creation time.
};

enum class ClientKeyStatus { active, expired, revoked };
const char* to_string(ClientKeyStatus status);

// A stored key, without its secret's hash (only client_auth needs it).
struct ClientKey {
  std::string id;  // 12 hex characters, never reused
  std::string name;
  std::int64_t created_ms = 0;
  std::optional<double> budget_usd;
  BudgetPeriod budget_period = BudgetPeriod::month;
  std::optional<std::int64_t> rpm;
  std::optional<std::int64_t> tpm;
  std::optional<std::vector<std::string>> models;
  std::optional<std::int64_t> expires_ms;
  std::optional<std::int64_t> revoked_ms;

  // Revoked wins over expired; a key expires at expires_ms exactly.
  ClientKeyStatus status(std::int64_t now_ms) const;
  bool operator==(const ClientKey&) const = default;
};

// `llmgw_<id>.…`: how a key is shown anywhere but at its creation.
std::string key_hint(std::string_view id);

struct CreatedClientKey {
  ClientKey key;
  std::string text;  // the whole key, `llmgw_<id>.<secret>`: show it once, never store it
};

// Validates `spec` (GatewayError{usage} naming the option at fault and its fix; a name
// already used by a key not revoked says to revoke that one first) and stores a new key
// created at `now_ms`.
CreatedClientKey create_client_key(Database& db, const ClientKeySpec& spec, std::int64_t now_ms);

// Every key, revoked ones too, oldest first.
std::vector<ClientKey> list_client_keys(Database& db);

// The key with this id, revoked or not.
std::optional<ClientKey> find_client_key(Database& db, std::string_view id);

// Revokes the key named `name` that is not revoked yet, at `now_ms`. False when there is
// none. A revoked key stays listed (its spend stays in the ledger) and its name is free.
bool revoke_client_key(Database& db, std::string_view name, std::int64_t now_ms);

// Throws GatewayError{usage} unless `name` is 1-64 of [a-z0-9_-].
void check_client_key_name(std::string_view name);

// The two parts of a key's text; nullopt unless it is `llmgw_` + 12 lower-case hex + `.` +
// 64 lower-case hex.
struct ClientKeyParts {
  std::string_view id;
  std::string_view secret;
};
std::optional<ClientKeyParts> parse_client_key_text(std::string_view text);

// For client_auth: a key with the hex SHA-256 of its secret.
struct ClientKeyRecord {
  ClientKey key;
  std::string secret_hash;
};
std::vector<ClientKeyRecord> read_client_key_records(Database& db);

}  // namespace llmgw
