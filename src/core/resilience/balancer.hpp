// Load balancing across the deployments of one alias ([aliases.<name>] with several
// targets): which one to try first, and the order of the rest for failover. Pure: the
// live numbers, the round-robin counter and the random draw come in as arguments.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace llmgw {

enum class Strategy {
  round_robin,    // in turn
  weighted,       // at random, in proportion to the weights
  least_latency,  // lowest EWMA of recent latency first (deployments without one first)
  least_busy,     // fewest requests in flight first
  priority,       // as listed: the first unless it fails
};

// "round-robin", "weighted", "least-latency", "least-busy", "priority".
const char* to_string(Strategy strategy);
std::optional<Strategy> parse_strategy(std::string_view name);

// What the balancer knows of one deployment.
struct BalanceCandidate {
  double weight = 1.0;               // > 0; used by weighted only
  int in_flight = 0;                 // used by least_busy
  std::optional<double> latency_ms;  // EWMA; nullopt: no request finished yet
};

// The order to try `candidates` in: a permutation of 0..n-1. The first is the strategy's
// choice; the rest follow in the strategy's order of preference, so a failing first
// choice falls over to the next best.
//   round_robin:   starts at counter % n, then the following ones, wrapping.
//   weighted:      the first drawn with probability weight / sum(weights) using random01
//                  in [0, 1); the rest in listed order.
//   least_latency: ascending latency, deployments without a latency first; ties in the
//                  round-robin order from counter (so equals share the load).
//   least_busy:    ascending in_flight; ties in the round-robin order from counter.
//   priority:      listed order.
std::vector<std::size_t> balance_order(Strategy strategy,
                                       const std::vector<BalanceCandidate>& candidates,
                                       std::uint64_t counter, double random01);

// An exponentially weighted moving average of latencies, lock-free (atomic, CAS loop),
// for least_latency. The first sample sets it; each later one moves it by `alpha`.
class LatencyEwma {
 public:
  static constexpr double k_alpha = 0.3;
  void add(double milliseconds);
  std::optional<double> value() const;

 private:
  std::atomic<double> m_value{-1.0};  // negative: no sample yet
};

}  // namespace llmgw
