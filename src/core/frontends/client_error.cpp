#include "core/frontends/client_error.hpp"

namespace llmgw {

bool is_upstream_key_refusal(const Error& error) {
  return error.kind == ErrorKind::upstream &&
         (error.http_status == 401 || error.http_status == 403);
}

int client_status(const Error& error) {
  if (is_upstream_key_refusal(error))
    return 502;
  return error.http_status >= 400 && error.http_status <= 599 ? error.http_status : 500;
}

std::string client_message(const Error& error) {
  if (error.fix.empty())
    return error.message;
  return error.message + " (fix: " + error.fix + ")";
}

}  // namespace llmgw
