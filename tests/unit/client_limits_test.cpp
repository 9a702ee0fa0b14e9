// Client key limits on a fake clock: rpm and tpm over a sliding minute with exact
// Retry-After, budgets that reserve a request's maximum and never overspend (also from 8
// threads at once), and budget periods that start again at local midnight.
#include "core/client_limits.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "support/expect_error.hpp"
#include "support/fake_clock.hpp"
#include "support/local_zone.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::error_of;
using llmgw::test::FakeClock;
using llmgw::test::LocalZone;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// What the ledger would say: a fixed spend, and every question asked of it.
struct LedgerStub {
  double spent = 0;
  std::vector<std::pair<std::string, std::int64_t>> asked;

  ClientLimiter::SpendSince source() {
    return [this](const std::string& name, std::int64_t since_ms) {
      asked.emplace_back(name, since_ms);
      return spent;
    };
  }
};

ClientKey key_named(const std::string& name) {
  ClientKey key;
  key.id = "0123456789ab";
  key.name = name;
  key.created_ms = FakeClock::k_start_unix * 1000 - 100LL * 86'400'000;  // long ago
  return key;
}

// The 2025-06-16 local midnight that follows the FakeClock's start (2025-06-15T15:06:40Z) in UTC.
constexpr std::int64_t k_next_utc_midnight_ms = 1'750'032'000'000;

}  // namespace

TEST_CASE("client limits: rpm admits n a minute, then says exactly when to come back",
          "[client_limits]") {
  FakeClock clock;
  LedgerStub ledger;
  ClientLimiter limiter(clock, ledger.source());
  ClientKey key = key_named("app");
  key.rpm = 3;
  for (int i = 0; i < 3; ++i) {
    limiter.settle(limiter.admit(key, 0), 10, 0.0);
    clock.advance(seconds(10));
  }
  // Now t = 30 s: the window holds t = 0, 10, 20; the first leaves at t = 60.
  const Error e = error_of([&] { limiter.admit(key, 0); });
  CHECK(e.kind == ErrorKind::rate_limited);
  CHECK(e.http_status == 429);
  CHECK(e.type == "requests");
  CHECK(e.code == "rate_limit_exceeded");
  CHECK(e.retry_after == 30.0);
  CHECK_THAT(e.message, Catch::Contains("'app' is over its limit of 3 requests per minute"));
  CHECK_THAT(e.fix, Catch::Contains("--rpm"));

  clock.advance(milliseconds(29'999));  // a millisecond early: still refused, wait 1 s
  CHECK(error_of([&] { limiter.admit(key, 0); }).retry_after == 1.0);
  clock.advance(milliseconds(1));  // t = 60 s
  CHECK(limiter.admit(key, 0));
  // Full again: the request of t = 10 s leaves at t = 70 s.
  CHECK(error_of([&] { limiter.admit(key, 0); }).retry_after == 10.0);
  CHECK(limiter.usage(key).requests_last_minute == 3);

  // Refusals are not counted: after the window, three more are admitted.
  clock.advance(seconds(60));
  for (int i = 0; i < 3; ++i)
    CHECK(limiter.admit(key, 0));
}

TEST_CASE("client limits: tpm counts settled tokens over the sliding minute", "[client_limits]") {
  FakeClock clock;
  LedgerStub ledger;
  ClientLimiter limiter(clock, ledger.source());
  ClientKey key = key_named("app");
  key.tpm = 1000;
  ClientLimiter::Admission first = limiter.admit(key, 0);
  ClientLimiter::Admission second = limiter.admit(key, 0);  // nothing settled yet: room
  limiter.settle(std::move(first), 600, std::nullopt);
  clock.advance(seconds(5));
  limiter.settle(std::move(second), 500, std::nullopt);  // 1100 in the window
  CHECK(limiter.usage(key).tokens_last_minute == 1100);
  clock.advance(seconds(5));  // t = 10 s

  const Error e = error_of([&] { limiter.admit(key, 0); });
  CHECK(e.kind == ErrorKind::rate_limited);
  CHECK(e.type == "tokens");
  // Once the 600 of t = 0 leave (t = 60 s), 500 < 1000.
  CHECK(e.retry_after == 50.0);
  CHECK_THAT(e.message, Catch::Contains("1000 tokens per minute"));

  clock.advance(seconds(50));
  ClientLimiter::Admission third = limiter.admit(key, 0);
  CHECK(limiter.usage(key).tokens_last_minute == 500);
  limiter.settle(std::move(third), 499, std::nullopt);  // 999: still room
  CHECK(limiter.admit(key, 0));
  clock.advance(seconds(1));
  ClientLimiter::Admission fourth = limiter.admit(key, 0);
  limiter.settle(std::move(fourth), 1, std::nullopt);  // 1000: full
  // The 500 of t = 5 s leave at t = 65 s; now t = 61 s.
  CHECK(error_of([&] { limiter.admit(key, 0); }).retry_after == 4.0);
}

TEST_CASE("client limits: a budget reserves each request's maximum until it is settled",
          "[client_limits]") {
  FakeClock clock;
  LedgerStub ledger;
  ClientLimiter limiter(clock, ledger.source());
  ClientKey key = key_named("app");
  key.budget_usd = 1.0;
  key.budget_period = BudgetPeriod::total;

  ClientLimiter::Admission a = limiter.admit(key, 0.4);
  CHECK(a.reserved_usd() == 0.4);
  ClientLimiter::Admission b = limiter.admit(key, 0.4);
  const Error e = error_of([&] { limiter.admit(key, 0.4); });  // 0 + 0.8 + 0.4 > 1
  CHECK(e.kind == ErrorKind::quota);
  CHECK(e.http_status == 429);
  CHECK(e.type == "insufficient_quota");
  CHECK(e.code == "insufficient_quota");
  CHECK_FALSE(e.retry_after);
  CHECK_THAT(e.message, Catch::Contains("the budget of $1.0000 in total of the client key 'app' "
                                        "is spent: $0.0000 used, $0.8000 in flight"));
  CHECK_THAT(e.message, Catch::Contains("may cost up to $0.4000"));
  CHECK_THAT(e.fix, Catch::Contains("--budget"));

  limiter.settle(std::move(a), 100, 0.1);                // the real cost replaces the reservation
  ClientLimiter::Admission c = limiter.admit(key, 0.4);  // 0.1 + 0.4 + 0.4 <= 1
  {
    const KeyUsage usage = limiter.usage(key);
    CHECK(usage.spent_usd == 0.1);
    CHECK(usage.reserved_usd == 0.8);
    CHECK(usage.remaining_usd == Approx(0.1));
    CHECK(usage.budget_usd == 1.0);
  }
  { ClientLimiter::Admission dropped = std::move(b); }  // a failed request: reservation back
  CHECK(limiter.usage(key).reserved_usd == 0.4);
  ClientLimiter::Admission moved = std::move(c);
  CHECK_FALSE(c);  // NOLINT: a moved-from Admission holds nothing
  CHECK(limiter.usage(key).reserved_usd == 0.4);
  limiter.settle(std::move(moved), 50, 0.5);
  const KeyUsage done = limiter.usage(key);
  CHECK(done.spent_usd == 0.6);
  CHECK(done.reserved_usd == 0);
  CHECK(done.remaining_usd == Approx(0.4));
  // A refused admission counted nothing, and the ledger was read once (total never rolls).
  CHECK(ledger.asked.size() == 1);
  CHECK(ledger.asked[0] == std::pair<std::string, std::int64_t>("app", key.created_ms));
}

TEST_CASE("client limits: unpriced requests reserve and cost nothing", "[client_limits]") {
  FakeClock clock;
  LedgerStub ledger;
  ledger.spent = 0.5;
  ClientLimiter limiter(clock, ledger.source());
  ClientKey key = key_named("app");
  key.budget_usd = 0.5;
  // spent == budget: a request that can cost nothing still passes, one that can cost a
  // cent does not.
  ClientLimiter::Admission free = limiter.admit(key, 0);
  CHECK(free.reserved_usd() == 0);
  limiter.settle(std::move(free), 1000, std::nullopt);
  CHECK(limiter.usage(key).spent_usd == 0.5);
  CHECK(error_of([&] { limiter.admit(key, 0.01); }).kind == ErrorKind::quota);
  CHECK(limiter.admit(key, -3).reserved_usd() == 0);  // a negative maximum counts as 0
}

TEST_CASE("client limits: a daily budget starts from the ledger and again at local midnight",
          "[client_limits]") {
  LocalZone utc("UTC");
  FakeClock clock;
  LedgerStub ledger;
  ledger.spent = 0.75;
  ClientLimiter limiter(clock, ledger.source());
  ClientKey key = key_named("daily");
  key.budget_usd = 1.0;
  key.budget_period = BudgetPeriod::day;
  constexpr std::int64_t k_day_ms = 86'400'000;

  const Error e = error_of([&] { limiter.admit(key, 0.3); });  // 0.75 + 0.3 > 1
  CHECK(e.kind == ErrorKind::quota);
  CHECK_THAT(e.message, Catch::Contains("$1.0000 today"));
  CHECK_THAT(e.message, Catch::Contains("$0.7500 used"));
  CHECK_THAT(e.message, Catch::Contains("it starts again on 2025-06-16 00:00"));
  REQUIRE(ledger.asked.size() == 1);
  CHECK(ledger.asked[0].first == "daily");
  CHECK(ledger.asked[0].second == k_next_utc_midnight_ms - k_day_ms);
  ClientLimiter::Admission running = limiter.admit(key, 0.25);  // 0.75 + 0.25 == 1: fits
  const KeyUsage today = limiter.usage(key);
  CHECK(today.window.start_ms == k_next_utc_midnight_ms - k_day_ms);
  CHECK(today.window.end_ms == k_next_utc_midnight_ms);
  CHECK(today.remaining_usd == 0);

  // A millisecond before midnight nothing changes; at midnight the ledger is asked again
  // and the day's spend starts over. The running request's reservation carries over.
  clock.advance(milliseconds(k_next_utc_midnight_ms - clock.unix_milliseconds() - 1));
  CHECK(error_of([&] { limiter.admit(key, 0.01); }).kind == ErrorKind::quota);
  CHECK(ledger.asked.size() == 1);
  clock.advance(milliseconds(1));
  ledger.spent = 0;
  CHECK(error_of([&] { limiter.admit(key, 0.8); }).kind == ErrorKind::quota);  // 0.25 in flight
  REQUIRE(ledger.asked.size() == 2);
  CHECK(ledger.asked[1].second == k_next_utc_midnight_ms);
  CHECK(limiter.admit(key, 0.75));
  limiter.settle(std::move(running), 10, 0.2);
  const KeyUsage tomorrow = limiter.usage(key);
  CHECK(tomorrow.window.start_ms == k_next_utc_midnight_ms);
  CHECK(tomorrow.window.end_ms == k_next_utc_midnight_ms + k_day_ms);
  CHECK(tomorrow.spent_usd == 0.2);
  CHECK(ledger.asked.size() == 2);
}

TEST_CASE("client limits: budget windows by period, local time, never before creation",
          "[client_limits]") {
  LocalZone kolkata("Asia/Kolkata");  // +05:30
  ClientKey key = key_named("app");
  key.created_ms = 1'700'000'000'000;
  const std::int64_t now = 1'750'000'000'000;  // 2025-06-15T20:36:40+05:30
  key.budget_period = BudgetPeriod::day;
  BudgetWindow window = budget_window(key, now);
  CHECK(window.start_ms == 1'749'925'800'000);  // 2025-06-15T00:00+05:30
  CHECK(window.end_ms == 1'749'925'800'000 + 86'400'000);
  key.budget_period = BudgetPeriod::month;
  window = budget_window(key, now);
  CHECK(window.start_ms == 1'748'716'200'000);  // 2025-06-01T00:00+05:30
  CHECK(window.end_ms == 1'751'308'200'000);    // 2025-07-01T00:00+05:30
  key.budget_period = BudgetPeriod::total;
  window = budget_window(key, now);
  CHECK(window.start_ms == key.created_ms);
  CHECK_FALSE(window.end_ms);
  // A key made this afternoon counts its day from then, not from midnight.
  key.budget_period = BudgetPeriod::day;
  key.created_ms = now - 3'600'000;
  CHECK(budget_window(key, now).start_ms == now - 3'600'000);
}

TEST_CASE("client limits: 8 threads admitting and settling never pass the budget",
          "[client_limits]") {
  FakeClock clock;
  LedgerStub ledger;
  ClientLimiter limiter(clock, ledger.source());
  ClientKey key = key_named("busy");
  key.budget_usd = 10.0;
  key.budget_period = BudgetPeriod::total;
  constexpr int k_threads = 8;
  constexpr int k_rounds = 25;
  constexpr int k_held = 4;        // each round holds this many requests at once, then ends them
  std::atomic<int> unexpected{0};  // refusals other than quota (checked after the threads)
  // Runs k_rounds of: admit up to k_held requests reserving `reserve`, then `finish`
  // each one that got in (settle it, or drop it).
  const auto run_threads = [&](double reserve, auto finish) {
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
      threads.emplace_back([&, t] {
        for (int round = 0; round < k_rounds; ++round) {
          std::vector<ClientLimiter::Admission> held;
          for (int i = 0; i < k_held; ++i) {
            try {
              held.push_back(limiter.admit(key, reserve));
            } catch (const GatewayError& e) {
              if (e.error().kind != ErrorKind::quota)
                ++unexpected;
            }
          }
          for (std::size_t i = 0; i < held.size(); ++i)
            finish(std::move(held[i]), t + round + static_cast<int>(i));
        }
      });
    }
    for (std::thread& thread : threads)
      thread.join();
  };

  SECTION("requests that cost what they reserve: exactly floor(budget / cost) get in") {
    std::atomic<int> settled{0};
    run_threads(0.03, [&](ClientLimiter::Admission admission, int) {
      limiter.settle(std::move(admission), 10, 0.03);
      ++settled;
    });
    const KeyUsage usage = limiter.usage(key);
    CHECK(unexpected == 0);
    CHECK(settled == 333);  // 333 × $0.03 = $9.99; a 334th would make $10.02
    CHECK(usage.spent_usd == 9'990'000'000 / 1e9);
    CHECK(usage.spent_usd <= 10.0);
    CHECK(usage.reserved_usd == 0);
  }

  SECTION("requests that cost less than they reserve, some failing: never past the budget") {
    std::atomic<int> settled{0};
    run_threads(0.05, [&](ClientLimiter::Admission admission, int n) {
      if (n % 5 == 0)
        return;  // failed: dropped unsettled, its reservation given back
      limiter.settle(std::move(admission), 10, 0.02);
      ++settled;
    });
    CHECK(unexpected == 0);
    const KeyUsage usage = limiter.usage(key);
    CHECK(usage.spent_usd == static_cast<double>(std::int64_t{settled.load()} * 20'000'000) / 1e9);
    CHECK(usage.spent_usd <= 10.0);
    CHECK(usage.reserved_usd == 0);
    // Never so many that their costs pass $10 / $0.02. And 800 tries at $0.02 would pass
    // it, so one was refused: then spent + at most 31 held requests' $0.05 + $0.05 was
    // over $10, so spent > $8.40.
    CHECK(settled <= 500);
    CHECK(settled > 420);
  }
}

TEST_CASE("client limits: 8 threads against rpm admit exactly rpm", "[client_limits]") {
  FakeClock clock;
  ClientLimiter limiter(clock, {});
  ClientKey key = key_named("busy");
  key.rpm = 100;
  std::atomic<int> admitted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        try {
          limiter.settle(limiter.admit(key, 0), 1, std::nullopt);
          ++admitted;
        } catch (const GatewayError& e) {
          // Catch's assertions are not thread-safe: count, and check after the join.
          if (e.error().retry_after == 60.0)
            ++refused;
        }
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  CHECK(admitted == 100);
  CHECK(refused == 300);  // each told to wait the whole minute the first request has left
}

TEST_CASE("client limits: keys are counted apart, by id", "[client_limits]") {
  FakeClock clock;
  ClientLimiter limiter(clock, {});
  ClientKey first = key_named("app");
  first.rpm = 1;
  ClientKey second = first;
  second.id = "ba9876543210";  // the name given again to a new key
  CHECK(limiter.admit(first, 0));
  CHECK(error_of([&] { limiter.admit(first, 0); }).kind == ErrorKind::rate_limited);
  CHECK(limiter.admit(second, 0));
}

TEST_CASE("client limits: the daemon's budgets start from the ledger in the database",
          "[client_limits]") {
  llmgw::test::TempDir dir;
  const auto file = dir.path() / "llmgw.db";
  FakeClock clock;
  ClientKey key = key_named("app");
  key.budget_usd = 1.0;
  key.budget_period = BudgetPeriod::total;
  {
    Database db = open_migrated(file);
    std::vector<LedgerRow> rows(3);
    rows[0].client_key = "app";  // before the key was made: not its spend
    rows[0].ts_ms = key.created_ms - 1;
    rows[0].cost_usd = 5.0;
    rows[1].client_key = "app";
    rows[1].ts_ms = key.created_ms;
    rows[1].cost_usd = 0.9;
    rows[2].client_key = "other";
    rows[2].ts_ms = key.created_ms + 1;
    rows[2].cost_usd = 5.0;
    insert_ledger_rows(db, rows);
  }
  ClientLimiter limiter(clock, spend_from_ledger(file));
  CHECK(error_of([&] { limiter.admit(key, 0.2); }).kind == ErrorKind::quota);
  CHECK(limiter.usage(key).spent_usd == 0.9);
  CHECK(limiter.admit(key, 0.1));
}
