// A streamed chat answer, for any API's format (stream_format.hpp): fetched on its own
// thread (stream_relay.hpp) so a failure before the first chunk is an ordinary HTTP error,
// written chunk by chunk, and cancelled when the client goes away.
#include <chrono>
#include <memory>

#include "daemon/answer.hpp"
#include "daemon/daemon.hpp"
#include "daemon/stream_relay.hpp"

namespace llmgw::daemon {

namespace {

// How long the writer waits for the next piece before writing a keep-alive comment,
// which also finds out that a client has gone.
constexpr std::chrono::milliseconds k_heartbeat{1000};

}  // namespace

void Daemon::stream_chat(ChatCall call, std::shared_ptr<std::vector<Route>> chain,
                         ClientLimiter::Admission admission, std::shared_ptr<StreamFormat> format,
                         httplib::Response& res) {
  // What the producer learns before its first piece, read by this thread after
  // wait_started() (the relay's lock orders the two).
  struct Start {
    Route route;
    bool cached = false;
  };
  auto relay = std::make_shared<StreamRelay>();
  auto start = std::make_shared<Start>();
  auto in_flight = std::make_shared<InFlight>(*this, relay->cancel_token());
  call.cancel = &relay->cancel_token();
  call.on_stream_start = [start](const Route& route, bool cached) {
    start->route = route;
    start->cached = cached;
  };
  // The producer holds the relay by pointer: the relay joins it before it goes away.
  StreamRelay* const out = relay.get();
  // std::function wants a copyable callable: the move-only admission rides in a shared_ptr.
  auto admitted = std::make_shared<ClientLimiter::Admission>(std::move(admission));
  // The stream's record outlives this handler: its writer finishes it.
  auto stream_record = std::make_shared<RequestRecord>(current_record());
  relay->start([this, out, chain, admitted, stream_record, format, call = std::move(call)]() {
    const ChatResult result = m_gateway.chat_stream(call, [&](const nlohmann::json& chunk) {
      if (std::string piece = format->chunk(chunk); !piece.empty())
        out->push(std::move(piece));
    });
    stream_record->note_answer(result.accounting, result.attempts, result.route, result.cache_hit);
    if (*admitted)
      m_access.settle(std::move(*admitted), result.accounting);
    if (std::string piece = format->end(result); !piece.empty())
      out->push(std::move(piece));
  });
  if (const auto error = relay->wait_started()) {
    format->send_error(res, *error);
    return;
  }
  current_record().deferred = true;
  stream_record->entry.ttft_ms = std::chrono::duration<double, std::milli>(
                                     std::chrono::steady_clock::now() - stream_record->started)
                                     .count();
  set_answer_headers(res, start->route, start->cached, nullptr);
  res.set_header("Connection", "keep-alive");
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, relay, in_flight, stream_record, format](std::size_t, httplib::DataSink& sink) {
        std::optional<Error> error;
        while (auto piece = relay->next(k_heartbeat, error)) {
          const std::string& text = piece->empty() ? std::string(": keep-alive\n\n") : *piece;
          if (!sink.write(text.data(), text.size())) {
            relay->abandon();  // the client went away: cancel the upstream request
            return false;
          }
        }
        const std::string last = format->close(error);
        if (!last.empty())
          sink.write(last.data(), last.size());
        if (error)
          stream_record->entry.error_type = error->type;
        // Before the closing chunk: once a client has it, it may send its next request,
        // whose log line must not come first.
        finish_record(*stream_record, 200, {});
        sink.done();
        return true;
      },
      [this, relay, stream_record](bool success) {
        if (success)
          return;
        relay->abandon();
        stream_record->entry.error_type = "client_closed_request";
        finish_record(*stream_record, 499, {});  // nginx's status for a client gone
      });
}

}  // namespace llmgw::daemon
