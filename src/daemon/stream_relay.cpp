#include "daemon/stream_relay.hpp"

#include <exception>

namespace llmgw::daemon {

StreamRelay::~StreamRelay() {
  abandon();
  if (m_thread.joinable())
    m_thread.join();
}

void StreamRelay::start(std::function<void()> produce) {
  m_thread = std::thread([this, produce = std::move(produce)] {
    try {
      produce();
      finish(std::nullopt);
    } catch (const GatewayError& e) {
      finish(e.error());
    } catch (const std::exception& e) {
      finish(make_error(ErrorKind::internal, std::string("unexpected failure: ") + e.what()));
    }
  });
}

bool StreamRelay::push(std::string piece) {
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [this] { return m_abandoned || m_pending.size() < k_max_pending; });
  if (m_abandoned)
    return false;
  m_pending.push_back(std::move(piece));
  m_started = true;
  lock.unlock();
  m_changed.notify_all();
  return true;
}

void StreamRelay::finish(std::optional<Error> error) {
  {
    std::lock_guard lock(m_mutex);
    m_done = true;
    m_error = std::move(error);
  }
  m_changed.notify_all();
}

std::optional<Error> StreamRelay::wait_started() {
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [this] { return m_started || m_done; });
  if (!m_started && m_error)
    return m_error;
  return std::nullopt;
}

std::optional<std::string> StreamRelay::next(std::chrono::milliseconds heartbeat,
                                             std::optional<Error>& error) {
  std::unique_lock lock(m_mutex);
  if (!m_changed.wait_for(lock, heartbeat, [this] { return !m_pending.empty() || m_done; }))
    return std::string();
  if (!m_pending.empty()) {
    std::string piece = std::move(m_pending.front());
    m_pending.pop_front();
    lock.unlock();
    m_changed.notify_all();  // room for the producer
    return piece;
  }
  error = m_error;
  return std::nullopt;
}

void StreamRelay::abandon() {
  {
    std::lock_guard lock(m_mutex);
    m_abandoned = true;
    m_pending.clear();
  }
  m_cancel.cancel();
  m_changed.notify_all();
}

}  // namespace llmgw::daemon
