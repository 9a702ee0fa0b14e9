// The one attempt loop every request goes through (chat, streams, embeddings, images):
// candidates in order (a model's deployments, then its fallbacks), each with its keys in
// turn, each retried as RetrySettings say; circuit breakers skip unwell deployments without
// touching the network; nothing is retried once any part of the answer reached the caller.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/config/credentials.hpp"
#include "core/error.hpp"
#include "core/resilience/health.hpp"
#include "core/routing.hpp"

namespace llmgw {

// One try of a deployment, or one skipped without touching the network. For --verbose,
// the final error, and later the ledger and the daemon's headers.
struct AttemptRecord {
  std::string provider;
  std::string model;                    // the upstream model
  std::string key_hint;                 // the key redacted to its last 4 characters, or ""
  std::chrono::milliseconds waited{0};  // the pause before it (backoff or Retry-After)
  // From sending to the outcome, in microseconds: a local upstream answers in less than
  // a millisecond, and the daemon's overhead metric is the request's time minus this.
  std::chrono::microseconds took{0};
  bool sent = false;           // false: skipped (circuit open, no key, keys cooling)
  std::optional<Error> error;  // nullopt: it served the answer
};

// "openai/gpt-4o-mini (key …wxyz): HTTP 503: openai: overloaded" and the like.
std::string describe(const AttemptRecord& attempt);

// Performs one attempt at `route` with `key`; throws GatewayError when it fails. Sets
// `committed` once any part of the answer reached the caller (a stream's first chunk):
// a failure after that is final.
using AttemptFn = std::function<void(const Route& route, const ResolvedKey& key, bool& committed)>;
// The keys to try a route with, in order (one empty key for a keyless provider). Throws
// GatewayError{missing_key} when there is none.
using KeysFn = std::function<std::vector<ResolvedKey>(const Route& route)>;

struct AttemptOutcome {
  std::size_t served_by = 0;  // index of the candidate that answered
  std::vector<AttemptRecord> attempts;
};

class AttemptLoop {
 public:
  // random01: a uniform draw from [0, 1) for backoff jitter.
  AttemptLoop(Clock& clock, HealthRegistry& health, std::function<double()> random01,
              const CancelToken* cancel)
      : m_clock(clock), m_health(health), m_random01(std::move(random01)), m_cancel(cancel) {}

  // Tries `candidates` in order until one succeeds. Per candidate: its keys round-robin
  // through the KeyPool (a 429 cools a key and the next one goes at once; a 401/403 marks
  // it bad), up to route.retry.max_retries retries with backoff or the provider's
  // Retry-After (waited on the Clock; a longer one than max_wait moves on instead), and
  // the deployment's breaker asked first and told the outcome.
  // Throws GatewayError: a cancel, or the failure of a committed attempt, as it is; when
  // every candidate failed, the last error, whose message names every attempt and why it
  // failed when there was more than one.
  AttemptOutcome run(const std::vector<Route>& candidates, const KeysFn& keys,
                     const AttemptFn& attempt);

 private:
  Clock& m_clock;
  HealthRegistry& m_health;
  std::function<double()> m_random01;
  const CancelToken* m_cancel;
};

}  // namespace llmgw
