// End to end: every chat request of the binary is one ledger row with its real tokens,
// cost and outcome, and a database that cannot be written never fails a request.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "support/cli_env.hpp"
#include "support/fake_openai.hpp"
#include "support/openai_user.hpp"

using llmgw::Database;
using llmgw::LedgerRow;
using llmgw::test::Reply;

namespace {

constexpr const char* k_key = "sk-ledger-test-0000000000000LDGR";

struct User : llmgw::test::OpenAIUser {
  User() : OpenAIUser(k_key) {}
  std::vector<LedgerRow> rows() const {
    Database db = llmgw::open_migrated(env.home() / ".local/share/llmgw/llmgw.db");
    return llmgw::read_ledger_rows(db);
  }
};

}  // namespace

TEST_CASE("ledger: one row per request, with tokens, cost and outcome", "[cli][ledger]") {
  User user;
  // 1: answered whole; its usage is what --json printed.
  const auto whole = user.env.run({"chat", "--json", "-m", "openai/gpt-4o-mini", "one two"});
  REQUIRE(whole.exit_code == 0);
  const auto usage = nlohmann::json::parse(whole.out)["usage"];
  // 2: streamed.
  REQUIRE(user.env.run({"chat", "-m", "openai/gpt-4o-mini", "three four five"}).exit_code == 0);
  // 3: refused by the provider.
  user.server.push(Reply::error(400, "Unsupported parameter"));
  REQUIRE(user.env.run({"chat", "--no-stream", "-m", "openai/gpt-4o-mini", "x"}).exit_code == 4);
  // 4: answered after a retry.
  user.server.push(Reply::error(503, "overloaded", "server_error").with_header("Retry-After", "0"));
  REQUIRE(user.env.run({"chat", "--no-stream", "-m", "openai/gpt-4o-mini", "y"}).exit_code == 0);
  // 5: the offline mock.
  REQUIRE(user.env.run({"chat", "-m", "mock/echo", "z"}).exit_code == 0);

  const std::vector<LedgerRow> rows = user.rows();
  REQUIRE(rows.size() == 5);
  for (const LedgerRow& row : rows) {
    CHECK(row.source == "cli");
    CHECK(row.endpoint == "chat");
    CHECK(row.ts_ms > 1'700'000'000'000);
    CHECK(row.latency_ms.has_value());
    CHECK(row.price_version.has_value());
  }
  CHECK(rows[0].status == "ok");
  CHECK(rows[0].provider == "openai");
  CHECK(rows[0].model_requested == "openai/gpt-4o-mini");
  CHECK(rows[0].model_served == "gpt-4o-mini");
  CHECK(rows[0].input_tokens == usage["prompt_tokens"].get<std::int64_t>());
  CHECK(rows[0].output_tokens == usage["completion_tokens"].get<std::int64_t>());
  REQUIRE(rows[0].cost_usd.has_value());  // gpt-4o-mini is priced: never a made-up 0
  CHECK(*rows[0].cost_usd > 0);
  CHECK(rows[0].attempts == 1);
  CHECK_FALSE(rows[0].ttft_ms.has_value());

  CHECK(rows[1].status == "ok");
  CHECK(rows[1].ttft_ms.has_value());
  CHECK(rows[1].input_tokens > 0);

  CHECK(rows[2].status == "error");
  CHECK(rows[2].error_type == "invalid_request_error");
  CHECK(rows[2].provider == "openai");
  CHECK_FALSE(rows[2].cost_usd.has_value());

  CHECK(rows[3].status == "ok");
  CHECK(rows[3].attempts == 2);

  CHECK(rows[4].provider == "mock");
  CHECK(rows[4].cost_usd == 0.0);  // the mock is free, and known to be
}

TEST_CASE("ledger: a database that cannot be written warns and the answer still comes",
          "[cli][ledger]") {
  User user;
  const auto blocker = user.env.home() / "not-a-dir";
  std::ofstream(blocker) << "a file where a directory should be";
  user.env.env["LLMGW_DB"] = (blocker / "llmgw.db").string();
  const auto result = user.env.run({"chat", "-m", "mock/echo", "still answered"});
  CHECK(result.exit_code == 0);
  CHECK(result.out == "mock: still answered\n");
  CHECK(result.err.find("usage is not being recorded") != std::string::npos);
}
