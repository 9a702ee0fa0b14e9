// End to end: `llmgw usage` over a ledger of known rows, compared with golden files
// (tests/fixtures/usage/) for the table, JSON and CSV; and its errors.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "support/cli_env.hpp"
#include "support/fixtures.hpp"

using llmgw::LedgerRow;
using llmgw::test::CliEnv;
using llmgw::test::read_fixture;

namespace {

constexpr std::int64_t k_t0 = 1'761'955'200'000;  // 2025-11-01T00:00Z
constexpr std::int64_t k_hour = 3'600'000;

LedgerRow row(std::int64_t ts_ms, const std::string& provider, const std::string& model,
              std::optional<double> cost, std::int64_t input, std::int64_t output) {
  LedgerRow r;
  r.ts_ms = ts_ms;
  r.provider = provider;
  r.model_requested = model;
  r.model_served = model;
  r.input_tokens = input;
  r.output_tokens = output;
  r.cost_usd = cost;
  r.price_version = "golden";
  return r;
}

// A user whose ledger holds two days of known requests, in UTC.
struct User {
  CliEnv env;

  User() {
    env.env["TZ"] = "UTC";
    std::vector<LedgerRow> rows = {
        row(k_t0 + 1 * k_hour, "openai", "gpt-4o-mini", 0.000195, 1000, 75),
        row(k_t0 + 2 * k_hour, "openai", "gpt-4o-mini", 0.00042, 2000, 200),
        row(k_t0 + 3 * k_hour, "groq", "llama-3.3-70b-versatile", std::nullopt, 300, 40),
        row(k_t0 + 26 * k_hour, "anthropic", "claude-sonnet-4-5", 0.01257, 3000, 238),
        row(k_t0 + 27 * k_hour, "openai", "gpt-4o-mini", 0.0, 0, 0),
        row(k_t0 + 28 * k_hour, "anthropic", "claude-sonnet-4-5", std::nullopt, 0, 0),
        row(k_t0 + 30 * k_hour, "openai", "gpt-4o", 0.0125, 4000, 250),
        row(k_t0 + 50 * k_hour, "openai", "gpt-4o", 1.0, 1, 1),  // after the window
    };
    rows[3].cached_input_tokens = 1200;
    rows[3].cache_write_tokens = 300;
    rows[3].reasoning_tokens = 64;
    rows[3].source = "daemon";
    rows[3].client_key = "team-a";
    rows[4].cache_hit = true;
    rows[4].saved_usd = 0.000195;
    rows[4].attempts = 0;
    rows[5].status = "error";
    rows[5].error_type = "overloaded_error";
    rows[6].source = "repl";
    llmgw::Database db = llmgw::open_migrated(db_file());
    llmgw::insert_ledger_rows(db, rows);
  }

  std::filesystem::path db_file() const { return env.home() / ".local/share/llmgw/llmgw.db"; }

  std::string usage(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"usage", "--since", "2025-11-01", "--until", "2025-11-02"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = env.run(args);
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.err.empty());
    return result.out;
  }
};

// The golden file's text; with LLMGW_UPDATE_GOLDEN=1 in the environment, `actual` is
// written to it first (review the diff before committing it).
std::string golden(const std::string& name, const std::string& actual) {
  if (const char* update = std::getenv("LLMGW_UPDATE_GOLDEN"); update && std::string(update) == "1")
    std::ofstream(std::string(LLMGW_FIXTURES_DIR) + "/usage/" + name, std::ios::binary) << actual;
  return read_fixture("usage/" + name);
}

}  // namespace

TEST_CASE("usage: golden table, JSON and CSV", "[cli][usage]") {
  User user;
  const auto check = [&](const std::string& name, std::vector<std::string> args) {
    const std::string out = user.usage(std::move(args));
    CHECK(out == golden(name, out));
  };
  check("total.txt", {});
  check("by_day.txt", {"--by", "day"});
  check("by_model.txt", {"--by", "model"});
  check("by_day.json", {"--by", "day", "--json"});
  check("by_model.csv", {"--by", "model", "--csv"});
  check("total.csv", {"--csv"});
}

TEST_CASE("usage: an empty period and a missing database say so, and create nothing",
          "[cli][usage]") {
  CliEnv env;
  env.env["TZ"] = "UTC";
  const auto none = env.run({"usage", "--since", "2025-11-01", "--until", "2025-11-01"});
  CHECK(none.exit_code == 0);
  CHECK(none.out ==
        "usage from 2025-11-01 00:00 to 2025-11-02 00:00\nno requests recorded in this period\n");
  CHECK_FALSE(std::filesystem::exists(env.home() / ".local/share/llmgw/llmgw.db"));
  const auto json = env.run({"usage", "--json"});
  CHECK(json.exit_code == 0);
  CHECK(json.out.find("\"requests\": 0") != std::string::npos);
}

TEST_CASE("usage: bad options are usage errors that name the fix", "[cli][usage]") {
  CliEnv env;
  const auto bad_since = env.run({"usage", "--since", "last week"});
  CHECK(bad_since.exit_code == 2);
  CHECK(bad_since.err.find("llmgw: error: --since 'last week'") == 0);
  CHECK(bad_since.err.find("7d") != std::string::npos);
  const auto bad_group = env.run({"usage", "--by", "colour"});
  CHECK(bad_group.exit_code == 2);
  CHECK(bad_group.err.find("day, week, month, model, provider, key, source") != std::string::npos);
  const auto backwards = env.run({"usage", "--since", "1d", "--until", "2d"});
  CHECK(backwards.exit_code == 2);
  CHECK(backwards.err.find("is not before") != std::string::npos);
  const auto both = env.run({"usage", "--json", "--csv"});
  CHECK(both.exit_code == 2);
}

TEST_CASE("usage: a damaged database is reported, never overwritten", "[cli][usage]") {
  CliEnv env;
  const auto file = env.home() / ".local/share/llmgw/llmgw.db";
  std::filesystem::create_directories(file.parent_path());
  const std::string junk = "this is not a database, and it is long enough to have a header...";
  std::ofstream(file) << junk;
  const auto result = env.run({"usage"});
  CHECK(result.exit_code == 3);
  CHECK(result.err.find(file.string()) != std::string::npos);
  CHECK(result.err.find("llmgw db check") != std::string::npos);
  std::ifstream in(file);
  const std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(kept == junk);
}
