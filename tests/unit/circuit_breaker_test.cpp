#include "core/resilience/circuit_breaker.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace {

using llmgw::BreakerSettings;
using llmgw::BreakerState;
using llmgw::CircuitBreaker;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

const CircuitBreaker::TimePoint k_t0 = std::chrono::steady_clock::time_point{} + hours(1);

// A 10 s window (1 s buckets), 3 consecutive failures, or half of at least 10 requests.
BreakerSettings small_settings() {
  BreakerSettings s;
  s.failure_threshold = 3;
  s.failure_ratio = 0.5;
  s.min_requests = 10;
  s.window = seconds(10);
  s.cooldown = seconds(30);
  return s;
}

// One request that allow() let through, with its outcome.
void succeed(CircuitBreaker& breaker, CircuitBreaker::TimePoint now) {
  REQUIRE(breaker.allow(now));
  breaker.record_success(now);
}

void fail(CircuitBreaker& breaker, CircuitBreaker::TimePoint now) {
  REQUIRE(breaker.allow(now));
  breaker.record_failure(now);
}

// Opens `breaker` at `now` by consecutive failures.
void open_it(CircuitBreaker& breaker, CircuitBreaker::TimePoint now) {
  for (int i = 0; i < 3; ++i) {
    fail(breaker, now);
  }
  REQUIRE(breaker.snapshot(now).state == BreakerState::open);
}

}  // namespace

TEST_CASE("breaker state names", "[breaker]") {
  CHECK(std::string(llmgw::to_string(BreakerState::closed)) == "closed");
  CHECK(std::string(llmgw::to_string(BreakerState::open)) == "open");
  CHECK(std::string(llmgw::to_string(BreakerState::half_open)) == "half-open");
}

TEST_CASE("a new breaker is closed and lets requests through", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  const auto s = breaker.snapshot(k_t0);
  CHECK(s.state == BreakerState::closed);
  CHECK(s.consecutive_failures == 0);
  CHECK(s.window_requests == 0);
  CHECK(s.window_failures == 0);
  CHECK(s.times_opened == 0);
  CHECK(s.retry_in == milliseconds(0));
  for (int i = 0; i < 5; ++i) {
    CHECK(breaker.allow(k_t0));
  }
}

TEST_CASE("consecutive failures open the breaker", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  fail(breaker, k_t0);
  fail(breaker, k_t0);
  auto s = breaker.snapshot(k_t0);
  CHECK(s.state == BreakerState::closed);
  CHECK(s.consecutive_failures == 2);
  CHECK(s.window_requests == 2);
  CHECK(s.window_failures == 2);

  fail(breaker, k_t0 + milliseconds(1));
  s = breaker.snapshot(k_t0 + milliseconds(1));
  CHECK(s.state == BreakerState::open);
  CHECK(s.consecutive_failures == 3);
  CHECK(s.times_opened == 1);
  CHECK(s.retry_in == seconds(30));
  CHECK_FALSE(breaker.allow(k_t0 + milliseconds(1)));
}

TEST_CASE("a success resets the consecutive failure count", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  fail(breaker, k_t0);
  fail(breaker, k_t0);
  succeed(breaker, k_t0);
  CHECK(breaker.snapshot(k_t0).consecutive_failures == 0);
  fail(breaker, k_t0);
  fail(breaker, k_t0);
  auto s = breaker.snapshot(k_t0);
  CHECK(s.state == BreakerState::closed);
  CHECK(s.consecutive_failures == 2);
  CHECK(s.window_requests == 5);
  CHECK(s.window_failures == 4);
  fail(breaker, k_t0);
  CHECK(breaker.snapshot(k_t0).state == BreakerState::open);
}

TEST_CASE("the failure ratio opens the breaker only once min_requests is reached", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  // Alternating success/failure: never 3 in a row, and a ratio of 1/2 from the start.
  for (int i = 0; i < 4; ++i) {
    succeed(breaker, k_t0);
    fail(breaker, k_t0);
  }
  succeed(breaker, k_t0);
  auto s = breaker.snapshot(k_t0);
  REQUIRE(s.window_requests == 9);
  REQUIRE(s.window_failures == 4);
  CHECK(s.state == BreakerState::closed);
  // The 10th request makes min_requests, and 5 failures of 10 is the ratio.
  fail(breaker, k_t0);
  s = breaker.snapshot(k_t0);
  CHECK(s.state == BreakerState::open);
  CHECK(s.consecutive_failures == 1);
  CHECK(s.window_requests == 10);
  CHECK(s.window_failures == 5);
  CHECK(s.times_opened == 1);
}

TEST_CASE("a failure share below the ratio keeps the breaker closed", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  // 2 successes per failure: a third of the requests fail, under the 1/2 ratio.
  for (int i = 0; i < 10; ++i) {
    succeed(breaker, k_t0);
    succeed(breaker, k_t0);
    fail(breaker, k_t0);
  }
  const auto s = breaker.snapshot(k_t0);
  CHECK(s.state == BreakerState::closed);
  CHECK(s.window_requests == 30);
  CHECK(s.window_failures == 10);
}

TEST_CASE("outcomes older than the window no longer count", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  // 4 failures at t0 (successes in between keep the consecutive rule out of it).
  for (int i = 0; i < 4; ++i) {
    fail(breaker, k_t0);
    succeed(breaker, k_t0);
  }
  auto s = breaker.snapshot(k_t0 + milliseconds(9'999));
  CHECK(s.window_requests == 8);
  CHECK(s.window_failures == 4);

  // A full window later, they are gone.
  s = breaker.snapshot(k_t0 + seconds(10));
  CHECK(s.window_requests == 0);
  CHECK(s.window_failures == 0);

  // So a success and a failure now make 1 failure of 2 requests, under min_requests; with
  // the old outcomes still counted the failure would make 5 of 10 and open the breaker.
  const auto later = k_t0 + seconds(10);
  succeed(breaker, later);
  fail(breaker, later);
  s = breaker.snapshot(later);
  CHECK(s.state == BreakerState::closed);
  CHECK(s.window_requests == 2);
  CHECK(s.window_failures == 1);
}

TEST_CASE("outcomes age out bucket by bucket", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  succeed(breaker, k_t0);               // bucket 0
  succeed(breaker, k_t0 + seconds(5));  // bucket 5
  fail(breaker, k_t0 + seconds(9));     // bucket 9
  CHECK(breaker.snapshot(k_t0 + seconds(9)).window_requests == 3);
  CHECK(breaker.snapshot(k_t0 + seconds(10)).window_requests == 2);
  CHECK(breaker.snapshot(k_t0 + seconds(15)).window_requests == 1);
  CHECK(breaker.snapshot(k_t0 + seconds(15)).window_failures == 1);
  CHECK(breaker.snapshot(k_t0 + seconds(19)).window_requests == 0);

  // A bucket slot reused for a later slice starts from zero.
  succeed(breaker, k_t0 + seconds(20));  // same slot as bucket 0
  const auto s = breaker.snapshot(k_t0 + seconds(20));
  CHECK(s.window_requests == 1);
  CHECK(s.window_failures == 0);
}

TEST_CASE("an open breaker refuses until the cooldown has passed", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  open_it(breaker, k_t0);
  CHECK_FALSE(breaker.allow(k_t0));
  CHECK_FALSE(breaker.allow(k_t0 + seconds(29)));
  CHECK_FALSE(breaker.allow(k_t0 + milliseconds(29'999)));

  auto s = breaker.snapshot(k_t0 + seconds(10));
  CHECK(s.state == BreakerState::open);
  CHECK(s.retry_in == seconds(20));
  // Rounded up: a caller who waits retry_in is not refused again.
  CHECK(breaker.snapshot(k_t0 + milliseconds(29'999) + std::chrono::microseconds(1)).retry_in ==
        milliseconds(1));
  // Cooldown over but no allow() yet: still open, a probe may go now.
  s = breaker.snapshot(k_t0 + seconds(31));
  CHECK(s.state == BreakerState::open);
  CHECK(s.retry_in == milliseconds(0));
}

TEST_CASE("after the cooldown exactly one probe goes", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  open_it(breaker, k_t0);
  const auto probe_time = k_t0 + seconds(30);
  CHECK(breaker.allow(probe_time));
  auto s = breaker.snapshot(probe_time);
  CHECK(s.state == BreakerState::half_open);
  CHECK(s.retry_in == milliseconds(0));
  CHECK_FALSE(breaker.allow(probe_time));
  CHECK_FALSE(breaker.allow(probe_time + seconds(100)));
  CHECK(breaker.snapshot(probe_time).state == BreakerState::half_open);
}

TEST_CASE("a successful probe closes the breaker with the counts reset", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  succeed(breaker, k_t0);
  open_it(breaker, k_t0);
  const auto probe_time = k_t0 + seconds(31);
  REQUIRE(breaker.allow(probe_time));
  breaker.record_success(probe_time);

  // Still inside the window of the old outcomes: they must be gone all the same.
  const auto s = breaker.snapshot(probe_time - seconds(30));
  CHECK(s.state == BreakerState::closed);
  CHECK(s.consecutive_failures == 0);
  CHECK(s.window_requests == 0);
  CHECK(s.window_failures == 0);
  CHECK(s.times_opened == 1);
  CHECK(s.retry_in == milliseconds(0));
  CHECK(breaker.allow(probe_time));
  CHECK(breaker.allow(probe_time));

  // Counting starts again from nothing: it takes three fresh failures to open.
  fail(breaker, probe_time);
  fail(breaker, probe_time);
  CHECK(breaker.snapshot(probe_time).state == BreakerState::closed);
  fail(breaker, probe_time);
  CHECK(breaker.snapshot(probe_time).state == BreakerState::open);
  CHECK(breaker.snapshot(probe_time).times_opened == 2);
}

TEST_CASE("a failed probe opens the breaker again for a new cooldown", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  open_it(breaker, k_t0);
  const auto probe_time = k_t0 + seconds(40);
  REQUIRE(breaker.allow(probe_time));
  breaker.record_failure(probe_time);

  auto s = breaker.snapshot(probe_time);
  CHECK(s.state == BreakerState::open);
  CHECK(s.times_opened == 2);
  CHECK(s.retry_in == seconds(30));
  // The new cooldown runs from the probe's failure, not from the first opening.
  CHECK_FALSE(breaker.allow(probe_time));
  CHECK_FALSE(breaker.allow(probe_time + milliseconds(29'999)));
  CHECK(breaker.allow(probe_time + seconds(30)));
  CHECK(breaker.snapshot(probe_time + seconds(30)).state == BreakerState::half_open);
  CHECK_FALSE(breaker.allow(probe_time + seconds(30)));
}

TEST_CASE("a neutral outcome gives back the probe slot", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  open_it(breaker, k_t0);
  const auto probe_time = k_t0 + seconds(30);
  REQUIRE(breaker.allow(probe_time));
  REQUIRE_FALSE(breaker.allow(probe_time));
  breaker.record_neutral(probe_time);
  CHECK(breaker.snapshot(probe_time).state == BreakerState::half_open);
  CHECK(breaker.snapshot(probe_time).times_opened == 1);
  // One more probe, and again only one.
  CHECK(breaker.allow(probe_time));
  CHECK_FALSE(breaker.allow(probe_time));
  breaker.record_success(probe_time);
  CHECK(breaker.snapshot(probe_time).state == BreakerState::closed);
}

TEST_CASE("a neutral outcome changes nothing in the closed state", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  fail(breaker, k_t0);
  fail(breaker, k_t0);
  REQUIRE(breaker.allow(k_t0));
  breaker.record_neutral(k_t0);
  const auto s = breaker.snapshot(k_t0);
  CHECK(s.state == BreakerState::closed);
  CHECK(s.consecutive_failures == 2);
  CHECK(s.window_requests == 2);
  CHECK(s.window_failures == 2);
  // The neutral outcome did not break the run: one more failure opens it.
  fail(breaker, k_t0);
  CHECK(breaker.snapshot(k_t0).state == BreakerState::open);
}

TEST_CASE("outcomes of requests let through before the opening are ignored while open",
          "[breaker]") {
  CircuitBreaker breaker(small_settings());
  open_it(breaker, k_t0);
  breaker.record_success(k_t0 + seconds(1));
  breaker.record_failure(k_t0 + seconds(1));
  breaker.record_neutral(k_t0 + seconds(1));
  const auto s = breaker.snapshot(k_t0 + seconds(1));
  CHECK(s.state == BreakerState::open);
  CHECK(s.times_opened == 1);
  CHECK(s.retry_in == seconds(29));
}

TEST_CASE("concurrent use keeps the breaker consistent", "[breaker]") {
  BreakerSettings settings;
  settings.failure_threshold = 4;
  settings.failure_ratio = 0.5;
  settings.min_requests = 50;
  settings.window = milliseconds(100);
  settings.cooldown = milliseconds(5);
  CircuitBreaker breaker(settings);

  constexpr int k_threads = 4;
  constexpr int k_steps = 20'000;
  std::vector<int> allowed(k_threads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&breaker, &allowed, t] {
      for (int i = 0; i < k_steps; ++i) {
        // Every thread walks the same fake clock, 10 µs per step, so the breaker opens,
        // cools down and probes many times while the threads race.
        const auto now = k_t0 + std::chrono::microseconds(10 * i);
        if (!breaker.allow(now)) {
          continue;
        }
        ++allowed[t];
        switch ((i + t) % 7) {
          case 0:
          case 1:
          case 2:
            breaker.record_failure(now);
            break;
          case 3:
            breaker.record_neutral(now);
            break;
          default:
            breaker.record_success(now);
            break;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }

  const auto end = k_t0 + std::chrono::microseconds(10 * k_steps);
  const auto s = breaker.snapshot(end);
  const bool valid = s.state == BreakerState::closed || s.state == BreakerState::open ||
                     s.state == BreakerState::half_open;
  CHECK(valid);
  CHECK(s.times_opened >= 1);
  CHECK(s.consecutive_failures >= 0);
  CHECK(s.window_requests >= 0);
  CHECK(s.window_failures >= 0);
  CHECK(s.window_failures <= s.window_requests);
  CHECK(s.retry_in <= settings.cooldown);
  if (s.state != BreakerState::open) {
    CHECK(s.retry_in == milliseconds(0));
  }
  int total_allowed = 0;
  for (int a : allowed) {
    total_allowed += a;
  }
  CHECK(total_allowed > 0);
  CHECK(total_allowed < k_threads * k_steps);  // it did refuse some while open

  // Still works afterwards, single-threaded: drive it to closed and open it once more.
  auto now = end + seconds(1);
  if (breaker.snapshot(now).state != BreakerState::closed) {
    if (breaker.snapshot(now).state == BreakerState::half_open) {
      breaker.record_neutral(now);
    }
    REQUIRE(breaker.allow(now));
    breaker.record_success(now);
  }
  REQUIRE(breaker.snapshot(now).state == BreakerState::closed);
  const int opened = breaker.snapshot(now).times_opened;
  for (int i = 0; i < 4; ++i) {
    fail(breaker, now);
  }
  CHECK(breaker.snapshot(now).state == BreakerState::open);
  CHECK(breaker.snapshot(now).times_opened == opened + 1);
}

TEST_CASE("concurrent allow() in half_open sends exactly one probe", "[breaker]") {
  CircuitBreaker breaker(small_settings());
  open_it(breaker, k_t0);
  const auto probe_time = k_t0 + seconds(30);

  constexpr int k_threads = 8;
  std::vector<int> allowed(k_threads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&breaker, &allowed, probe_time, t] {
      for (int i = 0; i < 1'000; ++i) {
        if (breaker.allow(probe_time)) {
          ++allowed[t];
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  int total = 0;
  for (int a : allowed) {
    total += a;
  }
  CHECK(total == 1);
  CHECK(breaker.snapshot(probe_time).state == BreakerState::half_open);
}
