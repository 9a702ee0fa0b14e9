// A Clock that tests drive by hand: time moves only when sleep_for or advance is called,
// and every wait asked of it is recorded, so tests assert delays without sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace llmgw::test {

class FakeClock final : public Clock {
 public:
  static constexpr std::int64_t k_start_unix = 1'750'000'000;

  std::int64_t unix_seconds() const override {
    return k_start_unix + std::chrono::duration_cast<std::chrono::seconds>(m_elapsed).count();
  }
  std::int64_t unix_milliseconds() const override {
    return k_start_unix * 1000 +
           std::chrono::duration_cast<std::chrono::milliseconds>(m_elapsed).count();
  }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point{} + std::chrono::hours(1) + m_elapsed;
  }
  // Records the wait and moves time on; a cancelled token throws like the real clock.
  void sleep_for(std::chrono::milliseconds duration, const CancelToken* cancel) override {
    if (cancel != nullptr && cancel->cancelled())
      fail(ErrorKind::cancelled, "request cancelled");
    m_sleeps.push_back(duration);
    m_elapsed += duration;
  }

  void advance(std::chrono::microseconds duration) { m_elapsed += duration; }
  // Every wait asked of sleep_for, in order.
  const std::vector<std::chrono::milliseconds>& sleeps() const { return m_sleeps; }

 private:
  std::chrono::microseconds m_elapsed{0};
  std::vector<std::chrono::milliseconds> m_sleeps;
};

}  // namespace llmgw::test
