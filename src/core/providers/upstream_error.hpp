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

// The retry hints OpenAI's and Anthropic's SDKs honour: `x-should-retry: true|false`
// overrides `retryable`, and retry_after comes from retry-after-ms, then retry-after.
void apply_retry_headers(Error& error, const HttpResponse& response);

}  // namespace llmgw
