// The response cache's table: hits and misses, TTL expiry at given times, LRU eviction
// under the size cap, and a database that cannot be used never failing a request.
#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "core/error.hpp"
#include "core/store/response_cache.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::TempDir;
using nlohmann::json;

namespace {

constexpr std::int64_t k_now = 1'750'000'000'000;

json answer(const std::string& text) {
  return {{"object", "chat.completion"},
          {"model", "gpt-4o-mini"},
          {"choices",
           {{{"index", 0},
             {"message", {{"role", "assistant"}, {"content", text}}},
             {"finish_reason", "stop"}}}},
          {"usage", {{"prompt_tokens", 3}, {"completion_tokens", 2}, {"total_tokens", 5}}}};
}

// The stored size of answer(text): what the cap counts.
std::int64_t size_of(const std::string& text) {
  return static_cast<std::int64_t>(answer(text).dump().size());
}

struct Cache {
  TempDir dir;
  std::vector<std::string> warnings;
  ResponseCache cache;

  explicit Cache(CacheSettings settings = {})
      : cache(dir.path() / "llmgw.db", settings,
              [this](const std::string& w) { warnings.push_back(w); }) {}

  bool has(const std::string& key, std::int64_t now = k_now) {
    return cache.lookup(key, now).has_value();
  }
};

}  // namespace

TEST_CASE("response cache: a stored answer is found until its TTL ends", "[store][cache]") {
  CacheSettings settings;
  settings.ttl = std::chrono::seconds(60);
  Cache c(settings);
  CHECK_FALSE(c.has("k1"));
  c.cache.store("k1", "openai/gpt-4o-mini", answer("hello"), true, k_now);
  const auto hit = c.cache.lookup("k1", k_now + 1000);
  REQUIRE(hit);
  CHECK(hit->response == answer("hello"));
  CHECK(hit->streamed);
  CHECK(hit->created_ms == k_now);
  CHECK_FALSE(c.has("k2"));
  CHECK(c.has("k1", k_now + 59'999));
  CHECK_FALSE(c.has("k1", k_now + 60'000));  // expired: a miss, and removed
  CHECK(c.cache.stats(k_now).entries == 0);

  // Storing again replaces the answer and its times.
  c.cache.store("k1", "m", answer("first"), false, k_now);
  c.cache.store("k1", "m", answer("second"), false, k_now + 30'000);
  const auto replaced = c.cache.lookup("k1", k_now + 80'000);
  REQUIRE(replaced);
  CHECK(replaced->response == answer("second"));
  CHECK_FALSE(replaced->streamed);
  CHECK(c.warnings.empty());
}

TEST_CASE("response cache: beyond the cap the least recently used answers go", "[store][cache]") {
  CacheSettings settings;
  settings.max_bytes = 3 * size_of("answer a");  // room for three
  Cache c(settings);
  c.cache.store("a", "m", answer("answer a"), false, k_now);
  c.cache.store("b", "m", answer("answer b"), false, k_now + 1);
  c.cache.store("c", "m", answer("answer c"), false, k_now + 2);
  REQUIRE(c.has("a", k_now + 3));  // a is now the most recently used
  c.cache.store("d", "m", answer("answer d"), false, k_now + 4);
  CHECK_FALSE(c.has("b", k_now + 5));  // the least recently used went
  CHECK(c.has("a", k_now + 6));
  CHECK(c.has("c", k_now + 7));
  CHECK(c.has("d", k_now + 8));
  const CacheStats stats = c.cache.stats(k_now + 9);
  CHECK(stats.entries == 3);
  CHECK(stats.bytes == 3 * size_of("answer a"));

  // One big answer pushes out as many as it needs, oldest use first.
  c.cache.store("big", "m", answer("answer e" + std::string(size_of("answer a"), 'x')), false,
                k_now + 10);
  CHECK_FALSE(c.has("a", k_now + 11));
  CHECK_FALSE(c.has("c", k_now + 11));
  CHECK(c.has("d", k_now + 11));
  CHECK(c.has("big", k_now + 11));

  // An answer larger than the whole cap is not kept, and evicts nothing.
  c.cache.store("huge", "m", answer(std::string(4 * size_of("answer a"), 'y')), false, k_now + 12);
  CHECK_FALSE(c.has("huge", k_now + 13));
  CHECK(c.has("d", k_now + 13));
}

TEST_CASE("response cache: stats and clear, without creating a database", "[store][cache]") {
  CacheSettings settings;
  settings.ttl = std::chrono::seconds(10);
  Cache c(settings);
  const CacheStats empty = c.cache.stats(k_now);
  CHECK(empty.entries == 0);
  CHECK(empty.ttl == std::chrono::seconds(10));
  CHECK(empty.max_bytes == settings.max_bytes);
  CHECK_FALSE(empty.oldest_ms);
  CHECK(c.cache.clear() == 0);
  CHECK_FALSE(std::filesystem::exists(c.dir.path() / "llmgw.db"));

  c.cache.store("a", "m", answer("a"), false, k_now);
  c.cache.store("b", "m", answer("b"), false, k_now + 20'000);
  const CacheStats stats = c.cache.stats(k_now + 15'000);
  CHECK(stats.entries == 1);  // storing b removed the expired a
  c.cache.store("c", "m", answer("c"), false, k_now + 21'000);
  const CacheStats later = c.cache.stats(k_now + 30'500);
  CHECK(later.entries == 2);
  CHECK(later.expired == 1);  // b: expired, not yet removed
  CHECK(later.oldest_ms == k_now + 20'000);
  CHECK(later.newest_ms == k_now + 21'000);
  CHECK(c.cache.clear() == 2);
  CHECK(c.cache.stats(k_now).entries == 0);
}

TEST_CASE("response cache: threads share it safely", "[store][cache]") {
  Cache c;
  std::vector<std::thread> threads;
  std::atomic<int> hits{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i % 10);
        c.cache.store(key, "m", answer(key), false, k_now + i);
        if (const auto hit = c.cache.lookup(key, k_now + i); hit && hit->response == answer(key))
          ++hits;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  CHECK(hits == 200);
  CHECK(c.cache.stats(k_now).entries == 40);
  CHECK(c.warnings.empty());
}

TEST_CASE("response cache: a database it cannot use misses and warns once", "[store][cache]") {
  Cache c;
  std::ofstream(c.dir.path() / "llmgw.db") << std::string(4096, 'x');  // not a database
  CHECK_FALSE(c.has("a"));
  c.cache.store("a", "m", answer("a"), false, k_now);
  CHECK_FALSE(c.has("a"));
  REQUIRE(c.warnings.size() == 1);
  CHECK_THAT(c.warnings[0], Catch::Contains("the response cache is off for this run"));
  CHECK_THAT(c.warnings[0], Catch::Contains("llmgw db check"));
  // Asked for by the user, stats says what is wrong.
  CHECK_THROWS_AS(c.cache.stats(k_now), GatewayError);
}
