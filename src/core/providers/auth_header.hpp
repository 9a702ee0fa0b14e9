// The key header an Endpoint's auth style asks for, shared by every request builder that
// takes the style from the provider (OpenAI-protocol chat, embeddings, images, model lists).
#pragma once

#include "core/http/transport.hpp"
#include "core/providers/endpoint.hpp"

namespace llmgw {

// Appends the header carrying endpoint.api_key; nothing when the key is empty or the
// style is none. The key goes in a header only, never in the URL (URLs end up in logs).
inline void add_auth_header(Headers& headers, const Endpoint& endpoint) {
  if (endpoint.api_key.empty())
    return;
  switch (endpoint.auth) {
    case AuthStyle::bearer:
      headers.emplace_back("Authorization", "Bearer " + endpoint.api_key);
      break;
    case AuthStyle::api_key_header:
      headers.emplace_back("api-key", endpoint.api_key);
      break;
    case AuthStyle::x_api_key:
      headers.emplace_back("x-api-key", endpoint.api_key);
      break;
    case AuthStyle::goog_api_key:
      headers.emplace_back("x-goog-api-key", endpoint.api_key);
      break;
    case AuthStyle::none:
      break;
  }
}

}  // namespace llmgw
