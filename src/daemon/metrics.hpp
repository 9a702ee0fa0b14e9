// The daemon's Prometheus metrics (`GET /metrics`): exactly the series below, not a general
// Prometheus client.
//
//   llmgw_requests_total{endpoint,provider,model,status}    counter
//   llmgw_request_duration_seconds{endpoint}                histogram
//   llmgw_upstream_duration_seconds{provider}               histogram
//   llmgw_overhead_seconds                                  histogram (10 µs .. 100 ms)
//   llmgw_tokens_total{provider,model,type}                 counter
//   llmgw_cost_usd_total{provider,model}                    counter
//   llmgw_cache_requests_total{result}                      counter
//   llmgw_retries_total{provider}                           counter
//   llmgw_in_flight_requests                                gauge
//   llmgw_breaker_state{provider,base_url}                  gauge, from the caller's snapshot
//   llmgw_breaker_requests_total{provider,base_url}         counter, from the snapshot
//   llmgw_breaker_failures_total{provider,base_url}         counter, from the snapshot
//   llmgw_uptime_seconds                                    gauge, from the caller
//
// Recording is on every request's path and runs on many threads at once: it is atomics
// only, plus lookups in sharded maps (core/resilience/sharded_map.hpp) that take one
// shard's lock in shared mode; no lock is shared by all requests. Sums of seconds and
// dollars are kept as integer nanoseconds and nano-dollars, so concurrent adds are exact
// and their order does not matter.
//
// Provider and model labels come from requests, so their number is bounded (MetricsLimits):
// a value past its cap, or longer than max_label_bytes, is shown as "other", and a family
// that holds max_series series puts new ones in its series with provider and model "other".
// A client cannot grow the daemon's memory by inventing model names.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/resilience/health.hpp"
#include "daemon/cache_outcome.hpp"

namespace llmgw::daemon {

// One finished request, as the daemon saw it.
struct RequestObservation {
  std::string endpoint;  // the daemon's name for the route (chat, embeddings, images, models…)
  std::string provider;  // that served, or last failed; "" when none was known (e.g. a 400)
  std::string model;     // the upstream model that served, or last failed; "" when unknown
  int status = 200;      // the HTTP status sent to the client
  double duration_seconds = 0;    // the whole request, as the client saw it
  double upstream_seconds = 0;    // of that, spent waiting on providers; 0 when none was asked
  std::int64_t input_tokens = 0;  // as the provider reported them
  std::int64_t output_tokens = 0;
  std::int64_t cached_input_tokens = 0;  // part of input_tokens
  std::int64_t cache_write_tokens = 0;   // part of input_tokens
  std::int64_t reasoning_tokens = 0;     // part of output_tokens
  std::optional<double> cost_usd;        // nullopt when unpriced (adds nothing)
  CacheOutcome cache = CacheOutcome::none;
  int retries = 0;  // attempts beyond the first
};

struct MetricsLimits {
  std::size_t max_models = 1000;      // distinct model label values
  std::size_t max_providers = 100;    // distinct provider label values
  std::size_t max_endpoints = 32;     // distinct endpoint label values
  std::size_t max_series = 10'000;    // series of one labelled family (before "other")
  std::size_t max_label_bytes = 200;  // a longer provider, model or endpoint is "other"
};

// The label value that stands for every value past a cap.
inline constexpr std::string_view k_other_label = "other";

class Metrics {
 public:
  explicit Metrics(MetricsLimits limits = {});
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Counts one finished request in every family it concerns. Negative or non-finite
  // durations count as 0 and a negative or non-finite cost as none, so the output stays
  // parseable whatever the caller measured. Thread-safe.
  void observe(const RequestObservation& observation);

  // Counts a request in llmgw_in_flight_requests for as long as it lives.
  class InFlight {
   public:
    InFlight(InFlight&& other) noexcept : m_gauge(other.m_gauge) { other.m_gauge = nullptr; }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
    InFlight& operator=(InFlight&&) = delete;
    ~InFlight();

   private:
    friend class Metrics;
    explicit InFlight(std::atomic<std::int64_t>& gauge);
    std::atomic<std::int64_t>* m_gauge;
  };
  [[nodiscard]] InFlight in_flight();

  // The text for GET /metrics (content type k_prometheus_content_type in
  // prometheus_text.hpp): every family, series sorted by their label values. `breakers` is
  // HealthRegistry::status() taken now; deployments that differ only by key are shown as one
  // series (the worst state of their keys, the sum of their counts), since the labels name
  // provider and base URL only.
  std::string render(const std::vector<HealthRegistry::DeploymentStatus>& breakers,
                     double uptime_seconds) const;

 private:
  struct State;
  std::unique_ptr<State> m_state;
  std::atomic<std::int64_t> m_in_flight{0};
};

}  // namespace llmgw::daemon
