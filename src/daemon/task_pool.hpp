// cpp-httplib's worker pool for the daemon. cpp-httplib gives each connection a worker
// for as long as the connection lives (keep-alive, streams), so a fixed pool smaller than
// the number of clients makes the extra connections wait for a thread: a fixed 8-thread
// pool measured p99 near 1 s at 64 connections. This pool starts a thread whenever no
// thread is idle, up to `max_threads`; only beyond that do connections wait.
//
// It shrinks without any timer: a thread that finishes a task while `max_idle` threads
// already wait retires, so after a burst (a thousand streams) the pool is back to
// `max_idle` threads, and the memory their stacks and heaps held is given back.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

namespace llmgw::daemon {

class GrowingTaskPool final : public httplib::TaskQueue {
 public:
  static constexpr std::size_t k_default_max_idle = 32;

  explicit GrowingTaskPool(std::size_t max_threads, std::size_t max_idle = k_default_max_idle);
  ~GrowingTaskPool() override;

  void enqueue(std::function<void()> task) override;
  // Runs every task already queued, then joins the threads.
  void shutdown() override;

  // Threads alive and not retiring.
  std::size_t threads() const;

 private:
  void work();
  // Joins the threads that retired (outside the lock: they are exiting).
  void join_retired();

  const std::size_t m_max_threads;
  const std::size_t m_max_idle;
  mutable std::mutex m_mutex;
  std::condition_variable m_ready;
  std::deque<std::function<void()>> m_tasks;
  std::vector<std::thread> m_threads;
  std::vector<std::thread> m_retired;  // finished their last task; to be joined
  std::size_t m_idle = 0;
  bool m_stopping = false;
};

}  // namespace llmgw::daemon
