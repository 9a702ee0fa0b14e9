// Reading the 2xx JSON bodies of the non-chat operations (embeddings, images): the shared
// checks and the errors they raise, so every operation words a bad reply the same way.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/http/transport.hpp"

namespace llmgw::json_reply {

// Throws GatewayError{upstream} (provider set): "<provider> returned HTTP <status> with a
// body that is <what>: <one-line excerpt of the body>".
[[noreturn]] void bad_body(const HttpResponse& response, const std::string& provider,
                           const std::string& what);

// The body as a JSON object. Throws bad_body(…, "not a JSON object") for anything else,
// and for an "error" inside a 2xx body (OpenRouter-style, or Ollama failing after the
// headers) GatewayError{upstream} "<provider>: <its message>" with http_status 502, since
// the upstream failed, not the caller.
nlohmann::json parse_object(const HttpResponse& response, const std::string& provider);

}  // namespace llmgw::json_reply
