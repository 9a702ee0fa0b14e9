#include "daemon/task_pool.hpp"

#include <algorithm>

namespace llmgw::daemon {

GrowingTaskPool::GrowingTaskPool(std::size_t max_threads)
    : m_max_threads(std::max<std::size_t>(max_threads, 1)) {}

GrowingTaskPool::~GrowingTaskPool() {
  shutdown();
}

void GrowingTaskPool::enqueue(std::function<void()> task) {
  std::unique_lock lock(m_mutex);
  if (m_stopping)
    return;
  m_tasks.push_back(std::move(task));
  // Idle threads already waiting will take the queued tasks; start one only for the rest.
  if (m_tasks.size() > m_idle && m_threads.size() < m_max_threads)
    m_threads.emplace_back([this] { work(); });
  lock.unlock();
  m_ready.notify_one();
}

void GrowingTaskPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    threads.swap(m_threads);
  }
  m_ready.notify_all();
  for (std::thread& thread : threads)
    thread.join();
}

std::size_t GrowingTaskPool::threads() const {
  std::lock_guard lock(m_mutex);
  return m_threads.size();
}

void GrowingTaskPool::work() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    ++m_idle;
    m_ready.wait(lock, [this] { return m_stopping || !m_tasks.empty(); });
    --m_idle;
    if (m_tasks.empty())
      return;  // stopping, and nothing left to run
    std::function<void()> task = std::move(m_tasks.front());
    m_tasks.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace llmgw::daemon
