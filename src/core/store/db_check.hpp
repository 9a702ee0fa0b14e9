// `llmgw db check`: what state llmgw.db is in. The file is opened only if it exists, and
// never created, migrated, repaired or switched to WAL. (Like any last reader, closing may
// checkpoint a write-ahead log left by a crashed process into it; a file that is not a
// database or is damaged is not written at all.)
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace llmgw {

struct DbCheck {
  std::filesystem::path path;
  bool exists = false;
  std::optional<std::int64_t> schema_version;  // unset when the file is not a database
  std::int64_t known_version = 0;              // current_schema_version() of this binary
  std::uintmax_t size_bytes = 0;
  std::uintmax_t wal_bytes = 0;               // <file>-wal, 0 when there is none
  std::optional<std::string> journal_mode;    // "wal" once llmgw has opened it
  std::optional<std::int64_t> ledger_rows;    // unset when the table is missing or unreadable
  std::optional<std::int64_t> cache_entries;  // likewise
  std::optional<std::int64_t> client_keys;    // likewise (revoked ones too)
  std::optional<std::int64_t> conversations;  // likewise
  bool damaged = false;               // not a database, or PRAGMA integrity_check found problems
  bool newer = false;                 // schema_version > known_version
  std::vector<std::string> problems;  // what integrity_check said, or why it could not run

  // A missing database is fine: it is created on first use.
  bool ok() const { return !damaged && !newer; }
};

// Runs PRAGMA integrity_check (not quick_check: it also checks that indexes match their
// tables). Throws GatewayError{io} only when an existing file cannot be opened at all.
DbCheck check_database(const std::filesystem::path& file);

}  // namespace llmgw
