// Client keys in the database: what is stored (the secret's hash, never the secret), names
// unique among keys not revoked, validation of every limit, and a key's spend in the ledger.
#include "core/store/client_keys.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "core/sha256.hpp"
#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::error_of;
using llmgw::test::TempDir;

namespace {

constexpr std::int64_t k_now = 1'750'000'000'000;

ClientKeySpec spec_named(const std::string& name) {
  ClientKeySpec spec;
  spec.name = name;
  return spec;
}

std::string file_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("client keys: created with every limit, listed and found as stored",
          "[store][client_keys]") {
  TempDir dir;
  Database db = open_migrated(dir.path() / "llmgw.db");
  ClientKeySpec spec = spec_named("my-app_2");
  spec.budget_usd = 12.5;
  spec.budget_period = BudgetPeriod::day;
  spec.rpm = 60;
  spec.tpm = 100000;
  spec.models = std::vector<std::string>{"gpt-4o", "anthropic/*"};
  spec.expires_ms = k_now + 86'400'000;
  const CreatedClientKey created = create_client_key(db, spec, k_now);

  const auto parts = parse_client_key_text(created.text);
  REQUIRE(parts);
  CHECK(parts->id == created.key.id);
  CHECK(created.key.id.size() == 12);
  CHECK(parts->secret.size() == 64);
  CHECK(created.text == "llmgw_" + created.key.id + "." + std::string(parts->secret));
  CHECK(key_hint(created.key.id) == "llmgw_" + created.key.id + ".…");

  const ClientKey& key = created.key;
  CHECK(key.name == "my-app_2");
  CHECK(key.created_ms == k_now);
  CHECK(key.budget_usd == 12.5);
  CHECK(key.budget_period == BudgetPeriod::day);
  CHECK(key.rpm == 60);
  CHECK(key.tpm == 100000);
  CHECK(key.models == std::vector<std::string>{"gpt-4o", "anthropic/*"});
  CHECK(key.expires_ms == k_now + 86'400'000);
  CHECK_FALSE(key.revoked_ms);

  const std::vector<ClientKey> listed = list_client_keys(db);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0] == key);
  CHECK(find_client_key(db, key.id) == key);
  CHECK_FALSE(find_client_key(db, "000000000000"));

  // Only the secret's SHA-256 is stored.
  const std::vector<ClientKeyRecord> records = read_client_key_records(db);
  REQUIRE(records.size() == 1);
  CHECK(records[0].secret_hash == sha256_hex(parts->secret));
}

TEST_CASE("client keys: the secret is nowhere in the database file", "[store][client_keys]") {
  TempDir dir;
  const auto file = dir.path() / "llmgw.db";
  std::string secret;
  {
    Database db = open_migrated(file);
    const CreatedClientKey created = create_client_key(db, spec_named("app"), k_now);
    secret = std::string(parse_client_key_text(created.text)->secret);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  const std::string bytes = file_bytes(file) + file_bytes(file.string() + "-wal");
  CHECK(bytes.find(sha256_hex(secret)) != std::string::npos);
  CHECK(bytes.find(secret) == std::string::npos);
}

TEST_CASE("client keys: no limits means none stored; ids and secrets differ every time",
          "[store][client_keys]") {
  TempDir dir;
  Database db = open_migrated(dir.path() / "llmgw.db");
  std::set<std::string> ids, texts;
  for (int i = 0; i < 20; ++i) {
    const CreatedClientKey created =
        create_client_key(db, spec_named("app-" + std::to_string(i)), k_now + i);
    ids.insert(created.key.id);
    texts.insert(created.text);
    CHECK_FALSE(created.key.budget_usd);
    CHECK(created.key.budget_period == BudgetPeriod::month);
    CHECK_FALSE(created.key.rpm);
    CHECK_FALSE(created.key.tpm);
    CHECK_FALSE(created.key.models);
    CHECK_FALSE(created.key.expires_ms);
  }
  CHECK(ids.size() == 20);
  CHECK(texts.size() == 20);
  const auto listed = list_client_keys(db);
  REQUIRE(listed.size() == 20);
  CHECK(listed.front().name == "app-0");  // oldest first
  CHECK(listed.back().name == "app-19");
}

TEST_CASE("client keys: a name is taken until its key is revoked", "[store][client_keys]") {
  TempDir dir;
  Database db = open_migrated(dir.path() / "llmgw.db");
  const CreatedClientKey first = create_client_key(db, spec_named("app"), k_now);
  const Error duplicate = error_of([&] { create_client_key(db, spec_named("app"), k_now + 1); });
  CHECK(duplicate.kind == ErrorKind::usage);
  CHECK_THAT(duplicate.message, Catch::Contains("'app' already exists"));
  CHECK_THAT(duplicate.message, Catch::Contains(key_hint(first.key.id)));
  CHECK_THAT(duplicate.fix, Catch::Contains("llmgw keys revoke app"));

  CHECK(revoke_client_key(db, "app", k_now + 2));
  CHECK_FALSE(revoke_client_key(db, "app", k_now + 3));  // nothing left to revoke
  CHECK_FALSE(revoke_client_key(db, "other", k_now + 3));
  CHECK(find_client_key(db, first.key.id)->revoked_ms == k_now + 2);

  const CreatedClientKey second = create_client_key(db, spec_named("app"), k_now + 4);
  CHECK(second.key.id != first.key.id);
  CHECK(list_client_keys(db).size() == 2);
  CHECK(revoke_client_key(db, "app", k_now + 5));
  CHECK(find_client_key(db, second.key.id)->revoked_ms == k_now + 5);
  CHECK(find_client_key(db, first.key.id)->revoked_ms == k_now + 2);  // unchanged
}

TEST_CASE("client keys: bad names and limits are usage errors naming the fix",
          "[store][client_keys]") {
  TempDir dir;
  Database db = open_migrated(dir.path() / "llmgw.db");
  for (const std::string& bad :
       std::vector<std::string>{"", "App", "my app", "a/b", "é", std::string(65, 'a')}) {
    INFO(bad);
    const Error e = error_of([&] { create_client_key(db, spec_named(bad), k_now); });
    CHECK(e.kind == ErrorKind::usage);
    CHECK_THAT(e.message, Catch::Contains("not a valid client key name"));
    CHECK_THAT(e.fix, Catch::Contains("lower-case"));
  }
  CHECK_NOTHROW(create_client_key(db, spec_named(std::string(64, 'a')), k_now));

  const auto error_for = [&](auto change) {
    ClientKeySpec spec = spec_named("limits");
    change(spec);
    return error_of([&] { create_client_key(db, spec, k_now); });
  };
  CHECK_THAT(error_for([](ClientKeySpec& s) { s.budget_usd = -1; }).fix,
             Catch::Contains("--budget"));
  CHECK_THAT(error_for([](ClientKeySpec& s) { s.budget_usd = std::nan(""); }).fix,
             Catch::Contains("--budget"));
  CHECK_THAT(error_for([](ClientKeySpec& s) { s.rpm = 0; }).message, Catch::Contains("--rpm"));
  CHECK_THAT(error_for([](ClientKeySpec& s) { s.tpm = -5; }).message, Catch::Contains("--tpm"));
  CHECK_THAT(error_for([](ClientKeySpec& s) { s.models = std::vector<std::string>{}; }).message,
             Catch::Contains("--models"));
  CHECK_THAT(error_for([](ClientKeySpec& s) {
               s.models = std::vector<std::string>{"a", ""};
             }).message,
             Catch::Contains("--models"));
  CHECK_THAT(error_for([](ClientKeySpec& s) { s.expires_ms = k_now; }).message,
             Catch::Contains("not in the future"));
  CHECK(list_client_keys(db).size() == 1);  // nothing refused was stored
}

TEST_CASE("client keys: status is revoked, else expired from expires_ms on, else active",
          "[store][client_keys]") {
  ClientKey key;
  CHECK(key.status(k_now) == ClientKeyStatus::active);
  key.expires_ms = k_now;
  CHECK(key.status(k_now - 1) == ClientKeyStatus::active);
  CHECK(key.status(k_now) == ClientKeyStatus::expired);
  key.revoked_ms = k_now - 10;
  CHECK(key.status(k_now - 1) == ClientKeyStatus::revoked);
  CHECK(std::string(to_string(ClientKeyStatus::expired)) == "expired");
}

TEST_CASE("client keys: only llmgw_<12 hex>.<64 hex> parses", "[store][client_keys]") {
  const std::string id = "0123456789ab";
  const std::string secret(64, 'f');
  CHECK(parse_client_key_text("llmgw_" + id + "." + secret));
  for (const std::string& bad : std::vector<std::string>{
           std::string(), "sk-proj-abc", "llmgw_" + id + secret, "llmgw_" + id + "." + secret + "0",
           "llmgw_" + id + "." + secret.substr(1), "llmgw_0123456789AB." + secret,
           "LLMGW_" + id + "." + secret, "llmgw_" + id + "." + std::string(63, 'f') + "g",
           "llmgw-" + id + "." + secret, "llmgw_" + id + ":" + secret}) {
    INFO(bad);
    CHECK_FALSE(parse_client_key_text(bad));
  }
}

TEST_CASE("client keys: budget periods by name", "[store][client_keys]") {
  CHECK(parse_budget_period("day") == BudgetPeriod::day);
  CHECK(parse_budget_period("month") == BudgetPeriod::month);
  CHECK(parse_budget_period("total") == BudgetPeriod::total);
  CHECK_FALSE(parse_budget_period("week"));
  CHECK_FALSE(parse_budget_period("Day"));
}

TEST_CASE("ledger: a client key's spend since a time, by name", "[store][client_keys]") {
  TempDir dir;
  Database db = open_migrated(dir.path() / "llmgw.db");
  std::vector<LedgerRow> rows;
  const auto row = [](std::int64_t ts, std::optional<std::string> key, std::optional<double> cost) {
    LedgerRow r;
    r.ts_ms = ts;
    r.source = "daemon";
    r.client_key = std::move(key);
    r.cost_usd = cost;
    return r;
  };
  rows.push_back(row(1000, "app", 0.25));
  rows.push_back(row(2000, "app", 0.5));
  rows.push_back(row(2000, "app", std::nullopt));  // unpriced: $0
  rows.push_back(row(3000, "other", 4.0));
  rows.push_back(row(3000, std::nullopt, 8.0));
  rows.push_back(row(4000, "app", 0.125));
  insert_ledger_rows(db, rows);
  CHECK(client_spend_usd(db, "app", 0) == 0.875);
  CHECK(client_spend_usd(db, "app", 2000) == 0.625);  // from since_ms on, inclusive
  CHECK(client_spend_usd(db, "app", 4001) == 0);
  CHECK(client_spend_usd(db, "other", 0) == 4.0);
  CHECK(client_spend_usd(db, "nobody", 0) == 0);
}
