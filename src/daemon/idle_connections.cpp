#include "daemon/idle_connections.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

namespace llmgw::daemon {

namespace {

int port_of(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, &address, sizeof in);
    return ntohs(in.sin_port);
  }
  if (address.ss_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &address, sizeof in6);
    return ntohs(in6.sin6_port);
  }
  return -1;
}

// The local and peer ports of a connected TCP socket; -1 for any other file (not a
// socket, a listening or unconnected socket, UDP, a Unix socket, or one closed meanwhile).
std::pair<int, int> connected_ports(int fd) {
  int type = 0;
  socklen_t type_length = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_length) != 0 || type != SOCK_STREAM)
    return {-1, -1};
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0)
    return {-1, -1};
  sockaddr_storage local{};
  length = sizeof local;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0)
    return {-1, -1};
  return {port_of(local), port_of(peer)};
}

}  // namespace

std::size_t end_idle_connections(int port, const std::set<int>& busy) {
  if (port <= 0)
    return 0;
  std::error_code error;
  std::filesystem::directory_iterator it("/proc/self/fd", error);
  std::size_t ended = 0;
  for (; !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    const std::string name = it->path().filename().string();
    int fd = -1;
    const auto [end, parsed] = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (parsed != std::errc() || end != name.data() + name.size())
      continue;
    const auto [local, peer] = connected_ports(fd);
    if (local == port && busy.count(peer) == 0 && ::shutdown(fd, SHUT_RD) == 0)
      ++ended;
  }
  return ended;
}

}  // namespace llmgw::daemon
