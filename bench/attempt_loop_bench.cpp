// What the attempt loop adds on the success path: resolve the chain, ask the key pool and
// the breaker, count the attempt, record latency and success, for an attempt that itself
// does nothing. Single-threaded, then the same on 2 threads at once (no lock is shared by
// all requests, so the per-request cost should not grow). Prints figures; not a test.
// Build and run: bench/attempt_loop.sh
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/model_chain.hpp"
#include "core/resilience/attempt_loop.hpp"

using namespace llmgw;

namespace {

template <class F>
double mean_nanoseconds(int iterations, F&& work) {
  for (int i = 0; i < iterations / 10; ++i)
    work();  // warm up
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i)
    work();
  const std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count() / iterations;
}

}  // namespace

int main() {
  constexpr int k_iterations = 200'000;
  SystemClock clock;
  HealthRegistry health;
  Config config;
  const std::function<double()> draw = [] { return 0.5; };
  const KeysFn keys = [](const Route&) {
    return std::vector<ResolvedKey>{{"sk-bench-key-000000000000BNCH", "bench"}};
  };
  const AttemptFn attempt = [](const Route&, const ResolvedKey&, bool&) {};
  const std::vector<Route> chain = resolve_chain("openai/gpt-4o-mini", config, health, draw);

  const double loop_only = mean_nanoseconds(k_iterations, [&] {
    AttemptLoop loop(clock, health, draw, nullptr);
    loop.run(chain, keys, attempt);
  });
  const double with_chain = mean_nanoseconds(k_iterations, [&] {
    AttemptLoop loop(clock, health, draw, nullptr);
    loop.run(resolve_chain("openai/gpt-4o-mini", config, health, draw), keys, attempt);
  });

  // Two threads, each its own requests to the same deployment: per-request cost.
  double per_thread[2] = {0, 0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      per_thread[t] = mean_nanoseconds(k_iterations, [&] {
        AttemptLoop loop(clock, health, draw, nullptr);
        loop.run(chain, keys, attempt);
      });
    });
  }
  for (auto& thread : threads)
    thread.join();

  std::printf("attempt loop, success path, %d requests each:\n", k_iterations);
  std::printf("  loop only (1 thread)                 %8.0f ns per request\n", loop_only);
  std::printf("  resolve chain + loop (1 thread)      %8.0f ns per request\n", with_chain);
  std::printf("  loop only (2 threads at once)        %8.0f / %.0f ns per request\n", per_thread[0],
              per_thread[1]);
  return 0;
}
