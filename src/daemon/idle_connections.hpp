// Lets a stopping server's idle keep-alive connections go at once.
//
// cpp-httplib (0.11.4) checks that its server still runs only between two requests on a
// connection, so a connection waiting for its next request holds shutdown until the
// keep-alive timeout or the client ends it: seconds after every SIGTERM, since SDKs keep
// their connections alive. cpp-httplib has no handle on its connections, so they are
// found among the process's open files (/proc/self/fd): connected TCP sockets whose
// local port is the server's.
#pragma once

#include <cstddef>
#include <set>

namespace llmgw::daemon {

// shutdown(SHUT_RD) on every connection accepted on `port`: one waiting for a request
// reads end of stream and closes at once; one with a request in flight still reads what
// the client has sent and writes its whole answer (writes are untouched), then closes,
// since the server has stopped. Call it while the listening socket is still open: no
// other socket of the process can then have that local port. Returns the connections
// shut; 0 without /proc (then shutdown waits for the keep-alive timeout, as before).
// Connections whose client port is in `busy` (requests in flight) are left alone:
// cpp-httplib gives up writing an answer on a socket that reads end of stream.
std::size_t end_idle_connections(int port, const std::set<int>& busy);

}  // namespace llmgw::daemon
