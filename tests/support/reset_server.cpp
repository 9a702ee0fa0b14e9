#include "support/reset_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <stdexcept>

namespace llmgw::test {

ResetServer::ResetServer() {
  m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (m_listener < 0 ||
      ::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(m_listener, 16) != 0 ||
      ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("ResetServer: could not listen on 127.0.0.1");
  }
  m_port = ntohs(address.sin_port);
  m_thread = std::thread([this] { serve(); });
}

ResetServer::~ResetServer() {
  m_stopping = true;
  m_thread.join();
  ::close(m_listener);
}

std::string ResetServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(m_port);
}

void ResetServer::serve() {
  while (!m_stopping) {
    pollfd waiting{m_listener, POLLIN, 0};
    if (::poll(&waiting, 1, 20) <= 0)
      continue;  // poll again, so that the destructor is never kept waiting long
    const int client = ::accept(m_listener, nullptr, nullptr);
    if (client < 0)
      continue;
    ++m_connections;
    // Wait for the request to arrive, so that the reset hits a client awaiting an answer.
    pollfd readable{client, POLLIN, 0};
    if (::poll(&readable, 1, 1000) > 0) {
      std::array<char, 4096> buffer{};
      (void)::recv(client, buffer.data(), buffer.size(), 0);
    }
    const linger reset{1, 0};
    ::setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::close(client);
  }
}

}  // namespace llmgw::test
