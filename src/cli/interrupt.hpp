// Ctrl-C handling for a running request: the first SIGINT cancels the given token (the
// transport notices within milliseconds and the command exits 130 after tidying its
// output); a second SIGINT exits at once with 130. The previous handler is restored when
// the guard goes away.
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
  struct sigaction m_previous {};
};

}  // namespace llmgw::cli
