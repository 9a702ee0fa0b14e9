// `llmgw db check`: the database's integrity, schema version, size and row counts
// (core/store/db_check.hpp). It never creates, migrates or repairs the file.
#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/exit_codes.hpp"
#include "cli/report.hpp"
#include "core/store/db_check.hpp"

namespace llmgw::cli {

namespace {

constexpr const char* k_db_footer =
    R"(One SQLite database is for the ledger (a row per request), the response cache and
the client keys of `llmgw serve`:
$XDG_DATA_HOME/llmgw/llmgw.db (else ~/.local/share/llmgw/llmgw.db); --db FILE or
LLMGW_DB point elsewhere. It is created on first use, in WAL mode, and shared safely by
concurrent llmgw processes; every chat request is a row of its ledger. A damaged file is
reported, never deleted or recreated: move it aside yourself to start a new one.

`db check` runs SQLite's full integrity check. Exit status: 0 ok (or no database yet),
3 damaged, not a database, or made by a newer llmgw.

Examples:
  llmgw db check
  llmgw --db ./team.db db check
  llmgw db check --json | jq .ok)";

// null when unknown (the file is not a database, or the table is missing)
template <class T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string count_text(const std::optional<std::int64_t>& count) {
  return count ? std::to_string(*count) : "-";
}

void print_json(std::ostream& out, const DbCheck& check) {
  nlohmann::json report = {{"path", check.path.string()}, {"exists", check.exists}};
  if (check.exists) {
    report["schema_version"] = or_null(check.schema_version);
    report["size_bytes"] = check.size_bytes;
    report["wal_bytes"] = check.wal_bytes;
    report["journal_mode"] = or_null(check.journal_mode);
    report["ledger_rows"] = or_null(check.ledger_rows);
    report["cache_entries"] = or_null(check.cache_entries);
    report["client_keys"] = or_null(check.client_keys);
    report["conversations"] = or_null(check.conversations);
  }
  report["supported_schema_version"] = check.known_version;
  report["ok"] = check.ok();
  report["problems"] = check.problems;
  out << report.dump(2) << '\n';
}

void print_text(std::ostream& out, const DbCheck& check) {
  out << "database        " << check.path.string() << '\n';
  if (!check.exists) {
    out << "no database yet: it is created on first use\n";
    return;
  }
  out << "schema version  "
      << (check.schema_version ? std::to_string(*check.schema_version) : "unknown")
      << " (this llmgw: " << check.known_version << ")\n"
      << "size            " << check.size_bytes << " bytes (WAL " << check.wal_bytes << " bytes)\n";
  if (check.journal_mode)
    out << "journal mode    " << *check.journal_mode << '\n';
  if (!check.damaged) {
    out << "ledger rows     " << count_text(check.ledger_rows) << '\n'
        << "cache entries   " << count_text(check.cache_entries) << '\n'
        << "client keys     " << count_text(check.client_keys) << '\n'
        << "conversations   " << count_text(check.conversations) << '\n';
  }
  out << "integrity       " << (check.damaged ? "DAMAGED" : "ok") << '\n';
  for (const std::string& problem : check.problems)
    out << "  " << problem << '\n';
}

int run_check(Context& ctx, bool json) {
  const std::filesystem::path file = ctx.config().paths.db_file;
  const DbCheck check = check_database(file);
  if (json)
    print_json(ctx.io().out, check);
  else
    print_text(ctx.io().out, check);
  if (check.ok())
    return k_exit_ok;
  ctx.io().out.flush();
  if (check.damaged) {
    print_error(ctx.io(), "the database " + file.string() + " is damaged or not a database",
                "llmgw leaves it as it is: move it aside (or point --db / LLMGW_DB elsewhere) "
                "to start a new one; `sqlite3 " +
                    file.string() + " .recover` may save its rows");
  } else {
    print_error(ctx.io(), "the database " + file.string() + " was made by a newer llmgw",
                "upgrade llmgw; it never downgrades a database");
  }
  return k_exit_config;
}

}  // namespace

void register_db(CLI::App& parent, Context& ctx) {
  CLI::App* db = parent.add_subcommand(
      "db", "Check the database that holds the ledger and the response cache");
  db->require_subcommand(1);
  db->footer(k_db_footer);
  auto json = std::make_shared<bool>(false);
  CLI::App* check = db->add_subcommand(
      "check", "Integrity check, schema version, size and row counts of the database");
  check->add_flag("--json", *json, "Print the result as JSON");
  check->footer(k_db_footer);
  check->callback([&ctx, json] { ctx.exit_code = run_check(ctx, *json); });
}

}  // namespace llmgw::cli
