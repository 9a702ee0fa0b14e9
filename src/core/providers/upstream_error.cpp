#include "core/providers/upstream_error.hpp"

#include "core/excerpt.hpp"
#include "core/providers/adapter_util.hpp"

namespace llmgw {

Error upstream_error(const HttpResponse& response, const std::string& provider,
                     const std::string& provider_message) {
  const std::string status = std::to_string(response.status);
  std::string message;
  if (!provider_message.empty()) {
    message = provider + ": " + provider_message;
  } else if (adapter::trim(response.body).empty()) {
    message = "HTTP " + status + " from " + provider + " (empty body)";
  } else {
    message = "HTTP " + status + " from " + provider + ": " + excerpt(response.body);
  }
  Error error = make_error(ErrorKind::upstream, std::move(message));
  error.provider = provider;
  error.http_status = response.status;
  return error;
}

}  // namespace llmgw
