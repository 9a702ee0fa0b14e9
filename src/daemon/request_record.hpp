// What the daemon learns about one request while it serves it, for its log line and its
// metrics (request_log.hpp, metrics.hpp). Never the prompt, the answer or a key: only
// the fields below.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "core/ledger_entry.hpp"
#include "core/resilience/attempt_loop.hpp"
#include "core/routing.hpp"
#include "daemon/request_log.hpp"

namespace llmgw::daemon {

struct RequestRecord {
  std::chrono::steady_clock::time_point started;
  RequestLogEntry entry;
  double upstream_seconds = 0;  // time spent in sent attempts (the rest is llmgw's own)
  std::int64_t cache_write_tokens = 0;
  std::int64_t reasoning_tokens = 0;
  int client_port = -1;   // the connection's, while it is busy
  bool deferred = false;  // a stream: finished when the stream ends, not by the route
  bool finished = false;

  // What the answer's ledger row, attempts and route say (tokens, cost, who served it).
  void note_answer(const LedgerRow& row, const std::vector<AttemptRecord>& attempts,
                   const Route& route, bool cache_hit);
};

}  // namespace llmgw::daemon
