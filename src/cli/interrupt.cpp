#include "cli/interrupt.hpp"

#include <unistd.h>

#include <atomic>

namespace llmgw::cli {

namespace {

// Only async-signal-safe work happens in the handler: lock-free atomic stores and _exit.
std::atomic<CancelToken*> g_token{nullptr};
std::atomic<int> g_interrupts{0};
static_assert(std::atomic<bool>::is_always_lock_free);
static_assert(std::atomic<CancelToken*>::is_always_lock_free);

extern "C" void on_sigint(int) {
  if (g_interrupts.fetch_add(1) > 0)
    _exit(130);
  if (CancelToken* token = g_token.load())
    token->cancel();
}

}  // namespace

InterruptGuard::InterruptGuard(CancelToken& token) {
  g_interrupts.store(0);
  g_token.store(&token);
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: blocking reads return EINTR
  sigaction(SIGINT, &action, &m_previous);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &m_previous, nullptr);
  g_token.store(nullptr);
}

}  // namespace llmgw::cli
