// Latency at one connection for bench/daemon.sh: the same chat request, one at a time on
// one keep-alive connection, sent straight to the fake upstream and through the daemon,
// in alternating rounds (so drift in the machine's load hits both sides alike).
//
//   latency_client DIRECT_PORT THROUGH_PORT [ROUNDS] [REQUESTS_PER_ROUND]
//
// Prints p50/p90/p99/max for each side and the difference ("added"), in microseconds.
// Any answer other than 200 is counted and reported as an error.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <httplib.h>

#include "percentile.hpp"

namespace {

std::string body_for(const char* model) {
  return std::string(R"({"model":")") + model +
         R"(","messages":[{"role":"user","content":"Say hello"}]})";
}

struct Side {
  const char* name;
  httplib::Client client;
  std::string body;
  std::vector<double> micros;
  long errors = 0;

  Side(const char* side_name, int port, const char* model)
      : name(side_name), client("127.0.0.1", port), body(body_for(model)) {
    client.set_keep_alive(true);
    client.set_tcp_nodelay(true);
  }

  void run(int requests, bool record) {
    for (int i = 0; i < requests; ++i) {
      const auto start = std::chrono::steady_clock::now();
      const auto result = client.Post("/v1/chat/completions", body, "application/json");
      const auto end = std::chrono::steady_clock::now();
      if (!result || result->status != 200) {
        ++errors;
        continue;
      }
      if (record)
        micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: latency_client DIRECT_PORT THROUGH_PORT [ROUNDS] [REQUESTS]\n");
    return 2;
  }
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 10;
  const int requests = argc > 4 ? std::atoi(argv[4]) : 2000;
  Side direct("direct", std::atoi(argv[1]), "gpt-4o-mini");
  Side through("through llmgw", std::atoi(argv[2]), "bench/gpt-4o-mini");
  direct.run(200, false);  // warm: connections, caches, the daemon's threads
  through.run(200, false);
  for (int round = 0; round < rounds; ++round) {
    direct.run(requests, true);
    through.run(requests, true);
  }
  std::printf("1 connection, keep-alive, %d rounds x %d requests per side, interleaved\n", rounds,
              requests);
  std::printf("  %-16s %9s %9s %9s %9s   (microseconds)\n", "", "p50", "p90", "p99", "max");
  for (const Side* side : {&direct, &through}) {
    std::printf("  %-16s %9.1f %9.1f %9.1f %9.1f   errors %ld\n", side->name,
                percentile(side->micros, 0.50), percentile(side->micros, 0.90),
                percentile(side->micros, 0.99), percentile(side->micros, 1.0), side->errors);
  }
  std::printf("  %-16s %9.1f %9.1f %9.1f\n", "added by llmgw",
              percentile(through.micros, 0.50) - percentile(direct.micros, 0.50),
              percentile(through.micros, 0.90) - percentile(direct.micros, 0.90),
              percentile(through.micros, 0.99) - percentile(direct.micros, 0.99));
  return direct.errors + through.errors == 0 ? 0 : 1;
}
