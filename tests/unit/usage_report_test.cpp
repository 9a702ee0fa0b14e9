// The ledger added up: exact totals and groups, unpriced answers apart, cache savings,
// local days across a DST change and in a half-hour zone, ISO weeks at a year's turn.
#include <catch2/catch.hpp>

#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "core/store/usage_report.hpp"
#include "support/local_zone.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::LocalZone;
using llmgw::test::TempDir;

namespace {

constexpr std::int64_t k_hour = 3'600'000;
constexpr std::int64_t k_t0 = 1'761'955'200'000;  // 2025-11-01T00:00Z

LedgerRow row(std::int64_t ts_ms, const std::string& provider, const std::string& model,
              std::optional<double> cost, std::int64_t input = 100, std::int64_t output = 10) {
  LedgerRow r;
  r.ts_ms = ts_ms;
  r.provider = provider;
  r.model_requested = model;
  r.model_served = model;
  r.input_tokens = input;
  r.output_tokens = output;
  r.cost_usd = cost;
  return r;
}

struct Ledger {
  TempDir dir;
  Database db = open_migrated(dir.path() / "llmgw.db");

  UsageReport report(UsageGroup group, std::int64_t since = 0,
                     std::int64_t until = 4'000'000'000'000) {
    return usage_report(db, UsageQuery{since, until, group});
  }
};

const UsageLine& line(const UsageReport& report, const std::string& label) {
  for (const UsageLine& l : report.lines) {
    if (l.label == label)
      return l;
  }
  FAIL("no line " << label);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("usage report: totals, unpriced apart, cache savings, errors", "[usage][store]") {
  Ledger ledger;
  std::vector<LedgerRow> rows = {
      row(k_t0, "openai", "gpt-4o-mini", 0.25, 1000, 200),
      row(k_t0 + 1, "openai", "gpt-4o-mini", 0.5, 2000, 300),
      row(k_t0 + 2, "groq", "llama-3.3", std::nullopt, 50, 5),  // unpriced
  };
  LedgerRow hit = row(k_t0 + 3, "openai", "gpt-4o-mini", 0.0, 0, 0);
  hit.cache_hit = true;
  hit.saved_usd = 0.25;
  hit.attempts = 0;
  rows.push_back(hit);
  LedgerRow failed = row(k_t0 + 4, "anthropic", "claude-sonnet-4-5", std::nullopt, 0, 0);
  failed.status = "error";
  failed.error_type = "rate_limit_error";
  rows.push_back(failed);
  LedgerRow cancelled = row(k_t0 + 5, "anthropic", "claude-sonnet-4-5", std::nullopt, 0, 0);
  cancelled.status = "cancelled";
  rows.push_back(cancelled);
  LedgerRow detailed = row(k_t0 + 6, "anthropic", "claude-sonnet-4-5", 1.0, 500, 50);
  detailed.cached_input_tokens = 200;
  detailed.cache_write_tokens = 100;
  detailed.reasoning_tokens = 20;
  detailed.source = "daemon";
  detailed.client_key = "team-a";
  rows.push_back(detailed);
  rows.push_back(row(k_t0 - 1, "openai", "gpt-4o", 9.0));  // before the window
  insert_ledger_rows(ledger.db, rows);

  const UsageReport total = ledger.report(UsageGroup::none, k_t0, k_t0 + k_hour);
  CHECK(total.lines.empty());
  UsageTotals expected;
  expected.requests = 7;
  expected.errors = 1;
  expected.cancelled = 1;
  expected.input_tokens = 1000 + 2000 + 50 + 500;
  expected.output_tokens = 200 + 300 + 5 + 50;
  expected.cached_input_tokens = 200;
  expected.cache_write_tokens = 100;
  expected.reasoning_tokens = 20;
  expected.cost_usd = 0.25 + 0.5 + 1.0;  // binary-exact sums
  expected.unpriced = 1;                 // the groq answer; failures have no cost either
  expected.cache_hits = 1;
  expected.saved_usd = 0.25;
  CHECK(total.total == expected);

  const UsageReport by_model = ledger.report(UsageGroup::model, k_t0, k_t0 + k_hour);
  REQUIRE(by_model.lines.size() == 3);
  CHECK(by_model.lines[0].label == "anthropic/claude-sonnet-4-5");  // by cost, highest first
  CHECK(by_model.lines[1].label == "openai/gpt-4o-mini");
  CHECK(by_model.lines[2].label == "groq/llama-3.3");
  CHECK(by_model.lines[1].totals.requests == 3);
  CHECK(by_model.lines[1].totals.cache_hits == 1);
  CHECK(by_model.lines[2].totals.unpriced == 1);
  CHECK(by_model.lines[2].totals.cost_usd == 0.0);
  CHECK(by_model.total == expected);

  const UsageReport by_key = ledger.report(UsageGroup::key, k_t0, k_t0 + k_hour);
  CHECK(line(by_key, "team-a").totals.requests == 1);
  CHECK(line(by_key, "-").totals.requests == 6);
  const UsageReport by_source = ledger.report(UsageGroup::source, k_t0, k_t0 + k_hour);
  CHECK(line(by_source, "daemon").totals.cost_usd == 1.0);
  CHECK(line(by_source, "cli").totals.requests == 6);
  const UsageReport by_provider = ledger.report(UsageGroup::provider, k_t0, k_t0 + k_hour);
  CHECK(line(by_provider, "anthropic").totals.errors == 1);
  CHECK(line(by_provider, "anthropic").totals.cancelled == 1);

  // An empty window.
  const UsageReport none = ledger.report(UsageGroup::day, k_t0 + k_hour, k_t0 + 2 * k_hour);
  CHECK(none.lines.empty());
  CHECK(none.total == UsageTotals{});
}

TEST_CASE("usage report: days are local, across a DST change and in a +05:30 zone",
          "[usage][store]") {
  Ledger ledger;
  // 2025-10-25T21:30Z and 22:30Z: 23:30 and 00:30 in Berlin (CEST, +2), so two days; the
  // 26th is 25 hours long: its last local hour, 23:30 CET, is 22:30Z.
  const std::int64_t oct25_2130 = 1'761'427'800'000;
  insert_ledger_rows(
      ledger.db, {row(oct25_2130, "openai", "a", 1.0), row(oct25_2130 + k_hour, "openai", "a", 2.0),
                  row(oct25_2130 + 25 * k_hour, "openai", "a", 4.0),
                  row(oct25_2130 + 26 * k_hour, "openai", "a", 8.0)});
  {
    LocalZone berlin("Europe/Berlin");
    const UsageReport days = ledger.report(UsageGroup::day);
    REQUIRE(days.lines.size() == 3);
    CHECK(days.lines[0].label == "2025-10-25");
    CHECK(days.lines[0].totals.cost_usd == 1.0);
    CHECK(days.lines[1].label == "2025-10-26");
    CHECK(days.lines[1].totals.cost_usd == 2.0 + 4.0);
    CHECK(days.lines[2].label == "2025-10-27");
    CHECK(days.lines[2].totals.cost_usd == 8.0);
  }
  {
    LocalZone utc("UTC");
    const UsageReport days = ledger.report(UsageGroup::day);
    REQUIRE(days.lines.size() == 2);
    CHECK(days.lines[0].label == "2025-10-25");
    CHECK(days.lines[0].totals.cost_usd == 1.0 + 2.0);
    CHECK(days.lines[1].label == "2025-10-26");
    CHECK(days.lines[1].totals.cost_usd == 4.0 + 8.0);
  }
  {
    LocalZone kolkata("Asia/Kolkata");  // 21:30Z is 03:00 the next day
    const UsageReport days = ledger.report(UsageGroup::day);
    REQUIRE(days.lines.size() == 2);
    CHECK(days.lines[0].label == "2025-10-26");
    CHECK(days.lines[0].totals.cost_usd == 1.0 + 2.0);
    CHECK(days.lines[1].label == "2025-10-27");
    CHECK(days.lines[1].totals.cost_usd == 4.0 + 8.0);
  }
}

TEST_CASE("usage report: ISO weeks and months at the turn of a year", "[usage][store]") {
  LocalZone utc("UTC");
  Ledger ledger;
  const std::int64_t dec29_2025 = 1'766'966'400'000;  // a Monday: ISO week 2026-W01
  const std::int64_t day = 24 * k_hour;
  insert_ledger_rows(ledger.db, {row(dec29_2025 - day, "openai", "a", 1.0),  // Sun 2025-W52
                                 row(dec29_2025, "openai", "a", 2.0),
                                 row(dec29_2025 + 4 * day, "openai", "a", 4.0),    // 2026-01-02
                                 row(dec29_2025 + 7 * day, "openai", "a", 8.0)});  // W02
  const UsageReport weeks = ledger.report(UsageGroup::week);
  REQUIRE(weeks.lines.size() == 3);
  CHECK(weeks.lines[0].label == "2025-W52");
  CHECK(weeks.lines[1].label == "2026-W01");
  CHECK(weeks.lines[1].totals.cost_usd == 2.0 + 4.0);
  CHECK(weeks.lines[2].label == "2026-W02");
  const UsageReport months = ledger.report(UsageGroup::month);
  REQUIRE(months.lines.size() == 2);
  CHECK(months.lines[0].label == "2025-12");
  CHECK(months.lines[0].totals.cost_usd == 1.0 + 2.0);
  CHECK(months.lines[1].label == "2026-01");
  CHECK(months.lines[1].totals.requests == 2);
}

TEST_CASE("usage groups have their command-line names", "[usage]") {
  for (const char* name : {"day", "week", "month", "model", "provider", "key", "source"}) {
    const auto group = parse_usage_group(name);
    REQUIRE(group);
    CHECK(to_string(*group) == name);
  }
  CHECK_FALSE(parse_usage_group("none"));
  CHECK_FALSE(parse_usage_group("Day"));
}

namespace {

// Rows spread over three days at uneven times, in every dimension; costs are multiples
// of 1/64 so sums in any order are exact.
std::vector<LedgerRow> spread_rows(int count) {
  const std::vector<std::string> providers = {"openai", "anthropic", "groq"};
  const std::vector<std::string> sources = {"cli", "repl", "daemon"};
  std::vector<LedgerRow> rows;
  for (int i = 0; i < count; ++i) {
    const std::string& provider = providers[static_cast<std::size_t>(i % 3)];
    const std::optional<double> cost =
        provider == "groq" ? std::nullopt : std::optional<double>((i % 7) / 64.0);
    LedgerRow r = row(k_t0 + static_cast<std::int64_t>(i) * 7'919'117 % (72 * k_hour), provider,
                      "m" + std::to_string(i % 4), cost, i % 500, i % 50);
    r.source = sources[static_cast<std::size_t>(i % 5 % 3)];
    if (r.source == "daemon")
      r.client_key = "key-" + std::to_string(i % 2);
    if (i % 11 == 0) {
      r.status = "error";
      r.cost_usd = std::nullopt;
    }
    if (i % 13 == 0) {
      r.cache_hit = true;
      r.cost_usd = 0.0;
      r.saved_usd = 1 / 32.0;
    }
    if (i % 17 == 0)
      r.model_served = provider + "/m" + std::to_string(i % 4);  // as the mock names it
    if (i % 19 == 0)
      r.model_served = std::nullopt;  // a failure: only the model asked for
    r.cached_input_tokens = i % 3;
    r.cache_write_tokens = i % 5;
    r.reasoning_tokens = i % 2;
    rows.push_back(r);
  }
  return rows;
}

// The report as the rows themselves say it: every row in the window added up.
UsageTotals brute_total(const std::vector<LedgerRow>& rows, std::int64_t since,
                        std::int64_t until) {
  UsageTotals totals;
  for (const LedgerRow& r : rows) {
    if (r.ts_ms >= since && r.ts_ms < until)
      totals.add(r);
  }
  return totals;
}

}  // namespace

TEST_CASE("usage report: a window cut anywhere, even inside a quarter hour, is exact",
          "[usage][store]") {
  LocalZone utc("UTC");
  Ledger ledger;
  const std::vector<LedgerRow> rows = spread_rows(3000);
  // In batches, as the writer gives them: the rollup is added to batch by batch.
  for (std::size_t i = 0; i < rows.size(); i += 256) {
    const auto end = rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), i + 256));
    insert_ledger_rows(ledger.db,
                       std::vector<LedgerRow>(rows.begin() + static_cast<std::ptrdiff_t>(i), end));
  }
  const std::vector<std::pair<std::int64_t, std::int64_t>> windows = {
      {0, 4'000'000'000'000},                       // everything
      {k_t0 + 1, k_t0 + 72 * k_hour - 1},           // both edges inside a bucket
      {k_t0 + 7 * 60'000 + 3, k_t0 + 13 * 60'000},  // inside one bucket only
      {k_t0 + 15 * 60'000, k_t0 + 30 * 60'000},     // exactly one bucket
      {k_t0 + 5 * k_hour + 123'456, k_t0 + 40 * k_hour + 654'321},
  };
  for (const auto& [since, until] : windows) {
    CAPTURE(since, until);
    const UsageTotals expected = brute_total(rows, since, until);
    for (const UsageGroup group : {UsageGroup::none, UsageGroup::day, UsageGroup::model,
                                   UsageGroup::provider, UsageGroup::key, UsageGroup::source}) {
      CAPTURE(to_string(group));
      const UsageReport report = ledger.report(group, since, until);
      CHECK(report.total == expected);
      UsageTotals of_lines;
      for (const UsageLine& l : report.lines)
        of_lines.add(l.totals);
      if (group != UsageGroup::none)
        CHECK(of_lines == expected);
    }
  }
  // One group checked line by line against the rows.
  const UsageReport by_provider =
      ledger.report(UsageGroup::provider, k_t0 + 1, k_t0 + 30 * k_hour + 1);
  for (const std::string provider : {"openai", "anthropic", "groq"}) {
    std::vector<LedgerRow> own;
    for (const LedgerRow& r : rows) {
      if (r.provider == provider)
        own.push_back(r);
    }
    CHECK(line(by_provider, provider).totals == brute_total(own, k_t0 + 1, k_t0 + 30 * k_hour + 1));
  }
}

TEST_CASE("usage report: migration 2 sums an older ledger as the writer would have",
          "[usage][store][migration]") {
  TempDir dir;
  const std::vector<LedgerRow> rows = spread_rows(500);
  Database current = open_migrated(dir.path() / "current.db");
  insert_ledger_rows(current, rows);
  {
    // The same rows in a database at schema version 1, before ledger_rollup existed.
    Database old = Database::open(dir.path() / "old.db");
    migrate(old, 1);
    old.exec("ATTACH '" + (dir.path() / "current.db").string() + "' AS current");
    old.exec("INSERT INTO ledger SELECT * FROM current.ledger");
    old.exec("DETACH current");
  }
  Database migrated = open_migrated(dir.path() / "old.db");
  const auto rollup = [](Database& db) {
    std::vector<std::string> lines;
    Statement select = db.prepare(
        "SELECT dimension, bucket, label, requests, errors, cancelled, input_tokens, "
        "output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_usd, "
        "unpriced, cache_hits, saved_usd FROM ledger_rollup ORDER BY 1, 2, 3");
    while (select.step()) {
      std::string line;
      for (int column = 0; column < 15; ++column)
        line += select.text(column) + "|";
      lines.push_back(line);
    }
    return lines;
  };
  const std::vector<std::string> expected = rollup(current);
  CHECK(expected.size() > 100);
  CHECK(rollup(migrated) == expected);
}

TEST_CASE("usage report: a model is named provider/model once, however it was written",
          "[usage][store]") {
  Ledger ledger;
  LedgerRow mock = row(k_t0, "mock", "mock/echo", 0.0);  // the mock names itself so
  LedgerRow answered = row(k_t0 + 1, "openai", "gpt-4o-mini", 0.5);
  LedgerRow failed = row(k_t0 + 2, "openai", "openai/gpt-4o-mini", std::nullopt);
  failed.model_served = std::nullopt;  // only the model as the user wrote it
  failed.status = "error";
  LedgerRow routed = row(k_t0 + 3, "openrouter", "openai/gpt-4o", 0.25);
  insert_ledger_rows(ledger.db, {mock, answered, failed, routed});
  for (const auto& [since, until] : std::vector<std::pair<std::int64_t, std::int64_t>>{
           {0, 4'000'000'000'000}, {k_t0, k_t0 + 9}}) {
    CAPTURE(since);  // the rollup, then the ledger's own rows
    const UsageReport by_model = ledger.report(UsageGroup::model, since, until);
    REQUIRE(by_model.lines.size() == 3);
    CHECK(line(by_model, "mock/echo").totals.requests == 1);
    CHECK(line(by_model, "openai/gpt-4o-mini").totals.requests == 2);
    CHECK(line(by_model, "openai/gpt-4o-mini").totals.errors == 1);
    CHECK(line(by_model, "openrouter/openai/gpt-4o").totals.requests == 1);
  }
}
