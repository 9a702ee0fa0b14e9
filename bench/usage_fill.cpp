// Fills a database with N realistic ledger rows spread over the last 90 days, for
// bench/usage.sh (which times the llmgw binary on it). Prints nothing on success.
//   usage_fill FILE [ROWS]   (default 1,000,000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"

using namespace llmgw;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: usage_fill FILE [ROWS]\n");
    return 2;
  }
  const long rows = argc > 2 ? std::atol(argv[2]) : 1'000'000;
  Database db = open_migrated(argv[1]);
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  const std::int64_t span_ms = 90LL * 24 * 3600 * 1000;
  const std::vector<std::pair<std::string, std::string>> models = {
      {"openai", "gpt-4o-mini"},           {"openai", "gpt-4o"},
      {"anthropic", "claude-sonnet-4-5"},  {"gemini", "gemini-2.5-flash"},
      {"groq", "llama-3.3-70b-versatile"}, {"ollama", "llama3.2"}};
  const std::vector<std::string> sources = {"cli", "cli", "repl", "daemon", "daemon", "daemon"};
  std::mt19937_64 random(42);
  std::vector<LedgerRow> batch;
  for (long i = 0; i < rows; ++i) {
    LedgerRow row;
    row.ts_ms = now_ms - span_ms + static_cast<std::int64_t>(i) * span_ms / rows;
    const auto& [provider, model] = models[random() % models.size()];
    row.source = sources[random() % sources.size()];
    if (row.source == "daemon")
      row.client_key = "team-" + std::to_string(random() % 5);
    row.provider = provider;
    row.model_requested = model;
    row.model_served = model;
    const int roll = static_cast<int>(random() % 100);
    row.status = roll < 3 ? "error" : roll < 4 ? "cancelled" : "ok";
    if (row.status == "ok") {
      row.input_tokens = static_cast<std::int64_t>(200 + random() % 4000);
      row.output_tokens = static_cast<std::int64_t>(50 + random() % 800);
      row.cached_input_tokens = roll < 30 ? row.input_tokens / 2 : 0;
      row.cache_hit = roll >= 95;
      if (provider == "groq")
        row.cost_usd = std::nullopt;  // unpriced
      else
        row.cost_usd = row.cache_hit ? 0.0 : 0.000001 * static_cast<double>(row.input_tokens);
      if (row.cache_hit)
        row.saved_usd = 0.000002 * static_cast<double>(row.input_tokens);
    }
    row.price_version = "bench";
    row.latency_ms = static_cast<std::int64_t>(100 + random() % 3000);
    batch.push_back(std::move(row));
    if (batch.size() == 50'000) {
      insert_ledger_rows(db, batch);
      batch.clear();
    }
  }
  insert_ledger_rows(db, batch);
  return 0;
}
