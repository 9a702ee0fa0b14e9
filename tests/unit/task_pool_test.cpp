// The daemon's worker pool: it grows to serve every connection at once, and shrinks back
// to its idle limit when they end (task_pool.hpp).
#include "daemon/task_pool.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

using llmgw::daemon::GrowingTaskPool;

namespace {

// Blocks the tasks that wait on it until open().
class Gate {
 public:
  void wait() {
    std::unique_lock lock(m_mutex);
    ++m_waiting;
    m_changed.notify_all();
    m_changed.wait(lock, [this] { return m_open; });
  }
  void wait_for_waiters(int n) {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_waiting >= n; });
  }
  void open() {
    std::lock_guard lock(m_mutex);
    m_open = true;
    m_changed.notify_all();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  int m_waiting = 0;
  bool m_open = false;
};

// Waits (a hang guard, not a timing check) until the pool has at most `n` threads.
bool shrinks_to(const GrowingTaskPool& pool, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (pool.threads() > n) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace

TEST_CASE("the pool runs every blocked task at once, then shrinks to its idle limit",
          "[task_pool]") {
  GrowingTaskPool pool(100, 3);
  Gate gate;
  std::atomic<int> done{0};
  for (int i = 0; i < 12; ++i) {
    pool.enqueue([&] {
      gate.wait();
      ++done;
    });
  }
  gate.wait_for_waiters(12);  // twelve tasks blocked at once: twelve threads
  CHECK(pool.threads() == 12);
  gate.open();
  REQUIRE(shrinks_to(pool, 3));
  CHECK(pool.threads() == 3);

  // The threads kept serve new work; a new burst grows the pool again.
  Gate second;
  for (int i = 0; i < 8; ++i) {
    pool.enqueue([&] {
      second.wait();
      ++done;
    });
  }
  second.wait_for_waiters(8);
  CHECK(pool.threads() == 8);
  second.open();
  pool.shutdown();
  CHECK(done == 20);
  CHECK(pool.threads() == 0);
}

TEST_CASE("the pool never runs more threads than its maximum; the rest wait their turn",
          "[task_pool]") {
  GrowingTaskPool pool(2, 2);
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::atomic<int> done{0};
  for (int i = 0; i < 10; ++i) {
    pool.enqueue([&] {
      const int now = ++running;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::yield();
      --running;
      ++done;
    });
  }
  pool.shutdown();  // runs what is queued first
  CHECK(done == 10);
  CHECK(most <= 2);
}
