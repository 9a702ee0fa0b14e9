// The state of a provider's keys when it has several (keys file list, several env vars):
// they are used round-robin; a key that got a 429 cools down (for its Retry-After) while
// the others carry on; a key refused with 401/403 is marked bad and skipped.
// Time is passed in (steady clock). Thread-safe and lock-free (atomics per key).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace llmgw {

class KeyPool {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit KeyPool(std::size_t size);  // size >= 1

  std::size_t size() const;

  // The next key to use, in round-robin order from an internal counter, skipping bad keys
  // and keys still cooling down at `now`. nullopt when none is usable.
  std::optional<std::size_t> pick(TimePoint now);

  // When every key is cooling down: how long until the first one is usable again.
  // nullopt when some key is usable now, or when every key is bad.
  std::optional<std::chrono::milliseconds> wait_for_any(TimePoint now) const;

  // Key `index` is not used before `until` (a later call may extend, never shorten).
  void cool_down(std::size_t index, TimePoint until);
  // Key `index` is refused by the provider (401/403): skipped until the process ends.
  void mark_bad(std::size_t index);

  struct KeyState {
    bool bad = false;
    std::chrono::milliseconds cooling_for{0};  // zero when usable now
  };
  KeyState state(std::size_t index, TimePoint now) const;

 private:
  // One per key. Relaxed atomics are enough: each field is a standalone fact about its
  // key and publishes no other memory.
  struct Slot {
    // Steady-clock tick from which the key may be used again (the minimum when never
    // cooled). Only ever raised.
    std::atomic<std::int64_t> cooling_until;
    std::atomic<bool> bad{false};
  };

  bool usable(const Slot& slot, std::int64_t now) const;

  std::size_t m_size;
  std::unique_ptr<Slot[]> m_slots;
  std::atomic<std::size_t> m_next{0};  // round-robin counter, one step per pick()
};

}  // namespace llmgw
