// End to end: `llmgw db check`, the --db flag and LLMGW_DB, in a fresh HOME.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "core/store/migrations.hpp"
#include "support/cli_env.hpp"

using llmgw::test::CliEnv;

namespace {

std::filesystem::path default_db(const CliEnv& env) {
  return env.home() / ".local/share/llmgw/llmgw.db";
}

std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void add_ledger_rows(const std::filesystem::path& file, int rows) {
  llmgw::Database db = llmgw::open_migrated(file);
  for (int i = 0; i < rows; ++i)
    db.exec("INSERT INTO ledger (ts_ms, source, endpoint, status) VALUES (1, 'cli', 'chat', 'ok')");
}

}  // namespace

TEST_CASE("db check on a fresh database: ok, version, sizes, counts", "[cli][db]") {
  CliEnv env;
  add_ledger_rows(default_db(env), 2);
  const auto result = env.run({"db", "check"});
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  const std::string version = std::to_string(llmgw::current_schema_version());
  CHECK_THAT(result.out, Catch::Contains("database        " + default_db(env).string()));
  CHECK_THAT(result.out,
             Catch::Contains("schema version  " + version + " (this llmgw: " + version + ")"));
  CHECK_THAT(result.out, Catch::Contains("ledger rows     2"));
  CHECK_THAT(result.out, Catch::Contains("cache entries   0"));
  CHECK_THAT(result.out, Catch::Contains("client keys     0"));
  CHECK_THAT(result.out, Catch::Contains("conversations   0"));
  CHECK_THAT(result.out, Catch::Contains("integrity       ok"));

  const auto json = env.run({"db", "check", "--json"});
  CHECK(json.exit_code == 0);
  const auto report = nlohmann::json::parse(json.out);
  CHECK(report["path"] == default_db(env).string());
  CHECK(report["exists"] == true);
  CHECK(report["ok"] == true);
  CHECK(report["schema_version"] == llmgw::current_schema_version());
  CHECK(report["supported_schema_version"] == llmgw::current_schema_version());
  CHECK(report["size_bytes"] == std::filesystem::file_size(default_db(env)));
  CHECK(report["wal_bytes"].is_number_unsigned());
  CHECK(report["journal_mode"] == "wal");
  CHECK(report["ledger_rows"] == 2);
  CHECK(report["cache_entries"] == 0);
  CHECK(report["client_keys"] == 0);
  CHECK(report["conversations"] == 0);
  CHECK(report["problems"] == nlohmann::json::array());
}

TEST_CASE("db check with no database says so, exits 0 and creates nothing", "[cli][db]") {
  CliEnv env;
  const auto result = env.run({"db", "check"});
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("no database yet"));
  CHECK_FALSE(std::filesystem::exists(default_db(env).parent_path()));
  const auto json = nlohmann::json::parse(env.run({"db", "check", "--json"}).out);
  CHECK(json["exists"] == false);
  CHECK(json["ok"] == true);
}

TEST_CASE("db check on a file that is not a database: exit 3, names it, leaves it", "[cli][db]") {
  CliEnv env;
  const auto file = env.home() / "notes.db";
  std::ofstream(file) << std::string(4096, 'x');
  env.env["LLMGW_DB"] = file.string();
  const auto result = env.run({"db", "check"});
  CHECK(result.exit_code == 3);
  CHECK_THAT(result.out, Catch::Contains("DAMAGED"));
  CHECK_THAT(result.out, Catch::Contains("schema version  unknown"));
  CHECK_THAT(result.err, Catch::Contains(file.string()));
  CHECK_THAT(result.err, Catch::Contains("llmgw: fix:"));
  CHECK(read_bytes(file) == std::string(4096, 'x'));
  const auto json = env.run({"db", "check", "--json"});
  CHECK(json.exit_code == 3);
  const auto report = nlohmann::json::parse(json.out);
  CHECK(report["ok"] == false);
  CHECK(report["schema_version"].is_null());
  CHECK(report["ledger_rows"].is_null());
  CHECK(report["problems"].size() >= 1);
}

TEST_CASE("db check on a database from a newer llmgw: exit 3", "[cli][db]") {
  CliEnv env;
  {
    llmgw::Database db = llmgw::open_migrated(default_db(env));
    db.set_user_version(llmgw::current_schema_version() + 1);
  }
  const auto result = env.run({"db", "check"});
  CHECK(result.exit_code == 3);
  CHECK_THAT(result.out, Catch::Contains("newer llmgw"));
  CHECK_THAT(result.err, Catch::Contains("newer llmgw"));
}

TEST_CASE("LLMGW_DB and --db choose the database, and config show says which", "[cli][db]") {
  CliEnv env;
  const auto from_env = env.home() / "env.db";
  const auto from_flag = env.home() / "flag.db";
  add_ledger_rows(from_env, 1);
  add_ledger_rows(from_flag, 3);

  auto shown = nlohmann::json::parse(env.run({"config", "show", "--json"}).out);
  CHECK(shown["db_file"]["value"] == default_db(env).string());
  CHECK(shown["db_file"]["source"] == "default");

  env.env["LLMGW_DB"] = from_env.string();
  auto report = nlohmann::json::parse(env.run({"db", "check", "--json"}).out);
  CHECK(report["path"] == from_env.string());
  CHECK(report["ledger_rows"] == 1);
  shown = nlohmann::json::parse(env.run({"config", "show", "--json"}).out);
  CHECK(shown["db_file"]["value"] == from_env.string());
  CHECK(shown["db_file"]["source"] == "env LLMGW_DB");

  report =
      nlohmann::json::parse(env.run({"--db", from_flag.string(), "db", "check", "--json"}).out);
  CHECK(report["path"] == from_flag.string());
  CHECK(report["ledger_rows"] == 3);
  shown =
      nlohmann::json::parse(env.run({"--db", from_flag.string(), "config", "show", "--json"}).out);
  CHECK(shown["db_file"]["value"] == from_flag.string());
  CHECK(shown["db_file"]["source"] == "flag --db");

  const auto text = env.run({"--db", from_flag.string(), "config", "show"});
  CHECK_THAT(text.out, Catch::Contains("db_file"));
  CHECK_THAT(text.out, Catch::Contains("(flag --db)"));
}

TEST_CASE("db --help shows examples, and db needs a subcommand", "[cli][db]") {
  CliEnv env;
  const auto help = env.run({"db", "check", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("llmgw db check --json"));
  CHECK_THAT(help.out, Catch::Contains("LLMGW_DB"));
  CHECK(env.run({"db"}).exit_code == 2);
}
