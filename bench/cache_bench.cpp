// Response cache hits (target: lookup p50 <= 100 µs), over a cache of 10,000 answers in a
// fresh database in a temporary directory:
//   - ResponseCache::lookup alone: the indexed read, the LRU touch and parsing the answer;
//   - a whole Gateway::chat answered from the cache: validation, routing, the request's
//     canonical hash, the lookup, pricing the saving and the ledger row (queued in memory).
// Prints p50, p90 and p99 per hit; not a test. Build and run: bench/cache.sh
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/cache_key.hpp"
#include "core/clock.hpp"
#include "core/config/config.hpp"
#include "core/config/credentials.hpp"
#include "core/config/key_store.hpp"
#include "core/gateway.hpp"
#include "core/http/curl_transport.hpp"
#include "core/store/response_cache.hpp"

using namespace llmgw;
using nlohmann::json;

namespace {

constexpr int k_entries = 10'000;
constexpr int k_hits = 20'000;

json request_for(int i) {
  return {{"model", "mock/echo"},
          {"temperature", 0},
          {"messages",
           {{{"role", "system"}, {"content", "You are a careful assistant. Answer briefly."}},
            {{"role", "user"},
             {"content", "Question " + std::to_string(i) +
                             ": what is the capital of the country with this number? " +
                             std::string(300, 'x')}}}}};
}

void print_percentiles(const char* what, std::vector<double> micros) {
  std::sort(micros.begin(), micros.end());
  const auto at = [&](double q) {
    return micros[static_cast<std::size_t>(q * (micros.size() - 1))];
  };
  std::printf("  %-34s p50 %7.1f µs   p90 %7.1f µs   p99 %7.1f µs\n", what, at(0.5), at(0.9),
              at(0.99));
}

template <class F>
double micros_of(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

int main() {
  char pattern[] = "/tmp/llmgw-cache-bench-XXXXXX";
  const char* dir = ::mkdtemp(pattern);
  if (dir == nullptr)
    return 1;
  const std::filesystem::path home(dir);
  const EnvLookup env = fixed_env({{"HOME", home.string()}});
  const Config config = load_config(env, {});
  KeyStore keys(config.paths.keys_file);
  Credentials credentials(keys, env);
  CurlTransport transport;
  SystemClock clock;
  ResponseCache cache(home / "llmgw.db", {},
                      [](const std::string& w) { std::fprintf(stderr, "%s\n", w.c_str()); });
  std::vector<LedgerRow> rows;
  rows.reserve(k_entries + k_hits);
  GatewayOptions options;
  options.cache = &cache;
  options.ledger = [&rows](LedgerRow row) { rows.push_back(std::move(row)); };
  Gateway gateway(config, transport, credentials, clock, options);

  std::vector<ChatCall> calls(k_entries);
  for (int i = 0; i < k_entries; ++i) {
    calls[i].request = request_for(i);
    gateway.chat(calls[i]);  // a miss: the mock answers, and the answer is stored
  }
  std::mt19937 random(7);
  std::vector<double> lookups;
  std::vector<double> chats;
  int missed = 0;
  for (int n = 0; n < k_hits; ++n) {
    const ChatCall& call = calls[random() % k_entries];
    const std::string key = request_hash(call.request);
    lookups.push_back(micros_of([&] {
      if (!cache.lookup(key, clock.unix_milliseconds()))
        ++missed;
    }));
    chats.push_back(micros_of([&] {
      if (!gateway.chat(call).cache_hit)
        ++missed;
    }));
  }
  std::filesystem::remove_all(home);
  if (missed != 0) {
    std::fprintf(stderr, "%d lookups missed\n", missed);
    return 1;
  }
  std::printf("response cache, %d entries, %d hits each:\n", k_entries, k_hits);
  print_percentiles("ResponseCache::lookup", lookups);
  print_percentiles("Gateway::chat answered from cache", chats);
  return 0;
}
