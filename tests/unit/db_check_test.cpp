// check_database: reports without changing anything, for `llmgw db check`.
#include "core/store/db_check.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>

#include "core/store/migrations.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::TempDir;

namespace {

std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void fill_ledger(const std::filesystem::path& file, int rows) {
  Database db = open_migrated(file);
  with_transaction(db, [&] {
    Statement insert = db.prepare(
        "INSERT INTO ledger (ts_ms, source, endpoint, provider, status, request_hash) "
        "VALUES (?1, 'cli', 'chat', 'mock', 'ok', ?2)");
    for (int i = 0; i < rows; ++i) {
      insert.bind(1, i).bind(2, std::string(64, static_cast<char>('a' + i % 26))).run();
      insert.reset();
    }
  });
}

}  // namespace

TEST_CASE("db check: a missing database is fine and is not created", "[store][db]") {
  TempDir dir;
  const auto file = dir.path() / "llmgw" / "llmgw.db";
  const DbCheck check = check_database(file);
  CHECK_FALSE(check.exists);
  CHECK(check.ok());
  CHECK(check.known_version == current_schema_version());
  CHECK_FALSE(std::filesystem::exists(file.parent_path()));
}

TEST_CASE("db check: a healthy database shows its version, sizes and row counts", "[store][db]") {
  TempDir dir;
  const auto file = dir.path() / "llmgw.db";
  fill_ledger(file, 7);
  const DbCheck check = check_database(file);
  CHECK(check.exists);
  CHECK(check.ok());
  CHECK(check.problems.empty());
  CHECK(check.schema_version == current_schema_version());
  CHECK(check.size_bytes == std::filesystem::file_size(file));
  CHECK(check.size_bytes > 0);
  CHECK(check.journal_mode == std::optional<std::string>("wal"));
  CHECK(check.ledger_rows == 7);
  CHECK(check.cache_entries == 0);
  CHECK(check.client_keys == 0);
  CHECK(check.conversations == 0);
}

TEST_CASE("db check: damaged pages are found by the integrity check, file untouched",
          "[store][db]") {
  TempDir dir;
  const auto file = dir.path() / "llmgw.db";
  fill_ledger(file, 3000);
  std::string bytes = read_bytes(file);
  constexpr std::size_t k_page = 4096;
  REQUIRE(bytes.size() > 8 * k_page);
  // Pages 3 to 5: the ledger's b-tree, somewhere in the middle.
  for (std::size_t i = 2 * k_page; i < 5 * k_page; ++i)
    bytes[i] = static_cast<char>(i * 7 + 13);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  const DbCheck check = check_database(file);
  CHECK(check.exists);
  CHECK(check.damaged);
  CHECK_FALSE(check.ok());
  CHECK_FALSE(check.problems.empty());
  CHECK(read_bytes(file) == bytes);
}

TEST_CASE("db check: a newer schema is reported, not changed", "[store][db]") {
  TempDir dir;
  const auto file = dir.path() / "llmgw.db";
  {
    Database db = open_migrated(file);
    db.set_user_version(current_schema_version() + 4);
  }
  const DbCheck check = check_database(file);
  CHECK(check.newer);
  CHECK_FALSE(check.damaged);
  CHECK_FALSE(check.ok());
  CHECK(check.schema_version == current_schema_version() + 4);
  REQUIRE(check.problems.size() == 1);
  CHECK_THAT(check.problems[0], Catch::Contains("newer llmgw"));
}
