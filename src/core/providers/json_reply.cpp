#include "core/providers/json_reply.hpp"

#include <utility>

#include "core/error.hpp"
#include "core/excerpt.hpp"
#include "core/providers/adapter_util.hpp"

namespace llmgw::json_reply {

namespace {

[[noreturn]] void body_error(const nlohmann::json& error_value, const std::string& provider) {
  std::string message;
  if (error_value.is_string())
    message = error_value.get<std::string>();
  else
    message = adapter::string_field(error_value, "message", error_value.dump());
  Error error = make_error(ErrorKind::upstream, provider + ": " + excerpt(message));
  error.provider = provider;
  error.http_status = 502;
  throw GatewayError(std::move(error));
}

}  // namespace

void bad_body(const HttpResponse& response, const std::string& provider, const std::string& what) {
  Error error = make_error(ErrorKind::upstream,
                           provider + " returned HTTP " + std::to_string(response.status) +
                               " with a body that is " + what + ": " + excerpt(response.body));
  error.provider = provider;
  throw GatewayError(std::move(error));
}

nlohmann::json parse_object(const HttpResponse& response, const std::string& provider) {
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    bad_body(response, provider, "not a JSON object");
  if (adapter::present(body, "error"))
    body_error(body["error"], provider);
  return body;
}

}  // namespace llmgw::json_reply
