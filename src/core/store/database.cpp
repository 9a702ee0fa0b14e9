#include "core/store/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/config/private_file.hpp"
#include "core/error.hpp"

namespace llmgw {

namespace {

std::filesystem::path directory_of(const std::filesystem::path& file) {
  return file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
}

std::string io_fix(const std::filesystem::path& file, bool full) {
  const std::string dir = directory_of(file).string();
  return (full ? "free some space on the disk holding " + dir
               : "check that the directory " + dir + " exists and is writable") +
         ", or point --db (or LLMGW_DB) at another file";
}

[[noreturn]] void fail_sqlite(const std::filesystem::path& file, sqlite3* db, int rc,
                              std::string_view doing) {
  const std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      fail(ErrorKind::config, file.string() + " is not a usable llmgw database (" + detail + ")",
           "run `llmgw db check` to see what is wrong; llmgw never deletes or recreates the "
           "file: move it aside yourself to start a new one");
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_AUTH:
      fail(ErrorKind::io,
           "cannot " + std::string(doing) + " the database " + file.string() + ": " + detail,
           io_fix(file, (rc & 0xff) == SQLITE_FULL));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      fail(ErrorKind::io,
           "the database " + file.string() + " stayed locked by another llmgw for " +
               std::to_string(k_db_busy_timeout.count() / 1000) + " s",
           "try again; if it keeps happening, look for a stuck llmgw process");
    default:
      fail(ErrorKind::internal,
           "SQLite failed to " + std::string(doing) + " " + file.string() + ": " + detail,
           "please report this as a bug with the command you ran");
  }
}

// Creates the directory (0700) and an empty file (0600), so the database and the -wal and
// -shm files SQLite makes beside it (with the database's mode) are private whatever the
// umask. An existing file is left alone.
void create_private_file(const std::filesystem::path& file) {
  if (file.has_parent_path()) {
    try {
      make_private_dirs(file.parent_path());
    } catch (const GatewayError& e) {
      Error error = e.error();
      error.fix += ", or point --db (or LLMGW_DB) at another file";
      throw GatewayError(std::move(error));
    }
  }
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      return;
    const int error = errno;
    fail(ErrorKind::io, "cannot create the database " + file.string() + ": " + std::strerror(error),
         io_fix(file, error == ENOSPC));
  }
  Fd closer(fd);
  ::fchmod(fd, 0600);  // umask may have taken bits away; never adds any
}

}  // namespace

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept
    : m_db(other.m_db), m_stmt(std::exchange(other.m_stmt, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(m_stmt);
    m_db = other.m_db;
    m_stmt = std::exchange(other.m_stmt, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  sqlite3_finalize(m_stmt);
}

void Statement::check_bind(int rc) {
  if (rc != SQLITE_OK)
    m_db->throw_error(rc, "bind a value for");
}

Statement& Statement::bind(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(m_stmt, index, value));
  return *this;
}

Statement& Statement::bind(int index, double value) {
  check_bind(sqlite3_bind_double(m_stmt, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  check_bind(
      sqlite3_bind_text64(m_stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind_null(int index) {
  check_bind(sqlite3_bind_null(m_stmt, index));
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  m_db->throw_error(rc, "use");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(m_stmt);  // returns the last step's error, already reported by step()
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const {
  return sqlite3_column_double(m_stmt, column);
}

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
  if (!data)
    return {};
  return std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)));
}

std::optional<std::int64_t> Statement::optional_int64(int column) const {
  if (is_null(column))
    return std::nullopt;
  return int64(column);
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column))
    return std::nullopt;
  return text(column);
}

std::optional<double> Statement::optional_real(int column) const {
  if (is_null(column))
    return std::nullopt;
  return real(column);
}

// ---- Database ----

Database Database::open(const std::filesystem::path& file, OpenMode mode) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (mode == OpenMode::create) {
    create_private_file(file);
    flags |= SQLITE_OPEN_CREATE;
  } else if (std::error_code error; !std::filesystem::exists(file, error) && !error) {
    fail(ErrorKind::io, "there is no database at " + file.string(),
         "it is created on first use; check --db (or LLMGW_DB)");
  }
  sqlite3* handle = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &handle, flags, nullptr);
  Database db(file, handle);  // closes the handle, which SQLite allocates even on failure
  if (rc != SQLITE_OK)
    fail_sqlite(file, handle, rc, "open");
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, static_cast<int>(k_db_busy_timeout.count()));
  db.exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL");
  db.user_version();  // reads the header: a file that is not a database fails now
  return db;
}

Database::Database(Database&& other) noexcept
    : m_path(std::move(other.m_path)), m_db(std::exchange(other.m_db, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(m_db);
    m_path = std::move(other.m_path);
    m_db = std::exchange(other.m_db, nullptr);
  }
  return *this;
}

Database::~Database() {
  sqlite3_close_v2(m_db);
}

void Database::throw_error(int rc, std::string_view doing) const {
  fail_sqlite(m_path, m_db, rc, doing);
}

std::string Database::enable_wal() {
  // Switching a new file to WAL rewrites its header under a read lock. When two connections
  // do it at once, SQLite fails the one that asks second for the write lock with SQLITE_BUSY
  // at once, without the busy handler (waiting for each other's read locks could deadlock).
  // Its statement has then released its locks, so it tries again, for as long as the busy
  // timeout would have waited; the second time the header already says WAL.
  const auto deadline = std::chrono::steady_clock::now() + k_db_busy_timeout;
  Statement statement = prepare("PRAGMA journal_mode=WAL");
  for (int wait_ms = 1;; wait_ms = std::min(wait_ms * 2, 50)) {
    const int rc = sqlite3_step(statement.m_stmt);
    if (rc == SQLITE_ROW)
      return statement.text(0);
    sqlite3_reset(statement.m_stmt);
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
      throw_error(rc, "set up");
    sqlite3_sleep(wait_ms);
  }
}

std::string Database::journal_mode() {
  Statement statement = prepare("PRAGMA journal_mode");
  return statement.step() ? statement.text(0) : std::string();
}

void Database::exec(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec wants a terminated string
  const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    throw_error(rc, "use");
}

Statement Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    throw_error(rc, "read");
  }
  if (!stmt)
    throw_error(SQLITE_MISUSE, "prepare an empty statement for");
  return Statement(*this, stmt);
}

std::int64_t Database::user_version() {
  Statement statement = prepare("PRAGMA user_version");
  return statement.step() ? statement.int64(0) : 0;
}

void Database::set_user_version(std::int64_t version) {
  // PRAGMA takes no bound parameters; the value is a number we format ourselves.
  exec("PRAGMA user_version=" + std::to_string(version));
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(m_db);
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(m_db);
}

bool Database::table_exists(std::string_view name) {
  Statement statement = prepare("SELECT 1 FROM sqlite_schema WHERE type='table' AND name=?1");
  statement.bind(1, name);
  return statement.step();
}

// ---- Transaction ----

Transaction::Transaction(Database& db) : m_db(db) {
  m_db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  // Some errors (a full disk, an I/O error) have already rolled back: then there is no
  // transaction left to end.
  if (m_open && !sqlite3_get_autocommit(m_db.handle()))
    sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  m_db.exec("COMMIT");
  m_open = false;
}

}  // namespace llmgw
