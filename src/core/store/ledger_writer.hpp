// Takes ledger rows off the request path: add() only queues (no I/O, no lock held while
// writing), and one thread writes the queue in batches, one transaction each, every
// k_flush_interval or as soon as k_batch_rows are waiting. flush() and the destructor
// write everything queued, so a normal exit loses nothing; a crash loses at most the
// last interval's rows (about 100 ms).
//
// A database that cannot be opened or written (read-only, full, corrupt) never fails a
// request: the rows are dropped and `warn` is told once, naming the problem.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/store/database.hpp"
#include "core/store/ledger.hpp"

namespace llmgw {

class LedgerWriter {
 public:
  static constexpr std::chrono::milliseconds k_flush_interval{100};
  static constexpr std::size_t k_batch_rows = 1024;

  using Warn = std::function<void(const std::string& message)>;

  // The database is opened (and migrated) by the writer thread on its first batch, so
  // that constructing a writer costs no I/O.
  LedgerWriter(std::filesystem::path db_file, Warn warn);
  ~LedgerWriter();  // flushes
  LedgerWriter(const LedgerWriter&) = delete;
  LedgerWriter& operator=(const LedgerWriter&) = delete;

  void add(LedgerRow row);
  // Returns once every row added before the call is written (or dropped after a failure).
  void flush();

  // Rows written and rows dropped so far.
  std::size_t written() const;
  std::size_t dropped() const;

 private:
  void run();
  void write(std::vector<LedgerRow>& batch);

  const std::filesystem::path m_db_file;
  const Warn m_warn;
  std::optional<Database> m_db;  // writer thread only
  bool m_failed = false;         // writer thread only: warned, dropping from now on

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;     // rows waiting, a flush asked for, or stopping
  std::condition_variable m_written;  // a batch went out
  std::vector<LedgerRow> m_queue;
  std::size_t m_added = 0;    // rows ever added
  std::size_t m_handled = 0;  // rows written or dropped
  std::size_t m_written_rows = 0;
  std::size_t m_dropped_rows = 0;
  bool m_flush_asked = false;
  bool m_stopping = false;
  std::thread m_thread;  // last: starts after everything above exists
};

}  // namespace llmgw
