#include "core/store/usage_report.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "core/time_text.hpp"

namespace llmgw {

namespace {

constexpr std::int64_t k_bucket_ms = k_rollup_bucket_ms;

// The sums of a ledger query, in read_totals' column order.
constexpr std::string_view k_ledger_sums =
    "COUNT(*), SUM(status = 'error'), SUM(status = 'cancelled'), SUM(input_tokens), "
    "SUM(output_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens), "
    "SUM(reasoning_tokens), TOTAL(cost_usd), SUM(status = 'ok' AND cost_usd IS NULL), "
    "SUM(cache_hit), TOTAL(saved_usd)";

// The same sums over ledger_rollup rows.
constexpr std::string_view k_rollup_sums =
    "SUM(requests), SUM(errors), SUM(cancelled), SUM(input_tokens), SUM(output_tokens), "
    "SUM(cached_input_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), "
    "TOTAL(cost_usd), SUM(unpriced), SUM(cache_hits), TOTAL(saved_usd)";

UsageTotals read_totals(const Statement& row, int first) {
  UsageTotals totals;
  totals.requests = row.int64(first);
  totals.errors = row.int64(first + 1);
  totals.cancelled = row.int64(first + 2);
  totals.input_tokens = row.int64(first + 3);
  totals.output_tokens = row.int64(first + 4);
  totals.cached_input_tokens = row.int64(first + 5);
  totals.cache_write_tokens = row.int64(first + 6);
  totals.reasoning_tokens = row.int64(first + 7);
  totals.cost_usd = row.real(first + 8);
  totals.unpriced = row.int64(first + 9);
  totals.cache_hits = row.int64(first + 10);
  totals.saved_usd = row.real(first + 11);
  return totals;
}

std::string time_label(std::int64_t unix_ms, UsageGroup group) {
  const char* format = group == UsageGroup::day    ? "%Y-%m-%d"
                       : group == UsageGroup::week ? "%G-W%V"  // ISO 8601 week, from Monday
                                                   : "%Y-%m";
  return format_unix_ms(unix_ms, format, Zone::local);
}

bool is_time_group(UsageGroup group) {
  return group == UsageGroup::day || group == UsageGroup::week || group == UsageGroup::month;
}

bool is_label_group(UsageGroup group) {
  return group != UsageGroup::none && !is_time_group(group);
}

// The ledger's spelling of a label group's rollup label (see rollup_label()).
std::string label_expression(UsageGroup group) {
  switch (group) {
    case UsageGroup::model:
      return std::string(k_model_label_sql);
    case UsageGroup::provider:
      return "COALESCE(provider, '-')";
    case UsageGroup::key:
      return "COALESCE(client_key, '-')";
    default:
      return "source";
  }
}

// Sums per bucket (time groups and totals) or per label, merged over the window's parts.
struct Sums {
  std::map<std::int64_t, UsageTotals> by_bucket;
  std::map<std::string, UsageTotals> by_label;
};

// The ledger's own rows with since_ms <= ts_ms < until_ms (a partial bucket at an edge).
void add_ledger_part(Database& db, UsageGroup group, std::int64_t since_ms, std::int64_t until_ms,
                     Sums& sums) {
  if (since_ms >= until_ms)
    return;
  const bool by_label = is_label_group(group);
  const std::string key =
      by_label ? label_expression(group) : "ts_ms / " + std::to_string(k_bucket_ms);
  Statement select = db.prepare("SELECT " + key + ", " + std::string(k_ledger_sums) +
                                " FROM ledger WHERE ts_ms >= ?1 AND ts_ms < ?2 GROUP BY 1");
  select.bind(1, since_ms).bind(2, until_ms);
  while (select.step()) {
    if (by_label)
      sums.by_label[select.text(0)].add(read_totals(select, 1));
    else
      sums.by_bucket[select.int64(0)].add(read_totals(select, 1));
  }
}

// The rollup's whole buckets first <= bucket < last.
void add_rollup_part(Database& db, UsageGroup group, std::int64_t first, std::int64_t last,
                     Sums& sums) {
  if (first >= last)
    return;
  const bool by_label = is_label_group(group);
  Statement select = db.prepare(
      "SELECT " + std::string(by_label ? "label" : "bucket") + ", " + std::string(k_rollup_sums) +
      " FROM ledger_rollup WHERE dimension = ?1 AND bucket >= ?2 AND bucket < ?3 GROUP BY 1");
  select.bind(1, by_label ? to_string(group) : std::string_view("all"))
      .bind(2, first)
      .bind(3, last);
  while (select.step()) {
    if (by_label)
      sums.by_label[select.text(0)].add(read_totals(select, 1));
    else
      sums.by_bucket[select.int64(0)].add(read_totals(select, 1));
  }
}

}  // namespace

std::string_view to_string(UsageGroup group) {
  switch (group) {
    case UsageGroup::none:
      return "none";
    case UsageGroup::day:
      return "day";
    case UsageGroup::week:
      return "week";
    case UsageGroup::month:
      return "month";
    case UsageGroup::model:
      return "model";
    case UsageGroup::provider:
      return "provider";
    case UsageGroup::key:
      return "key";
    case UsageGroup::source:
      return "source";
  }
  return "none";
}

std::optional<UsageGroup> parse_usage_group(std::string_view text) {
  constexpr std::array<UsageGroup, 7> k_groups = {
      UsageGroup::day,      UsageGroup::week, UsageGroup::month, UsageGroup::model,
      UsageGroup::provider, UsageGroup::key,  UsageGroup::source};
  for (const UsageGroup group : k_groups) {
    if (text == to_string(group))
      return group;
  }
  return std::nullopt;
}

UsageReport usage_report(Database& db, const UsageQuery& query) {
  UsageReport report;
  report.query = query;
  Sums sums;
  // Whole buckets inside the window come from the rollup, the edges from the ledger.
  const std::int64_t first = (query.since_ms + k_bucket_ms - 1) / k_bucket_ms;
  const std::int64_t last = query.until_ms / k_bucket_ms;
  if (first < last) {
    add_ledger_part(db, query.group, query.since_ms, first * k_bucket_ms, sums);
    add_rollup_part(db, query.group, first, last, sums);
    add_ledger_part(db, query.group, last * k_bucket_ms, query.until_ms, sums);
  } else {
    add_ledger_part(db, query.group, query.since_ms, query.until_ms, sums);
  }

  std::map<std::string, UsageTotals> by_label = std::move(sums.by_label);
  for (const auto& [bucket, totals] : sums.by_bucket) {
    report.total.add(totals);
    if (is_time_group(query.group))
      by_label[time_label(bucket * k_bucket_ms, query.group)].add(totals);  // sorts by time
  }
  if (is_label_group(query.group)) {
    for (const auto& [label, totals] : by_label)
      report.total.add(totals);
  }
  for (auto& [label, totals] : by_label)
    report.lines.push_back({label, totals});
  if (is_label_group(query.group)) {
    std::stable_sort(report.lines.begin(), report.lines.end(),
                     [](const UsageLine& a, const UsageLine& b) {
                       return a.totals.cost_usd > b.totals.cost_usd;
                     });
  }
  return report;
}

}  // namespace llmgw
