// Hands a streamed answer from the thread that fetches it to the thread that writes it to
// the client. cpp-httplib writes a response's status line before its content provider
// runs, so to answer an error before the first chunk with an ordinary HTTP error the
// fetch must start before the handler returns: a producer thread runs the Gateway call
// and pushes SSE text here; the handler waits for the first piece (or the error), then
// the content provider drains the rest. Nothing is buffered beyond what the client has
// not yet taken (bounded: the producer waits when the client is slow).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "core/http/transport.hpp"

namespace llmgw::daemon {

class StreamRelay {
 public:
  static constexpr std::size_t k_max_pending = 256;  // pieces the client has not taken

  StreamRelay() = default;
  ~StreamRelay();  // cancels and joins the producer
  StreamRelay(const StreamRelay&) = delete;
  StreamRelay& operator=(const StreamRelay&) = delete;

  // Runs `produce` on a new thread. It calls push() for each piece and returns normally
  // at the end of the answer, or throws: a GatewayError (or any exception) ends the relay
  // with that error. cancel_token() is cancelled when the client goes away.
  void start(std::function<void()> produce);

  // Producer side. False when the client has gone (the piece is dropped).
  bool push(std::string piece);

  // Consumer side. Waits until the first piece, the end, or an error. Returns the error
  // when the producer failed before pushing anything (the answer never started).
  std::optional<Error> wait_started();
  // The next piece; nullopt at the end. `error` is set when the producer failed after
  // pieces were pushed (the stream broke mid-way). Waits at most `heartbeat`, then
  // returns an empty string so the writer can check the connection.
  std::optional<std::string> next(std::chrono::milliseconds heartbeat, std::optional<Error>& error);
  // The client went away (or the writer gave up): cancels the fetch.
  void abandon();

  CancelToken& cancel_token() { return m_cancel; }

 private:
  void finish(std::optional<Error> error);

  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<std::string> m_pending;
  bool m_started = false;  // a piece was pushed
  bool m_done = false;     // the producer returned or threw
  bool m_abandoned = false;
  std::optional<Error> m_error;
  CancelToken m_cancel;
  std::thread m_thread;
};

}  // namespace llmgw::daemon
