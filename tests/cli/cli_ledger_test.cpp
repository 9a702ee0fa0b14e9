// End to end: every chat request of the binary is one ledger row with its real tokens,
// cost and outcome, and a database that cannot be written never fails a request.
#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/store/ledger.hpp"
#include "core/store/ledger_writer.hpp"
#include "core/store/migrations.hpp"
#include "support/cli_env.hpp"
#include "support/fake_openai.hpp"
#include "support/openai_user.hpp"
#include "support/slow_answer.hpp"

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

TEST_CASE("ledger: SIGTERM mid-stream cuts the answer short, records it and exits 143",
          "[cli][ledger]") {
  User user;
  user.env.write_config("[providers.mock]\ndelay_ms = 300\n");
  const auto result = llmgw::test::interrupt_slow_answer(user.env, SIGTERM);
  CHECK(result.exit_code == 143);
  CHECK(result.out.find("eight") == std::string::npos);
  CHECK(result.err.find("terminated") != std::string::npos);
  const std::vector<LedgerRow> rows = user.rows();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].status == "cancelled");
  CHECK(rows[0].model_requested == "mock/slow");
  CHECK(rows[0].ttft_ms.has_value());
}

TEST_CASE("ledger: concurrent CLI processes and a long-lived writer lose no row", "[cli][ledger]") {
  User user;
  constexpr int k_processes = 4;
  constexpr int k_requests = 6;
  constexpr std::size_t k_writer_rows = 3000;
  const auto db_file = user.env.home() / ".local/share/llmgw/llmgw.db";
  std::vector<std::string> errors;
  // As the daemon would: one writer thread in another process' place, writing all along.
  std::thread daemon([&] {
    llmgw::LedgerWriter writer(db_file, [&](const std::string& w) { errors.push_back(w); });
    for (std::size_t i = 0; i < k_writer_rows; ++i) {
      LedgerRow row;
      row.ts_ms = 1'750'000'000'000 + static_cast<std::int64_t>(i);
      row.source = "daemon";
      writer.add(row);
      if (i % 100 == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  std::vector<std::thread> clis;
  std::vector<std::string> cli_errors(k_processes);
  for (int p = 0; p < k_processes; ++p) {
    clis.emplace_back([&, p] {
      for (int r = 0; r < k_requests; ++r) {
        const auto result =
            user.env.run({"chat", "-m", "mock/echo", "request " + std::to_string(r)});
        if (result.exit_code != 0 || !result.err.empty())
          cli_errors[static_cast<std::size_t>(p)] += result.err + "\n";
      }
    });
  }
  for (auto& cli : clis)
    cli.join();
  daemon.join();
  CHECK(errors.empty());
  for (const auto& err : cli_errors)
    CHECK(err.empty());
  const std::vector<LedgerRow> rows = user.rows();
  std::size_t from_cli = 0;
  std::size_t from_daemon = 0;
  for (const LedgerRow& row : rows)
    (row.source == "cli" ? from_cli : from_daemon) += 1;
  CHECK(from_cli == k_processes * k_requests);
  CHECK(from_daemon == k_writer_rows);
}

TEST_CASE("ledger: a model without a price is recorded as unknown and warned about once",
          "[cli][ledger]") {
  User user;
  const auto first = user.env.run({"chat", "-m", "openai/gpt-unpriced-x", "a"});
  REQUIRE(first.exit_code == 0);
  CHECK(first.err.find("llmgw: warning: llmgw has no price for openai/gpt-unpriced-x") !=
        std::string::npos);
  CHECK(first.err.find("[prices.\"openai/gpt-unpriced-x\"]") != std::string::npos);
  const auto second = user.env.run({"chat", "-m", "openai/gpt-unpriced-x", "b"});
  REQUIRE(second.exit_code == 0);
  CHECK(second.err.empty());  // said once
  const auto other = user.env.run({"chat", "-m", "openai/gpt-unpriced-y", "c"});
  CHECK(other.err.find("no price for openai/gpt-unpriced-y") != std::string::npos);
  const auto priced = user.env.run({"chat", "-m", "openai/gpt-4o-mini", "d"});
  CHECK(priced.err.empty());

  const std::vector<LedgerRow> rows = user.rows();
  REQUIRE(rows.size() == 4);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(rows[i].status == "ok");
    CHECK_FALSE(rows[i].cost_usd.has_value());  // NULL, never a made-up $0
  }
  CHECK(rows[3].cost_usd.has_value());
}
