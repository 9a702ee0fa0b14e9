#include "core/resilience/key_pool.hpp"

#include <cassert>
#include <limits>

namespace llmgw {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t ticks(Clock::time_point t) {
  return t.time_since_epoch().count();
}

// Rounded up, so that a caller who waits this long finds the key usable.
std::chrono::milliseconds ceil_ms(std::int64_t tick_count) {
  return std::chrono::ceil<std::chrono::milliseconds>(Clock::duration{tick_count});
}

}  // namespace

KeyPool::KeyPool(std::size_t size) : m_size(size), m_slots(std::make_unique<Slot[]>(size)) {
  assert(size >= 1);
  for (std::size_t i = 0; i < m_size; ++i) {
    m_slots[i].cooling_until.store(std::numeric_limits<std::int64_t>::min(),
                                   std::memory_order_relaxed);
  }
}

std::size_t KeyPool::size() const {
  return m_size;
}

bool KeyPool::usable(const Slot& slot, std::int64_t now) const {
  return !slot.bad.load(std::memory_order_relaxed) &&
         now >= slot.cooling_until.load(std::memory_order_relaxed);
}

std::optional<std::size_t> KeyPool::pick(TimePoint now) {
  // The counter moves by one per call whether or not keys are skipped, so concurrent
  // callers spread over the keys without coordinating beyond this one fetch_add.
  const std::size_t start = m_next.fetch_add(1, std::memory_order_relaxed);
  const std::int64_t t = ticks(now);
  for (std::size_t i = 0; i < m_size; ++i) {
    const std::size_t index = (start + i) % m_size;
    if (usable(m_slots[index], t)) {
      return index;
    }
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> KeyPool::wait_for_any(TimePoint now) const {
  const std::int64_t t = ticks(now);
  std::optional<std::int64_t> first_until;
  for (std::size_t i = 0; i < m_size; ++i) {
    const Slot& slot = m_slots[i];
    if (slot.bad.load(std::memory_order_relaxed)) {
      continue;
    }
    const std::int64_t until = slot.cooling_until.load(std::memory_order_relaxed);
    if (t >= until) {
      return std::nullopt;  // usable now
    }
    if (!first_until || until < *first_until) {
      first_until = until;
    }
  }
  if (!first_until) {
    return std::nullopt;  // every key is bad
  }
  return ceil_ms(*first_until - t);
}

void KeyPool::cool_down(std::size_t index, TimePoint until) {
  assert(index < m_size);
  std::atomic<std::int64_t>& slot_until = m_slots[index].cooling_until;
  const std::int64_t wanted = ticks(until);
  std::int64_t current = slot_until.load(std::memory_order_relaxed);
  // Raise only: a shorter Retry-After seen by another request must not cut a longer one.
  while (current < wanted &&
         !slot_until.compare_exchange_weak(current, wanted, std::memory_order_relaxed)) {
  }
}

void KeyPool::mark_bad(std::size_t index) {
  assert(index < m_size);
  m_slots[index].bad.store(true, std::memory_order_relaxed);
}

KeyPool::KeyState KeyPool::state(std::size_t index, TimePoint now) const {
  assert(index < m_size);
  const Slot& slot = m_slots[index];
  KeyState s;
  s.bad = slot.bad.load(std::memory_order_relaxed);
  const std::int64_t until = slot.cooling_until.load(std::memory_order_relaxed);
  const std::int64_t t = ticks(now);
  if (until > t) {
    s.cooling_for = ceil_ms(until - t);
  }
  return s;
}

}  // namespace llmgw
