#include "core/providers/upstream_error.hpp"

#include "core/excerpt.hpp"
#include "core/providers/adapter_util.hpp"
#include "core/providers/openai_adapter.hpp"

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

bool retryable_http_status(int status) {
  switch (status) {
    case 408:
    case 409:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
    case 529:
      return true;
    default:
      return false;
  }
}

void apply_retry_headers(Error& error, const HttpResponse& response) {
  if (const auto should_retry = response.header("x-should-retry")) {
    const std::string value = adapter::lower(adapter::trim(*should_retry));
    if (value == "true")
      error.retryable = true;
    if (value == "false")
      error.retryable = false;
  }
  error.retry_after = openai::parse_retry_after(response);
}

}  // namespace llmgw
