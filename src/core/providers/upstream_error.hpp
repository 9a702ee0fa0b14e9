// The common start of every adapter's map_error(): an upstream Error carrying the reply's
// status and a message that quotes the provider when it said something.
#pragma once

#include <string>

#include "core/error.hpp"
#include "core/http/transport.hpp"

namespace llmgw {

// Message: "<provider>: <provider_message>" when that is non-empty, else
// "HTTP <status> from <provider>: <one-line excerpt of the body>" (or "(empty body)").
// Kind upstream, http_status = the reply's status, provider set. Adapters add type,
// code, retryable, retry_after and fix.
Error upstream_error(const HttpResponse& response, const std::string& provider,
                     const std::string& provider_message);

// The statuses worth another attempt, the same for every provider: 408, 409, 429, 500,
// 502, 503, 504 and 529 (Anthropic's "overloaded"). Adapters narrow it with what the
// body says (a daily quota, insufficient_quota).
bool retryable_http_status(int status);

// The retry hints OpenAI's and Anthropic's SDKs honour: `x-should-retry: true|false`
// overrides `retryable`, and retry_after comes from retry-after-ms, then retry-after.
void apply_retry_headers(Error& error, const HttpResponse& response);

}  // namespace llmgw
