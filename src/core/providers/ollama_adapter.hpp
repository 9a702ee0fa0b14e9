// Ollama's native chat API (POST /api/chat, NDJSON streaming; wire-formats §5). Pure
// functions: OpenAI-format request → Ollama request; Ollama answers and stream lines →
// OpenAI-format response and chunks; Ollama errors → Error.
//
// Not carried to Ollama (no equivalent; listed by dropped_fields): n, logit_bias, user,
// tool_choice, parallel_tool_calls, logprobs, top_logprobs, stream_options and any field
// this adapter does not know.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/http/transport.hpp"
#include "core/providers/endpoint.hpp"

namespace llmgw::ollama {

// POST {base_url}/api/chat. "stream" is always sent (Ollama streams by default).
HttpRequest build_chat_request(const nlohmann::json& request, const std::string& upstream_model,
                               const Endpoint& endpoint, bool stream);
// The body alone. Throws GatewayError{invalid_request} for what Ollama cannot take: an
// image by http(s) URL (only base64 data: URLs), tool-call arguments that are not a JSON
// object, a tool result whose tool_call_id matches no earlier call.
nlohmann::json to_ollama_request(const nlohmann::json& request, const std::string& upstream_model,
                                 bool stream);
std::vector<std::string> dropped_fields(const nlohmann::json& request);

// A 2xx non-stream body → chat.completion. Usage is left out when Ollama did not report
// prompt_eval_count (older versions omit it for cached prompts): unknown, never 0.
nlohmann::json parse_chat_response(const HttpResponse& response, const ResponseContext& context);

// {"error":"..."} bodies. Retryable: 408, 429, 500, 502, 503 (Ollama's "server busy").
Error map_error(const HttpResponse& response, const std::string& provider);

// One NDJSON line at a time → canonical chunks: the role with the first content, content
// deltas, each tool call whole (Ollama sends them whole), then at done:true a finish
// chunk and a usage chunk (choices: []). A line {"error": ...} throws
// GatewayError{upstream}; a line that is not JSON throws GatewayError{stream_broken}.
class StreamDecoder {
 public:
  explicit StreamDecoder(ResponseContext context);

  std::vector<nlohmann::json> on_line(std::string_view line);
  bool done() const { return m_done; }
  const std::optional<nlohmann::json>& usage() const { return m_usage; }

 private:
  nlohmann::json chunk(nlohmann::json delta, nlohmann::json finish_reason) const;

  ResponseContext m_context;
  std::string m_id;
  // A chunk with an empty delta: every chunk starts as a copy of it, which is much
  // cheaper than building one from initializer lists.
  nlohmann::json m_shell;
  bool m_role_sent = false;
  int m_tool_calls = 0;
  bool m_done = false;
  std::optional<nlohmann::json> m_usage;
};

}  // namespace llmgw::ollama
