// One chat answer shown on the terminal, shared by `llmgw chat` and its REPL: the request
// sent through the Gateway, the text printed as it streams in, and what must be said on
// stderr afterwards.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/io.hpp"
#include "core/gateway.hpp"

namespace llmgw::cli {

// The answer text of a chat.completion: the message's content, else its refusal.
std::string text_of(const nlohmann::json& response);

// What the user has seen of an answer so far.
struct ShownAnswer {
  std::string text;
  std::optional<std::string> model;  // the provider/model sending it, once known
};

// Sends `call` through `gateway` and prints the answer on `out`: streamed as it arrives,
// or whole when `stream` is false. `shown` is filled as the answer is printed, so that
// when a GatewayError escapes (Ctrl-C, a stream cut off) the caller still has what the
// user saw. The output ends on a fresh line either way.
ChatResult show_answer(Gateway& gateway, const ChatCall& call, std::ostream& out, bool stream,
                       ShownAnswer& shown);

// A key the provider refused while another answered: the answer came, but the key needs
// fixing, and nothing else would say so.
void warn_refused_keys(const Io& io, const std::vector<AttemptRecord>& attempts);

}  // namespace llmgw::cli
