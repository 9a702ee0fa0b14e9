#include "daemon/task_pool.hpp"

#include <malloc.h>

#include <algorithm>

namespace llmgw::daemon {

GrowingTaskPool::GrowingTaskPool(std::size_t max_threads, std::size_t max_idle)
    : m_max_threads(std::max<std::size_t>(max_threads, 1)), m_max_idle(max_idle) {}

GrowingTaskPool::~GrowingTaskPool() {
  shutdown();
}

void GrowingTaskPool::enqueue(std::function<void()> task) {
  join_retired();
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
  join_retired();
}

std::size_t GrowingTaskPool::threads() const {
  std::lock_guard lock(m_mutex);
  return m_threads.size();
}

void GrowingTaskPool::join_retired() {
  std::vector<std::thread> retired;
  {
    std::lock_guard lock(m_mutex);
    retired.swap(m_retired);
  }
  for (std::thread& thread : retired)
    thread.join();
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
    task = nullptr;  // the connection's state goes before the thread may retire
    lock.lock();
    if (m_stopping || m_idle < m_max_idle || !m_tasks.empty())
      continue;
    // Enough threads wait already: this one retires. Its std::thread moves to m_retired,
    // joined by the next enqueue() or shutdown().
    const auto self = std::find_if(m_threads.begin(), m_threads.end(), [](const std::thread& t) {
      return t.get_id() == std::this_thread::get_id();
    });
    if (self == m_threads.end())
      continue;
    m_retired.push_back(std::move(*self));
    m_threads.erase(self);
    // The end of a burst: the last to retire waits for the others to be gone (their
    // thread-local caches freed), then gives the heap they used back to the system.
    const bool all_idle = m_idle == m_threads.size();
    std::vector<std::thread> others;
    if (all_idle) {
      others.swap(m_retired);
      m_retired.push_back(std::move(others.back()));  // this thread, joined later
      others.pop_back();
    }
    lock.unlock();
    for (std::thread& other : others)
      other.join();
    if (all_idle)
      ::malloc_trim(0);
    return;
  }
}

}  // namespace llmgw::daemon
