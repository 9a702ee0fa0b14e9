// Latency at one connection for bench/daemon.sh: the same chat request, one at a time on
// one keep-alive connection, sent straight to the fake upstream and through the daemon
// (and, given its port, through bench/floor_proxy.cpp, a bare proxy built the same way),
// in alternating rounds (so drift in the machine's load hits every side alike).
//
//   latency_client DIRECT_PORT THROUGH_PORT [ROUNDS] [REQUESTS_PER_ROUND] [FLOOR_PORT]
//
// Prints p50/p90/p99/max for each side and what each proxy adds over direct, in
// microseconds. Any answer other than 200 is counted and reported as an error.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
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
    std::fprintf(stderr,
                 "usage: latency_client DIRECT_PORT THROUGH_PORT [ROUNDS] [REQUESTS] "
                 "[FLOOR_PORT]\n");
    return 2;
  }
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 10;
  const int requests = argc > 4 ? std::atoi(argv[4]) : 2000;
  std::vector<std::unique_ptr<Side>> sides;
  sides.push_back(std::make_unique<Side>("direct", std::atoi(argv[1]), "gpt-4o-mini"));
  sides.push_back(std::make_unique<Side>("through llmgw", std::atoi(argv[2]), "bench/gpt-4o-mini"));
  if (argc > 5)
    sides.push_back(std::make_unique<Side>("bare proxy", std::atoi(argv[5]), "gpt-4o-mini"));
  for (auto& side : sides)
    side->run(200, false);  // warm: connections, caches, the servers' threads
  for (int round = 0; round < rounds; ++round) {
    for (auto& side : sides)
      side->run(requests, true);
  }
  std::printf("1 connection, keep-alive, %d rounds x %d requests per side, interleaved\n", rounds,
              requests);
  std::printf("  %-16s %9s %9s %9s %9s   (microseconds)\n", "", "p50", "p90", "p99", "max");
  long errors = 0;
  for (const auto& side : sides) {
    std::printf("  %-16s %9.1f %9.1f %9.1f %9.1f   errors %ld\n", side->name,
                percentile(side->micros, 0.50), percentile(side->micros, 0.90),
                percentile(side->micros, 0.99), percentile(side->micros, 1.0), side->errors);
    errors += side->errors;
  }
  const Side& direct = *sides.front();
  for (std::size_t i = 1; i < sides.size(); ++i) {
    const Side& proxy = *sides[i];
    const std::string label = std::string("added by ") + (i == 1 ? "llmgw" : "bare proxy");
    std::printf("  %-16s %9.1f %9.1f %9.1f\n", label.c_str(),
                percentile(proxy.micros, 0.50) - percentile(direct.micros, 0.50),
                percentile(proxy.micros, 0.90) - percentile(direct.micros, 0.90),
                percentile(proxy.micros, 0.99) - percentile(direct.micros, 0.99));
  }
  return errors == 0 ? 0 : 1;
}
