// One circuit breaker per deployment (provider + base URL + key): after repeated failures
// it stops sending requests there for a cooldown, then lets one probe through.
//
//   closed ──(failure_threshold consecutive failures, or failure_ratio of the requests in
//             the last `window` once there were at least min_requests)──▶ open
//   open ──(cooldown passed; the next allow() returns true once)──▶ half_open
//   half_open ──(the probe succeeds)──▶ closed      (counts reset)
//   half_open ──(the probe fails)──▶ open           (a new cooldown)
//
// Time is passed in (steady clock), never read here, so tests drive it by hand.
// Thread-safe. The success path in the closed state takes no lock (atomics only); only
// failures and state changes lock this breaker's own mutex, never one shared by others.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace llmgw {

struct BreakerSettings {
  int failure_threshold = 5;   // consecutive failures that open the breaker
  double failure_ratio = 0.5;  // or: this share of failures among the requests...
  int min_requests = 20;       // ...of the window, once it holds at least this many
  std::chrono::milliseconds window{60'000};
  std::chrono::milliseconds cooldown{30'000};
};

enum class BreakerState { closed, open, half_open };
const char* to_string(BreakerState state);

class CircuitBreaker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit CircuitBreaker(BreakerSettings settings = {});

  // May a request go out now? closed: yes. open: no until `cooldown` has passed since it
  // opened; then it turns half_open and says yes once (the probe). half_open: no while
  // the probe is out.
  bool allow(TimePoint now);

  // The outcome of a request that allow() let through. record_neutral is for one that
  // says nothing about the deployment's health (cancelled, a 4xx, a bad key): it only
  // gives back the half-open probe slot, so that another probe may go.
  void record_success(TimePoint now);
  void record_failure(TimePoint now);
  void record_neutral(TimePoint now);

  // Carries the state of an earlier process over (resilience/health_file.hpp): open or
  // half_open restore as open until `open_until` (a probe may go from then on); the
  // counts are kept for display. Call before the breaker is used.
  void restore(BreakerState state, TimePoint open_until, int consecutive_failures,
               int times_opened);

  struct Snapshot {
    BreakerState state = BreakerState::closed;
    int consecutive_failures = 0;
    int window_requests = 0;  // requests recorded in the current window
    int window_failures = 0;
    int times_opened = 0;  // since this breaker was made
    // open: how long until a probe may go (zero when it may go now); else zero.
    std::chrono::milliseconds retry_in{0};
  };
  Snapshot snapshot(TimePoint now) const;

 private:
  // Outcomes of the last `window`, in k_buckets time buckets of window / k_buckets each
  // (at least one clock tick). Bucket i covers the ticks [i * width, (i + 1) * width); an
  // outcome counts while its bucket is one of the k_buckets newest, so it ages out between
  // window - window / k_buckets and window after it was recorded.
  static constexpr int k_buckets = 10;
  struct Bucket {
    std::atomic<std::int64_t> index;  // which bucket of time it holds now
    std::atomic<int> requests{0};
    std::atomic<int> failures{0};
  };
  struct WindowCounts {
    int requests = 0;
    int failures = 0;
  };

  std::int64_t bucket_index(TimePoint now) const;
  void add_to_window(TimePoint now, bool failed);
  WindowCounts window_counts(TimePoint now) const;
  void reset_counts();
  // These three need m_mutex held.
  bool allow_locked(TimePoint now);
  void open_locked(TimePoint now);
  void close_locked();

  BreakerSettings m_settings;
  std::int64_t m_bucket_ticks;  // width of a bucket, in steady-clock ticks

  // Read without the lock on the fast paths; written only with m_mutex held.
  std::atomic<BreakerState> m_state{BreakerState::closed};
  // open: the steady-clock tick from which a probe may go. Stored before m_state.
  std::atomic<std::int64_t> m_open_until{0};

  // Written on the lock-free success path too (reset to zero), hence atomic.
  std::atomic<int> m_consecutive_failures{0};
  Bucket m_buckets[k_buckets];

  mutable std::mutex m_mutex;  // guards the state changes and the members below
  bool m_probe_out = false;    // half_open: the one probe was let through and is not back
  int m_times_opened = 0;
};

}  // namespace llmgw
