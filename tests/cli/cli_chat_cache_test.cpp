// End to end: `llmgw chat` answers a repeated deterministic prompt from the response
// cache (no request, $0, the saving in the ledger), and --cache / --no-cache steer it.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "support/openai_user.hpp"

using llmgw::Database;
using llmgw::LedgerRow;

namespace {

constexpr const char* k_key = "sk-cache-cli-test-00000000000CACH";

struct User : llmgw::test::OpenAIUser {
  User() : OpenAIUser(k_key) {}
  std::vector<LedgerRow> rows() const {
    Database db = llmgw::open_migrated(env.home() / ".local/share/llmgw/llmgw.db");
    return llmgw::read_ledger_rows(db);
  }
  std::size_t sent() const { return server.requests().size(); }
  llmgw::test::ProcessResult chat(std::vector<std::string> args) const {
    std::vector<std::string> argv = {"chat", "-m", "openai/gpt-4o-mini"};
    argv.insert(argv.end(), args.begin(), args.end());
    return env.run(argv);
  }
};

}  // namespace

TEST_CASE("chat: a repeated prompt at temperature 0 comes from the cache for $0", "[cli][cache]") {
  User user;
  const auto first = user.chat({"--temperature", "0", "-u", "what is two plus two"});
  REQUIRE(first.exit_code == 0);
  CHECK(first.out == "fake: what is two plus two\n");
  CHECK(user.sent() == 1);

  // Streamed first, now served whole (--json) and streamed again, with nothing sent.
  const auto whole = user.chat({"--temperature", "0", "--json", "what is two plus two"});
  REQUIRE(whole.exit_code == 0);
  CHECK(nlohmann::json::parse(whole.out)["choices"][0]["message"]["content"] ==
        "fake: what is two plus two");
  const auto again = user.chat({"--temperature", "0", "-u", "-v", "what is two plus two"});
  REQUIRE(again.exit_code == 0);
  CHECK(again.out == first.out);
  CHECK(again.err.find("from the response cache: cost $0 (saved $") != std::string::npos);
  CHECK(again.err.find("answered from the response cache") != std::string::npos);
  CHECK(user.sent() == 1);

  // --no-cache asks the provider; sampled requests are not cached unless --cache.
  REQUIRE(user.chat({"--temperature", "0", "--no-cache", "what is two plus two"}).exit_code == 0);
  CHECK(user.sent() == 2);
  REQUIRE(user.chat({"sampled"}).exit_code == 0);
  REQUIRE(user.chat({"sampled"}).exit_code == 0);
  CHECK(user.sent() == 4);
  REQUIRE(user.chat({"--cache", "forced"}).exit_code == 0);
  REQUIRE(user.chat({"--cache", "forced"}).exit_code == 0);
  CHECK(user.sent() == 5);

  const std::vector<LedgerRow> rows = user.rows();
  REQUIRE(rows.size() == 8);
  CHECK_FALSE(rows[0].cache_hit);
  REQUIRE(rows[0].cost_usd.has_value());
  for (const std::size_t hit : {1u, 2u, 7u}) {
    INFO(hit);
    CHECK(rows[hit].cache_hit);
    CHECK(rows[hit].cost_usd == 0.0);
    CHECK(rows[hit].attempts == 0);
  }
  CHECK(rows[1].saved_usd == rows[0].cost_usd);
  CHECK(rows[1].request_hash == rows[0].request_hash);
  for (const std::size_t miss : {3u, 4u, 5u, 6u}) {
    INFO(miss);
    CHECK_FALSE(rows[miss].cache_hit);
  }
}

TEST_CASE("chat: --cache and --no-cache together are a usage error", "[cli][cache]") {
  User user;
  const auto result = user.chat({"--cache", "--no-cache", "hi"});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("llmgw: error:") == 0);
  CHECK(user.sent() == 0);
}

TEST_CASE("chat: [cache] enabled = false turns the cache off", "[cli][cache]") {
  User user;
  user.env.write_config("[cache]\nenabled = false\n");
  REQUIRE(user.chat({"--temperature", "0", "off"}).exit_code == 0);
  REQUIRE(user.chat({"--temperature", "0", "off"}).exit_code == 0);
  CHECK(user.sent() == 2);
}

TEST_CASE("cache stats and clear: what is kept, the hits it had, and emptying it", "[cli][cache]") {
  User user;
  // No database yet: stats are empty and nothing is created.
  const auto empty = user.env.run({"cache", "stats", "--json"});
  REQUIRE(empty.exit_code == 0);
  CHECK(nlohmann::json::parse(empty.out)["entries"] == 0);
  CHECK_FALSE(std::filesystem::exists(user.env.home() / ".local/share/llmgw/llmgw.db"));

  REQUIRE(user.chat({"--temperature", "0", "first question"}).exit_code == 0);
  REQUIRE(user.chat({"--temperature", "0", "second question"}).exit_code == 0);
  REQUIRE(user.chat({"--temperature", "0", "first question"}).exit_code == 0);  // a hit
  CHECK(user.sent() == 2);

  const auto stats = user.env.run({"cache", "stats", "--json"});
  REQUIRE(stats.exit_code == 0);
  const nlohmann::json report = nlohmann::json::parse(stats.out);
  CHECK(report["entries"] == 2);
  CHECK(report["hits"] == 1);
  CHECK(report["bytes"].get<std::int64_t>() > 0);
  CHECK(report["ttl_seconds"] == 3600);
  CHECK(report["saved_usd"].get<double>() > 0);  // gpt-4o-mini has a price
  CHECK(report["enabled"] == true);

  const auto table = user.env.run({"cache", "stats"});
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("entries      2\n") != std::string::npos);
  CHECK(table.out.find("hits         1 recorded in the ledger, saving $") != std::string::npos);

  const auto cleared = user.env.run({"cache", "clear"});
  REQUIRE(cleared.exit_code == 0);
  CHECK(cleared.out.find("removed 2 cached answers") == 0);
  CHECK(nlohmann::json::parse(user.env.run({"cache", "stats", "--json"}).out)["entries"] == 0);
  REQUIRE(user.chat({"--temperature", "0", "first question"}).exit_code == 0);
  CHECK(user.sent() == 3);  // asked again after the clear

  // The ledger kept every request; `usage` shows the hit and its saving.
  const auto usage = user.env.run({"usage", "--json"});
  REQUIRE(usage.exit_code == 0);
  const nlohmann::json total = nlohmann::json::parse(usage.out)["total"];
  CHECK(total["requests"] == 4);
  CHECK(total["cache_hits"] == 1);
  CHECK(total["saved_usd"].get<double>() == report["saved_usd"].get<double>());
}

TEST_CASE("cache: a bare `llmgw cache` says which subcommands there are", "[cli][cache]") {
  User user;
  const auto result = user.env.run({"cache"});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("stats") != std::string::npos);
}
