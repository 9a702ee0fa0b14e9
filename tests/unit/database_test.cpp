// The store's foundation: opening llmgw.db (modes, WAL, version), refusing damaged and
// newer files without touching them, unwritable places, and concurrent writers.
#include "core/store/database.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "core/store/migrations.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::error_of;
using llmgw::test::TempDir;

namespace {

std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

std::int64_t count(Database& db, const char* sql) {
  Statement statement = db.prepare(sql);
  REQUIRE(statement.step());
  return statement.int64(0);
}

// One ledger row per transaction of `batch` rows, as the ledger writer will do.
void insert_ledger_rows(Database& db, int rows, int batch, const std::string& source) {
  Statement insert = db.prepare(
      "INSERT INTO ledger (ts_ms, source, endpoint, provider, model_requested, status, "
      "input_tokens, cost_usd) VALUES (?1, ?2, 'chat', 'mock', 'mock/echo', 'ok', ?3, ?4)");
  for (int done = 0; done < rows;) {
    Transaction transaction(db);
    for (int i = 0; i < batch && done < rows; ++i, ++done) {
      insert.bind(1, std::int64_t{1'700'000'000'000} + done).bind(2, source).bind(3, done);
      insert.bind(4, 0.001 * done);
      insert.run();
      insert.reset();
    }
    transaction.commit();
  }
}

void check_damaged_error(const Error& error, const std::filesystem::path& file) {
  CHECK(error.kind == ErrorKind::config);
  CHECK_THAT(error.message, Catch::Contains(file.string()));
  CHECK_THAT(error.fix, Catch::Contains("llmgw db check"));
  CHECK_THAT(error.fix, Catch::Contains("never deletes or recreates"));
}

}  // namespace

TEST_CASE("database: open creates a private file in WAL mode at the current version",
          "[store][db]") {
  TempDir dir;
  const auto file = dir.path() / "data" / "llmgw" / "llmgw.db";
  {
    Database db = open_migrated(file);
    CHECK(db.path() == file);
    CHECK(db.journal_mode() == "wal");
    CHECK(db.user_version() == current_schema_version());
    CHECK(db.table_exists("ledger"));
    CHECK(db.table_exists("cache_entries"));
    CHECK(mode_of(file) == 0600);
    CHECK(mode_of(file.parent_path()) == 0700);
    CHECK(mode_of(file.parent_path().parent_path()) == 0700);
    // SQLite gives its side files the database's mode.
    CHECK(mode_of(file.string() + "-wal") == 0600);
    CHECK(mode_of(file.string() + "-shm") == 0600);
    insert_ledger_rows(db, 3, 3, "cli");
  }
  // Reopening migrates nothing and keeps the rows.
  Database again = open_migrated(file);
  CHECK(again.user_version() == current_schema_version());
  CHECK(count(again, "SELECT count(*) FROM ledger") == 3);
  CHECK(again.journal_mode() == "wal");
  CHECK(migrate(again) == current_schema_version());
}

TEST_CASE("database: statements bind and read every type, NULL included", "[store][db]") {
  TempDir dir;
  Database db = Database::open(dir.path() / "t.db");
  db.exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, n TEXT)");
  db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)")
      .bind(1, std::int64_t{1} << 40)
      .bind(2, 0.25)
      .bind(3, std::string_view("h\xC3\xA9llo\0x", 8))
      .bind(4, std::optional<std::string>())
      .run();
  CHECK(db.last_insert_rowid() == 1);
  Statement select = db.prepare("SELECT i, r, s, n FROM t");
  REQUIRE(select.step());
  CHECK(select.int64(0) == std::int64_t{1} << 40);
  CHECK(select.real(1) == 0.25);
  CHECK(select.text(2) == std::string("h\xC3\xA9llo\0x", 8));
  CHECK(select.is_null(3));
  CHECK_FALSE(select.optional_text(3));
  CHECK(select.optional_int64(0) == std::int64_t{1} << 40);
  CHECK_FALSE(select.step());
}

TEST_CASE("database: a transaction rolls back when its body throws", "[store][db]") {
  TempDir dir;
  Database db = open_migrated(dir.path() / "t.db");
  CHECK_THROWS_AS(with_transaction(db,
                                   [&] {
                                     db.exec(
                                         "INSERT INTO ledger (ts_ms, source, endpoint, status) "
                                         "VALUES (1, 'cli', 'chat', 'ok')");
                                     throw std::runtime_error("caller failed");
                                   }),
                  std::runtime_error);
  CHECK(count(db, "SELECT count(*) FROM ledger") == 0);
  const std::int64_t rows = with_transaction(db, [&] {
    db.exec("INSERT INTO ledger (ts_ms, source, endpoint, status) VALUES (1, 'cli', 'chat', 'ok')");
    return count(db, "SELECT count(*) FROM ledger");
  });
  CHECK(rows == 1);
  CHECK(count(db, "SELECT count(*) FROM ledger") == 1);
}

TEST_CASE("database: SQL mistakes are internal errors naming the file", "[store][db]") {
  TempDir dir;
  Database db = open_migrated(dir.path() / "t.db");
  const Error error = error_of([&] { db.prepare("SELECT nope FROM ledger"); });
  CHECK(error.kind == ErrorKind::internal);
  CHECK_THAT(error.message, Catch::Contains("no such column"));
  CHECK_THAT(error.message, Catch::Contains((dir.path() / "t.db").string()));
  const Error constraint = error_of([&] {
    db.exec("INSERT INTO ledger (ts_ms, source, endpoint, status) VALUES (1, 'cli', 'chat', 'x')");
  });
  CHECK(constraint.kind == ErrorKind::internal);
}

TEST_CASE("database: a file that is not a database is refused and left untouched", "[store][db]") {
  TempDir dir;
  const auto file = dir.path() / "llmgw.db";
  SECTION("4 KB of text") {
    std::string text;
    while (text.size() < 4096)
      text += "this is a text file, not a database\n";
    write_bytes(file, text);
  }
  SECTION("a real database whose header is damaged") {
    {
      Database db = open_migrated(file);
      insert_ledger_rows(db, 50, 10, "cli");
    }
    std::string bytes = read_bytes(file);
    REQUIRE(bytes.substr(0, 15) == "SQLite format 3");
    bytes.replace(0, 16, "garbage garbage!");
    write_bytes(file, bytes);
  }
  const std::string before = read_bytes(file);
  check_damaged_error(error_of([&] { open_migrated(file); }), file);
  check_damaged_error(error_of([&] { Database::open(file, OpenMode::existing); }), file);
  CHECK(read_bytes(file) == before);
}

TEST_CASE("database: a newer schema version is refused, never downgraded", "[store][db]") {
  TempDir dir;
  const auto file = dir.path() / "llmgw.db";
  {
    Database db = open_migrated(file);
    db.set_user_version(current_schema_version() + 1);
  }
  const std::string before = read_bytes(file);
  const Error error = error_of([&] { open_migrated(file); });
  CHECK(error.kind == ErrorKind::config);
  CHECK_THAT(error.message, Catch::Contains(file.string()));
  CHECK_THAT(error.message, Catch::Contains("newer llmgw"));
  CHECK_THAT(error.fix, Catch::Contains("never downgrades"));
  CHECK(read_bytes(file) == before);
}

TEST_CASE("database: an unwritable place is an io error whose fix names the way out",
          "[store][db]") {
  TempDir dir;
  std::filesystem::path file;
  if (::geteuid() == 0) {
    // root ignores permissions: a parent that is a regular file fails for everyone.
    write_bytes(dir.path() / "plain-file", "x");
    file = dir.path() / "plain-file" / "llmgw.db";
  } else {
    std::filesystem::create_directory(dir.path() / "ro");
    std::filesystem::permissions(
        dir.path() / "ro", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    file = dir.path() / "ro" / "llmgw.db";
  }
  const Error error = error_of([&] { open_migrated(file); });
  CHECK(error.kind == ErrorKind::io);
  CHECK_THAT(error.message, Catch::Contains(file.string()));
  CHECK_THAT(error.fix, Catch::Contains(file.parent_path().string()));
  CHECK_THAT(error.fix, Catch::Contains("--db"));
  CHECK_THAT(error.fix, Catch::Contains("LLMGW_DB"));
  std::error_code ignored;  // lets TempDir remove it; absent when running as root
  std::filesystem::permissions(dir.path() / "ro", std::filesystem::perms::owner_all, ignored);
}

TEST_CASE("database: open without create refuses a missing file and creates nothing",
          "[store][db]") {
  TempDir dir;
  const auto file = dir.path() / "sub" / "llmgw.db";
  const Error error = error_of([&] { Database::open(file, OpenMode::existing); });
  CHECK(error.kind == ErrorKind::io);
  CHECK_THAT(error.message, Catch::Contains(file.string()));
  CHECK_FALSE(std::filesystem::exists(file.parent_path()));
}

TEST_CASE("database: 4 threads writing at once never see 'database is locked'", "[store][db]") {
  TempDir dir;
  const auto file = dir.path() / "llmgw.db";
  constexpr int k_threads = 4;
  constexpr int k_rows = 500;
  std::vector<std::string> failures(k_threads);
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    // Each opens its own connection on a database none has created yet: creation and
    // migration race too.
    threads.emplace_back([&, t] {
      try {
        Database db = open_migrated(file);
        insert_ledger_rows(db, k_rows, 5, "thread-" + std::to_string(t));
      } catch (const std::exception& e) {
        failures[static_cast<std::size_t>(t)] = e.what();
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (const auto& failure : failures)
    CHECK(failure == std::string());
  Database db = open_migrated(file);
  CHECK(count(db, "SELECT count(*) FROM ledger") == k_threads * k_rows);
  CHECK(count(db, "SELECT count(DISTINCT source) FROM ledger") == k_threads);
}

TEST_CASE("database: 4 processes writing at once never see 'database is locked'", "[store][db]") {
  TempDir dir;
  const auto file = dir.path() / "llmgw.db";
  constexpr int k_processes = 4;
  constexpr int k_rows = 500;
  int start[2];
  REQUIRE(::pipe(start) == 0);
  std::vector<pid_t> children;
  std::cout.flush();  // or every child would print what the parent had buffered
  std::fflush(nullptr);
  for (int p = 0; p < k_processes; ++p) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // The child: wait until every sibling exists, then open and write. Nothing may
      // return into Catch from here.
      ::close(start[1]);
      char byte;
      while (::read(start[0], &byte, 1) > 0) {
      }
      int status = 0;
      try {
        Database db = open_migrated(file);
        insert_ledger_rows(db, k_rows, 5, "process-" + std::to_string(p));
      } catch (const std::exception& e) {
        const std::string line = std::string("child failed: ") + e.what() + "\n";
        [[maybe_unused]] const auto ignored = ::write(2, line.data(), line.size());
        status = 1;
      }
      ::_exit(status);
    }
    children.push_back(pid);
  }
  ::close(start[0]);
  ::close(start[1]);  // the start signal: every child's read() sees EOF
  for (const pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  Database db = open_migrated(file);
  CHECK(count(db, "SELECT count(*) FROM ledger") == k_processes * k_rows);
  CHECK(count(db, "SELECT count(DISTINCT source) FROM ledger") == k_processes);
}
