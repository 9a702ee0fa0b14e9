// The Anthropic Messages front end: what lets a client of Anthropic's API (the official
// SDKs, POST /v1/messages) be served by llmgw with any provider behind it. The inbound
// direction of providers/anthropic_*: an Anthropic request → the canonical (OpenAI Chat
// Completions) request; the canonical answer, stream chunks and errors → Anthropic's
// shapes (wire-formats §3.2-3.7). Pure: no I/O, no clock, no randomness.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace llmgw::anthropic_front {

// Prefixed to the text of a tool_result that has is_error: true. The canonical tool
// message has no error flag, so the model reads the failure in the text instead.
inline constexpr std::string_view k_tool_error_prefix = "[tool error] ";

// An Anthropic Messages request → a canonical chat request:
// - model as is; max_tokens (required, ≥ 1) → max_tokens; temperature and top_p (numbers
//   0..1) as is; top_k (integer ≥ 0) passed through as top_k, which the Anthropic, Gemini
//   and Ollama adapters carry (an OpenAI upstream refuses it by name); stop_sequences →
//   stop (at most 4, the canonical limit); metadata.user_id → user; stream → stream, plus
//   stream_options.include_usage when true, so usage arrives;
// - system (string or text blocks) → a first system message (string, or text parts);
// - messages keep their order and role: a string content stays a string, blocks become
//   parts: text → text, image (base64 → a data: URL, url → the URL) → image_url, document
//   (base64 → file with a data: URL, text → text); tool_use (assistant) → tool_calls
//   (input as a JSON string; the message's content is null when it has no text);
//   tool_result (user) → one role "tool" message each with tool_call_id, placed before
//   the rest of that user message (OpenAI wants tool answers right after the calls), text
//   joined into a string (image parts kept as parts), is_error shown by
//   k_tool_error_prefix; thinking and redacted_thinking are dropped, and a message left
//   with nothing is dropped;
// - tools (custom tools: name, description, input_schema) → function tools; tool_choice
//   auto/any/tool/none → "auto"/"required"/{function}/"none", disable_parallel_tool_use
//   → parallel_tool_calls: false;
// - cache_control is dropped wherever it is; so is everything listed by dropped_fields.
// Throws GatewayError{invalid_request} with `param` as Anthropic writes paths
// ("messages.2.content.0.source.data") for a wrong type, a missing required field, a
// block in the wrong role, a server tool, or a block type llmgw cannot carry.
nlohmann::json to_canonical(const nlohmann::json& messages_request);

// The top-level fields of an Anthropic request that to_canonical leaves out (thinking,
// service_tier, output_config, container, mcp_servers, unknown ones…), sorted, for a note
// to the user.
std::vector<std::string> dropped_fields(const nlohmann::json& messages_request);

// Canonical usage → Anthropic usage: input_tokens = prompt − cached − cache writes (never
// below 0), cache_read_input_tokens = prompt_tokens_details.cached_tokens,
// cache_creation_input_tokens = prompt_tokens_details.cache_write_tokens, output_tokens =
// completion_tokens; cache_creation {ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}
// when the TTL split is known. Missing counts are 0.
nlohmann::json to_anthropic_usage(const nlohmann::json& usage);

// finish_reason → stop_reason: length → max_tokens, tool_calls (and the old
// function_call) → tool_use, content_filter → refusal; stop, null and anything else →
// end_turn, or tool_use when the answer has tool calls (an agent loop runs tools on
// tool_use only). stop_sequence is never produced: a canonical answer does not say which
// sequence matched, nor that one did.
std::string to_stop_reason(const nlohmann::json& finish_reason, bool has_tool_use);

// A canonical chat.completion → an Anthropic message: id "msg_" + the completion's id (kept
// as is when it already starts with "msg_"; derived from a hash of the completion when it
// has none), model = `model` (the completion's when `model` is empty), content from the
// first choice: its text (or refusal) as one text block when not empty, then each tool
// call as a tool_use block (input = the arguments parsed; arguments that are not a JSON
// object become {}, because Anthropic's input must be one), stop_reason per
// to_stop_reason, stop_sequence null, usage per to_anthropic_usage.
nlohmann::json to_anthropic_response(const nlohmann::json& completion, const std::string& model);

// One server-sent event of an Anthropic stream: `event` is also data["type"].
struct SseEvent {
  std::string event;
  nlohmann::json data;
};

// "event: <event>\ndata: <data as compact JSON>\n\n".
std::string wire_text(const SseEvent& event);

// Canonical chat.completion.chunk objects in, Anthropic stream events out (§3.6):
// message_start (on the first chunk: id as in to_anthropic_response, content [], usage so
// far), then for each text run and each tool call, in order, content_block_start,
// content_block_delta (text_delta; input_json_delta with the arguments fragments as
// partial_json) and content_block_stop, each block with the next index; finish() closes
// the open block and sends message_delta ({stop_reason, stop_sequence: null} per
// to_stop_reason, and the whole usage per to_anthropic_usage, since canonical usage comes
// last) and message_stop. Only choice 0 is read (Anthropic has one answer); empty text and
// empty fragments start nothing; usage comes from any chunk that has it, the last one
// winning, so a usage chunk after the finish_reason counts. Blocks are sequential, as
// Anthropic sends them: a fragment for a tool call whose block has already been closed
// (canonical sources interleave calls only in theory) is dropped. A delta is never sent
// for a block not started, and every started block is stopped exactly once. Nothing
// comes out after finish().
class StreamEncoder {
 public:
  explicit StreamEncoder(std::string model);

  std::vector<SseEvent> add(const nlohmann::json& chunk);
  std::vector<SseEvent> finish();

 private:
  void start_message(const nlohmann::json& chunk, std::vector<SseEvent>& out);
  void open_block(nlohmann::json content_block, bool text, std::vector<SseEvent>& out);
  void close_block(std::vector<SseEvent>& out);
  void add_text(std::string_view text, std::vector<SseEvent>& out);
  void add_tool_fragment(const nlohmann::json& fragment, std::vector<SseEvent>& out);
  SseEvent delta(nlohmann::json delta) const;

  std::string m_model;
  std::string m_id;
  bool m_started = false;
  bool m_finished = false;
  int m_next_block = 0;
  int m_open_block = -1;  // the index of the block open now, -1 when none is
  bool m_open_is_text = false;
  std::map<std::int64_t, int> m_tool_blocks;  // canonical tool-call index → block index
  std::int64_t m_last_tool = -1;              // the canonical index of the latest call
  nlohmann::json m_finish_reason;             // null until a chunk gives one
  nlohmann::json m_usage;                     // the latest canonical usage, null until one
};

// Anthropic's error type for an Error as a client sees it, by client_status: 400
// invalid_request_error (and other 4xx), 401 authentication_error, 402 billing_error, 403
// permission_error, 404 not_found_error, 413 request_too_large, 429 rate_limit_error (a
// spent budget too, as Anthropic's own spend limit is), 504 timeout_error, 529
// overloaded_error, other 5xx api_error.
std::string error_type(const Error& error);

// The HTTP status and body {"type":"error","error":{"type","message"}} for an Error: the
// status from client_status (an upstream refusing llmgw's provider key is a 502), the
// message from client_message (the fix, when known, ends it).
std::pair<int, nlohmann::json> error_response(const Error& error);

// The same error as a stream event (event "error"), for a failure after the stream began.
SseEvent error_event(const Error& error);

}  // namespace llmgw::anthropic_front
