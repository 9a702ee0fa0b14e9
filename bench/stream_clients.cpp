// Concurrent streaming clients for bench/daemon.sh: N clients at once, each on its own
// connection, stream one chat completion with usage through the daemon.
//
//   stream_clients PORT N [DAEMON_PID]
//
// A stream counts as good only when it answered 200, carried content chunks, the usage
// chunk and ended with data: [DONE]. Once every stream has its first chunk (so all N are
// open at once), the daemon's resident memory is read from /proc/DAEMON_PID/status.
// Prints the counts, the time to first chunk (p50/p99) and that RSS; exits 1 on any error.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "percentile.hpp"

namespace {

const char* const k_body =
    R"({"model":"bench/gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},)"
    R"("messages":[{"role":"user","content":"Say hello"}]})";

long rss_kib(const std::string& pid) {
  std::ifstream status("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      return std::atol(line.c_str() + 6);
  }
  return -1;
}

struct Outcome {
  bool good = false;
  std::string problem;
  double first_chunk_ms = 0;
};

Outcome stream_once(int port, std::atomic<int>& opened) {
  Outcome outcome;
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  client.set_connection_timeout(30, 0);
  std::string received;
  bool first = true;
  const auto start = std::chrono::steady_clock::now();
  httplib::Request req;
  req.method = "POST";
  req.path = "/v1/chat/completions";
  req.body = k_body;
  req.set_header("Content-Type", "application/json");
  req.content_receiver = [&](const char* data, std::size_t size, std::uint64_t, std::uint64_t) {
    if (first) {
      first = false;
      outcome.first_chunk_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      opened.fetch_add(1);
    }
    received.append(data, size);
    return true;
  };
  const httplib::Result result = client.send(req);
  if (!result) {
    outcome.problem = "transport error " + httplib::to_string(result.error());
  } else if (result->status != 200) {
    outcome.problem = "status " + std::to_string(result->status);
  } else if (received.find(R"("content":"word )") == std::string::npos) {
    outcome.problem = "no content chunks";
  } else if (received.find(R"("usage":{)") == std::string::npos) {
    outcome.problem = "no usage chunk";
  } else if (received.size() < 14 ||
             received.compare(received.size() - 14, 14, "data: [DONE]\n\n") != 0) {
    outcome.problem = "no data: [DONE] at the end";
  } else {
    outcome.good = true;
  }
  if (first)
    opened.fetch_add(1);  // failed before any chunk: do not hold the others' RSS reading
  return outcome;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: stream_clients PORT N [DAEMON_PID]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int n = std::atoi(argv[2]);
  const std::string pid = argc > 3 ? argv[3] : "";
  std::atomic<int> opened{0};
  std::vector<Outcome> outcomes(static_cast<std::size_t>(n));
  std::vector<std::thread> clients;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    clients.emplace_back(
        [&, i] { outcomes[static_cast<std::size_t>(i)] = stream_once(port, opened); });
  }
  long rss = -1;
  if (!pid.empty()) {
    while (opened.load() < n)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    rss = rss_kib(pid);
  }
  for (std::thread& client : clients)
    client.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  int good = 0;
  std::vector<double> first_chunk;
  std::vector<std::string> problems;
  for (const Outcome& outcome : outcomes) {
    if (outcome.good) {
      ++good;
      first_chunk.push_back(outcome.first_chunk_ms);
    } else if (problems.size() < 5) {
      problems.push_back(outcome.problem);
    }
  }
  std::printf(
      "%d concurrent streams: %d complete, %d errors, %.1f s in all; first chunk p50 %.1f ms, "
      "p99 %.1f ms",
      n, good, n - good, seconds, percentile(first_chunk, 0.5), percentile(first_chunk, 0.99));
  if (rss >= 0)
    std::printf("; daemon RSS with all open %.1f MB", static_cast<double>(rss) / 1024.0);
  std::printf("\n");
  for (const std::string& problem : problems)
    std::printf("  error: %s\n", problem.c_str());
  return good == n ? 0 : 1;
}
