#include "core/store/db_check.hpp"

#include "core/error.hpp"
#include "core/store/database.hpp"
#include "core/store/migrations.hpp"

namespace llmgw {

namespace {

std::uintmax_t size_or_zero(const std::filesystem::path& file) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(file, error);
  return error ? 0 : size;
}

std::optional<std::int64_t> count_rows(Database& db, const char* table) {
  if (!db.table_exists(table))
    return std::nullopt;
  Statement count = db.prepare(std::string("SELECT count(*) FROM ") + table);
  return count.step() ? std::optional(count.int64(0)) : std::nullopt;
}

void inspect(Database& db, DbCheck& check) {
  const std::int64_t version = db.user_version();
  check.schema_version = version;
  check.journal_mode = db.journal_mode();
  if (version > check.known_version) {
    check.newer = true;
    check.problems.push_back("schema version " + std::to_string(version) +
                             " was made by a newer llmgw (this one knows up to version " +
                             std::to_string(check.known_version) + ")");
  }
  Statement integrity = db.prepare("PRAGMA integrity_check");
  std::vector<std::string> findings;
  while (integrity.step())
    findings.push_back(integrity.text(0));
  if (!(findings.size() == 1 && findings[0] == "ok")) {
    check.damaged = true;
    check.problems.insert(check.problems.end(), findings.begin(), findings.end());
  }
  if (!check.damaged) {
    check.ledger_rows = count_rows(db, "ledger");
    check.cache_entries = count_rows(db, "cache_entries");
    check.client_keys = count_rows(db, "client_keys");
    check.conversations = count_rows(db, "conversations");
  }
}

}  // namespace

DbCheck check_database(const std::filesystem::path& file) {
  DbCheck check;
  check.path = file;
  check.known_version = current_schema_version();
  std::error_code error;  // cannot tell (a parent we may not search): let open() say why
  check.exists = std::filesystem::exists(file, error) || error;
  if (!check.exists)
    return check;
  check.size_bytes = size_or_zero(file);
  check.wal_bytes = size_or_zero(file.string() + "-wal");
  try {
    Database db = Database::open(file, OpenMode::existing);
    inspect(db, check);
  } catch (const GatewayError& e) {
    if (e.error().kind != ErrorKind::config)
      throw;
    check.damaged = true;  // not a database, or damaged beyond what integrity_check reports
    check.problems.push_back(e.error().message);
  }
  return check;
}

}  // namespace llmgw
