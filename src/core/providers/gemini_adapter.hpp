// Google Gemini API protocol (generativelanguage.googleapis.com/v1beta): canonical OpenAI
// Chat Completions JSON ↔ generateContent / streamGenerateContent?alt=sse. Pure functions:
// no I/O, no clock (time comes in through ResponseContext), no environment.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/http/sse_parser.hpp"
#include "core/http/transport.hpp"
#include "core/providers/endpoint.hpp"
#include "core/providers/gemini_stream_event.hpp"

namespace llmgw::gemini {

using llmgw::Endpoint;
using llmgw::ResponseContext;

// Builds POST {base_url}/models/{model}:generateContent, or
// {base_url}/models/{model}:streamGenerateContent?alt=sse when stream is true. A leading
// "models/" on upstream_model is accepted and not doubled. The key goes only in the
// x-goog-api-key header (never in the URL, which ends up in logs) and only when non-empty.
// Throws GatewayError{invalid_request} like to_gemini_request.
HttpRequest build_chat_request(const nlohmann::json& request, const std::string& upstream_model,
                               const Endpoint& endpoint, bool stream);

// The GenerateContentRequest body for a canonical request (wire-formats §4.7). Throws
// GatewayError{invalid_request} with `param` set when the request cannot be expressed:
// tool-call arguments that are not a JSON object (messages[i].tool_calls[j].function.
// arguments), a tool result whose tool_call_id no earlier assistant call declared
// (messages[i].tool_call_id), unknown roles, content part types or tool kinds.
nlohmann::json to_gemini_request(const nlohmann::json& request);

// Top-level request fields that to_gemini_request does not carry (sorted), e.g. "user",
// "parallel_tool_calls", "logit_bias". model/stream/stream_options are handled by the
// caller and never listed.
std::vector<std::string> dropped_fields(const nlohmann::json& request);

// A 2xx generateContent body → canonical chat.completion (wire-formats §4.8). Tool-call
// ids are "call_<k>", k counting from 0 across the whole answer. A body that is not a JSON
// GenerateContentResponse, or that carries an "error" object, throws GatewayError{upstream}.
nlohmann::json parse_chat_response(const HttpResponse& response, const ResponseContext& context);

// Any non-2xx response → Error (wire-formats §4.5). http_status kept; type = the Google
// status string (RESOURCE_EXHAUSTED...); code = ErrorInfo.reason when given, else the
// status string; retryable for 408/429/500/502/503/504 except a 429 whose QuotaFailure
// names a per-day quota; retry_after from the RetryInfo detail's retryDelay. A non-JSON
// body gives "HTTP <status> from <provider>: <excerpt>".
Error map_error(const HttpResponse& response, const std::string& provider);

// Parses a protobuf Duration in its JSON form ("37s", "1.5s", "0.250s") or object form
// ({"seconds": 3, "nanos": 500000000}); seconds, nullopt when unreadable or negative.
std::optional<double> parse_duration(const nlohmann::json& value);

// Gemini usageMetadata → OpenAI usage: prompt = promptTokenCount, completion =
// candidates + thoughts (thoughts not added again when the counts show candidates
// already include them), total = totalTokenCount (or the sum), cached and reasoning
// token details. Exposed for tests.
nlohmann::json to_openai_usage(const nlohmann::json& usage_metadata);

// Decodes the SSE events of streamGenerateContent?alt=sse into canonical
// chat.completion.chunk objects. Each event is a whole GenerateContentResponse holding
// only new parts; Gemini sends no terminator, so the caller calls finish() at EOF.
class StreamDecoder {
 public:
  explicit StreamDecoder(ResponseContext context) : m_context(std::move(context)) {
    refresh_chunk();
  }

  // Receives chunks; a chunk is only valid during the call (the decoder reuses it).
  using ChunkSink = std::function<void(const nlohmann::json& chunk)>;

  // Hands the chunks of one event (0..n) to `emit`, in order: a delta chunk (role on a
  // choice's first chunk, text, complete tool calls) then, for candidates that finished,
  // a finish chunk. A payload with a top-level "error" throws GatewayError{upstream}
  // with the provider's message; a payload that is not JSON throws
  // GatewayError{stream_broken}; either before anything of the event is emitted.
  void on_event(const SseEvent& event, const ChunkSink& emit);
  // The same chunks, collected.
  std::vector<nlohmann::json> on_event(const SseEvent& event);

  // End of stream: returns the usage chunk (choices: []) when usage was seen, and sets
  // done() when a finishReason (or prompt block) was seen. Returns nothing when no
  // candidate ever arrived, or when called again.
  std::vector<nlohmann::json> finish();

  bool done() const { return m_done; }
  // OpenAI-shape usage from the last usageMetadata seen.
  const std::optional<nlohmann::json>& usage() const;

 private:
  struct ChoiceState {
    bool role_sent = false;
    std::size_t tool_calls = 0;  // delta index of the next call within this choice
    bool finished = false;
  };

  // One parsed response of an event: throws its error, else reads and applies it.
  void decode_response(const nlohmann::json& response, const ChunkSink& emit);
  // Emits the chunks for one read event and updates the choices; may move text and
  // usage out of `event`.
  void apply(StreamEvent& event, const ChunkSink& emit);
  void refresh_chunk();
  void emit_chunk(nlohmann::json choices, const ChunkSink& emit);
  // One text delta for a choice whose role went out already, through m_text_chunk.
  // Takes `text` (swapped out).
  void emit_text(const nlohmann::json& index, std::string& text, const ChunkSink& emit);
  nlohmann::json chunk_with(nlohmann::json choices) const;

  ResponseContext m_context;
  std::string m_id;
  std::string m_model;
  // {id, object, created, model, choices}: the chunk handed to the sink, reused with new
  // choices each time, since building a whole chunk per event costs more than the rest
  // of decoding it.
  nlohmann::json m_chunk;
  // m_chunk with one text-delta choice, whose index and content are overwritten for each
  // plain text event (built on first use, null again when m_chunk changes).
  nlohmann::json m_text_chunk;
  // The event being decoded, kept so that its buffers are reused.
  StreamEvent m_event;
  std::map<long, ChoiceState> m_choices;
  std::size_t m_next_call_id = 0;  // k of the next "call_<k>", across all choices
  bool m_any_output = false;
  bool m_finish_seen = false;
  bool m_finished = false;
  bool m_done = false;
  // Every event repeats the usage counts and only the last ones matter, so usage() converts
  // the last usageMetadata on demand.
  nlohmann::json m_usage_metadata;
  mutable std::optional<nlohmann::json> m_usage;
  mutable bool m_usage_current = true;
};

}  // namespace llmgw::gemini
