#include "core/providers/chat_protocol.hpp"

#include "core/http/ndjson_parser.hpp"
#include "core/http/sse_parser.hpp"
#include "core/providers/anthropic_adapter.hpp"
#include "core/providers/gemini_adapter.hpp"
#include "core/providers/ollama_adapter.hpp"
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

// Ollama's native NDJSON stream; complete means the done:true line arrived.
class OllamaStreamDecoder final : public ChatStreamDecoder {
 public:
  explicit OllamaStreamDecoder(const ResponseContext& context) : m_decoder(context) {}

  void feed(std::string_view bytes, const ChunkEmit& emit) override {
    m_parser.feed(bytes, [&](std::string_view line) { on_line(line, emit); });
  }

  bool finish(const ChunkEmit& emit) override {
    m_parser.finish([&](std::string_view line) { on_line(line, emit); });
    return m_decoder.done();
  }

 private:
  void on_line(std::string_view line, const ChunkEmit& emit) {
    for (const auto& chunk : m_decoder.on_line(line))
      emit(chunk);
  }

  NdjsonParser m_parser;
  ollama::StreamDecoder m_decoder;
};

const ChatProtocol k_ollama{
    &ollama::build_chat_request,
    &ollama::parse_chat_response,
    &ollama::map_error,
    [](const ResponseContext& context) -> std::unique_ptr<ChatStreamDecoder> {
      return std::make_unique<OllamaStreamDecoder>(context);
    },
};

// Anthropic Messages over SSE; complete means message_stop arrived.
class AnthropicStreamDecoder final : public ChatStreamDecoder {
 public:
  explicit AnthropicStreamDecoder(const ResponseContext& context) : m_decoder(context) {}

  void feed(std::string_view bytes, const ChunkEmit& emit) override {
    m_parser.feed(bytes, [&](const SseEvent& event) { on_event(event, emit); });
  }

  bool finish(const ChunkEmit& emit) override {
    m_parser.finish([&](const SseEvent& event) { on_event(event, emit); });
    return m_decoder.done();
  }

 private:
  void on_event(const SseEvent& event, const ChunkEmit& emit) {
    for (const auto& chunk : m_decoder.on_event(event))
      emit(chunk);
  }

  SseParser m_parser;
  anthropic::StreamDecoder m_decoder;
};

const ChatProtocol k_anthropic{
    &anthropic::build_chat_request,
    &anthropic::parse_chat_response,
    &anthropic::map_error,
    [](const ResponseContext& context) -> std::unique_ptr<ChatStreamDecoder> {
      return std::make_unique<AnthropicStreamDecoder>(context);
    },
};

// Gemini streamGenerateContent?alt=sse: no terminator, so the end of the body is the end
// of the answer; complete means a finish reason was seen before it.
class GeminiStreamDecoder final : public ChatStreamDecoder {
 public:
  explicit GeminiStreamDecoder(const ResponseContext& context) : m_decoder(context) {}

  void feed(std::string_view bytes, const ChunkEmit& emit) override {
    m_parser.feed(bytes, [&](const SseEvent& event) { on_event(event, emit); });
  }

  bool finish(const ChunkEmit& emit) override {
    m_parser.finish([&](const SseEvent& event) { on_event(event, emit); });
    for (const auto& chunk : m_decoder.finish())
      emit(chunk);
    return m_decoder.done();
  }

 private:
  void on_event(const SseEvent& event, const ChunkEmit& emit) {
    for (const auto& chunk : m_decoder.on_event(event))
      emit(chunk);
  }

  SseParser m_parser;
  gemini::StreamDecoder m_decoder;
};

const ChatProtocol k_gemini{
    &gemini::build_chat_request,
    &gemini::parse_chat_response,
    &gemini::map_error,
    [](const ResponseContext& context) -> std::unique_ptr<ChatStreamDecoder> {
      return std::make_unique<GeminiStreamDecoder>(context);
    },
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
    case Protocol::ollama:
      return &k_ollama;
    case Protocol::gemini:
      return &k_gemini;
    case Protocol::anthropic:
      return &k_anthropic;
    case Protocol::mock:
      break;
  }
  return nullptr;
}

}  // namespace llmgw
