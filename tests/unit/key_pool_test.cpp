#include "core/resilience/key_pool.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <thread>
#include <vector>

namespace {

using llmgw::KeyPool;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

const KeyPool::TimePoint k_t0 = std::chrono::steady_clock::time_point{} + hours(1);

// The next `n` picks at `now`, with -1 for "none".
std::vector<int> picks(KeyPool& pool, KeyPool::TimePoint now, int n) {
  std::vector<int> out;
  for (int i = 0; i < n; ++i) {
    const auto key = pool.pick(now);
    out.push_back(key ? static_cast<int>(*key) : -1);
  }
  return out;
}

}  // namespace

TEST_CASE("keys are used round-robin", "[key_pool]") {
  KeyPool pool(3);
  CHECK(pool.size() == 3);
  CHECK(picks(pool, k_t0, 7) == std::vector<int>{0, 1, 2, 0, 1, 2, 0});
  CHECK_FALSE(pool.wait_for_any(k_t0).has_value());
  for (std::size_t i = 0; i < 3; ++i) {
    const auto s = pool.state(i, k_t0);
    CHECK_FALSE(s.bad);
    CHECK(s.cooling_for == milliseconds(0));
  }
}

TEST_CASE("a cooling key is skipped and comes back when its cooldown ends", "[key_pool]") {
  KeyPool pool(3);
  pool.cool_down(1, k_t0 + seconds(10));
  // The counter moves by one per pick, so the key after the cooling one takes its turn.
  CHECK(picks(pool, k_t0, 6) == std::vector<int>{0, 2, 2, 0, 2, 2});
  CHECK(picks(pool, k_t0 + milliseconds(9'999), 3) == std::vector<int>{0, 2, 2});
  CHECK_FALSE(pool.wait_for_any(k_t0).has_value());  // keys 0 and 2 are usable

  auto s = pool.state(1, k_t0 + seconds(4));
  CHECK_FALSE(s.bad);
  CHECK(s.cooling_for == seconds(6));

  // Exactly at the end of the cooldown it is usable again.
  CHECK(picks(pool, k_t0 + seconds(10), 3) == std::vector<int>{0, 1, 2});
  s = pool.state(1, k_t0 + seconds(10));
  CHECK(s.cooling_for == milliseconds(0));
}

TEST_CASE("a bad key is skipped for good", "[key_pool]") {
  KeyPool pool(3);
  pool.mark_bad(0);
  CHECK(picks(pool, k_t0, 6) == std::vector<int>{1, 1, 2, 1, 1, 2});
  CHECK(picks(pool, k_t0 + hours(1000), 3) == std::vector<int>{1, 1, 2});
  CHECK(pool.state(0, k_t0).bad);
  CHECK_FALSE(pool.state(1, k_t0).bad);
}

TEST_CASE("when every key cools down, nothing is picked and the wait is the shortest",
          "[key_pool]") {
  KeyPool pool(3);
  pool.cool_down(0, k_t0 + seconds(30));
  pool.cool_down(1, k_t0 + seconds(7));
  pool.cool_down(2, k_t0 + seconds(12));
  CHECK(picks(pool, k_t0, 4) == std::vector<int>{-1, -1, -1, -1});
  REQUIRE(pool.wait_for_any(k_t0).has_value());
  CHECK(*pool.wait_for_any(k_t0) == seconds(7));
  CHECK(*pool.wait_for_any(k_t0 + seconds(5)) == seconds(2));
  // Rounded up, so waiting that long is enough.
  CHECK(*pool.wait_for_any(k_t0 + seconds(7) - std::chrono::microseconds(1)) == milliseconds(1));

  // Once key 1 is back, it is the only one picked and there is nothing to wait for.
  const auto later = k_t0 + seconds(7);
  CHECK_FALSE(pool.wait_for_any(later).has_value());
  CHECK(picks(pool, later, 3) == std::vector<int>{1, 1, 1});
}

TEST_CASE("a bad key does not count as cooling for the wait", "[key_pool]") {
  KeyPool pool(2);
  pool.cool_down(0, k_t0 + seconds(3));
  pool.cool_down(1, k_t0 + seconds(9));
  pool.mark_bad(0);
  REQUIRE(pool.wait_for_any(k_t0).has_value());
  CHECK(*pool.wait_for_any(k_t0) == seconds(9));
}

TEST_CASE("when every key is bad, nothing is picked and there is nothing to wait for",
          "[key_pool]") {
  KeyPool pool(3);
  pool.cool_down(1, k_t0 + seconds(5));
  for (std::size_t i = 0; i < 3; ++i) {
    pool.mark_bad(i);
  }
  CHECK(picks(pool, k_t0, 3) == std::vector<int>{-1, -1, -1});
  CHECK_FALSE(pool.wait_for_any(k_t0).has_value());
  CHECK(picks(pool, k_t0 + hours(1), 3) == std::vector<int>{-1, -1, -1});
  CHECK_FALSE(pool.wait_for_any(k_t0 + hours(1)).has_value());
}

TEST_CASE("cool_down extends but never shortens", "[key_pool]") {
  KeyPool pool(2);
  pool.cool_down(0, k_t0 + seconds(20));
  pool.cool_down(0, k_t0 + seconds(5));  // a shorter Retry-After from another request
  CHECK(pool.state(0, k_t0).cooling_for == seconds(20));
  CHECK(picks(pool, k_t0 + seconds(10), 2) == std::vector<int>{1, 1});

  pool.cool_down(0, k_t0 + seconds(40));
  CHECK(pool.state(0, k_t0).cooling_for == seconds(40));
  CHECK(picks(pool, k_t0 + seconds(39), 2) == std::vector<int>{1, 1});
  CHECK(picks(pool, k_t0 + seconds(40), 2) == std::vector<int>{0, 1});

  // A cooldown that already ended changes nothing.
  pool.cool_down(1, k_t0);
  CHECK(pool.state(1, k_t0 + seconds(1)).cooling_for == milliseconds(0));
}

TEST_CASE("a pool of one key", "[key_pool]") {
  KeyPool pool(1);
  CHECK(pool.size() == 1);
  CHECK(picks(pool, k_t0, 3) == std::vector<int>{0, 0, 0});

  pool.cool_down(0, k_t0 + milliseconds(1'500));
  CHECK(picks(pool, k_t0, 2) == std::vector<int>{-1, -1});
  REQUIRE(pool.wait_for_any(k_t0).has_value());
  CHECK(*pool.wait_for_any(k_t0) == milliseconds(1'500));
  CHECK(picks(pool, k_t0 + milliseconds(1'500), 2) == std::vector<int>{0, 0});

  pool.mark_bad(0);
  CHECK(picks(pool, k_t0 + hours(2), 2) == std::vector<int>{-1, -1});
  CHECK_FALSE(pool.wait_for_any(k_t0 + hours(2)).has_value());
}

TEST_CASE("concurrent picks share the keys evenly", "[key_pool]") {
  KeyPool pool(3);
  constexpr int k_threads = 4;
  constexpr int k_picks = 3'000;
  // Each pick takes one counter value, and every key is usable, so over all threads the
  // counter values 0..11999 map to each key exactly 4000 times, however they interleave.
  std::vector<std::vector<int>> counts(k_threads, std::vector<int>(3, 0));
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&pool, &counts, t] {
      for (int i = 0; i < k_picks; ++i) {
        const auto key = pool.pick(k_t0);
        if (key) {
          ++counts[t][*key];
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  std::vector<int> total(3, 0);
  for (const auto& c : counts) {
    for (std::size_t k = 0; k < 3; ++k) {
      total[k] += c[k];
    }
  }
  CHECK(total == std::vector<int>{4'000, 4'000, 4'000});
}

TEST_CASE("concurrent cool_down keeps the longest", "[key_pool]") {
  KeyPool pool(1);
  constexpr int k_threads = 4;
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&pool, t] {
      for (int i = 0; i < 1'000; ++i) {
        pool.cool_down(0, k_t0 + milliseconds(i * k_threads + t));
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  CHECK(pool.state(0, k_t0).cooling_for == milliseconds(999 * k_threads + k_threads - 1));
}
