// Asking a provider which models it serves (`llmgw models --remote`). Pure functions:
//   openai-compatible  GET {base}/models          → data[].id
//   anthropic          GET {base}/models          → data[].id   (x-api-key, anthropic-version)
//   gemini             GET {base}/models          → models[].name without "models/"
//   ollama             GET {base}/api/tags        → models[].name
// A non-2xx reply is mapped by the protocol's chat map_error.
#pragma once

#include <string>
#include <vector>

#include "core/http/transport.hpp"
#include "core/providers/endpoint.hpp"

namespace llmgw::model_list {

HttpRequest build_request(Protocol protocol, const Endpoint& endpoint);

// Sorted model ids. Throws GatewayError{upstream} when the body is not the documented
// shape (naming the provider and quoting an excerpt).
std::vector<std::string> parse_response(Protocol protocol, const HttpResponse& response,
                                        const std::string& provider);

}  // namespace llmgw::model_list
