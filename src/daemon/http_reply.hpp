// Small pieces every route shares: JSON bodies in and out, errors in OpenAI's shape, and
// the request id.
#pragma once

#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace llmgw::daemon {

// The request body as a JSON object. Malformed JSON, or anything but an object, throws
// GatewayError (invalid_request, 400) saying where.
nlohmann::json parse_json_object(const std::string& body);

void send_json(httplib::Response& res, int status, const nlohmann::json& body);

// OpenAI's error JSON with the error's status (error_response.hpp), and its retry headers.
void send_error(httplib::Response& res, const Error& error);

// Retry-After (whole seconds) when the error asks for a wait, and "x-should-retry: false"
// when retrying cannot help: a client key's spent budget, or a provider's error the
// Gateway judged final (its insufficient_quota 429, say) with a status the OpenAI and
// Anthropic SDKs would otherwise retry (408, 409, 429, 5xx); both SDKs obey the header.
void set_retry_headers(httplib::Response& res, const Error& error);

// The client's own x-request-id when it is a sane token (1–128 of [A-Za-z0-9._:-]), else
// a new "req_" + 24 hex digits.
std::string request_id_for(const httplib::Request& req);

}  // namespace llmgw::daemon
