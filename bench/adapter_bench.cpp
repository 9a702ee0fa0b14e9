// Adapter overhead per provider: building the upstream request from a typical 2 KB
// OpenAI-format request, and decoding a 500-chunk stream (raw bytes → canonical chunks).
// Prints figures; it is not a test. Build and run: bench/adapters.sh
#include <chrono>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "core/providers/chat_protocol.hpp"

using nlohmann::json;
using namespace llmgw;

namespace {

json typical_request() {
  json messages = json::array();
  messages.push_back(
      {{"role", "system"}, {"content", "You are a concise assistant for a C++ team."}});
  // Sized so that the whole request is the "typical 2 KB" (the program prints it).
  const std::string filler(165, 'x');
  for (int i = 0; i < 4; ++i) {
    messages.push_back(
        {{"role", "user"}, {"content", "Question " + std::to_string(i) + ": " + filler}});
    messages.push_back(
        {{"role", "assistant"}, {"content", "Answer " + std::to_string(i) + ": " + filler}});
  }
  messages.push_back({{"role", "user"}, {"content", "And finally, summarise all of that."}});
  return {{"model", "m"},
          {"messages", messages},
          {"temperature", 0.3},
          {"max_tokens", 512},
          {"tools",
           {{{"type", "function"},
             {"function",
              {{"name", "lookup"},
               {"description", "Look a symbol up"},
               {"parameters",
                {{"type", "object"},
                 {"properties", {{"symbol", {{"type", "string"}}}}},
                 {"required", {"symbol"}}}}}}}}}};
}

std::string stream_body(Protocol protocol, int chunks) {
  std::string body;
  const auto sse = [&](const std::string& event, const json& data) {
    if (!event.empty())
      body += "event: " + event + "\n";
    body += "data: " + data.dump() + "\n\n";
  };
  switch (protocol) {
    case Protocol::openai:
      for (int i = 0; i < chunks; ++i) {
        sse("",
            {{"id", "c"},
             {"object", "chat.completion.chunk"},
             {"created", 1},
             {"model", "m"},
             {"choices",
              {{{"index", 0}, {"delta", {{"content", "token "}}}, {"finish_reason", nullptr}}}}});
      }
      sse("", {{"id", "c"},
               {"object", "chat.completion.chunk"},
               {"created", 1},
               {"model", "m"},
               {"choices", json::array()},
               {"usage",
                {{"prompt_tokens", 500},
                 {"completion_tokens", chunks},
                 {"total_tokens", 500 + chunks}}}});
      body += "data: [DONE]\n\n";
      break;
    case Protocol::anthropic:
      sse("message_start", {{"type", "message_start"},
                            {"message",
                             {{"id", "msg"},
                              {"model", "m"},
                              {"usage", {{"input_tokens", 500}, {"output_tokens", 1}}}}}});
      sse("content_block_start", {{"type", "content_block_start"},
                                  {"index", 0},
                                  {"content_block", {{"type", "text"}, {"text", ""}}}});
      for (int i = 0; i < chunks; ++i) {
        sse("content_block_delta", {{"type", "content_block_delta"},
                                    {"index", 0},
                                    {"delta", {{"type", "text_delta"}, {"text", "token "}}}});
      }
      sse("message_delta", {{"type", "message_delta"},
                            {"delta", {{"stop_reason", "end_turn"}}},
                            {"usage", {{"output_tokens", chunks}}}});
      sse("message_stop", {{"type", "message_stop"}});
      break;
    case Protocol::gemini:
      for (int i = 0; i < chunks; ++i) {
        json candidate = {{"content", {{"parts", {{{"text", "token "}}}}, {"role", "model"}}},
                          {"index", 0}};
        if (i == chunks - 1)
          candidate["finishReason"] = "STOP";
        sse("", {{"candidates", {candidate}},
                 {"usageMetadata",
                  {{"promptTokenCount", 500},
                   {"candidatesTokenCount", i + 1},
                   {"totalTokenCount", 501 + i}}}});
      }
      break;
    case Protocol::ollama:
      for (int i = 0; i < chunks; ++i) {
        body += json{{"model", "m"},
                     {"message", {{"role", "assistant"}, {"content", "token "}}},
                     {"done", false}}
                    .dump() +
                "\n";
      }
      body += json{{"model", "m"},
                   {"message", {{"role", "assistant"}, {"content", ""}}},
                   {"done", true},
                   {"done_reason", "stop"},
                   {"prompt_eval_count", 500},
                   {"eval_count", chunks}}
                  .dump() +
              "\n";
      break;
    case Protocol::mock:
      break;
  }
  return body;
}

template <class F>
double mean_microseconds(int iterations, F&& work) {
  for (int i = 0; i < iterations / 10; ++i)
    work();  // warm up
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i)
    work();
  const std::chrono::duration<double, std::micro> elapsed =
      std::chrono::steady_clock::now() - start;
  return elapsed.count() / iterations;
}

}  // namespace

int main() {
  constexpr int k_chunks = 500;
  const json request = typical_request();
  std::printf("request: %zu bytes of OpenAI JSON; stream: %d content chunks\n",
              request.dump().size(), k_chunks);
  std::printf("%-10s %18s %18s %14s\n", "protocol", "build request", "decode stream", "per chunk");
  const Endpoint endpoint{"bench", "http://127.0.0.1:1/v1", "sk-bench-key", AuthStyle::bearer, {}};
  for (const auto& [name, protocol] :
       {std::pair{"openai", Protocol::openai}, std::pair{"anthropic", Protocol::anthropic},
        std::pair{"gemini", Protocol::gemini}, std::pair{"ollama", Protocol::ollama}}) {
    const ChatProtocol& adapter = *chat_protocol(protocol);
    const double build = mean_microseconds(2000, [&] {
      const HttpRequest http = adapter.build_request(request, "m", endpoint, true);
      if (http.body.empty())
        std::abort();
    });
    const std::string body = stream_body(protocol, k_chunks);
    std::size_t emitted = 0;
    const double decode = mean_microseconds(50, [&] {
      auto decoder = adapter.make_decoder({name, "m", 1});
      const ChunkEmit emit = [&](const json&) { ++emitted; };
      for (std::size_t at = 0; at < body.size(); at += 4096) {
        decoder->feed(std::string_view(body).substr(at, 4096), emit);
      }
      if (!decoder->finish(emit))
        std::abort();
    });
    std::printf("%-10s %15.2f µs %15.1f µs %11.3f µs\n", name, build, decode, decode / k_chunks);
  }
  return 0;
}
