// A small RAII layer over the sqlite3 C API for llmgw's one database (llmgw.db): the
// ledger and the response cache, shared by several CLI processes and the daemon at once.
//
// Threads: connections are opened with SQLITE_OPEN_NOMUTEX, so a Database and its
// Statements belong to one thread at a time. Concurrency comes from one connection per
// thread (or process): WAL lets readers run beside one writer, and writers queue on the
// busy timeout. One connection shared by threads would interleave their transactions
// (a transaction belongs to a connection, not a thread), so a mutex per connection would
// buy nothing but its cost.
//
// Errors are GatewayError naming the file:
//   not a database, damaged (SQLITE_NOTADB, SQLITE_CORRUPT) → config; the fix says to run
//     `llmgw db check`. The file is never deleted, overwritten or recreated.
//   cannot open, create or write (permissions, read-only or full disk) → io; the fix names
//     the directory and --db / LLMGW_DB.
//   still locked after the busy timeout → io; an SQL mistake → internal (a bug).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace llmgw {

// How long a connection waits for another's write lock before failing.
inline constexpr std::chrono::milliseconds k_db_busy_timeout{5000};

enum class OpenMode {
  create,    // create the file (0600) and its directory (0700) when missing
  existing,  // a missing file is an io error; nothing is created (`llmgw db check`)
};

class Database;

// One prepared statement. Bind indexes start at 1 (as in SQL's ?1), column indexes at 0.
// It refers to its Database: destroy it before the Database is moved or destroyed.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);  // copied: the view may end
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind_null(int index);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // True while there is a row to read; false when done. Throws GatewayError.
  bool step();
  // Steps to the end (for statements without results).
  void run();
  // Back to before the first step, bindings kept, for running it again.
  void reset();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;  // "" for NULL
  std::optional<std::int64_t> optional_int64(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::optional<double> optional_real(int column) const;

 private:
  friend class Database;
  Statement(Database& db, sqlite3_stmt* stmt) : m_db(&db), m_stmt(stmt) {}
  void check_bind(int rc);

  Database* m_db;
  sqlite3_stmt* m_stmt;
};

class Database {
 public:
  // Opens `file` read-write and sets the connection up: the busy timeout, synchronous=
  // NORMAL (with WAL, a power loss may lose the last commits but never corrupts the file;
  // no fsync per commit) and foreign_keys=ON. Reads the header, so a file that is not a database
  // fails here. Does not switch to WAL (enable_wal) nor migrate (open_migrated in migrations.hpp):
  // a file llmgw will refuse is left byte for byte as it was.
  static Database open(const std::filesystem::path& file, OpenMode mode = OpenMode::create);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  const std::filesystem::path& path() const { return m_path; }
  sqlite3* handle() const { return m_db; }

  // PRAGMA journal_mode=WAL; the mode in force afterwards ("wal", or the old mode where
  // the file system cannot share memory, in which case locking still works, more slowly).
  std::string enable_wal();
  std::string journal_mode();

  // Runs SQL that returns no rows; several statements separated by ';' are fine.
  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);

  std::int64_t user_version();
  void set_user_version(std::int64_t version);
  std::int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
  std::int64_t changes() const;
  bool table_exists(std::string_view name);

  // Throws the GatewayError for SQLite result code `rc` (see the top of this file);
  // `doing` says what failed, e.g. "read", "write", "open".
  [[noreturn]] void throw_error(int rc, std::string_view doing) const;

 private:
  Database(std::filesystem::path path, sqlite3* db) : m_path(std::move(path)), m_db(db) {}

  std::filesystem::path m_path;
  sqlite3* m_db;
};

// BEGIN IMMEDIATE: takes the write lock at the start (waiting up to the busy timeout), so
// concurrent writers queue instead of failing with SQLITE_BUSY when a read transaction
// would have to become a write one. Rolls back unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  void commit();

 private:
  Database& m_db;
  bool m_open = true;
};

// Runs `body` inside a Transaction, committing when it returns and rolling back when it
// throws.
template <class F>
auto with_transaction(Database& db, F&& body) {
  Transaction transaction(db);
  if constexpr (std::is_void_v<decltype(body())>) {
    body();
    transaction.commit();
  } else {
    auto result = body();
    transaction.commit();
    return result;
  }
}

}  // namespace llmgw
