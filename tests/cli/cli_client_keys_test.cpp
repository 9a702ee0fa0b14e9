// End to end: `llmgw keys create|revoke` and `keys list --clients` in a fresh HOME; the
// keys they make are checked with the core API on the same database.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/client_auth.hpp"
#include "core/sha256.hpp"
#include "core/store/client_keys.hpp"
#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "support/cli_env.hpp"
#include "support/expect_error.hpp"

using llmgw::test::CliEnv;

namespace {

std::filesystem::path default_db(const CliEnv& env) {
  return env.home() / ".local/share/llmgw/llmgw.db";
}

// The key `keys create` printed: its whole stdout, less the newline.
std::string printed_key(const llmgw::test::ProcessResult& result) {
  REQUIRE(result.exit_code == 0);
  REQUIRE(!result.out.empty());
  REQUIRE(result.out.back() == '\n');
  return result.out.substr(0, result.out.size() - 1);
}

std::int64_t now_ms() {
  return llmgw::SystemClock().unix_milliseconds();
}

llmgw::ClientKey authenticate(const std::filesystem::path& db, const std::string& key) {
  llmgw::SystemClock clock;
  llmgw::ClientKeyDirectory directory(db, clock);
  return directory.authenticate(key, now_ms());
}

std::string secret_of(const std::string& key) {
  return std::string(llmgw::parse_client_key_text(key)->secret);
}

}  // namespace

TEST_CASE("keys create prints only the key, once; it authenticates", "[cli][client_keys]") {
  CliEnv env;
  const auto created = env.run({"keys", "create", "my-app"});
  const std::string key = printed_key(created);
  REQUIRE(llmgw::parse_client_key_text(key));
  CHECK(created.out == key + "\n");  // so KEY=$(llmgw keys create my-app) works
  CHECK_THAT(created.err, Catch::Contains("created the client key 'my-app'"));
  CHECK_THAT(created.err, Catch::Contains("shown only this once"));
  CHECK(created.err.find(secret_of(key)) == std::string::npos);

  struct stat info {};
  REQUIRE(stat(default_db(env).c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  const llmgw::ClientKey found = authenticate(default_db(env), key);
  CHECK(found.name == "my-app");
  CHECK_FALSE(found.budget_usd);
  CHECK_FALSE(found.rpm);
  CHECK_FALSE(found.models);
  CHECK_FALSE(found.expires_ms);

  // Two creations never print the same key; a taken name is a usage error naming the fix.
  const std::string other = printed_key(env.run({"keys", "create", "other-app"}));
  CHECK(other != key);
  const auto again = env.run({"keys", "create", "my-app"});
  CHECK(again.exit_code == 2);
  CHECK(again.out.empty());
  CHECK_THAT(again.err, Catch::Contains("'my-app' already exists"));
  CHECK_THAT(again.err, Catch::Contains("llmgw keys revoke my-app"));
}

TEST_CASE("keys create stores every limit; list --clients shows them, never the secret",
          "[cli][client_keys]") {
  CliEnv env;
  const std::string key = printed_key(
      env.run({"keys", "create", "ci", "--budget", "5", "--budget-period", "day", "--rpm", "60",
               "--tpm", "100000", "--models", "gpt-4o-mini, mock/*", "--expires", "30d"}));
  const llmgw::ClientKey stored = authenticate(default_db(env), key);
  CHECK(stored.budget_usd == 5.0);
  CHECK(stored.budget_period == llmgw::BudgetPeriod::day);
  CHECK(stored.rpm == 60);
  CHECK(stored.tpm == 100000);
  CHECK(stored.models == std::vector<std::string>{"gpt-4o-mini", "mock/*"});
  REQUIRE(stored.expires_ms);
  CHECK(*stored.expires_ms - stored.created_ms == 30LL * 86'400'000);

  // Spend today, from the ledger: $0.25 and $0.50 for this key, $4 for another name.
  {
    llmgw::Database db = llmgw::open_migrated(default_db(env));
    std::vector<llmgw::LedgerRow> rows(3);
    const double costs[] = {0.25, 0.5, 4.0};
    for (std::size_t i = 0; i < rows.size(); ++i) {
      rows[i].ts_ms = now_ms();
      rows[i].source = "daemon";
      rows[i].client_key = i < 2 ? "ci" : "someone-else";
      rows[i].cost_usd = costs[i];
    }
    llmgw::insert_ledger_rows(db, rows);
  }
  const std::string secret = secret_of(key);
  const std::string hash = llmgw::sha256_hex(secret);

  const auto list = env.run({"keys", "list", "--clients"});
  CHECK(list.exit_code == 0);
  CHECK_THAT(list.out, Catch::Contains("NAME"));
  CHECK_THAT(list.out, Catch::Contains("STATUS"));
  CHECK_THAT(list.out, Catch::Contains("ci"));
  CHECK_THAT(list.out, Catch::Contains("llmgw_" + stored.id + ".…"));
  CHECK_THAT(list.out, Catch::Contains("$5.00/day"));
  CHECK_THAT(list.out, Catch::Contains("$0.750000"));
  CHECK_THAT(list.out, Catch::Contains("100000"));
  CHECK_THAT(list.out, Catch::Contains("gpt-4o-mini,mock/*"));
  CHECK_THAT(list.out, Catch::Contains("active"));
  CHECK(list.out.find(secret.substr(0, 16)) == std::string::npos);
  CHECK(list.out.find(hash.substr(0, 16)) == std::string::npos);

  const auto json_run = env.run({"keys", "list", "--clients", "--json"});
  CHECK(json_run.exit_code == 0);
  CHECK(json_run.out.find(secret.substr(0, 16)) == std::string::npos);
  CHECK(json_run.out.find(hash.substr(0, 16)) == std::string::npos);
  const auto listed = nlohmann::json::parse(json_run.out);
  REQUIRE(listed.size() == 1);
  const auto& entry = listed[0];
  CHECK(entry["name"] == "ci");
  CHECK(entry["id"] == stored.id);
  CHECK(entry["key"] == "llmgw_" + stored.id + ".…");
  CHECK(entry["budget_usd"] == 5.0);
  CHECK(entry["budget_period"] == "day");
  CHECK(entry["spent_usd"] == 0.75);
  CHECK(entry["rpm"] == 60);
  CHECK(entry["tpm"] == 100000);
  CHECK(entry["models"] == nlohmann::json({"gpt-4o-mini", "mock/*"}));
  CHECK(entry["expires"].is_string());
  CHECK(entry["revoked"].is_null());
  CHECK(entry["status"] == "active");
  CHECK(entry["period_end"].is_string());
  CHECK_FALSE(entry.contains("secret_hash"));
}

TEST_CASE("keys revoke makes the key fail authentication; it stays listed", "[cli][client_keys]") {
  CliEnv env;
  const std::string key = printed_key(env.run({"keys", "create", "app"}));
  REQUIRE(authenticate(default_db(env), key).name == "app");

  const auto revoke = env.run({"keys", "revoke", "app"});
  CHECK(revoke.exit_code == 0);
  CHECK_THAT(revoke.err, Catch::Contains("revoked the client key 'app'"));
  const llmgw::Error refused = llmgw::test::error_of([&] { authenticate(default_db(env), key); });
  CHECK(refused.kind == llmgw::ErrorKind::unauthorized);
  CHECK_THAT(refused.message, Catch::Contains("was revoked"));
  const auto listed = nlohmann::json::parse(env.run({"keys", "list", "--clients", "--json"}).out);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["status"] == "revoked");
  CHECK(listed[0]["revoked"].is_string());

  const auto twice = env.run({"keys", "revoke", "app"});
  CHECK(twice.exit_code == 2);
  CHECK_THAT(twice.err, Catch::Contains("no client key named 'app'"));
  CHECK_THAT(twice.err, Catch::Contains("llmgw keys list --clients"));

  // The name is free again, for a new key.
  const std::string renewed = printed_key(env.run({"keys", "create", "app"}));
  CHECK(authenticate(default_db(env), renewed).name == "app");
}

TEST_CASE("keys create: bad names, budgets, periods, limits and dates are exit 2",
          "[cli][client_keys]") {
  CliEnv env;
  const struct {
    std::vector<std::string> args;
    const char* message;
    const char* fix;
  } k_cases[] = {
      {{"My App"}, "not a valid client key name", "lower-case"},
      {{"app", "--budget", "lots"}, "--budget 'lots' is not an amount of USD", "--budget 5"},
      {{"app", "--budget", "-1"}, "--budget '-1'", "0 or more"},
      {{"app", "--budget", "5", "--budget-period", "week"},
       "'week' is not a period",
       "day, month or total"},
      {{"app", "--budget-period", "day"}, "--budget-period needs a --budget", "--budget 5"},
      {{"app", "--rpm", "0"}, "--rpm '0'", "--rpm 60"},
      {{"app", "--tpm", "1.5"}, "--tpm '1.5'", "--tpm 60"},
      {{"app", "--models", "gpt-4o,,x"}, "empty model name", "--models"},
      {{"app", "--expires", "tomorrow"}, "--expires 'tomorrow'", "span from now"},
      {{"app", "--expires", "2020-01-01"}, "is not in the future", "span from now"},
  };
  for (const auto& c : k_cases) {
    std::vector<std::string> args = {"keys", "create"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    INFO(args.back());
    const auto result = env.run(args);
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK_THAT(result.err, Catch::Contains(c.message));
    CHECK_THAT(result.err, Catch::Contains(c.fix));
  }
  // Nothing was created, not even the database.
  CHECK_FALSE(std::filesystem::exists(default_db(env)));

  const auto json_alone = env.run({"keys", "list", "--json"});
  CHECK(json_alone.exit_code == 2);
  CHECK_THAT(json_alone.err, Catch::Contains("--clients"));
}

TEST_CASE("keys list --clients with no database says so and creates none", "[cli][client_keys]") {
  CliEnv env;
  const auto list = env.run({"keys", "list", "--clients"});
  CHECK(list.exit_code == 0);
  CHECK(list.out.empty());
  CHECK_THAT(list.err, Catch::Contains("no client keys yet"));
  CHECK(env.run({"keys", "list", "--clients", "--json"}).out == "[]\n");
  CHECK_FALSE(std::filesystem::exists(default_db(env).parent_path()));
}

TEST_CASE("client keys live in the database --db or LLMGW_DB names", "[cli][client_keys]") {
  CliEnv env;
  const auto flag_db = env.home() / "team.db";
  const std::string key = printed_key(env.run({"--db", flag_db.string(), "keys", "create", "a"}));
  CHECK(authenticate(flag_db, key).name == "a");
  CHECK_FALSE(std::filesystem::exists(default_db(env)));

  const auto env_db = env.home() / "env.db";
  env.env["LLMGW_DB"] = env_db.string();
  const std::string other = printed_key(env.run({"keys", "create", "b"}));
  CHECK(authenticate(env_db, other).name == "b");
  const auto listed = nlohmann::json::parse(env.run({"keys", "list", "--clients", "--json"}).out);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["name"] == "b");
}

TEST_CASE("keys create --help shows the options and examples", "[cli][client_keys]") {
  CliEnv env;
  const auto help = env.run({"keys", "create", "--help"});
  CHECK(help.exit_code == 0);
  for (const char* text : {"--budget", "--budget-period", "--rpm", "--tpm", "--models", "--expires",
                           "KEY=$(llmgw keys create my-app)", "llmgw keys revoke"})
    CHECK_THAT(help.out, Catch::Contains(text));
  CHECK_THAT(env.run({"keys", "--help"}).out, Catch::Contains("llmgw keys list --clients"));
  CHECK_THAT(env.run({"keys", "revoke", "--help"}).out,
             Catch::Contains("llmgw keys revoke my-app"));
}
