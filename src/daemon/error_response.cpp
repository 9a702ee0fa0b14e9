#include "daemon/error_response.hpp"

#include <cmath>

namespace llmgw::daemon {

ErrorResponse openai_error_response(const Error& error) {
  ErrorResponse response;
  response.status = error.http_status >= 400 && error.http_status <= 599 ? error.http_status : 500;
  std::string type = error.type.empty() ? "server_error" : error.type;
  if (error.kind == ErrorKind::upstream && (error.http_status == 401 || error.http_status == 403)) {
    response.status = 502;
    type = "upstream_authentication_error";
  }
  std::string message = error.message;
  if (!error.fix.empty())
    message += " (fix: " + error.fix + ")";
  response.body = {
      {"error",
       {{"message", message},
        {"type", type},
        {"param", error.param.empty() ? nlohmann::json() : nlohmann::json(error.param)},
        {"code", error.code.empty() ? nlohmann::json() : nlohmann::json(error.code)}}}};
  if (error.retry_after && *error.retry_after > 0)
    response.retry_after_seconds = static_cast<long>(std::ceil(*error.retry_after));
  return response;
}

}  // namespace llmgw::daemon
