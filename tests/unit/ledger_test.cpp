// The ledger: every field of a row survives the database, and the batching writer takes
// rows off the caller's path without losing any on a normal exit, or failing a request
// when the database cannot be written.
#include "core/store/ledger.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/store/ledger_writer.hpp"
#include "core/store/migrations.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::TempDir;

namespace {

LedgerRow full_row(int i) {
  LedgerRow row;
  row.ts_ms = 1'750'000'000'000 + i;
  row.source = "daemon";
  row.client_key = "ck_3f2a";
  row.endpoint = "chat";
  row.provider = "anthropic";
  row.model_requested = "smart";
  row.model_served = "claude-sonnet-4-5";
  row.status = "ok";
  row.attempts = 2;
  row.input_tokens = 1200 + i;
  row.output_tokens = 300;
  row.cached_input_tokens = 1000;
  row.cache_write_tokens = 100;
  row.reasoning_tokens = 40;
  row.cost_usd = 0.0123;
  row.price_version = "2026-11-23.2";
  row.latency_ms = 850;
  row.ttft_ms = 210;
  row.request_hash = "ab12";
  return row;
}

std::size_t count_rows(const std::filesystem::path& file) {
  Database db = open_migrated(file);
  return read_ledger_rows(db).size();
}

}  // namespace

TEST_CASE("ledger: every field of a row is kept, NULLs included", "[store][ledger]") {
  TempDir dir;
  Database db = open_migrated(dir.path() / "llmgw.db");
  LedgerRow failed;
  failed.ts_ms = 1;
  failed.status = "error";
  failed.error_type = "rate_limit_error";
  failed.attempts = 4;
  LedgerRow hit = full_row(7);
  hit.cache_hit = true;
  hit.cost_usd = 0.0;
  hit.saved_usd = 0.0123;
  const std::vector<LedgerRow> rows = {full_row(0), failed, hit};
  insert_ledger_rows(db, rows);
  const std::vector<LedgerRow> back = read_ledger_rows(db);
  REQUIRE(back.size() == 3);
  CHECK(back == rows);
  CHECK_FALSE(back[1].cost_usd.has_value());  // unpriced stays NULL, never 0
  CHECK_FALSE(back[1].provider.has_value());
}

TEST_CASE("ledger writer: every row added is written by flush and by the destructor",
          "[store][ledger]") {
  TempDir dir;
  const auto file = dir.path() / "data" / "llmgw.db";
  std::vector<std::string> warnings;
  {
    LedgerWriter writer(file, [&](const std::string& w) { warnings.push_back(w); });
    for (int i = 0; i < 2500; ++i)  // more than two batches
      writer.add(full_row(i));
    writer.flush();
    CHECK(writer.written() == 2500);
    CHECK(count_rows(file) == 2500);
    for (int i = 0; i < 10; ++i)
      writer.add(full_row(i));
  }  // no flush: the destructor writes the rest
  CHECK(count_rows(file) == 2510);
  CHECK(warnings.empty());
}

TEST_CASE("ledger writer: rows from several threads all arrive", "[store][ledger]") {
  TempDir dir;
  const auto file = dir.path() / "llmgw.db";
  {
    LedgerWriter writer(file, {});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&writer] {
        for (int i = 0; i < 500; ++i)
          writer.add(full_row(i));
      });
    }
    for (auto& thread : threads)
      thread.join();
  }
  CHECK(count_rows(file) == 2000);
}

TEST_CASE("ledger writer: a database that cannot be written warns once and fails nothing",
          "[store][ledger]") {
  TempDir dir;
  const auto file = dir.path() / "llmgw.db";
  std::ofstream(file) << std::string(4096, 'x');  // not a database
  std::vector<std::string> warnings;
  LedgerWriter writer(file, [&](const std::string& w) { warnings.push_back(w); });
  writer.add(full_row(1));
  writer.flush();
  writer.add(full_row(2));
  writer.flush();
  CHECK(writer.written() == 0);
  CHECK(writer.dropped() == 2);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::Contains("usage is not being recorded"));
  CHECK_THAT(warnings[0], Catch::Contains(file.string()));
  CHECK_THAT(warnings[0], Catch::Contains("llmgw db check"));
}
