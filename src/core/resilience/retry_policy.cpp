#include "core/resilience/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace llmgw {

namespace {

// Statuses that say the request itself is wrong or not allowed: another try gets the same.
bool never_retried_status(int status) {
  return status == 400 || status == 401 || status == 403 || status == 404 || status == 422;
}

}  // namespace

bool is_retryable(const Error& error) {
  switch (error.kind) {
    case ErrorKind::network:
    case ErrorKind::timeout:
      // The transport marks a failure retryable only when no byte of the answer came.
      return error.retryable;
    case ErrorKind::upstream:
      return error.retryable && !never_retried_status(error.http_status);
    default:
      return false;
  }
}

bool is_health_failure(const Error& error) {
  switch (error.kind) {
    case ErrorKind::network:
    case ErrorKind::timeout:
    case ErrorKind::stream_broken:
      return true;
    case ErrorKind::upstream:
      return error.http_status >= 500;
    default:
      return false;
  }
}

std::chrono::milliseconds backoff_delay(int retry, const RetrySettings& settings, double random01) {
  // base * 2^retry, computed in double so that a large retry number cannot overflow.
  const double ceiling =
      std::min(static_cast<double>(settings.max_delay.count()),
               static_cast<double>(settings.base_delay.count()) * std::exp2(std::max(retry, 0)));
  const double draw = std::clamp(random01, 0.0, 1.0) * std::max(ceiling, 0.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(draw));
}

RetryDecision decide_retry(const Error& error, int retries_done, const RetrySettings& settings,
                           double random01) {
  RetryDecision decision;
  if (!is_retryable(error) || retries_done >= settings.max_retries)
    return decision;
  if (error.retry_after) {
    const double asked_ms = std::ceil(*error.retry_after * 1000.0);
    if (asked_ms > static_cast<double>(settings.max_wait.count())) {
      decision.action = RetryDecision::Action::too_long;
      decision.wait = std::chrono::milliseconds(
          static_cast<std::int64_t>(std::min(asked_ms, 1e12)));  // far beyond any cap
      return decision;
    }
    decision.wait = std::chrono::milliseconds(static_cast<std::int64_t>(asked_ms));
  } else {
    decision.wait = backoff_delay(retries_done, settings, random01);
  }
  decision.action = RetryDecision::Action::retry;
  return decision;
}

}  // namespace llmgw
