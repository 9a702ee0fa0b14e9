// The server side shared by bench/fake_upstream.cpp and bench/floor_proxy.cpp: a
// cpp-httplib server set up as the daemon sets up its own (a thread per connection from
// the daemon's pool, TCP_NODELAY, unlimited keep-alive, SO_REUSEADDR only, a full listen
// backlog), so neither side of a comparison is slowed by its setup.
#pragma once

#include <sys/socket.h>

#include <cstdio>

#include <httplib.h>

#include "daemon/task_pool.hpp"

namespace llmgw::bench {

class BenchServer {
 public:
  BenchServer() {
    server.new_task_queue = [] { return new llmgw::daemon::GrowingTaskPool(8192); };
    server.set_tcp_nodelay(true);
    server.set_keep_alive_max_count(1'000'000);
    server.set_socket_options([this](int sock) {
      const int on = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
      m_listen_socket = sock;
    });
  }

  // Listens on 127.0.0.1 (any free port), prints the port as the first stdout line and
  // serves until killed. Returns 1 when it cannot listen.
  int run(const char* name) {
    const int port = server.bind_to_any_port("127.0.0.1");
    if (port <= 0) {
      std::fprintf(stderr, "%s: cannot listen on 127.0.0.1\n", name);
      return 1;
    }
    if (m_listen_socket >= 0)
      ::listen(m_listen_socket, SOMAXCONN);  // Debian's cpp-httplib listens with a backlog of 5
    std::printf("%d\n", port);
    std::fflush(stdout);
    server.listen_after_bind();
    return 0;
  }

  httplib::Server server;

 private:
  int m_listen_socket = -1;
};

}  // namespace llmgw::bench
