#include "daemon/http_reply.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "core/frontends/client_error.hpp"
#include "daemon/error_response.hpp"

namespace llmgw::daemon {

nlohmann::json parse_json_object(const std::string& body) {
  if (body.empty()) {
    fail(ErrorKind::invalid_request, "the request has no body",
         "send a JSON object with Content-Type: application/json");
  }
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    fail(ErrorKind::invalid_request,
         "the request body is not valid JSON (at byte " + std::to_string(e.byte) + ")",
         "send a JSON object with Content-Type: application/json");
  }
  if (!parsed.is_object()) {
    fail(ErrorKind::invalid_request,
         std::string("the request body must be a JSON object, not ") + parsed.type_name());
  }
  return parsed;
}

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  // With a charset, cpp-httplib (0.11) does not compress the body: it compresses only
  // the bare "application/json", with brotli when the client accepts it, which costs about
  // 1 ms per small answer, far more than sending it uncompressed over loopback.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, const Error& error) {
  const ErrorResponse response = openai_error_response(error);
  set_retry_headers(res, error);
  send_json(res, response.status, response.body);
}

void set_retry_headers(httplib::Response& res, const Error& error) {
  if (error.retry_after && *error.retry_after > 0)
    res.set_header("Retry-After", std::to_string(static_cast<long>(std::ceil(*error.retry_after))));
  // The statuses the SDKs retry on their own; the Gateway has already retried what can be.
  const int status = client_status(error);
  const bool sdk_retries = status == 408 || status == 409 || status == 429 || status >= 500;
  const bool useless = error.kind == ErrorKind::quota ||
                       (error.kind == ErrorKind::upstream && !error.retryable && sdk_retries);
  if (useless)
    res.set_header("x-should-retry", "false");
}

std::string request_id_for(const httplib::Request& req) {
  const std::string given = req.get_header_value("x-request-id");
  const bool sane =
      !given.empty() && given.size() <= 128 && std::all_of(given.begin(), given.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == ':' || c == '-';
      });
  if (sane)
    return given;
  thread_local std::mt19937_64 random{std::random_device{}()};
  char id[32];
  std::snprintf(id, sizeof id, "req_%012llx%012llx",
                static_cast<unsigned long long>(random() & 0xffffffffffffULL),
                static_cast<unsigned long long>(random() & 0xffffffffffffULL));
  return id;
}

}  // namespace llmgw::daemon
