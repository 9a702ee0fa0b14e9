// One table entry per wire protocol, so the Gateway drives every adapter the same way:
// build the HTTP request, parse a whole answer, map an error, decode a stream. The
// adapters behind it stay pure functions; this file only binds them to a common shape.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/http/transport.hpp"
#include "core/providers/endpoint.hpp"
#include "core/providers/registry.hpp"

namespace llmgw {

// Receives one canonical chunk. The chunk is only valid during the call (decoders may
// reuse it for the next one): copy it to keep it.
using ChunkEmit = std::function<void(const nlohmann::json& chunk)>;

// Raw response body bytes in (any split), canonical chat.completion.chunk objects out.
class ChatStreamDecoder {
 public:
  virtual ~ChatStreamDecoder() = default;
  // Throws GatewayError for an error reported inside the stream or an unreadable event.
  virtual void feed(std::string_view bytes, const ChunkEmit& emit) = 0;
  // At end of body: flushes what is pending; true when the stream ended as the protocol
  // says a complete answer ends (terminator, or a finish reason), false when cut off.
  virtual bool finish(const ChunkEmit& emit) = 0;
};

struct ChatProtocol {
  std::function<HttpRequest(const nlohmann::json& request, const std::string& upstream_model,
                            const Endpoint& endpoint, bool stream)>
      build_request;
  std::function<nlohmann::json(const HttpResponse& response, const ResponseContext& context)>
      parse_response;
  std::function<Error(const HttpResponse& response, const std::string& provider)> map_error;
  std::function<std::unique_ptr<ChatStreamDecoder>(const ResponseContext& context)> make_decoder;
  // Top-level request fields this protocol has no equivalent for and leaves out (empty for
  // OpenAI-compatible services, which get every field passed through).
  std::function<std::vector<std::string>(const nlohmann::json& request)> dropped_fields;
};

// The adapter for a protocol, or nullptr when this build has none (mock is handled by
// the Gateway itself, without HTTP).
const ChatProtocol* chat_protocol(Protocol protocol);

}  // namespace llmgw
