#include "core/resilience/balancer.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace llmgw {

namespace {

// 0..n-1 starting at counter % n, wrapping: the round-robin order, and the tie order of the
// "least" strategies so that equal deployments share the load.
std::vector<std::size_t> rotated(std::size_t n, std::uint64_t counter) {
  std::vector<std::size_t> order(n);
  const auto start = static_cast<std::size_t>(counter % n);
  for (std::size_t i = 0; i < n; ++i) {
    order[i] = (start + i) % n;
  }
  return order;
}

// Weights that cannot be a share of the traffic (negative, zero, NaN, infinite) count as 0,
// so one bad config value neither poisons the sum nor takes all the traffic.
double usable_weight(double weight) {
  return std::isfinite(weight) && weight > 0.0 ? weight : 0.0;
}

std::vector<std::size_t> weighted_order(const std::vector<BalanceCandidate>& candidates,
                                        double random01) {
  const std::size_t n = candidates.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});

  double total = 0.0;
  std::size_t last_positive = n;
  for (std::size_t i = 0; i < n; ++i) {
    const double weight = usable_weight(candidates[i].weight);
    if (weight > 0.0) {
      total += weight;
      last_positive = i;
    }
  }
  // No usable weight (or a sum that overflowed): nothing to draw by, keep the listed order.
  if (last_positive == n || !std::isfinite(total)) {
    return order;
  }

  const double draw = std::isfinite(random01) ? std::clamp(random01, 0.0, 1.0) : 0.0;
  const double target = draw * total;
  // Rounding in the cumulative sum (or random01 == 1) can leave target at or past the last
  // boundary; the last deployment with a weight then takes it, never one with weight 0.
  std::size_t chosen = last_positive;
  double cumulative = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double weight = usable_weight(candidates[i].weight);
    if (weight <= 0.0) {
      continue;
    }
    cumulative += weight;
    if (target < cumulative) {
      chosen = i;
      break;
    }
  }

  order.erase(order.begin() + static_cast<std::ptrdiff_t>(chosen));
  order.insert(order.begin(), chosen);
  return order;
}

}  // namespace

const char* to_string(Strategy strategy) {
  switch (strategy) {
    case Strategy::round_robin:
      return "round-robin";
    case Strategy::weighted:
      return "weighted";
    case Strategy::least_latency:
      return "least-latency";
    case Strategy::least_busy:
      return "least-busy";
    case Strategy::priority:
      return "priority";
  }
  return "round-robin";
}

std::optional<Strategy> parse_strategy(std::string_view name) {
  for (const auto strategy : {Strategy::round_robin, Strategy::weighted, Strategy::least_latency,
                              Strategy::least_busy, Strategy::priority}) {
    if (name == to_string(strategy)) {
      return strategy;
    }
  }
  return std::nullopt;
}

std::vector<std::size_t> balance_order(Strategy strategy,
                                       const std::vector<BalanceCandidate>& candidates,
                                       std::uint64_t counter, double random01) {
  const std::size_t n = candidates.size();
  if (n == 0) {
    return {};
  }
  switch (strategy) {
    case Strategy::round_robin:
      return rotated(n, counter);
    case Strategy::weighted:
      return weighted_order(candidates, random01);
    case Strategy::least_latency: {
      auto order = rotated(n, counter);
      // A NaN latency would break the strict weak ordering sort needs; it is as good as
      // unknown, so it sorts with the deployments that have none.
      const auto known = [&](std::size_t i) {
        const auto& latency = candidates[i].latency_ms;
        return latency.has_value() && !std::isnan(*latency);
      };
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const bool known_a = known(a);
        const bool known_b = known(b);
        if (known_a != known_b) {
          return !known_a;
        }
        return known_a && *candidates[a].latency_ms < *candidates[b].latency_ms;
      });
      return order;
    }
    case Strategy::least_busy: {
      auto order = rotated(n, counter);
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return candidates[a].in_flight < candidates[b].in_flight;
      });
      return order;
    }
    case Strategy::priority:
      break;
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  return order;
}

void LatencyEwma::add(double milliseconds) {
  // A negative or non-finite latency is a measuring error (clock step, bad arithmetic); one
  // of them would otherwise stay in the average for a long time, or mark it as unset.
  if (!std::isfinite(milliseconds) || milliseconds < 0.0) {
    return;
  }
  double old = m_value.load(std::memory_order_relaxed);
  double next = 0.0;
  do {
    // old + alpha * (sample - old) is alpha * sample + (1 - alpha) * old, written so that a
    // sample equal to the average leaves it exactly unchanged (no rounding drift).
    next = old < 0.0 ? milliseconds : old + k_alpha * (milliseconds - old);
  } while (!m_value.compare_exchange_weak(old, next, std::memory_order_relaxed,
                                          std::memory_order_relaxed));
}

std::optional<double> LatencyEwma::value() const {
  const double value = m_value.load(std::memory_order_relaxed);
  if (value < 0.0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace llmgw
