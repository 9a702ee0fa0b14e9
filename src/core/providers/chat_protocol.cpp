#include "core/providers/chat_protocol.hpp"

#include <optional>
#include <vector>

#include "core/http/ndjson_parser.hpp"
#include "core/http/sse_parser.hpp"
#include "core/providers/anthropic_adapter.hpp"
#include "core/providers/gemini_adapter.hpp"
#include "core/providers/ollama_adapter.hpp"
#include "core/providers/openai_adapter.hpp"

namespace llmgw {

namespace {

using nlohmann::json;

bool has_finish_reason(const json& chunk) {
  const auto choices = chunk.find("choices");
  if (choices == chunk.end() || !choices->is_array())
    return false;
  for (const auto& choice : *choices) {
    const auto reason = choice.find("finish_reason");
    if (reason != choice.end() && !reason->is_null())
      return true;
  }
  return false;
}

// How a protocol's stream is framed (SSE events or NDJSON lines) and when it counts as a
// complete answer:
//   OpenAI    SSE, complete at [DONE] or, since some compatible servers close right
//             after it, at a finish reason;
//   Anthropic SSE, complete at message_stop;
//   Gemini    SSE with no terminator: its decoder's finish() flushes the usage at EOF,
//             complete when a finish reason was seen;
//   Ollama    NDJSON, complete at the done:true line.
// Decoder::on_event/on_line returns the chunks for one event or line: a vector, or an
// optional for OpenAI's one-chunk events. A decoder may instead offer
// on_event(event, sink), handing over chunks it reuses (see gemini::StreamDecoder); that
// form is preferred.
template <class Framing, class Decoder, bool k_finish_reason_completes = false>
class FramedStreamDecoder final : public ChatStreamDecoder {
 public:
  template <class... Args>
  explicit FramedStreamDecoder(Args&&... args) : m_decoder(std::forward<Args>(args)...) {}

  void feed(std::string_view bytes, const ChunkEmit& emit) override {
    m_framing.feed(bytes, [&](const auto& unit) { decode(unit, emit); });
  }

  bool finish(const ChunkEmit& emit) override {
    m_framing.finish([&](const auto& unit) { decode(unit, emit); });
    if constexpr (requires(Decoder & d) { d.finish(); })
      emit_all(m_decoder.finish(), emit);
    return m_decoder.done() || (k_finish_reason_completes && m_finished);
  }

 private:
  void decode(const SseEvent& event, const ChunkEmit& emit) {
    if constexpr (requires { m_decoder.on_event(event, emit); })
      m_decoder.on_event(event, [&](const json& chunk) { emit_one(chunk, emit); });
    else
      emit_all(m_decoder.on_event(event), emit);
  }
  void decode(std::string_view line, const ChunkEmit& emit) {
    emit_all(m_decoder.on_line(line), emit);
  }

  void emit_all(const std::vector<json>& chunks, const ChunkEmit& emit) {
    for (const auto& chunk : chunks)
      emit_one(chunk, emit);
  }
  void emit_all(const std::optional<json>& chunk, const ChunkEmit& emit) {
    if (chunk)
      emit_one(*chunk, emit);
  }
  void emit_one(const json& chunk, const ChunkEmit& emit) {
    m_finished = m_finished || has_finish_reason(chunk);
    emit(chunk);
  }

  Framing m_framing;
  Decoder m_decoder;
  bool m_finished = false;
};

template <class Decoder>
using SseDecoder = FramedStreamDecoder<SseParser, Decoder>;

const ChatProtocol k_openai{
    &openai::build_chat_request,
    [](const HttpResponse& response, const ResponseContext& context) {
      return openai::parse_chat_response(response, context.provider);
    },
    &openai::map_error,
    [](const ResponseContext& context) -> std::unique_ptr<ChatStreamDecoder> {
      return std::make_unique<FramedStreamDecoder<SseParser, openai::StreamDecoder, true>>(
          context.provider);
    },
    [](const json&) { return std::vector<std::string>{}; },
};

const ChatProtocol k_anthropic{
    &anthropic::build_chat_request,
    &anthropic::parse_chat_response,
    &anthropic::map_error,
    [](const ResponseContext& context) -> std::unique_ptr<ChatStreamDecoder> {
      return std::make_unique<SseDecoder<anthropic::StreamDecoder>>(context);
    },
    &anthropic::dropped_fields,
};

const ChatProtocol k_gemini{
    &gemini::build_chat_request,
    &gemini::parse_chat_response,
    &gemini::map_error,
    [](const ResponseContext& context) -> std::unique_ptr<ChatStreamDecoder> {
      return std::make_unique<SseDecoder<gemini::StreamDecoder>>(context);
    },
    &gemini::dropped_fields,
};

const ChatProtocol k_ollama{
    &ollama::build_chat_request,
    &ollama::parse_chat_response,
    &ollama::map_error,
    [](const ResponseContext& context) -> std::unique_ptr<ChatStreamDecoder> {
      return std::make_unique<FramedStreamDecoder<NdjsonParser, ollama::StreamDecoder>>(context);
    },
    &ollama::dropped_fields,
};

}  // namespace

const ChatProtocol* chat_protocol(Protocol protocol) {
  switch (protocol) {
    case Protocol::openai:
      return &k_openai;
    case Protocol::anthropic:
      return &k_anthropic;
    case Protocol::gemini:
      return &k_gemini;
    case Protocol::ollama:
      return &k_ollama;
    case Protocol::mock:
      break;
  }
  return nullptr;
}

}  // namespace llmgw
