// Signal handling for a running request. The first SIGINT (Ctrl-C), SIGTERM or SIGHUP
// cancels the given token: the transport notices within milliseconds, and the command
// tidies its output, records the cancelled request in the ledger, flushes the ledger and
// exits 130 (SIGINT) or 128 + the signal's number (143 for SIGTERM, 129 for SIGHUP). A
// second signal exits at once with that code, without flushing. The previous handlers are
// restored when the guard goes away.
#pragma once

#include <csignal>

#include "core/http/transport.hpp"

namespace llmgw::cli {

class InterruptGuard {
 public:
  explicit InterruptGuard(CancelToken& token);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction m_previous_int {};
  struct sigaction m_previous_term {};
  struct sigaction m_previous_hup {};
};

// The signal that cancelled this run's request (SIGINT, SIGTERM, SIGHUP), 0 when none did.
int cancelling_signal();

}  // namespace llmgw::cli
