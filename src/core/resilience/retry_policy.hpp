// When a failed attempt is tried again, and after how long. Pure: the caller passes the
// random number and does the waiting (through its Clock).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace llmgw {

struct RetrySettings {
  int max_retries = 3;  // attempts after the first, per deployment
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{20'000};
  // The longest Retry-After honoured: a provider asking for more is not waited for (the
  // next deployment or model is tried, or the error says how long it asked for).
  std::chrono::milliseconds max_wait{60'000};

  bool operator==(const RetrySettings&) const = default;
};

// Whether `error` is worth another attempt at the same deployment, before any byte of the
// answer reached the caller: connection failures and timeouts before the first byte
// (the transport marks them retryable), upstream errors the adapter marked retryable
// (408, 409, 429, 5xx incl. 529, overloaded_error...). Never: 400, 401, 403, 404, 422,
// a cancelled request, or a local error (bad request, missing key, config).
bool is_retryable(const Error& error);

// Whether `error` says this deployment is unwell (its breaker counts it as a failure):
// connection failures, timeouts, 5xx (incl. 529) and broken streams. A 4xx (even 429,
// which cools the key down instead) says nothing about the deployment's health.
bool is_health_failure(const Error& error);

// The wait before retry number `retry` (0 for the first retry): full jitter, a uniform
// draw from [0, min(max_delay, base_delay * 2^retry)]. `random01` is in [0, 1).
std::chrono::milliseconds backoff_delay(int retry, const RetrySettings& settings, double random01);

struct RetryDecision {
  enum class Action {
    retry,     // wait `wait`, then try the same deployment again
    give_up,   // not retryable, or no retries left: move on to the next deployment/model
    too_long,  // retryable, but Retry-After asks for more than max_wait: move on; `wait`
               // holds what was asked
  };
  Action action = Action::give_up;
  std::chrono::milliseconds wait{0};
};

// What to do after `error` on retry number `retries_done` (0 after the first attempt).
// The wait is the provider's Retry-After when it sent one (capped: above max_wait gives
// too_long), else backoff_delay.
RetryDecision decide_retry(const Error& error, int retries_done, const RetrySettings& settings,
                           double random01);

}  // namespace llmgw
