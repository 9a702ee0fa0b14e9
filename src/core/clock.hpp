// Injectable time. Everything in core that waits or reads the time does it through a
// Clock, so tests drive time by hand and never sleep (backoff, breakers, TTLs, mock/slow).
#pragma once

#include <chrono>
#include <cstdint>

#include "core/http/transport.hpp"

namespace llmgw {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix seconds, for "created" fields and ledger rows.
  virtual std::int64_t unix_seconds() const = 0;
  // Unix milliseconds, for ledger times and cache expiry.
  virtual std::int64_t unix_milliseconds() const = 0;
  // Monotonic time, for measuring durations.
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
  // Waits for `duration`, returning early by throwing GatewayError{cancelled} once
  // `cancel` is set.
  virtual void sleep_for(std::chrono::milliseconds duration, const CancelToken* cancel) = 0;
};

// The real clock. sleep_for polls the cancel token every few milliseconds.
class SystemClock final : public Clock {
 public:
  std::int64_t unix_seconds() const override;
  std::int64_t unix_milliseconds() const override;
  std::chrono::steady_clock::time_point steady_now() const override;
  void sleep_for(std::chrono::milliseconds duration, const CancelToken* cancel) override;
};

}  // namespace llmgw
