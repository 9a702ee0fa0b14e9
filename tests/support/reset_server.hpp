// A TCP listener on 127.0.0.1 that resets every connection it accepts (SO_LINGER 0, then
// close: the client gets ECONNRESET before any response byte). A fault injector for "the
// connection was reset", which an HTTP server library cannot produce on purpose.
#pragma once

#include <atomic>
#include <string>
#include <thread>

namespace llmgw::test {

class ResetServer {
 public:
  ResetServer();  // listening when constructed
  ~ResetServer();
  ResetServer(const ResetServer&) = delete;
  ResetServer& operator=(const ResetServer&) = delete;

  // "http://127.0.0.1:<port>"
  std::string base_url() const;
  // Connections accepted (and reset) so far.
  int connections() const { return m_connections.load(); }

 private:
  void serve();

  int m_listener = -1;
  int m_port = 0;
  std::atomic<bool> m_stopping{false};
  std::atomic<int> m_connections{0};
  std::thread m_thread;
};

}  // namespace llmgw::test
