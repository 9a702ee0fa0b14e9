// Ledger inserts through the batching writer (target: >= 50,000 rows/s): rows added from
// one thread, then flushed, into a fresh database in a temporary directory. Also the cost
// of add() itself, which is all a request pays. Prints figures; not a test.
// Build and run: bench/ledger.sh
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/store/ledger_writer.hpp"

using namespace llmgw;

int main() {
  constexpr int k_rows = 200'000;
  char pattern[] = "/tmp/llmgw-ledger-bench-XXXXXX";
  const char* dir = ::mkdtemp(pattern);
  if (dir == nullptr)
    return 1;
  const std::filesystem::path file = std::filesystem::path(dir) / "llmgw.db";
  LedgerRow row;
  row.ts_ms = 1'750'000'000'000;
  row.provider = "openai";
  row.model_requested = "gpt-4o-mini";
  row.model_served = "gpt-4o-mini-2024-07-18";
  row.input_tokens = 1200;
  row.output_tokens = 300;
  row.cost_usd = 0.00036;
  row.price_version = "bench";
  row.latency_ms = 850;
  row.request_hash = "0123456789abcdef0123456789abcdef";

  double add_seconds = 0;
  double total_seconds = 0;
  {
    LedgerWriter writer(file,
                        [](const std::string& w) { std::fprintf(stderr, "%s\n", w.c_str()); });
    writer.add(row);  // opens and migrates the database before timing
    writer.flush();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < k_rows; ++i) {
      row.ts_ms += 1;
      writer.add(row);
    }
    const auto added = std::chrono::steady_clock::now();
    writer.flush();
    const auto done = std::chrono::steady_clock::now();
    add_seconds = std::chrono::duration<double>(added - start).count();
    total_seconds = std::chrono::duration<double>(done - start).count();
    if (writer.written() != k_rows + 1)
      return 1;
  }
  std::filesystem::remove_all(dir);
  std::printf("ledger writer, %d rows:\n", k_rows);
  std::printf("  written to llmgw.db      %10.0f rows/s\n", k_rows / total_seconds);
  std::printf("  add() on the caller's side %8.2f µs per row\n", add_seconds * 1e6 / k_rows);
  return 0;
}
