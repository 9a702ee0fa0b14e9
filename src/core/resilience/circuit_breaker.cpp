#include "core/resilience/circuit_breaker.hpp"

#include <algorithm>
#include <limits>

namespace llmgw {

namespace {

using Clock = std::chrono::steady_clock;

// A bucket index that no real time maps to, so a bucket holding it never counts.
constexpr std::int64_t k_no_bucket = std::numeric_limits<std::int64_t>::min();

std::int64_t ticks(Clock::time_point t) {
  return t.time_since_epoch().count();
}

// Rounded up, so that a caller who waits this long is not refused again.
std::chrono::milliseconds ceil_ms(std::int64_t tick_count) {
  return std::chrono::ceil<std::chrono::milliseconds>(Clock::duration{tick_count});
}

// The closed-state paths promise to take no lock; a library fallback could hide one.
static_assert(std::atomic<BreakerState>::is_always_lock_free);
static_assert(std::atomic<std::int64_t>::is_always_lock_free);

}  // namespace

const char* to_string(BreakerState state) {
  switch (state) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::open:
      return "open";
    case BreakerState::half_open:
      return "half-open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(BreakerSettings settings)
    : m_settings(settings),
      m_bucket_ticks(std::max<std::int64_t>(
          1, std::chrono::duration_cast<Clock::duration>(settings.window).count() / k_buckets)) {
  reset_counts();
}

std::int64_t CircuitBreaker::bucket_index(TimePoint now) const {
  // Floor division, so that times before the clock's epoch still land in distinct buckets.
  const std::int64_t t = ticks(now);
  const std::int64_t q = t / m_bucket_ticks;
  return (t % m_bucket_ticks < 0) ? q - 1 : q;
}

// Lock-free. When a bucket is recycled for a new slice of time, an outcome added by
// another thread between the index change and the zeroing can be lost; the window counts
// are a statistic and the consecutive-failure rule is exact, so this is accepted rather
// than taking a lock on the success path.
void CircuitBreaker::add_to_window(TimePoint now, bool failed) {
  const std::int64_t index = bucket_index(now);
  Bucket& bucket = m_buckets[((index % k_buckets) + k_buckets) % k_buckets];
  std::int64_t held = bucket.index.load(std::memory_order_acquire);
  while (held < index) {
    if (bucket.index.compare_exchange_weak(held, index, std::memory_order_acq_rel)) {
      bucket.requests.store(0, std::memory_order_relaxed);
      bucket.failures.store(0, std::memory_order_relaxed);
      held = index;
    }
  }
  if (held != index) {
    // Another thread moved the bucket on to a newer slice of time: `now` is older than the
    // window it holds (threads race when reading the clock), so the outcome is dropped.
    return;
  }
  bucket.requests.fetch_add(1, std::memory_order_relaxed);
  if (failed) {
    bucket.failures.fetch_add(1, std::memory_order_relaxed);
  }
}

CircuitBreaker::WindowCounts CircuitBreaker::window_counts(TimePoint now) const {
  const std::int64_t newest = bucket_index(now);
  WindowCounts counts;
  for (const Bucket& bucket : m_buckets) {
    const std::int64_t index = bucket.index.load(std::memory_order_acquire);
    if (index <= newest && index > newest - k_buckets) {
      counts.requests += bucket.requests.load(std::memory_order_relaxed);
      counts.failures += bucket.failures.load(std::memory_order_relaxed);
    }
  }
  return counts;
}

void CircuitBreaker::reset_counts() {
  m_consecutive_failures.store(0, std::memory_order_relaxed);
  for (Bucket& bucket : m_buckets) {
    bucket.index.store(k_no_bucket, std::memory_order_release);
    bucket.requests.store(0, std::memory_order_relaxed);
    bucket.failures.store(0, std::memory_order_relaxed);
  }
}

bool CircuitBreaker::allow(TimePoint now) {
  switch (m_state.load(std::memory_order_acquire)) {
    case BreakerState::closed:
      return true;
    case BreakerState::open:
      // Refusals during the cooldown stay lock-free too; m_open_until was stored before
      // the state, so the acquire load above makes it visible.
      if (ticks(now) < m_open_until.load(std::memory_order_relaxed)) {
        return false;
      }
      break;
    case BreakerState::half_open:
      break;
  }
  std::lock_guard lock(m_mutex);
  return allow_locked(now);
}

bool CircuitBreaker::allow_locked(TimePoint now) {
  switch (m_state.load(std::memory_order_relaxed)) {
    case BreakerState::closed:
      return true;
    case BreakerState::open:
      if (ticks(now) < m_open_until.load(std::memory_order_relaxed)) {
        return false;
      }
      m_probe_out = true;
      m_state.store(BreakerState::half_open, std::memory_order_release);
      return true;
    case BreakerState::half_open:
      if (m_probe_out) {
        return false;
      }
      m_probe_out = true;
      return true;
  }
  return false;
}

void CircuitBreaker::open_locked(TimePoint now) {
  const auto cooldown = std::chrono::duration_cast<Clock::duration>(m_settings.cooldown);
  m_open_until.store(ticks(now + cooldown), std::memory_order_relaxed);
  m_probe_out = false;
  ++m_times_opened;
  m_state.store(BreakerState::open, std::memory_order_release);
}

void CircuitBreaker::close_locked() {
  reset_counts();
  m_probe_out = false;
  m_state.store(BreakerState::closed, std::memory_order_release);
}

// Outcomes that arrive while open (requests let through before it opened) are ignored:
// the counts describe the closed state only. In half_open any success or failure is
// taken as the probe's answer; a late one from before the opening says as much about the
// deployment's health.
void CircuitBreaker::record_success(TimePoint now) {
  if (m_state.load(std::memory_order_acquire) == BreakerState::closed) {
    // A success that races with the opening may still land in the counts; they are reset
    // when the breaker closes again, and the opening itself is decided under the lock.
    m_consecutive_failures.store(0, std::memory_order_relaxed);
    add_to_window(now, false);
    return;
  }
  std::lock_guard lock(m_mutex);
  if (m_state.load(std::memory_order_relaxed) == BreakerState::half_open) {
    close_locked();
  }
}

void CircuitBreaker::record_failure(TimePoint now) {
  std::lock_guard lock(m_mutex);
  switch (m_state.load(std::memory_order_relaxed)) {
    case BreakerState::open:
      return;
    case BreakerState::half_open:
      open_locked(now);
      return;
    case BreakerState::closed:
      break;
  }
  const int consecutive = m_consecutive_failures.fetch_add(1, std::memory_order_relaxed) + 1;
  add_to_window(now, true);
  const WindowCounts counts = window_counts(now);
  const bool ratio_reached =
      counts.requests >= m_settings.min_requests && counts.requests > 0 &&
      static_cast<double>(counts.failures) >= m_settings.failure_ratio * counts.requests;
  if (consecutive >= m_settings.failure_threshold || ratio_reached) {
    open_locked(now);
  }
}

void CircuitBreaker::record_neutral(TimePoint /*now*/) {
  if (m_state.load(std::memory_order_acquire) == BreakerState::closed) {
    return;
  }
  std::lock_guard lock(m_mutex);
  if (m_state.load(std::memory_order_relaxed) == BreakerState::half_open) {
    m_probe_out = false;
  }
}

void CircuitBreaker::restore(BreakerState state, TimePoint open_until, int consecutive_failures,
                             int times_opened) {
  std::lock_guard lock(m_mutex);
  m_consecutive_failures.store(consecutive_failures, std::memory_order_relaxed);
  m_times_opened = times_opened;
  m_probe_out = false;
  if (state == BreakerState::closed) {
    m_state.store(BreakerState::closed, std::memory_order_release);
    return;
  }
  m_open_until.store(ticks(open_until), std::memory_order_relaxed);
  m_state.store(BreakerState::open, std::memory_order_release);
}

CircuitBreaker::Snapshot CircuitBreaker::snapshot(TimePoint now) const {
  std::lock_guard lock(m_mutex);
  Snapshot s;
  s.state = m_state.load(std::memory_order_relaxed);
  s.consecutive_failures = m_consecutive_failures.load(std::memory_order_relaxed);
  const WindowCounts counts = window_counts(now);
  s.window_requests = counts.requests;
  s.window_failures = counts.failures;
  s.times_opened = m_times_opened;
  if (s.state == BreakerState::open) {
    const std::int64_t left = m_open_until.load(std::memory_order_relaxed) - ticks(now);
    s.retry_in = ceil_ms(std::max<std::int64_t>(0, left));
  }
  return s;
}

}  // namespace llmgw
