#include "core/store/ledger_writer.hpp"

#include "core/error.hpp"
#include "core/store/migrations.hpp"

namespace llmgw {

LedgerWriter::LedgerWriter(std::filesystem::path db_file, Warn warn)
    : m_db_file(std::move(db_file)), m_warn(std::move(warn)), m_thread([this] { run(); }) {}

LedgerWriter::~LedgerWriter() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_one();
  m_thread.join();
}

void LedgerWriter::add(LedgerRow row) {
  bool full = false;
  {
    std::lock_guard lock(m_mutex);
    m_queue.push_back(std::move(row));
    ++m_added;
    full = m_queue.size() >= k_batch_rows;
  }
  if (full)
    m_wake.notify_one();
}

void LedgerWriter::flush() {
  std::unique_lock lock(m_mutex);
  const std::size_t target = m_added;
  m_flush_asked = true;
  m_wake.notify_one();
  m_written.wait(lock, [&] { return m_handled >= target; });
}

std::size_t LedgerWriter::written() const {
  std::lock_guard lock(m_mutex);
  return m_written_rows;
}

std::size_t LedgerWriter::dropped() const {
  std::lock_guard lock(m_mutex);
  return m_dropped_rows;
}

void LedgerWriter::run() {
  std::vector<LedgerRow> batch;
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_wake.wait_for(lock, k_flush_interval,
                    [&] { return m_stopping || m_flush_asked || m_queue.size() >= k_batch_rows; });
    m_flush_asked = false;
    if (!m_queue.empty()) {
      batch.swap(m_queue);
      lock.unlock();
      const std::size_t rows = batch.size();
      write(batch);  // no lock held: add() never waits for the disk
      lock.lock();
      m_handled += rows;
      batch.clear();
      m_written.notify_all();
      continue;  // more may have come while writing
    }
    m_written.notify_all();
    if (m_stopping)
      return;
  }
}

void LedgerWriter::write(std::vector<LedgerRow>& batch) {
  const auto drop = [&] {
    std::lock_guard lock(m_mutex);
    m_dropped_rows += batch.size();
  };
  if (m_failed) {
    drop();
    return;
  }
  try {
    if (!m_db)
      m_db.emplace(open_migrated(m_db_file));
    insert_ledger_rows(*m_db, batch);
    std::lock_guard lock(m_mutex);
    m_written_rows += batch.size();
  } catch (const GatewayError& e) {
    m_failed = true;
    drop();
    if (m_warn) {
      std::string message = "usage is not being recorded: " + e.error().message;
      if (!e.error().fix.empty())
        message += " (" + e.error().fix + ")";
      m_warn(message);
    }
  }
}

}  // namespace llmgw
