// A real HTTP server on 127.0.0.1 (ephemeral port) for integration tests.
//
//   LocalServer server;
//   server.http().Get("/hello", [](const httplib::Request&, httplib::Response& res) {...});
//   server.start();                       // handlers must be registered before this
//   transport.send({"GET", server.base_url() + "/hello"}, nullptr);
//
// Handlers that wait (to simulate a slow or hanging upstream) must wait through
// wait_unless_stopping() so that the destructor never blocks on them.
// LocalServer owns the httplib pre-routing handler (it records client ports); do not
// replace it.
// Destroy HTTP clients (e.g. CurlTransport) before the server: an idle keep-alive
// connection holds one of the server's threads for up to 1 s after stop.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace llmgw::test {

class LocalServer {
 public:
  // Binds 127.0.0.1 on a free port; throws std::runtime_error if that fails.
  LocalServer();
  // Wakes every wait_unless_stopping(), stops the server and joins its thread.
  ~LocalServer();
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  // For registering handlers (before start()).
  httplib::Server& http() { return m_server; }

  // Starts serving on a background thread and returns once the server is running.
  // Calling it again does nothing.
  void start();

  int port() const { return m_port; }
  // "http://127.0.0.1:<port>"
  std::string base_url() const;

  // Sleeps for `duration` unless the server is stopping. Returns true if the whole
  // duration passed, false if it was cut short by the shutdown.
  bool wait_unless_stopping(std::chrono::milliseconds duration) const;
  bool stopping() const;

  // Distinct client (remote) ports seen by requests so far: the number of TCP
  // connections that carried at least one request.
  std::size_t connections_seen() const;

 private:
  httplib::Server m_server;
  int m_port = -1;
  std::thread m_thread;

  mutable std::mutex m_mutex;
  mutable std::condition_variable m_stop_cv;
  bool m_stopping = false;
  std::set<int> m_client_ports;
};

}  // namespace llmgw::test
