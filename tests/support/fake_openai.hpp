// A fake OpenAI-compatible upstream (docs: /work/shared/wire-formats.md §2) on a real
// local HTTP server, with scripted replies and faults.
//
//   FakeOpenAI server;                              // already listening
//   server.push(Reply::json(429, error_body).with_header("Retry-After", "7"));
//   base_url = server.base_url() + "/v1";
//   ... run the code under test ...
//   CHECK(server.requests().at(0).json["model"] == "gpt-4o-mini");
//
// Every request (any method and path) is recorded, then answered with the next pushed
// Reply (FIFO), or when none is queued with the default for its endpoint:
//   POST /v1/chat/completions  a completion whose content is "fake: " + the last user
//                              message's text; with "stream": true the same content as
//                              SSE chunks (role chunk, content pieces, finish chunk, usage
//                              chunk if stream_options.include_usage, data: [DONE]).
//                              Usage: prompt_tokens = words in all message texts,
//                              completion_tokens = words in the reply (both at least 1).
//                              A body that is not a JSON object with a "messages" array
//                              gets 400 invalid_request_error.
//   POST /v1/embeddings        {"object":"list","model","data","usage"}: one embedding per
//                              input (a string, each string of an array, one token array,
//                              or each array of token arrays), of `dimensions` values
//                              (default k_embedding_dimensions), value j of input i being
//                              embedding_value(i, j) (exact in float32); with
//                              encoding_format "base64" each is the base64 of those values
//                              as little-endian float32. Usage: prompt_tokens = words in
//                              the strings (or token ids given), total_tokens the same.
//                              No usable "input" gets 400 invalid_request_error.
//   POST /v1/images/generations {"created","data"} with n (default 1) items: with
//                              response_format "b64_json" {"b64_json": base64 of the bytes
//                              "fake image <i>: <prompt>"} (not a real image), otherwise
//                              {"url": "https://images.fake.test/<i>.png", "revised_prompt":
//                              "fake: <prompt>"}. No string "prompt" gets 400.
//   GET  /v1/models            {"object":"list","data":[...]} with k_models.
//   anything else              404 with an OpenAI error body.
// Every response carries "x-request-id: req_fake_<n>" (n = 1, 2, ... per request).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/http/transport.hpp"
#include "support/local_server.hpp"

namespace llmgw::test {

struct RecordedRequest {
  std::string method;
  std::string path;     // without the query string
  std::string target;   // as in the request line: path with the query string
  Headers headers;      // names lower-cased
  std::string body;     // as received
  nlohmann::json json;  // body parsed; null when empty or not JSON
  // First header with this name (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
};

// The request as a fake upstream records it (header names lower-cased, body parsed).
RecordedRequest record_request(const httplib::Request& req);

struct Reply {
  enum class Kind {
    echo,  // the endpoint's default reply (see above)
    json,  // `body` as application/json with `status`
    raw,   // `body` as `content_type` with `status` (e.g. an HTML 502 page)
    sse,   // 200 text/event-stream: each of `events` followed by a blank line
  };
  Kind kind = Kind::echo;
  int status = 200;
  std::string body;
  std::string content_type;
  Headers headers;                  // extra response headers
  std::vector<std::string> events;  // sse: raw events without the blank line, e.g.
                                    // "data: {...}", "event: x\ndata: y", ": comment"

  // Faults. Event counts apply to sse replies and to streamed echo replies.
  std::chrono::milliseconds delay{0};      // before the status line (first-byte timeout)
  std::optional<std::size_t> stall_after;  // after this many events, go silent for `stall`
  std::chrono::milliseconds stall{0};      //   (idle timeout), then continue
  std::optional<std::size_t> cut_after;    // after this many events, drop the connection
                                           // without ending the chunked body
  std::chrono::milliseconds interval{0};   // between events (a slow, steady stream)

  static Reply echo();
  static Reply json(int status, nlohmann::json body);
  static Reply raw(int status, std::string body, std::string content_type = "text/html");
  // Events are sent exactly as given: include "data: [DONE]" if the test wants it.
  static Reply sse(std::vector<std::string> events);
  // {"error":{"message","type","param":null,"code"}} with `status`; code may be empty
  // (then null).
  static Reply error(int status, std::string message, std::string type = "invalid_request_error",
                     std::string code = {});

  Reply& with_header(std::string name, std::string value);
  Reply& with_delay(std::chrono::milliseconds before_headers);
  Reply& with_stall(std::size_t after_events, std::chrono::milliseconds duration);
  Reply& with_cut_after(std::size_t events);
  Reply& with_interval(std::chrono::milliseconds between_events);
};

class FakeOpenAI {
 public:
  static inline const std::vector<std::string> k_models = {"gpt-4o-mini", "gpt-4o",
                                                           "text-embedding-3-small"};

  static constexpr std::size_t k_embedding_dimensions = 3;
  // Value `dimension` of the default embedding of input `input`: (input + 1) + dimension / 8.
  static double embedding_value(std::size_t input, std::size_t dimension) {
    return static_cast<double>(input + 1) + static_cast<double>(dimension) / 8.0;
  }

  FakeOpenAI();  // listening when constructed
  ~FakeOpenAI() = default;
  FakeOpenAI(const FakeOpenAI&) = delete;
  FakeOpenAI& operator=(const FakeOpenAI&) = delete;

  // Queues the reply for the next request that has no reply yet.
  void push(Reply reply);
  // Replies still queued.
  std::size_t pending() const;

  // Copies of all requests received so far, in arrival order.
  std::vector<RecordedRequest> requests() const;

  // "http://127.0.0.1:<port>" (append "/v1" for an OpenAI base_url).
  std::string base_url() const { return m_server.base_url(); }
  int port() const { return m_server.port(); }
  // TCP connections that carried requests (for keep-alive assertions).
  std::size_t connections_seen() const { return m_server.connections_seen(); }
  // Streams whose client closed the connection before the stream's end.
  std::size_t streams_abandoned() const { return m_abandoned.load(); }

  // The default stream for a chat request: the SSE events (without blank lines) that
  // an echo reply sends. Useful to build variants with Reply::sse().
  static std::vector<std::string> echo_events(const nlohmann::json& request);
  // The default non-stream completion for a chat request.
  static nlohmann::json echo_completion(const nlohmann::json& request);

 private:
  void handle(const httplib::Request& req, httplib::Response& res);
  void send_events(httplib::Response& res, std::vector<std::string> events, const Reply& reply);

  mutable std::mutex m_mutex;
  std::deque<Reply> m_replies;
  std::vector<RecordedRequest> m_requests;
  std::atomic<std::size_t> m_abandoned{0};
  // Last, so that it is destroyed first: its destructor joins the handler threads,
  // which use the members above.
  LocalServer m_server;
};

}  // namespace llmgw::test
