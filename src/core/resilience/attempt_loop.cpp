#include "core/resilience/attempt_loop.hpp"

#include <cmath>
#include <cstdio>

#include "core/resilience/retry_policy.hpp"

namespace llmgw {

namespace {

using std::chrono::milliseconds;

std::string seconds_text(milliseconds ms) {
  char text[32];
  const double seconds = static_cast<double>(ms.count()) / 1000.0;
  std::snprintf(text, sizeof text, seconds < 10 ? "%.1f s" : "%.0f s", seconds);
  return text;
}

std::chrono::microseconds since(std::chrono::steady_clock::time_point start,
                                std::chrono::steady_clock::time_point end) {
  return std::chrono::duration_cast<std::chrono::microseconds>(end - start);
}

bool is_key_refused(const Error& error) {
  return error.kind == ErrorKind::upstream &&
         (error.http_status == 401 || error.http_status == 403);
}

bool is_rate_limited(const Error& error) {
  return error.kind == ErrorKind::upstream && error.http_status == 429;
}

// The error of a deployment skipped because its breaker is open.
Error circuit_open_error(const Route& route, const CircuitBreaker::Snapshot& breaker) {
  Error error =
      make_error(ErrorKind::upstream,
                 route.provider.name + ": circuit open after repeated failures; next try in " +
                     seconds_text(breaker.retry_in),
                 "wait, or use a fallback model: -m \"model,other/model\"");
  error.http_status = 503;
  error.type = "circuit_open";
  error.code = "circuit_open";
  error.provider = route.provider.name;
  return error;
}

Error keys_cooling_error(const Route& route, milliseconds wait, milliseconds max_wait) {
  Error error = make_error(
      ErrorKind::upstream,
      route.provider.name + ": every key is rate-limited for " + seconds_text(wait) +
          " more (longer than the " + seconds_text(max_wait) + " max_wait)",
      "wait, add a key with `llmgw keys add " + route.provider.name + "`, or use a fallback model");
  error.http_status = 429;
  error.type = "rate_limit_error";
  error.provider = route.provider.name;
  error.retry_after = static_cast<double>(wait.count()) / 1000.0;
  return error;
}

Error keys_refused_error(const Route& route, const Error& last) {
  Error error = last;
  error.message = route.provider.name + ": every key was refused (" + last.message + ")";
  error.fix = "check the keys: `llmgw keys list`, `llmgw keys set " + route.provider.name + "`";
  return error;
}

// A final error as it is, with the number of attempts behind it.
Error counted(Error error, const std::vector<AttemptRecord>& attempts) {
  error.attempts = static_cast<int>(attempts.size());
  return error;
}

// The error thrown when every candidate failed.
Error final_error(const std::vector<AttemptRecord>& attempts, Error last) {
  last.attempts = static_cast<int>(attempts.size());
  if (attempts.size() <= 1)
    return last;
  std::string message = "all " + std::to_string(attempts.size()) + " attempts failed: ";
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    message += (i == 0 ? "" : "; ") + std::string("[") + std::to_string(i + 1) + "] " +
               describe(attempts[i]);
  }
  last.message = std::move(message);
  return last;
}

}  // namespace

std::string describe(const AttemptRecord& attempt) {
  std::string text = attempt.provider + "/" + attempt.model;
  if (!attempt.key_hint.empty())
    text += " (key " + attempt.key_hint + ")";
  if (attempt.waited.count() > 0)
    text += " after waiting " + seconds_text(attempt.waited);
  if (!attempt.sent)
    text += ", skipped";
  if (!attempt.error)
    return text + ": ok";
  const Error& error = *attempt.error;
  text += ": ";
  if (attempt.sent && error.kind == ErrorKind::upstream && error.http_status > 0)
    text += "HTTP " + std::to_string(error.http_status) + ": ";
  return text + error.message;
}

AttemptOutcome AttemptLoop::run(const std::vector<Route>& candidates, const KeysFn& keys_for,
                                const AttemptFn& attempt) {
  AttemptOutcome outcome;
  // The last failure, and the last of an attempt that was sent: the final error takes its
  // kind and status from the latter when there is one (a provider's 503 says more about
  // the outcome than a fallback skipped for want of a key).
  std::optional<Error> last;
  std::optional<Error> last_sent;
  const auto skip = [&](const Route& route, const std::string& key_hint, Error error) {
    outcome.attempts.push_back({route.provider.name, route.model, key_hint, milliseconds(0),
                                milliseconds(0), false, error});
    last = std::move(error);
  };

  for (std::size_t c = 0; c < candidates.size(); ++c) {
    const Route& route = candidates[c];
    if (route.provider.protocol == Protocol::mock) {
      // Built in: no network, no key, nothing to retry or to keep health for.
      const auto start = m_clock.steady_now();
      bool committed = false;
      try {
        attempt(route, ResolvedKey{"", "none"}, committed);
      } catch (const GatewayError& e) {
        outcome.attempts.push_back({route.provider.name, route.model, "", milliseconds(0),
                                    since(start, m_clock.steady_now()), true, e.error()});
        if (committed || e.error().kind == ErrorKind::cancelled)
          throw GatewayError(counted(e.error(), outcome.attempts));
        last = e.error();
        last_sent = last;
        continue;
      }
      outcome.attempts.push_back({route.provider.name, route.model, "", milliseconds(0),
                                  since(start, m_clock.steady_now()), true, std::nullopt});
      outcome.served_by = c;
      return outcome;
    }
    std::vector<ResolvedKey> keys;
    try {
      keys = keys_for(route);
    } catch (const GatewayError& e) {
      skip(route, "", e.error());
      continue;
    }
    std::vector<std::string> key_texts;
    for (const ResolvedKey& key : keys)
      key_texts.push_back(key.key);
    KeyPool& pool = m_health.key_pool(route.provider.name, route.provider.base_url, key_texts);
    TargetLoad& load = m_health.target(route.provider.name, route.provider.base_url, route.model);
    std::vector<bool> circuit_open(keys.size(), false);  // keys skipped for this request
    int retries = 0;
    milliseconds pending_wait{0};
    for (;;) {
      if (m_cancel != nullptr && m_cancel->cancelled())
        fail(ErrorKind::cancelled, "request cancelled");
      const auto now = m_clock.steady_now();
      std::optional<std::size_t> index;
      for (std::size_t tries = 0; tries < keys.size() && !index; ++tries) {
        index = pool.pick(now);
        if (index && circuit_open[*index])
          index.reset();
      }
      if (!index) {
        const auto wait = pool.wait_for_any(now);
        if (!wait)
          break;  // every key refused or behind an open circuit: recorded already
        if (*wait > route.retry.max_wait || retries >= route.retry.max_retries) {
          skip(route, "", keys_cooling_error(route, *wait, route.retry.max_wait));
          break;
        }
        m_clock.sleep_for(*wait, m_cancel);
        pending_wait += *wait;
        ++retries;
        continue;
      }
      const ResolvedKey& key = keys[*index];
      DeploymentHealth& deployment =
          m_health.deployment(route.provider.name, route.provider.base_url, key.key);
      if (!deployment.breaker.allow(now)) {
        circuit_open[*index] = true;
        skip(route, deployment.key_hint,
             circuit_open_error(route, deployment.breaker.snapshot(now)));
        continue;
      }

      deployment.requests.fetch_add(1, std::memory_order_relaxed);
      load.in_flight.fetch_add(1, std::memory_order_relaxed);
      bool committed = false;
      try {
        try {
          attempt(route, key, committed);
        } catch (const GatewayError&) {
          throw;
        } catch (...) {
          // Not an outcome (a bug, out of memory): give back what was taken, so that a
          // long-lived process keeps a true in-flight count and its half-open probe slot.
          load.in_flight.fetch_sub(1, std::memory_order_relaxed);
          deployment.breaker.record_neutral(m_clock.steady_now());
          throw;
        }
      } catch (const GatewayError& e) {
        load.in_flight.fetch_sub(1, std::memory_order_relaxed);
        const auto end = m_clock.steady_now();
        const Error& error = e.error();
        if (is_health_failure(error)) {
          deployment.failures.fetch_add(1, std::memory_order_relaxed);
          deployment.breaker.record_failure(end);
        } else {
          deployment.breaker.record_neutral(end);
        }
        outcome.attempts.push_back({route.provider.name, route.model, deployment.key_hint,
                                    pending_wait, since(now, end), true, error});
        pending_wait = milliseconds(0);
        if (committed || error.kind == ErrorKind::cancelled)
          throw GatewayError(counted(error, outcome.attempts));
        last = error;
        last_sent = error;

        if (is_key_refused(error)) {
          pool.mark_bad(*index);
          if (keys.size() > 1) {
            last = keys_refused_error(route, error);
            last_sent = last;
            continue;  // the next key; bounded by the number of keys
          }
          break;
        }
        const RetryDecision decision = decide_retry(error, retries, route.retry, m_random01());
        if (is_rate_limited(error) && keys.size() > 1 && retries < route.retry.max_retries) {
          // This key rests for as long as the provider asked (or the backoff); another goes
          // at once, or the loop waits for the first to cool down.
          pool.cool_down(*index, end + (decision.action == RetryDecision::Action::give_up
                                            ? backoff_delay(retries, route.retry, m_random01())
                                            : decision.wait));
          ++retries;
          continue;
        }
        if (decision.action == RetryDecision::Action::retry) {
          m_clock.sleep_for(decision.wait, m_cancel);
          pending_wait = decision.wait;
          ++retries;
          continue;
        }
        if (decision.action == RetryDecision::Action::too_long) {
          last->message += " (it asked to wait " + seconds_text(decision.wait) +
                           ", more than the max_wait of " + seconds_text(route.retry.max_wait) +
                           ")";
          outcome.attempts.back().error = last;
          last_sent = last;
        }
        break;
      }
      const auto end = m_clock.steady_now();
      load.in_flight.fetch_sub(1, std::memory_order_relaxed);
      load.latency.add(
          static_cast<double>(std::chrono::duration_cast<milliseconds>(since(now, end)).count()));
      deployment.breaker.record_success(end);
      outcome.attempts.push_back({route.provider.name, route.model, deployment.key_hint,
                                  pending_wait, since(now, end), true, std::nullopt});
      outcome.served_by = c;
      return outcome;
    }
  }
  if (!last)
    fail(ErrorKind::internal, "no model to try");
  throw GatewayError(final_error(outcome.attempts, last_sent ? *last_sent : *last));
}

}  // namespace llmgw
