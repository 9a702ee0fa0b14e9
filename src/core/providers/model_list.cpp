#include "core/providers/model_list.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/excerpt.hpp"
#include "core/providers/anthropic_adapter.hpp"
#include "core/providers/auth_header.hpp"
#include "core/providers/openai_url.hpp"

namespace llmgw::model_list {

namespace {

using nlohmann::json;

[[noreturn]] void unreadable(const HttpResponse& response, const std::string& provider) {
  fail(ErrorKind::upstream,
       provider + " answered the model list with an unexpected body: " + excerpt(response.body));
}

}  // namespace

HttpRequest build_request(Protocol protocol, const Endpoint& endpoint) {
  HttpRequest request;
  request.method = "GET";
  request.url =
      protocol == Protocol::ollama ? endpoint.base_url + "/api/tags" : openai_models_url(endpoint);
  request.timeouts = endpoint.timeouts;
  request.headers.emplace_back("Accept", "application/json");
  add_auth_header(request.headers, endpoint);
  if (protocol == Protocol::anthropic) {
    request.headers.emplace_back("anthropic-version", anthropic::k_api_version);
  }
  request.headers.emplace_back("User-Agent", std::string("llmgw/") + LLMGW_VERSION);
  return request;
}

std::vector<std::string> parse_response(Protocol protocol, const HttpResponse& response,
                                        const std::string& provider) {
  const json body = json::parse(response.body, nullptr, false);
  const char* list_field =
      protocol == Protocol::gemini || protocol == Protocol::ollama ? "models" : "data";
  const char* id_field =
      protocol == Protocol::gemini || protocol == Protocol::ollama ? "name" : "id";
  if (!body.is_object() || !body.contains(list_field) || !body[list_field].is_array()) {
    unreadable(response, provider);
  }
  std::vector<std::string> ids;
  for (const json& entry : body[list_field]) {
    if (!entry.is_object() || !entry.contains(id_field) || !entry[id_field].is_string())
      continue;
    std::string id = entry[id_field];
    if (protocol == Protocol::gemini && id.rfind("models/", 0) == 0)
      id.erase(0, 7);
    ids.push_back(std::move(id));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace llmgw::model_list
