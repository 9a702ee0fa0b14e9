// A fake upstream that speaks one provider's own protocol — Anthropic, Gemini or Ollama
// (docs: /work/shared/wire-formats.md §3, §4, §5) — on a real local HTTP server, and
// serves recorded transcripts. The OpenAI-compatible protocol has its own FakeOpenAI.
//
//   FakeProvider server(Protocol::anthropic, "sk-ant-key");
//   server.answer(read_fixture("anthropic/response_text.json"),
//                 read_fixture("anthropic/stream_text.sse"));
//   config: [providers.anthropic] base_url = server.base_url()
//
// Each request is recorded, then checked the way the real service checks it. A request
// that fails a check gets the service's own error body and status; one that passes gets
// the queued failure (push_failure), if any, else the transcript: the stream transcript
// when the request asks for a stream, the whole answer otherwise. Streams are sent in
// small chunks so that clients see events split across reads.
//
//   anthropic  base_url() + "/v1". POST /v1/messages. x-api-key must equal the key (401
//              authentication_error), anthropic-version must be present, and the body a
//              JSON object with model (string), max_tokens (integer) and messages (array)
//              (400 invalid_request_error). "stream": true selects the stream.
//   gemini     base_url() + "/v1beta". POST /v1beta/models/{model}:generateContent (whole)
//              or :streamGenerateContent?alt=sse (stream). x-goog-api-key must equal the
//              key (400 API_KEY_INVALID, as Google answers); a key in the URL is refused
//              (400), since llmgw promises never to put one there. The body must have a
//              non-empty "contents" array (400 INVALID_ARGUMENT).
//   ollama     base_url(). POST /api/chat, no auth. The body must have model and messages
//              (400 {"error"}); "stream": false selects the whole answer, anything else
//              the NDJSON stream (Ollama streams by default). GET /api/tags lists
//              set_models().
// Any other method or path: 404 in the protocol's error shape.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "core/providers/registry.hpp"
#include "support/fake_openai.hpp"
#include "support/local_server.hpp"

namespace llmgw::test {

class FakeProvider {
 public:
  // Listening when constructed. `key` is the API key the server accepts (unused for ollama).
  FakeProvider(Protocol protocol, std::string key = {});
  FakeProvider(const FakeProvider&) = delete;
  FakeProvider& operator=(const FakeProvider&) = delete;

  // The transcripts served to valid requests from now on.
  void answer(std::string whole_body, std::string stream_body);
  // The next valid request gets this status and body (JSON) instead of a transcript.
  void push_failure(int status, std::string body, Headers headers = {});
  // Ollama's local models, for GET /api/tags.
  void set_models(std::vector<std::string> names);

  std::vector<RecordedRequest> requests() const;
  // "http://127.0.0.1:<port>"; see the table above for the base_url each protocol takes.
  std::string base_url() const { return m_server.base_url(); }
  int port() const { return m_server.port(); }

 private:
  struct Failure {
    int status;
    std::string body;
    Headers headers;
  };
  void handle(const httplib::Request& req, httplib::Response& res);
  // Nullopt when the request passes the protocol's checks, else the error to send.
  std::optional<Failure> check(const httplib::Request& req, const nlohmann::json& body,
                               bool& wants_stream) const;
  Failure not_found(const std::string& what) const;

  Protocol m_protocol;
  std::string m_key;
  LocalServer m_server;

  mutable std::mutex m_mutex;
  std::string m_whole;
  std::string m_stream;
  std::deque<Failure> m_failures;
  std::vector<std::string> m_models;
  std::vector<RecordedRequest> m_requests;
};

}  // namespace llmgw::test
