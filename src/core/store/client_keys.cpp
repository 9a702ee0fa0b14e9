#include "core/store/client_keys.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/random_token.hpp"
#include "core/sha256.hpp"

namespace llmgw {

namespace {

constexpr std::string_view k_prefix = "llmgw_";
constexpr std::size_t k_id_bytes = 6;       // 12 hex characters
constexpr std::size_t k_secret_bytes = 32;  // 64 hex characters

constexpr std::string_view k_columns =
    "id, name, created_ms, budget_usd, budget_period, rpm, tpm, models, expires_ms, revoked_ms, "
    "secret_hash";

bool is_lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void check_spec(const ClientKeySpec& spec, std::int64_t now_ms) {
  check_client_key_name(spec.name);
  if (spec.budget_usd && (!std::isfinite(*spec.budget_usd) || *spec.budget_usd < 0))
    fail(ErrorKind::usage, "a budget must be an amount of USD, 0 or more",
         "give --budget a number such as 5 or 12.50");
  if (spec.rpm && *spec.rpm <= 0)
    fail(ErrorKind::usage, "--rpm must be a whole number of requests per minute, 1 or more",
         "give --rpm a number such as 60, or leave it out for no limit");
  if (spec.tpm && *spec.tpm <= 0)
    fail(ErrorKind::usage, "--tpm must be a whole number of tokens per minute, 1 or more",
         "give --tpm a number such as 100000, or leave it out for no limit");
  if (spec.models) {
    const auto& models = *spec.models;
    if (models.empty() || std::any_of(models.begin(), models.end(),
                                      [](const std::string& model) { return model.empty(); }))
      fail(ErrorKind::usage, "--models names no model, or an empty one",
           "give a comma-separated list such as gpt-4o,anthropic/claude-sonnet-4-5, or leave "
           "it out to allow every model");
  }
  if (spec.expires_ms && *spec.expires_ms <= now_ms)
    fail(ErrorKind::usage, "the expiry is not in the future",
         "give --expires a later date, or a span from now such as 30d");
}

ClientKeyRecord read_record(const Statement& row) {
  ClientKeyRecord record;
  ClientKey& key = record.key;
  key.id = row.text(0);
  key.name = row.text(1);
  key.created_ms = row.int64(2);
  if (!row.is_null(3))
    key.budget_usd = row.real(3);
  // The CHECK constraint admits only the three names.
  key.budget_period = parse_budget_period(row.text(4)).value_or(BudgetPeriod::month);
  key.rpm = row.optional_int64(5);
  key.tpm = row.optional_int64(6);
  if (const auto models = row.optional_text(7)) {
    // Written by create_client_key; a value edited by hand into something else is
    // refused rather than read as "every model".
    const auto parsed = nlohmann::json::parse(*models, nullptr, false);
    key.models.emplace();
    if (parsed.is_array())
      for (const auto& model : parsed)
        if (model.is_string())
          key.models->push_back(model.get<std::string>());
  }
  key.expires_ms = row.optional_int64(8);
  key.revoked_ms = row.optional_int64(9);
  record.secret_hash = row.text(10);
  return record;
}

std::vector<ClientKeyRecord> select_records(Database& db, std::string_view where,
                                            std::string_view id = {}) {
  Statement select = db.prepare("SELECT " + std::string(k_columns) + " FROM client_keys " +
                                std::string(where) + " ORDER BY created_ms, rowid");
  if (!id.empty())
    select.bind(1, id);
  std::vector<ClientKeyRecord> records;
  while (select.step())
    records.push_back(read_record(select));
  return records;
}

}  // namespace

const char* to_string(BudgetPeriod period) {
  switch (period) {
    case BudgetPeriod::day:
      return "day";
    case BudgetPeriod::month:
      return "month";
    case BudgetPeriod::total:
      return "total";
  }
  return "month";
}

std::optional<BudgetPeriod> parse_budget_period(std::string_view text) {
  for (const BudgetPeriod period : {BudgetPeriod::day, BudgetPeriod::month, BudgetPeriod::total})
    if (text == to_string(period))
      return period;
  return std::nullopt;
}

const char* to_string(ClientKeyStatus status) {
  switch (status) {
    case ClientKeyStatus::active:
      return "active";
    case ClientKeyStatus::expired:
      return "expired";
    case ClientKeyStatus::revoked:
      return "revoked";
  }
  return "revoked";
}

ClientKeyStatus ClientKey::status(std::int64_t now_ms) const {
  if (revoked_ms)
    return ClientKeyStatus::revoked;
  if (expires_ms && now_ms >= *expires_ms)
    return ClientKeyStatus::expired;
  return ClientKeyStatus::active;
}

std::string key_hint(std::string_view id) {
  return std::string(k_prefix) + std::string(id) + ".…";
}

void check_client_key_name(std::string_view name) {
  const bool ok =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      });
  if (!ok)
    fail(ErrorKind::usage, "'" + std::string(name) + "' is not a valid client key name",
         "use 1 to 64 lower-case letters, digits, '-' or '_', e.g. my-app");
}

std::optional<ClientKeyParts> parse_client_key_text(std::string_view text) {
  constexpr std::size_t k_id_length = 2 * k_id_bytes;
  constexpr std::size_t k_secret_length = 2 * k_secret_bytes;
  if (text.size() != k_prefix.size() + k_id_length + 1 + k_secret_length ||
      text.substr(0, k_prefix.size()) != k_prefix || text[k_prefix.size() + k_id_length] != '.')
    return std::nullopt;
  const ClientKeyParts parts{text.substr(k_prefix.size(), k_id_length),
                             text.substr(k_prefix.size() + k_id_length + 1)};
  if (!is_lower_hex(parts.id) || !is_lower_hex(parts.secret))
    return std::nullopt;
  return parts;
}

CreatedClientKey create_client_key(Database& db, const ClientKeySpec& spec, std::int64_t now_ms) {
  check_spec(spec, now_ms);
  const std::string secret = random_hex(k_secret_bytes);
  return with_transaction(db, [&] {
    // BEGIN IMMEDIATE holds the write lock: no other process can take the name or the id
    // between these checks and the insert.
    Statement active =
        db.prepare("SELECT id FROM client_keys WHERE name = ?1 AND revoked_ms IS NULL LIMIT 1");
    active.bind(1, spec.name);
    if (active.step())
      fail(ErrorKind::usage,
           "a client key named '" + spec.name + "' already exists (" + key_hint(active.text(0)) +
               ")",
           "revoke it first with `llmgw keys revoke " + spec.name + "`, or choose another name");
    std::string id;
    for (Statement taken = db.prepare("SELECT 1 FROM client_keys WHERE id = ?1");; taken.reset()) {
      id = random_hex(k_id_bytes);
      if (!taken.bind(1, id).step())
        break;
    }
    db.prepare("INSERT INTO client_keys (" + std::string(k_columns) +
               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, ?10)")
        .bind(1, id)
        .bind(2, spec.name)
        .bind(3, now_ms)
        .bind(4, spec.budget_usd)
        .bind(5, to_string(spec.budget_period))
        .bind(6, spec.rpm)
        .bind(7, spec.tpm)
        .bind(8, spec.models ? std::optional(nlohmann::json(*spec.models).dump()) : std::nullopt)
        .bind(9, spec.expires_ms)
        .bind(10, sha256_hex(secret))
        .run();
    CreatedClientKey created;
    created.key = ClientKey{id,       spec.name, now_ms,      spec.budget_usd, spec.budget_period,
                            spec.rpm, spec.tpm,  spec.models, spec.expires_ms, std::nullopt};
    created.text = std::string(k_prefix) + id + "." + secret;
    return created;
  });
}

std::vector<ClientKeyRecord> read_client_key_records(Database& db) {
  return select_records(db, "");
}

std::vector<ClientKey> list_client_keys(Database& db) {
  std::vector<ClientKey> keys;
  for (ClientKeyRecord& record : read_client_key_records(db))
    keys.push_back(std::move(record.key));
  return keys;
}

std::optional<ClientKey> find_client_key(Database& db, std::string_view id) {
  std::vector<ClientKeyRecord> found = select_records(db, "WHERE id = ?1", id);
  if (found.empty())
    return std::nullopt;
  return std::move(found.front().key);
}

bool revoke_client_key(Database& db, std::string_view name, std::int64_t now_ms) {
  db.prepare("UPDATE client_keys SET revoked_ms = ?2 WHERE name = ?1 AND revoked_ms IS NULL")
      .bind(1, name)
      .bind(2, now_ms)
      .run();
  return db.changes() > 0;
}

}  // namespace llmgw
