#include "support/local_server.hpp"

#include <stdexcept>

namespace llmgw::test {

LocalServer::LocalServer() {
  // Without TCP_NODELAY small responses wait for a delayed ACK (see design.md).
  m_server.set_tcp_nodelay(true);
  // Short enough that a client left connected delays the shutdown by at most 1 s,
  // long enough for back-to-back requests to share a connection.
  m_server.set_keep_alive_timeout(1);
  m_server.set_keep_alive_max_count(1000);
  m_server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
    std::lock_guard lock(m_mutex);
    m_client_ports.insert(req.remote_port);
    return httplib::Server::HandlerResponse::Unhandled;
  });
  m_port = m_server.bind_to_any_port("127.0.0.1");
  if (m_port <= 0) {
    throw std::runtime_error("LocalServer: could not bind 127.0.0.1");
  }
}

LocalServer::~LocalServer() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_stop_cv.notify_all();
  try {
    // httplib only closes its listening socket when it was started; a server that was
    // never started would otherwise leave a port that accepts and never answers.
    start();
  } catch (...) {
  }
  if (m_thread.joinable()) {
    m_server.stop();
    m_thread.join();
  }
}

void LocalServer::start() {
  if (m_thread.joinable()) {
    return;
  }
  m_thread = std::thread([this] { m_server.listen_after_bind(); });
  // The socket already listens (bind_to_any_port), so early connections just queue;
  // waiting here makes stop() in the destructor effective.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!m_server.is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("LocalServer: the server did not start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::string LocalServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(m_port);
}

bool LocalServer::wait_unless_stopping(std::chrono::milliseconds duration) const {
  std::unique_lock lock(m_mutex);
  return !m_stop_cv.wait_for(lock, duration, [this] { return m_stopping; });
}

bool LocalServer::stopping() const {
  std::lock_guard lock(m_mutex);
  return m_stopping;
}

std::size_t LocalServer::connections_seen() const {
  std::lock_guard lock(m_mutex);
  return m_client_ports.size();
}

}  // namespace llmgw::test
