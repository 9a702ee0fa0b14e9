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

// A 200 JSON reply with `body`.
inline HttpResponse ok(std::string body) {
  return response(200, std::move(body), {{"content-type", "application/json"}});
}

// A header of a built request, or "<absent>", so a CHECK shows which it was.
inline std::string header(const HttpRequest& request, const std::string& name) {
  return request.header(name).value_or("<absent>");
}

}  // namespace llmgw::test
