// How a streamed chat answer is written for one API (OpenAI's chunks, Anthropic's
// events): Daemon::stream_chat does the relaying, a StreamFormat the encoding.
#pragma once

#include <optional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/gateway.hpp"

namespace llmgw::daemon {

class StreamFormat {
 public:
  virtual ~StreamFormat() = default;
  // On the fetching thread, in order: the SSE text for one canonical chunk ("" for none),
  // then, once the call returned, what follows the last chunk.
  virtual std::string chunk(const nlohmann::json& chunk) = 0;
  virtual std::string end(const ChatResult& result) = 0;
  // On the writing thread, last: after a complete answer (error empty) or a failure after
  // the stream began.
  virtual std::string close(const std::optional<Error>& error) = 0;
  // A failure before the first chunk, as an ordinary HTTP error answer.
  virtual void send_error(httplib::Response& res, const Error& error) = 0;
};

}  // namespace llmgw::daemon
