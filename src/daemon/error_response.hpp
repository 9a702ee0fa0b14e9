// The daemon's answer for an Error, in OpenAI's shape:
//   {"error": {"message", "type", "param", "code"}}   (param and code null when unknown)
// with the HTTP status to send (its headers: set_retry_headers in http_reply.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace llmgw::daemon {

struct ErrorResponse {
  int status = 500;
  nlohmann::json body;
};

// The status is the error's own, except that a provider refusing llmgw's provider key
// (an upstream 401 or 403) is a 502: the client's request and key were fine, so an SDK
// must not report its own key as wrong. The fix, when known, ends the message.
ErrorResponse openai_error_response(const Error& error);

}  // namespace llmgw::daemon
