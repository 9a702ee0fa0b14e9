#include "core/providers/chat_protocol.hpp"

#include "core/http/sse_parser.hpp"
#include "core/providers/openai_adapter.hpp"

namespace llmgw {

namespace {

bool has_finish_reason(const nlohmann::json& chunk) {
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

// OpenAI Chat Completions over SSE. Complete means [DONE] was seen, or at least a finish
// reason: some compatible servers close right after the finish chunk.
class OpenAIStreamDecoder final : public ChatStreamDecoder {
 public:
  explicit OpenAIStreamDecoder(const ResponseContext& context) : m_decoder(context.provider) {}

  void feed(std::string_view bytes, const ChunkEmit& emit) override {
    m_parser.feed(bytes, [&](const SseEvent& event) { on_event(event, emit); });
  }

  bool finish(const ChunkEmit& emit) override {
    m_parser.finish([&](const SseEvent& event) { on_event(event, emit); });
    return m_decoder.done() || m_finished;
  }

 private:
  void on_event(const SseEvent& event, const ChunkEmit& emit) {
    if (auto chunk = m_decoder.on_event(event)) {
      m_finished = m_finished || has_finish_reason(*chunk);
      emit(*chunk);
    }
  }

  SseParser m_parser;
  openai::StreamDecoder m_decoder;
  bool m_finished = false;
};

const ChatProtocol k_openai{
    &openai::build_chat_request,
    [](const HttpResponse& response, const ResponseContext& context) {
      return openai::parse_chat_response(response, context.provider);
    },
    &openai::map_error,
    [](const ResponseContext& context) -> std::unique_ptr<ChatStreamDecoder> {
      return std::make_unique<OpenAIStreamDecoder>(context);
    },
};

}  // namespace

const ChatProtocol* chat_protocol(Protocol protocol) {
  switch (protocol) {
    case Protocol::openai:
      return &k_openai;
    case Protocol::anthropic:
    case Protocol::gemini:
    case Protocol::ollama:
    case Protocol::mock:
      break;
  }
  return nullptr;
}

}  // namespace llmgw
