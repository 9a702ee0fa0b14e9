#include "core/clock.hpp"

#include <algorithm>
#include <thread>

#include "core/error.hpp"

namespace llmgw {

std::int64_t SystemClock::unix_seconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t SystemClock::unix_milliseconds() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::chrono::steady_clock::time_point SystemClock::steady_now() const {
  return std::chrono::steady_clock::now();
}

void SystemClock::sleep_for(std::chrono::milliseconds duration, const CancelToken* cancel) {
  // Short slices keep Ctrl-C responsive without a condition variable the signal handler
  // could not safely notify.
  constexpr std::chrono::milliseconds k_slice{10};
  const auto deadline = std::chrono::steady_clock::now() + duration;
  for (;;) {
    if (cancel != nullptr && cancel->cancelled())
      fail(ErrorKind::cancelled, "request cancelled");
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline)
      return;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(k_slice, deadline - now));
  }
}

}  // namespace llmgw
