// The daemon's access log: one line per finished request, on stderr, as JSON (one object
// per line) or as `key=value` text.
//
// RequestLogEntry has no field for the text of prompts or answers, and none for any secret
// (client keys, provider keys, headers, query strings): whatever a request carried, its log
// line cannot leak it. The client key appears by its name only.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/cache_outcome.hpp"

namespace llmgw::daemon {

enum class LogFormat { json, text };

// "json" or "text"; nullopt for anything else.
std::optional<LogFormat> parse_log_format(std::string_view name);
const char* to_string(LogFormat format);

struct RequestLogEntry {
  std::int64_t time_ms = 0;       // unix milliseconds, when the request arrived
  std::string request_id;         // the id the daemon gave the request (also in its answer)
  std::string client_key_name;    // the client key's name; "" without client keys
  std::string method;             // GET, POST…
  std::string path;               // without the query string
  std::string endpoint;           // the daemon's name for the route (chat, embeddings…)
  std::string model_requested;    // as the client wrote it; "" when missing
  std::string model_served;       // the upstream model that answered; "" when none did
  std::string provider;           // that served, or last failed; "" when none was known
  int status = 200;               // the HTTP status sent
  std::string error_type;         // the OpenAI-style error type sent; "" on success
  double latency_ms = 0;          // to the end of the answer
  std::optional<double> ttft_ms;  // streams: to the first chunk sent
  int attempts = 0;               // requests sent upstream (0 for a cache hit or a 400)
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cached_tokens = 0;  // cached input, part of input_tokens
  std::optional<double> cost_usd;  // nullopt when unpriced: shown as null, never as 0
  CacheOutcome cache = CacheOutcome::none;
  bool stream = false;
};

// The entry's line, ending in "\n", fields in the order above:
//   json: {"time":"2026-12-03T06:45:35.042Z","request_id":…} with every field present,
//         null where there is no value ("" strings, ttft_ms, cost_usd);
//   text: time=2026-12-03T06:45:35.042Z request_id=… with fields that have no value left
//         out, and a value quoted ("…" with \" \\ \n \r \t \u00XX escapes) when it is empty
//         or holds a space, '"', '=', '\' or a control character.
// Times are UTC ISO 8601 with milliseconds; latency and ttft are rounded to microseconds.
// Either way a line is one line, whatever bytes the request's path or model held.
std::string format_request_log_line(const RequestLogEntry& entry, LogFormat format);

// Writes request log lines (and the daemon's warnings) to one stream, stderr in the
// daemon, for any number of threads. A request thread only queues its entry; one logger
// thread formats what is queued and writes it in one go, so the request's answer never
// waits for the log, and a busy daemon makes one write for many lines: lines appear up to
// k_batch_window late. They are written whole and in the order they were queued.
class RequestLogger {
 public:
  // `out` null: nothing is written. `quiet`: no request lines (warnings still).
  RequestLogger(std::ostream* out, LogFormat format, bool quiet = false);
  // Writes what is queued, then stops the logger thread.
  ~RequestLogger();
  RequestLogger(const RequestLogger&) = delete;
  RequestLogger& operator=(const RequestLogger&) = delete;

  void log(RequestLogEntry entry);
  // A line already formatted (ending in "\n"), such as a warning.
  void write_line(std::string line);
  // Returns once everything queued before the call is written.
  void flush();
  bool quiet() const { return m_quiet; }

 private:
  struct Item {
    std::optional<RequestLogEntry> entry;  // else `line`
    std::string line;
  };
  // How long the logger gathers lines after the first of a batch before writing them.
  static constexpr std::chrono::milliseconds k_batch_window{20};
  void run();
  void queue(Item item);

  std::ostream* const m_out;
  const LogFormat m_format;
  const bool m_quiet;
  std::mutex m_mutex;  // guards the members below
  std::condition_variable m_wake;
  std::condition_variable m_written_cv;
  std::vector<Item> m_queue;
  std::uint64_t m_queued = 0;
  std::uint64_t m_written = 0;
  bool m_stopping = false;
  bool m_flush_asked = false;
  std::thread m_thread;  // last: starts once the rest is ready
};

}  // namespace llmgw::daemon
