// cpp-httplib's worker pool for the daemon. cpp-httplib gives each connection a worker
// for as long as the connection lives (keep-alive, streams), so a fixed pool smaller than
// the number of clients makes the extra connections wait for a thread: a fixed 8-thread
// pool measured p99 near 1 s at 64 connections. This pool starts a thread whenever no
// thread is idle, up to `max_threads`; only beyond that do connections wait.
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
  explicit GrowingTaskPool(std::size_t max_threads);
  ~GrowingTaskPool() override;

  void enqueue(std::function<void()> task) override;
  // Runs every task already queued, then joins the threads.
  void shutdown() override;

  std::size_t threads() const;

 private:
  void work();

  const std::size_t m_max_threads;
  mutable std::mutex m_mutex;
  std::condition_variable m_ready;
  std::deque<std::function<void()>> m_tasks;
  std::vector<std::thread> m_threads;
  std::size_t m_idle = 0;
  bool m_stopping = false;
};

}  // namespace llmgw::daemon
