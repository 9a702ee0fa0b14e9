#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <thread>

#include "core/resilience/balancer.hpp"

using namespace llmgw;

namespace {

constexpr Strategy k_all_strategies[] = {Strategy::round_robin, Strategy::weighted,
                                         Strategy::least_latency, Strategy::least_busy,
                                         Strategy::priority};

std::vector<BalanceCandidate> candidates(std::size_t n) {
  return std::vector<BalanceCandidate>(n);
}

bool is_permutation_of_indices(std::vector<std::size_t> order, std::size_t n) {
  std::sort(order.begin(), order.end());
  std::vector<std::size_t> expected(n);
  std::iota(expected.begin(), expected.end(), std::size_t{0});
  return order == expected;
}

}  // namespace

TEST_CASE("strategy names round-trip and unknown names are rejected", "[balancer]") {
  for (const auto strategy : k_all_strategies) {
    const auto parsed = parse_strategy(to_string(strategy));
    REQUIRE(parsed);
    CHECK(*parsed == strategy);
  }
  CHECK(std::string_view(to_string(Strategy::round_robin)) == "round-robin");
  CHECK(std::string_view(to_string(Strategy::weighted)) == "weighted");
  CHECK(std::string_view(to_string(Strategy::least_latency)) == "least-latency");
  CHECK(std::string_view(to_string(Strategy::least_busy)) == "least-busy");
  CHECK(std::string_view(to_string(Strategy::priority)) == "priority");
  CHECK_FALSE(parse_strategy(""));
  CHECK_FALSE(parse_strategy("round_robin"));
  CHECK_FALSE(parse_strategy("Round-Robin"));
  CHECK_FALSE(parse_strategy("random"));
  CHECK_FALSE(parse_strategy("priority "));
}

TEST_CASE("round-robin starts at counter % n and wraps", "[balancer]") {
  const auto three = candidates(3);
  const std::size_t expected_first[] = {0, 1, 2, 0, 1, 2};
  for (std::uint64_t counter = 0; counter < 6; ++counter) {
    const auto order = balance_order(Strategy::round_robin, three, counter, 0.5);
    REQUIRE(order.size() == 3);
    CHECK(order[0] == expected_first[counter]);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(order[i] == (expected_first[counter] + i) % 3);
    }
  }
  // The counter is a free-running 64-bit number; its wrap-around must not leave the range.
  const auto high =
      balance_order(Strategy::round_robin, three, std::numeric_limits<std::uint64_t>::max(), 0.5);
  CHECK(high == std::vector<std::size_t>{0, 1, 2});  // 2^64 - 1 ≡ 0 (mod 3)
}

TEST_CASE("weighted chooses in proportion to the weights", "[balancer]") {
  std::vector<BalanceCandidate> pair(2);
  pair[0].weight = 3.0;
  pair[1].weight = 1.0;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  int first_zero = 0;
  constexpr int k_draws = 10000;
  for (int i = 0; i < k_draws; ++i) {
    const auto order = balance_order(Strategy::weighted, pair, 0, uniform(rng));
    REQUIRE(order.size() == 2);
    REQUIRE(order[0] != order[1]);
    if (order[0] == 0) {
      ++first_zero;
    }
  }
  const double share = static_cast<double>(first_zero) / k_draws;
  CHECK(share > 0.73);
  CHECK(share < 0.77);

  // The draw maps onto the cumulative weights: [0, 0.75) → 0, [0.75, 1) → 1.
  CHECK(balance_order(Strategy::weighted, pair, 0, 0.0)[0] == 0);
  CHECK(balance_order(Strategy::weighted, pair, 0, 0.7499)[0] == 0);
  CHECK(balance_order(Strategy::weighted, pair, 0, 0.75)[0] == 1);
  CHECK(balance_order(Strategy::weighted, pair, 0, std::nextafter(1.0, 0.0))[0] == 1);
}

TEST_CASE("weighted never chooses a weight of 0 and lists the rest in order", "[balancer]") {
  std::vector<BalanceCandidate> pair(2);
  pair[0].weight = 1.0;
  pair[1].weight = 0.0;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int i = 0; i < 1000; ++i) {
    CHECK(balance_order(Strategy::weighted, pair, i, uniform(rng)) ==
          std::vector<std::size_t>{0, 1});
  }
  // Even a draw at the very top goes to the last deployment that has a weight.
  CHECK(balance_order(Strategy::weighted, pair, 0, 1.0) == std::vector<std::size_t>{0, 1});

  std::vector<BalanceCandidate> four(4);
  four[0].weight = 1.0;
  four[1].weight = 1.0;
  four[2].weight = 2.0;  // draws in [0.5, 1) of the total: [0.25, 0.75)
  four[3].weight = 0.0;
  CHECK(balance_order(Strategy::weighted, four, 0, 0.1) == std::vector<std::size_t>{0, 1, 2, 3});
  CHECK(balance_order(Strategy::weighted, four, 0, 0.3) == std::vector<std::size_t>{1, 0, 2, 3});
  CHECK(balance_order(Strategy::weighted, four, 0, 0.6) == std::vector<std::size_t>{2, 0, 1, 3});
  CHECK(balance_order(Strategy::weighted, four, 0, 0.9999) == std::vector<std::size_t>{2, 0, 1, 3});
}

TEST_CASE("weighted treats unusable weights as 0 and falls back to listed order", "[balancer]") {
  std::vector<BalanceCandidate> bad(3);
  bad[0].weight = -5.0;
  bad[1].weight = std::numeric_limits<double>::quiet_NaN();
  bad[2].weight = 2.0;
  for (const double draw : {0.0, 0.5, 0.999}) {
    CHECK(balance_order(Strategy::weighted, bad, 0, draw) == std::vector<std::size_t>{2, 0, 1});
  }
  bad[2].weight = std::numeric_limits<double>::infinity();
  CHECK(balance_order(Strategy::weighted, bad, 0, 0.5) == std::vector<std::size_t>{0, 1, 2});

  std::vector<BalanceCandidate> zeros(3);
  for (auto& candidate : zeros) {
    candidate.weight = 0.0;
  }
  for (const double draw : {0.0, 0.5, 0.999}) {
    CHECK(balance_order(Strategy::weighted, zeros, 7, draw) == std::vector<std::size_t>{0, 1, 2});
  }
}

TEST_CASE("least-latency puts unknown latencies first, then the fastest", "[balancer]") {
  std::vector<BalanceCandidate> four(4);
  four[0].latency_ms = 50.0;
  four[1].latency_ms = 10.0;
  four[3].latency_ms = 30.0;
  CHECK(balance_order(Strategy::least_latency, four, 0, 0.5) ==
        std::vector<std::size_t>{2, 1, 3, 0});
  // With distinct latencies the counter changes nothing.
  CHECK(balance_order(Strategy::least_latency, four, 5, 0.5) ==
        std::vector<std::size_t>{2, 1, 3, 0});
}

TEST_CASE("least-latency spreads equal latencies by the counter", "[balancer]") {
  std::vector<BalanceCandidate> three(3);
  three[0].latency_ms = 20.0;
  three[1].latency_ms = 20.0;
  three[2].latency_ms = 5.0;
  CHECK(balance_order(Strategy::least_latency, three, 0, 0.5) == std::vector<std::size_t>{2, 0, 1});
  CHECK(balance_order(Strategy::least_latency, three, 1, 0.5) == std::vector<std::size_t>{2, 1, 0});
  CHECK(balance_order(Strategy::least_latency, three, 2, 0.5) == std::vector<std::size_t>{2, 0, 1});

  std::vector<BalanceCandidate> same(3);
  for (auto& candidate : same) {
    candidate.latency_ms = 42.0;
  }
  int firsts[3] = {0, 0, 0};
  for (std::uint64_t counter = 0; counter < 300; ++counter) {
    ++firsts[balance_order(Strategy::least_latency, same, counter, 0.5)[0]];
  }
  CHECK(firsts[0] == 100);
  CHECK(firsts[1] == 100);
  CHECK(firsts[2] == 100);

  // Several deployments without a latency share the first place the same way.
  const auto unknown = candidates(2);
  CHECK(balance_order(Strategy::least_latency, unknown, 0, 0.5) == std::vector<std::size_t>{0, 1});
  CHECK(balance_order(Strategy::least_latency, unknown, 1, 0.5) == std::vector<std::size_t>{1, 0});
}

TEST_CASE("least-busy orders by requests in flight, ties rotating", "[balancer]") {
  std::vector<BalanceCandidate> three(3);
  three[0].in_flight = 3;
  three[1].in_flight = 0;
  three[2].in_flight = 1;
  for (std::uint64_t counter = 0; counter < 3; ++counter) {
    CHECK(balance_order(Strategy::least_busy, three, counter, 0.5) ==
          std::vector<std::size_t>{1, 2, 0});
  }

  const auto idle = candidates(3);
  int firsts[3] = {0, 0, 0};
  for (std::uint64_t counter = 0; counter < 300; ++counter) {
    const auto order = balance_order(Strategy::least_busy, idle, counter, 0.5);
    CHECK(order == balance_order(Strategy::round_robin, idle, counter, 0.5));
    ++firsts[order[0]];
  }
  CHECK(firsts[0] == 100);
  CHECK(firsts[1] == 100);
  CHECK(firsts[2] == 100);
}

TEST_CASE("priority keeps the listed order whatever the counter and draw", "[balancer]") {
  std::vector<BalanceCandidate> four(4);
  four[0].in_flight = 9;
  four[0].latency_ms = 900.0;
  four[3].weight = 100.0;
  for (std::uint64_t counter = 0; counter < 8; ++counter) {
    for (const double draw : {0.0, 0.3, 0.99}) {
      CHECK(balance_order(Strategy::priority, four, counter, draw) ==
            std::vector<std::size_t>{0, 1, 2, 3});
    }
  }
}

TEST_CASE("every strategy returns a permutation of the candidates", "[balancer]") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::uniform_int_distribution<int> busy(0, 3);
  for (const auto strategy : k_all_strategies) {
    CHECK(balance_order(strategy, {}, 3, 0.5).empty());
    for (std::size_t n = 1; n <= 5; ++n) {
      for (std::uint64_t counter = 0; counter < 10; ++counter) {
        std::vector<BalanceCandidate> some(n);
        for (std::size_t i = 0; i < n; ++i) {
          some[i].weight = static_cast<double>(i % 3);  // includes weights of 0
          some[i].in_flight = busy(rng);
          if (i % 2 == 1) {
            some[i].latency_ms = static_cast<double>(busy(rng)) * 10.0;
          }
        }
        const auto order = balance_order(strategy, some, counter, uniform(rng));
        INFO(to_string(strategy) << " n=" << n << " counter=" << counter);
        CHECK(is_permutation_of_indices(order, n));
      }
    }
  }
}

TEST_CASE("latency EWMA: first sample sets it, later ones move it by alpha", "[balancer]") {
  LatencyEwma ewma;
  CHECK_FALSE(ewma.value());
  ewma.add(-1.0);
  ewma.add(std::numeric_limits<double>::quiet_NaN());
  ewma.add(std::numeric_limits<double>::infinity());
  CHECK_FALSE(ewma.value());

  ewma.add(100.0);
  REQUIRE(ewma.value());
  CHECK(*ewma.value() == 100.0);
  ewma.add(200.0);  // 0.3 × 200 + 0.7 × 100
  CHECK(*ewma.value() == 130.0);
  ewma.add(0.0);  // 0.3 × 0 + 0.7 × 130
  CHECK(*ewma.value() == 91.0);

  ewma.add(-50.0);
  ewma.add(std::numeric_limits<double>::quiet_NaN());
  ewma.add(-std::numeric_limits<double>::infinity());
  CHECK(*ewma.value() == 91.0);
}

TEST_CASE("latency EWMA takes samples from many threads", "[balancer]") {
  LatencyEwma ewma;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&ewma] {
      for (int i = 0; i < 1000; ++i) {
        ewma.add(100.0);
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  REQUIRE(ewma.value());
  CHECK(*ewma.value() == 100.0);
}
