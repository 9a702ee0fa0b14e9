// An upstream reply as the Transport would hand it to an adapter, for fixture tests.
#pragma once

#include <string>
#include <utility>

#include "core/http/transport.hpp"

namespace llmgw::test {

inline HttpResponse response(int status, std::string body, Headers headers = {}) {
  HttpResponse reply;
  reply.status = status;
  reply.body = std::move(body);
  reply.headers = std::move(headers);
  return reply;
}

}  // namespace llmgw::test
