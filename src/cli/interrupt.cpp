#include "cli/interrupt.hpp"

#include <unistd.h>

#include <atomic>

namespace llmgw::cli {

namespace {

// Only async-signal-safe work happens in the handler: lock-free atomic operations and _exit.
std::atomic<CancelToken*> g_token{nullptr};
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
static_assert(std::atomic<bool>::is_always_lock_free);
static_assert(std::atomic<CancelToken*>::is_always_lock_free);

extern "C" void on_signal(int signal) {
  int none = 0;
  if (!g_signal.compare_exchange_strong(none, signal))
    _exit(128 + signal);
  if (CancelToken* token = g_token.load())
    token->cancel();
}

void install(int signal, struct sigaction& previous) {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: blocking reads return EINTR
  sigaction(signal, &action, &previous);
}

}  // namespace

InterruptGuard::InterruptGuard(CancelToken& token) {
  g_signal.store(0);
  g_token.store(&token);
  install(SIGINT, m_previous_int);
  install(SIGTERM, m_previous_term);
  install(SIGHUP, m_previous_hup);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &m_previous_int, nullptr);
  sigaction(SIGTERM, &m_previous_term, nullptr);
  sigaction(SIGHUP, &m_previous_hup, nullptr);
  g_token.store(nullptr);
}

int cancelling_signal() {
  return g_signal.load();
}

}  // namespace llmgw::cli
