#include "daemon/metrics.hpp"

#include <array>
#include <cmath>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

#include "daemon/metric_series.hpp"
#include "daemon/prometheus_text.hpp"

namespace llmgw::daemon {

namespace {

using series::CappedMap;
using series::Family;
using series::Histogram;

// Whole requests to an LLM: milliseconds for a cache hit, minutes for a long generation.
constexpr std::array<double, 15> k_duration_buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                    2.5,   5,    10,    30,   60,  120,  300};
// The gateway's own share of a request, which the daemon keeps to microseconds.
constexpr std::array<double, 13> k_overhead_buckets{
    1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 1e-1};

// The most one request may add to llmgw_cost_usd_total: a bound on a caller's mistake.
constexpr double k_max_cost_usd = 1e6;

// llmgw_tokens_total's types, in the label's sort order.
enum TokenType { cache_write, cached_input, input, output, reasoning, k_token_types };
constexpr std::array<const char*, k_token_types> k_token_type_names{"cache_write", "cached_input",
                                                                    "input", "output", "reasoning"};

struct RequestSeries {
  std::atomic<std::uint64_t> count{0};
};

struct UsageSeries {
  std::array<std::atomic<std::uint64_t>, k_token_types> tokens{};
  std::atomic<std::uint64_t> cost{0};  // nano-dollars
};

struct ProviderSeries {
  Histogram upstream{k_duration_buckets};
  std::atomic<std::uint64_t> retries{0};
};

struct EndpointSeries {
  Histogram duration{k_duration_buckets};
};

struct Admitted {};

void add(std::atomic<std::uint64_t>& counter, std::int64_t amount) {
  if (amount > 0)
    counter.fetch_add(static_cast<std::uint64_t>(amount), std::memory_order_relaxed);
}

// HTTP statuses only; anything else the daemon might pass is "0".
std::string status_label(int status) {
  return status >= 100 && status <= 599 ? std::to_string(status) : std::string("0");
}

int breaker_gauge(BreakerState state) {
  switch (state) {
    case BreakerState::closed:
      return 0;
    case BreakerState::half_open:
      return 1;
    case BreakerState::open:
      return 2;
  }
  return 0;
}

}  // namespace

struct Metrics::State {
  explicit State(const MetricsLimits& limits)
      : limits(limits),
        endpoints(limits.max_endpoints),
        providers(limits.max_providers),
        models(limits.max_models),
        requests(limits.max_series),
        usage(limits.max_series),
        by_provider(limits.max_series),
        by_endpoint(limits.max_series) {}

  // `value` if its dimension still has room for it (or already holds it), else "other".
  std::string admit(CappedMap<Admitted>& dimension, std::string_view value) {
    if (value.size() > limits.max_label_bytes)
      return other();
    std::string label(value);
    const bool admitted =
        dimension.get(label, [] { return std::make_unique<Admitted>(); }) != nullptr;
    return admitted ? label : other();
  }

  // The series of each family for an observation. Past the family's cap, the series keeps
  // the labels the daemon chose (endpoint, status) and has "other" for those from requests.
  RequestSeries& request_series(const RequestObservation& o) {
    using Values = decltype(requests)::Values;
    using Views = decltype(requests)::Views;
    return requests.at(
        {o.endpoint, o.provider, o.model, status_label(o.status)},
        [&](const Views& v) {
          return Values{admit(endpoints, v[0]), admit(providers, v[1]), admit(models, v[2]),
                        std::string(v[3])};
        },
        [](const Values& v) {
          return Values{v[0], other(), other(), v[3]};
        });
  }
  UsageSeries& usage_series(const RequestObservation& o) {
    using Values = decltype(usage)::Values;
    using Views = decltype(usage)::Views;
    return usage.at(
        {o.provider, o.model},
        [&](const Views& v) {
          return Values{admit(providers, v[0]), admit(models, v[1])};
        },
        [](const Values&) {
          return Values{other(), other()};
        });
  }
  ProviderSeries& provider_series(const RequestObservation& o) {
    using Values = decltype(by_provider)::Values;
    using Views = decltype(by_provider)::Views;
    return by_provider.at(
        {o.provider}, [&](const Views& v) { return Values{admit(providers, v[0])}; },
        [](const Values&) { return Values{other()}; });
  }
  EndpointSeries& endpoint_series(const RequestObservation& o) {
    using Values = decltype(by_endpoint)::Values;
    using Views = decltype(by_endpoint)::Views;
    return by_endpoint.at(
        {o.endpoint}, [&](const Views& v) { return Values{admit(endpoints, v[0])}; },
        [](const Values&) { return Values{other()}; });
  }
  static std::string other() { return std::string(k_other_label); }

  const MetricsLimits limits;
  CappedMap<Admitted> endpoints;
  CappedMap<Admitted> providers;
  CappedMap<Admitted> models;

  Family<RequestSeries, 4> requests;  // endpoint, provider, model, status
  Family<UsageSeries, 2> usage;       // provider, model
  Family<ProviderSeries, 1> by_provider;
  Family<EndpointSeries, 1> by_endpoint;
  Histogram overhead{k_overhead_buckets};
  std::array<std::atomic<std::uint64_t>, 2> cache{};  // hit, miss
};

Metrics::Metrics(MetricsLimits limits) : m_state(std::make_unique<State>(limits)) {}

Metrics::~Metrics() = default;

Metrics::InFlight::InFlight(std::atomic<std::int64_t>& gauge) : m_gauge(&gauge) {
  m_gauge->fetch_add(1, std::memory_order_relaxed);
}

Metrics::InFlight::~InFlight() {
  if (m_gauge != nullptr)
    m_gauge->fetch_sub(1, std::memory_order_relaxed);
}

Metrics::InFlight Metrics::in_flight() {
  return InFlight(m_in_flight);
}

void Metrics::observe(const RequestObservation& o) {
  State& s = *m_state;
  s.request_series(o).count.fetch_add(1, std::memory_order_relaxed);

  const double duration = o.duration_seconds > 0 ? o.duration_seconds : 0;  // NaN too
  const double upstream = o.upstream_seconds > 0 ? o.upstream_seconds : 0;
  s.endpoint_series(o).duration.observe(duration);
  s.overhead.observe(duration > upstream ? duration - upstream : 0);

  if (upstream > 0 || o.retries > 0) {
    ProviderSeries& provider = s.provider_series(o);
    if (upstream > 0)
      provider.upstream.observe(upstream);
    add(provider.retries, o.retries);
  }

  const bool priced = o.cost_usd && std::isfinite(*o.cost_usd) && *o.cost_usd > 0;
  if (priced || o.input_tokens > 0 || o.output_tokens > 0 || o.cached_input_tokens > 0 ||
      o.cache_write_tokens > 0 || o.reasoning_tokens > 0) {
    UsageSeries& usage = s.usage_series(o);
    add(usage.tokens[input], o.input_tokens);
    add(usage.tokens[output], o.output_tokens);
    add(usage.tokens[cached_input], o.cached_input_tokens);
    add(usage.tokens[cache_write], o.cache_write_tokens);
    add(usage.tokens[reasoning], o.reasoning_tokens);
    if (priced)
      usage.cost.fetch_add(series::to_billionths(*o.cost_usd, k_max_cost_usd),
                           std::memory_order_relaxed);
  }

  if (o.cache != CacheOutcome::none)
    s.cache[o.cache == CacheOutcome::hit ? 0 : 1].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render(const std::vector<HealthRegistry::DeploymentStatus>& breakers,
                            double uptime_seconds) const {
  const State& s = *m_state;
  PrometheusText text;

  text.family("llmgw_requests_total", "counter",
              "Requests finished, by endpoint, the provider and model that served or last "
              "failed (empty when none was known) and the HTTP status sent.");
  for (const auto* e : s.requests.sorted())
    text.sample("llmgw_requests_total",
                {{"endpoint", e->values[0]},
                 {"provider", e->values[1]},
                 {"model", e->values[2]},
                 {"status", e->values[3]}},
                e->series.count.load(std::memory_order_relaxed));

  text.family("llmgw_request_duration_seconds", "histogram",
              "Duration of whole requests, as the client saw them.");
  for (const auto* e : s.by_endpoint.sorted())
    e->series.duration.write(text, "llmgw_request_duration_seconds", {{"endpoint", e->values[0]}});

  const auto by_provider = s.by_provider.sorted();
  text.family("llmgw_upstream_duration_seconds", "histogram",
              "Time a request waited on providers (every attempt), by the provider that served "
              "or last failed.");
  for (const auto* e : by_provider)
    e->series.upstream.write(text, "llmgw_upstream_duration_seconds", {{"provider", e->values[0]}});

  text.family("llmgw_overhead_seconds", "histogram",
              "The gateway's own time per request: its duration minus the time upstream.");
  s.overhead.write(text, "llmgw_overhead_seconds", {});

  const auto usage = s.usage.sorted();
  text.family("llmgw_tokens_total", "counter",
              "Tokens providers reported; cached_input and cache_write are part of input, "
              "reasoning part of output.");
  for (const auto* e : usage)
    for (int type = 0; type < k_token_types; ++type)
      text.sample("llmgw_tokens_total",
                  {{"provider", e->values[0]},
                   {"model", e->values[1]},
                   {"type", k_token_type_names[static_cast<std::size_t>(type)]}},
                  e->series.tokens[static_cast<std::size_t>(type)].load(std::memory_order_relaxed));

  text.family("llmgw_cost_usd_total", "counter",
              "Cost of the answers in US dollars at llmgw's prices (unpriced answers add "
              "nothing).");
  for (const auto* e : usage)
    text.sample("llmgw_cost_usd_total", {{"provider", e->values[0]}, {"model", e->values[1]}},
                series::from_billionths(e->series.cost.load(std::memory_order_relaxed)));

  text.family("llmgw_cache_requests_total", "counter",
              "Requests the response cache could answer, by result.");
  text.sample("llmgw_cache_requests_total", {{"result", "hit"}},
              s.cache[0].load(std::memory_order_relaxed));
  text.sample("llmgw_cache_requests_total", {{"result", "miss"}},
              s.cache[1].load(std::memory_order_relaxed));

  text.family("llmgw_retries_total", "counter",
              "Attempts beyond a request's first, by the provider that served or last failed.");
  for (const auto* e : by_provider)
    text.sample("llmgw_retries_total", {{"provider", e->values[0]}},
                e->series.retries.load(std::memory_order_relaxed));

  text.family("llmgw_in_flight_requests", "gauge", "Requests being answered now.");
  text.sample("llmgw_in_flight_requests", {},
              static_cast<double>(m_in_flight.load(std::memory_order_relaxed)));

  // status() is per key; the labels are per provider and base URL.
  struct Deployment {
    int state = 0;
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;
  };
  std::map<std::pair<std::string, std::string>, Deployment> deployments;
  for (const auto& status : breakers) {
    Deployment& d = deployments[{status.provider, status.base_url}];
    d.state = std::max(d.state, breaker_gauge(status.breaker.state));
    d.requests += status.requests;
    d.failures += status.failures;
  }
  const auto labels = [](const auto& key) {
    return Labels{{"provider", key.first}, {"base_url", key.second}};
  };
  text.family("llmgw_breaker_state", "gauge",
              "Circuit breaker per deployment: 0 closed, 1 half-open, 2 open (the worst of its "
              "keys).");
  for (const auto& [key, d] : deployments)
    text.sample("llmgw_breaker_state", labels(key), static_cast<double>(d.state));
  text.family("llmgw_breaker_requests_total", "counter",
              "Attempts sent to a deployment, all its keys together.");
  for (const auto& [key, d] : deployments)
    text.sample("llmgw_breaker_requests_total", labels(key), d.requests);
  text.family("llmgw_breaker_failures_total", "counter",
              "Of those attempts, the ones that counted against the deployment's health.");
  for (const auto& [key, d] : deployments)
    text.sample("llmgw_breaker_failures_total", labels(key), d.failures);

  text.family("llmgw_uptime_seconds", "gauge", "Seconds since the daemon started.");
  text.sample("llmgw_uptime_seconds", {},
              std::isfinite(uptime_seconds) && uptime_seconds > 0 ? uptime_seconds : 0.0);
  return text.text();
}

}  // namespace llmgw::daemon
