#include "core/error.hpp"

namespace llmgw {

namespace {
struct KindDefaults {
  int status;
  const char* type;
};

KindDefaults defaults_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_request:
    case ErrorKind::usage:
      return {400, "invalid_request_error"};
    case ErrorKind::config:
      return {500, "configuration_error"};
    case ErrorKind::missing_key:
      return {401, "authentication_error"};
    case ErrorKind::unknown_model:
      return {404, "model_not_found"};
    case ErrorKind::upstream:
      return {502, "upstream_error"};
    case ErrorKind::network:
      return {502, "network_error"};
    case ErrorKind::timeout:
      return {504, "timeout_error"};
    case ErrorKind::stream_broken:
      return {502, "stream_error"};
    case ErrorKind::cancelled:
      return {499, "cancelled"};
    case ErrorKind::io:
    case ErrorKind::internal:
      break;
  }
  return {500, "server_error"};
}
}  // namespace

Error make_error(ErrorKind kind, std::string message, std::string fix) {
  const auto d = defaults_for(kind);
  Error e;
  e.kind = kind;
  e.http_status = d.status;
  e.type = d.type;
  e.message = std::move(message);
  e.fix = std::move(fix);
  e.retryable = kind == ErrorKind::network || kind == ErrorKind::timeout;
  return e;
}

void fail(ErrorKind kind, std::string message, std::string fix) {
  throw GatewayError(make_error(kind, std::move(message), std::move(fix)));
}

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_request:
      return "invalid_request";
    case ErrorKind::usage:
      return "usage";
    case ErrorKind::config:
      return "config";
    case ErrorKind::missing_key:
      return "missing_key";
    case ErrorKind::unknown_model:
      return "unknown_model";
    case ErrorKind::upstream:
      return "upstream";
    case ErrorKind::network:
      return "network";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::stream_broken:
      return "stream_broken";
    case ErrorKind::cancelled:
      return "cancelled";
    case ErrorKind::io:
      return "io";
    case ErrorKind::internal:
      return "internal";
  }
  return "internal";
}

}  // namespace llmgw
