// `llmgw usage`: what was spent and used, from the ledger (core/store/usage_report.hpp),
// as a table, JSON or CSV. It only reads: a missing database is "nothing recorded yet",
// and nothing is created or migrated.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/usage_format.hpp"
#include "core/error.hpp"
#include "core/store/usage_report.hpp"
#include "core/usage_span.hpp"

namespace llmgw::cli {

namespace {

constexpr const char* k_usage_footer =
    R"(Every request llmgw makes is a row of the ledger in the database (see `llmgw db
--help`): its tokens, cost, outcome and whether the response cache answered it. This
command adds them up for a period, in total or by group.

Columns: requests; errors and cancelled among them; input, output, cached-input and
reasoning tokens; cost (USD, the sum of known costs); unpriced (answered requests whose
model has no known price: not in the cost, never counted as $0); cache hits (answered
from the response cache at $0) and saved (what they would have cost). Days, weeks (ISO,
from Monday) and months are in local time (TZ). --json and --csv add cache-write tokens.

Examples:
  llmgw usage                          # the last 30 days
  llmgw usage --by day --since 7d
  llmgw usage --by model --since 2026-11-01 --until 2026-11-30
  llmgw usage --by key --json | jq '.lines[] | {label, cost_usd}'
  llmgw usage --by month --since 365d --csv > spend.csv)";

struct UsageOptions {
  std::string by;
  std::string since = "30d";
  std::string until = "now";
  bool json = false;
  bool csv = false;
};

UsageReport read_report(const std::filesystem::path& file, const UsageQuery& query) {
  if (!std::filesystem::exists(file))
    return UsageReport{query, {}, {}};
  Database db = Database::open(file, OpenMode::existing);
  if (!db.table_exists("ledger"))
    return UsageReport{query, {}, {}};
  return usage_report(db, query);
}

int run_usage(Context& ctx, const UsageOptions& opts) {
  UsageQuery query;
  if (!opts.by.empty()) {
    const auto group = parse_usage_group(opts.by);
    if (!group) {
      fail(ErrorKind::usage, "--by '" + opts.by + "' is not a grouping",
           "use one of day, week, month, model, provider, key, source");
    }
    query.group = *group;
  }
  const std::int64_t now_ms = ctx.clock().unix_milliseconds();
  query.since_ms = parse_time_bound(opts.since, Bound::since, now_ms);
  query.until_ms = parse_time_bound(opts.until, Bound::until, now_ms);
  if (query.since_ms >= query.until_ms) {
    fail(ErrorKind::usage, "--since " + opts.since + " is not before --until " + opts.until,
         "give an earlier --since or a later --until");
  }
  const UsageReport report = read_report(ctx.config().paths.db_file, query);
  std::ostream& out = ctx.io().out;
  if (opts.json) {
    out << usage_json(report).dump(2) << '\n';
  } else if (opts.csv) {
    out << usage_csv(report);
  } else {
    out << usage_table(report);
  }
  return 0;
}

}  // namespace

void register_usage(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<UsageOptions>();
  CLI::App* cmd = parent.add_subcommand("usage", "Show what was spent and used, from the ledger");
  cmd->add_option("--by", opts->by, "Group by day, week, month, model, provider, key or source")
      ->type_name("GROUP");
  cmd->add_option("--since", opts->since,
                  "Start: a span back from now (30m, 24h, 7d, 2w), a date (2026-11-01) or a "
                  "date and local time (2026-11-01T09:30); default 30d")
      ->type_name("WHEN");
  cmd->add_option("--until", opts->until,
                  "End, in the same forms (a date includes that whole day); default now")
      ->type_name("WHEN");
  CLI::Option* json = cmd->add_flag("--json", opts->json, "Print JSON");
  cmd->add_flag("--csv", opts->csv, "Print CSV, one line per group")->excludes(json);
  cmd->footer(k_usage_footer);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_usage(ctx, *opts); });
}

}  // namespace llmgw::cli
