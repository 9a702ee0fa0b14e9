// Anthropic Messages protocol (POST /v1/messages). Pure functions: no I/O, no clock.
// Translates the canonical (OpenAI Chat Completions) request into an Anthropic request,
// and Anthropic responses, stream events and errors back into canonical form.
// Mapping rules follow docs wire-formats §3.8-3.12; the choices made where the
// reference leaves one open are stated on each function below.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/http/sse_parser.hpp"
#include "core/http/transport.hpp"
#include "core/providers/endpoint.hpp"

namespace llmgw::anthropic {

using llmgw::Endpoint;
using llmgw::ResponseContext;

inline constexpr const char* k_api_version = "2023-06-01";
// Anthropic requires max_tokens; used when the request has neither max_completion_tokens
// nor max_tokens (the value LiteLLM has long used).
inline constexpr int k_default_max_tokens = 4096;

// Builds POST {base_url}/messages with content-type, accept, anthropic-version,
// user-agent "llmgw/<version>" and the key (x-api-key, or "authorization: Bearer" when
// the endpoint's auth style is bearer; no key header when the key is empty or auth is
// none). The body is to_anthropic_request(). Throws GatewayError{invalid_request} as
// to_anthropic_request does.
HttpRequest build_chat_request(const nlohmann::json& request, const std::string& upstream_model,
                               const Endpoint& endpoint, bool stream);

// The Anthropic body for a canonical request (exposed for tests):
// - system/developer messages, wherever they are, become top-level "system": one string
//   (texts joined with "\n\n"), or text blocks when any part carries cache_control;
// - user/assistant/tool messages become alternating turns: consecutive same-role turns
//   are merged, tool messages become tool_result blocks in a user turn, placed before
//   any other block of that turn; empty text is dropped and a turn left empty is
//   dropped; a turn that is a single plain text block is sent as a string; a final
//   assistant (prefill) text loses trailing whitespace;
// - max_tokens = max_completion_tokens, else max_tokens, else k_default_max_tokens;
// - stop → stop_sequences (whitespace-only sequences dropped); temperature (0..1, else
//   invalid_request), top_p, top_k; user (else safety_identifier) → metadata.user_id;
//   tools, tool_choice, parallel_tool_calls:false → disable_parallel_tool_use (with
//   tools only; tool_choice {type:auto} is created when absent);
// - "stream": true only when stream is true.
// Everything else is left out (see dropped_fields). Throws GatewayError{invalid_request}
// with `param` naming the field for what cannot be expressed (bad roles, unsupported
// content parts, image URLs that are neither data: nor http(s), tool-call arguments
// that are not a JSON object, non-function tools).
nlohmann::json to_anthropic_request(const nlohmann::json& request,
                                    const std::string& upstream_model, bool stream);

// Top-level fields of `request` that to_anthropic_request does not carry (n, seed,
// penalties, logit_bias, logprobs, response_format, stream_options, unknown ones...),
// in the request's key order (sorted), for a --verbose note. "model" is never listed.
std::vector<std::string> dropped_fields(const nlohmann::json& request);

// A 2xx Anthropic message → canonical chat.completion: text blocks joined into content
// (null when there are tool calls and no text), tool_use blocks → tool_calls in block
// order, thinking and server-tool blocks dropped, finish_reason per map_stop_reason,
// usage per to_openai_usage. id is Anthropic's; created comes from context; model is
// the body's, else context.model. Throws GatewayError{upstream} when the body is not
// JSON or has no content array ("<provider> returned HTTP <status> with a body that is
// ...: <excerpt>"), and the provider's error when the body is an error object.
nlohmann::json parse_chat_response(const HttpResponse& response, const ResponseContext& context);

// Any non-2xx response → Error{upstream}: keeps the status, type = Anthropic's error
// type (e.g. "overloaded_error"), message "<provider>: <Anthropic's message>".
// retryable for 408, 409, 429, ≥500 (529 included) and for the types overloaded_error,
// api_error, rate_limit_error; x-should-retry: true/false overrides. retry_after from
// retry-after-ms, then retry-after. 401/403 get a fix naming `llmgw keys set
// <provider>`. A non-JSON body gives "HTTP <status> from <provider>: <excerpt>".
Error map_error(const HttpResponse& response, const std::string& provider);

// Anthropic's error type for an HTTP status, as its docs pair them (400
// invalid_request_error, 401 authentication_error, 402 billing_error, 403
// permission_error, 404 not_found_error, 413 request_too_large, 429 rate_limit_error,
// 500 api_error, 504 timeout_error, 529 overloaded_error); nullptr for any other status.
const char* error_type_for_status(int status);

// stop_reason → finish_reason: end_turn, stop_sequence, pause_turn → stop; max_tokens,
// model_context_window_exceeded, compaction → length; tool_use → tool_calls;
// refusal → content_filter; anything else (unknown, null) → stop.
std::string map_stop_reason(const nlohmann::json& stop_reason);

// Anthropic usage → OpenAI usage. prompt_tokens = input + cache_creation + cache_read
// (OpenAI's "cached ⊂ prompt" meaning); completion_tokens = output;
// prompt_tokens_details.cached_tokens = cache_read, and .cache_write_tokens =
// cache_creation when > 0, split (our extension, for pricing) into
// .cache_write_5m_tokens / .cache_write_1h_tokens from cache_creation.ephemeral_5m/1h
// when those are reported and > 0; completion_tokens_details.reasoning_tokens =
// output_tokens_details.thinking_tokens when present. Missing counts are 0.
nlohmann::json to_openai_usage(const nlohmann::json& usage);

// Decodes the SSE events of one Anthropic stream into canonical chat.completion.chunk
// objects (all with id, object, created, model; one choice with index 0):
// - message_start → {role:"assistant", content:""}; remembers id, model and usage;
// - text blocks → {content}; tool_use blocks → tool_calls with index k counting tool_use
//   blocks from 0 (id, type and name in the first fragment, arguments "" then each
//   non-empty partial_json); thinking, signature, citations and server-tool blocks →
//   nothing;
// - message_delta with a stop_reason → {delta:{}, finish_reason}, once; its usage is
//   merged into the message_start usage (each non-null field overwrites);
// - message_stop → the finish chunk if none was sent yet, then one usage chunk
//   {choices:[], usage}; done() becomes true. The usage chunk is sent here, not on
//   message_delta, because message_delta may repeat with corrected counts;
// - ping, unknown event types and events after message_stop → nothing.
// An error event throws GatewayError{upstream} with Anthropic's type and message, the
// status Anthropic uses for that type over HTTP (overloaded_error → 529), retryable as
// map_error decides. A data payload that is not a JSON object throws
// GatewayError{stream_broken}.
class StreamDecoder {
 public:
  explicit StreamDecoder(ResponseContext context);

  std::vector<nlohmann::json> on_event(const SseEvent& event);

  bool done() const { return m_done; }
  // OpenAI-shape usage, known from message_start on (final after message_stop).
  const std::optional<nlohmann::json>& usage() const { return m_usage; }

 private:
  nlohmann::json chunk(nlohmann::json delta, nlohmann::json finish_reason = nullptr) const;
  void refresh_shell();
  void merge_usage(const nlohmann::json& usage);

  ResponseContext m_context;
  std::string m_id;
  std::string m_model;
  // A chunk with the current id and model and an empty delta: every chunk starts as a
  // copy of it, which is much cheaper than building one from initializer lists.
  nlohmann::json m_shell;
  nlohmann::json m_anthropic_usage;  // the merged Anthropic usage object, or null
  std::optional<nlohmann::json> m_usage;
  std::map<std::int64_t, int> m_tool_index;  // Anthropic block index → OpenAI tool index
  int m_next_tool_index = 0;
  bool m_finish_sent = false;
  bool m_done = false;
};

}  // namespace llmgw::anthropic
