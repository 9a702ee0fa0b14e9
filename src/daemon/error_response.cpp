#include "daemon/error_response.hpp"

#include "core/frontends/client_error.hpp"

namespace llmgw::daemon {

ErrorResponse openai_error_response(const Error& error) {
  ErrorResponse response;
  response.status = client_status(error);
  std::string type = error.type.empty() ? "server_error" : error.type;
  if (is_upstream_key_refusal(error))
    type = "upstream_authentication_error";
  response.body = {
      {"error",
       {{"message", client_message(error)},
        {"type", type},
        {"param", error.param.empty() ? nlohmann::json() : nlohmann::json(error.param)},
        {"code", error.code.empty() ? nlohmann::json() : nlohmann::json(error.code)}}}};
  return response;
}

}  // namespace llmgw::daemon
