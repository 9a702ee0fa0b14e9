// Where and how an adapter's HTTP request goes: shared by every protocol adapter.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "core/http/transport.hpp"
#include "core/providers/registry.hpp"

namespace llmgw {

struct Endpoint {
  Endpoint() = default;
  // The URL layout and api-version only matter for Azure, so most callers leave them out.
  Endpoint(std::string provider_name, std::string base, std::string key, AuthStyle auth_style,
           Timeouts request_timeouts, UrlLayout layout = UrlLayout::plain, std::string version = {})
      : provider(std::move(provider_name)),
        base_url(std::move(base)),
        api_key(std::move(key)),
        auth(auth_style),
        timeouts(request_timeouts),
        url_layout(layout),
        api_version(std::move(version)) {}

  std::string provider;  // for error messages
  std::string base_url;  // no trailing '/'; the adapter appends its path
  std::string api_key;   // may be empty when auth is none
  AuthStyle auth = AuthStyle::bearer;
  Timeouts timeouts;
  UrlLayout url_layout = UrlLayout::plain;  // OpenAI protocol only
  std::string api_version;                  // OpenAI protocol only; empty: none sent
};

// What a pure adapter needs to build canonical answers that the upstream body lacks.
struct ResponseContext {
  std::string provider;      // e.g. "anthropic"
  std::string model;         // the upstream model name, used when the body has none
  std::int64_t created = 0;  // unix seconds for "created" (from the Gateway's Clock)
};

}  // namespace llmgw
