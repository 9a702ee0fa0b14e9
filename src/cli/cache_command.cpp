// `llmgw cache stats|clear`: the response cache (core/store/response_cache.hpp) in the
// database. Neither creates a missing database.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "core/store/ledger.hpp"
#include "core/store/response_cache.hpp"
#include "core/time_text.hpp"

namespace llmgw::cli {

namespace {

constexpr const char* k_cache_footer =
    R"(The response cache keeps whole answers in the database (see `llmgw db --help`) under
the SHA-256 of the request's canonical form: model, messages, tools, tool_choice,
temperature, top_p, max_tokens, stop, response_format, seed, n and any other field that
shapes the answer (key order and whitespace never matter; stream and user do not count).
By default only deterministic requests are cached: temperature 0, or a seed.
`llmgw chat --cache` caches any request, `--no-cache` none. An answer is served for the
TTL (default 1 hour), streamed or whole whichever way it was first fetched, at $0; the
ledger records the cost it saved. Beyond the size cap (default 256 MiB) the least
recently used answers go. Config:
  [cache]
  enabled = true
  ttl = 3600           # seconds
  max_size_mb = 256

Examples:
  llmgw cache stats
  llmgw cache stats --json | jq .entries
  llmgw cache clear)";

std::string human_bytes(std::int64_t bytes) {
  char buffer[48];
  if (bytes < 1024)
    std::snprintf(buffer, sizeof buffer, "%lld bytes", static_cast<long long>(bytes));
  else if (bytes < 1024 * 1024)
    std::snprintf(buffer, sizeof buffer, "%.1f KiB", static_cast<double>(bytes) / 1024);
  else
    std::snprintf(buffer, sizeof buffer, "%.1f MiB", static_cast<double>(bytes) / (1024 * 1024));
  return buffer;
}

CacheHitTotals read_hits(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file))
    return {};
  Database db = Database::open(file, OpenMode::existing);
  return db.table_exists("ledger") ? cache_hit_totals(db) : CacheHitTotals{};
}

int run_stats(Context& ctx, bool json) {
  const Config& config = ctx.config();
  const std::filesystem::path& file = config.paths.db_file;
  ResponseCache cache(file, config.cache.value);
  const CacheStats stats = cache.stats(ctx.clock().unix_milliseconds());
  const CacheHitTotals hits = read_hits(file);
  std::ostream& out = ctx.io().out;
  if (json) {
    nlohmann::json report = {{"database", file.string()},
                             {"enabled", config.cache.value.enabled},
                             {"entries", stats.entries},
                             {"bytes", stats.bytes},
                             {"expired", stats.expired},
                             {"max_bytes", stats.max_bytes},
                             {"ttl_seconds", stats.ttl.count()},
                             {"oldest", nullptr},
                             {"newest", nullptr},
                             {"hits", hits.hits},
                             {"saved_usd", hits.saved_usd}};
    if (stats.oldest_ms)
      report["oldest"] = utc_iso_text(*stats.oldest_ms);
    if (stats.newest_ms)
      report["newest"] = utc_iso_text(*stats.newest_ms);
    out << report.dump(2) << '\n';
    return 0;
  }
  char saved[48];
  std::snprintf(saved, sizeof saved, "$%.6f", hits.saved_usd);
  out << "database     " << file.string() << '\n'
      << "enabled      " << (config.cache.value.enabled ? "yes" : "no ([cache] enabled = false)")
      << '\n'
      << "entries      " << stats.entries;
  if (stats.expired > 0)
    out << " (" << stats.expired << " expired, removed with the next answer stored)";
  out << '\n'
      << "size         " << human_bytes(stats.bytes) << " of " << human_bytes(stats.max_bytes)
      << '\n'
      << "ttl          " << stats.ttl.count() << " s\n";
  if (stats.oldest_ms && stats.newest_ms) {
    out << "oldest       " << local_minute_text(*stats.oldest_ms) << '\n'
        << "newest       " << local_minute_text(*stats.newest_ms) << '\n';
  }
  out << "hits         " << hits.hits << " recorded in the ledger, saving " << saved << '\n';
  return 0;
}

int run_clear(Context& ctx) {
  const Config& config = ctx.config();
  ResponseCache cache(config.paths.db_file, config.cache.value);
  const CacheStats before = cache.stats(ctx.clock().unix_milliseconds());
  const std::int64_t removed = cache.clear();
  ctx.io().out << "removed " << removed << (removed == 1 ? " cached answer" : " cached answers")
               << " (" << human_bytes(before.bytes) << ")\n";
  return 0;
}

}  // namespace

void register_cache(CLI::App& parent, Context& ctx) {
  CLI::App* cache = parent.add_subcommand("cache", "Show or clear the response cache");
  cache->require_subcommand(1);
  cache->footer(k_cache_footer);
  auto json = std::make_shared<bool>(false);
  CLI::App* stats = cache->add_subcommand(
      "stats", "Entries, size, TTL and cap of the response cache, and the hits it has had");
  stats->add_flag("--json", *json, "Print the result as JSON");
  stats->footer(k_cache_footer);
  stats->callback([&ctx, json] { ctx.exit_code = run_stats(ctx, *json); });
  CLI::App* clear = cache->add_subcommand("clear", "Remove every cached answer");
  clear->footer(k_cache_footer);
  clear->callback([&ctx] { ctx.exit_code = run_clear(ctx); });
}

}  // namespace llmgw::cli
