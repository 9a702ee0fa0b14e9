// OpenAI Chat Completions protocol: used for OpenAI and every OpenAI-compatible service.
// Pure functions: no I/O. Canonical format is OpenAI's, so the translation is mostly
// pass-through plus model/stream/usage handling and error mapping.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/http/sse_parser.hpp"
#include "core/http/transport.hpp"
#include "core/providers/endpoint.hpp"
#include "core/providers/registry.hpp"

namespace llmgw::openai {

using llmgw::Endpoint;

// Builds POST {base_url}/chat/completions. Replaces "model" with upstream_model. When
// stream is true sets "stream": true and stream_options.include_usage = true (other
// stream_options kept); when false removes "stream" and "stream_options".
HttpRequest build_chat_request(const nlohmann::json& request, const std::string& upstream_model,
                               const Endpoint& endpoint, bool stream);

// A 2xx non-stream body → canonical response. Throws GatewayError{upstream} when the body
// is not a JSON chat.completion ("<provider> returned HTTP 200 with a body that is not
// JSON: <excerpt>").
nlohmann::json parse_chat_response(const HttpResponse& response, const std::string& provider);

// Any non-2xx response → Error: keeps status, type, code, message (the provider's own),
// and Retry-After (retry-after-ms, then retry-after seconds or HTTP-date). A non-JSON
// body gives "HTTP <status> from <provider>: <first 200 chars>". retryable is set for
// 408, 409, 429 (not insufficient_quota) and ≥500. 401/403 get a fix naming
// `llmgw keys set <provider>`.
Error map_error(const HttpResponse& response, const std::string& provider);

// Parses one Retry-After style value pair; returns seconds. Exposed for tests.
std::optional<double> parse_retry_after(const HttpResponse& response);

// Decodes SSE events of a Chat Completions stream into canonical chunks.
class StreamDecoder {
 public:
  explicit StreamDecoder(std::string provider) : m_provider(std::move(provider)) {}

  // Returns the chunk carried by this event, if any. "[DONE]" sets done() and returns
  // nothing. A data payload with a top-level "error" object (or event "error") throws
  // GatewayError{upstream} carrying the provider's message; a payload that is not JSON
  // throws GatewayError{stream_broken}. Records usage from any chunk with non-null usage.
  std::optional<nlohmann::json> on_event(const SseEvent& event);

  bool done() const { return m_done; }
  const std::optional<nlohmann::json>& usage() const { return m_usage; }

 private:
  std::string m_provider;
  bool m_done = false;
  std::optional<nlohmann::json> m_usage;
};

}  // namespace llmgw::openai
