// Where and how an adapter's HTTP request goes: shared by every protocol adapter.
#pragma once

#include <cstdint>
#include <string>

#include "core/http/transport.hpp"
#include "core/providers/registry.hpp"

namespace llmgw {

struct Endpoint {
  std::string provider;  // for error messages
  std::string base_url;  // no trailing '/'; the adapter appends its path
  std::string api_key;   // may be empty when auth is none
  AuthStyle auth = AuthStyle::bearer;
  Timeouts timeouts;
};

// What a pure adapter needs to build canonical answers that the upstream body lacks.
struct ResponseContext {
  std::string provider;      // e.g. "anthropic"
  std::string model;         // the upstream model name, used when the body has none
  std::int64_t created = 0;  // unix seconds for "created" (from the Gateway's Clock)
};

}  // namespace llmgw
