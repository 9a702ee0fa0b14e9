// The one error type that crosses every boundary in llmgw (see docs/ARCHITECTURE.md).
// Adapters build it from upstream errors, the CLI prints it and maps `kind` to an exit
// code, the daemon renders it as OpenAI's {"error":{...}} with `http_status`.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace llmgw {

enum class ErrorKind {
  invalid_request,  // the caller's request is malformed (bad JSON, wrong types, bad values)
  usage,            // the command line itself is wrong (CLI exit 2)
  config,           // a bad config file or setting (CLI exit 3)
  missing_key,      // no API key for the provider (CLI exit 3)
  unknown_model,    // model or provider name not known (404, code model_not_found)
  upstream,         // the provider answered with an error or an unreadable body (CLI exit 4)
  network,          // could not connect / connection reset (CLI exit 4)
  timeout,          // connect, first-byte, idle or total timeout (CLI exit 4)
  stream_broken,    // a stream that had started was cut off (CLI exit 4)
  cancelled,        // the user cancelled (Ctrl-C): CLI exit 130
  // The daemon's own answers to its clients (never an upstream's):
  unauthorized,  // 401: no, a wrong, an expired or a revoked client key
  forbidden,     // 403: the client key may not use this model
  rate_limited,  // 429 + Retry-After: the client key's requests or tokens per minute
  quota,         // 429 insufficient_quota: the client key's budget is spent (never retried)
  not_found,     // 404: no such route or object
  io,            // local file or terminal I/O failed
  internal,      // a bug: should never happen
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  int http_status = 500;  // the status to show a daemon client (upstream's when it has one)
  std::string type;       // OpenAI-style error type, e.g. "invalid_request_error"
  std::string message;    // human readable; never contains a secret; UTF-8 (see make_error)
  std::string provider;   // provider name when the error came from / concerns one
  bool retryable = false;
  std::optional<double> retry_after;  // seconds, from Retry-After / retry-after-ms
  std::string param;                  // the offending request field, when known
  std::string code;                   // provider/OpenAI error code, when known
  std::string fix;                    // a one-line hint naming the fix, when one is known
  int attempts = 0;  // tries behind this error, set by the attempt loop (0: none counted)
};

// Thrown inside core; caught and translated by the CLI and daemon edges only.
class GatewayError : public std::runtime_error {
 public:
  explicit GatewayError(Error error)
      : std::runtime_error(error.message), m_error(std::move(error)) {}
  const Error& error() const noexcept { return m_error; }

 private:
  Error m_error;
};

// Convenience constructors with the conventional status/type for each kind. The message
// and fix may quote raw upstream bytes: invalid UTF-8 in them becomes U+FFFD, so every
// Error can be written into a JSON error body.
Error make_error(ErrorKind kind, std::string message, std::string fix = {});
[[noreturn]] void fail(ErrorKind kind, std::string message, std::string fix = {});

// Short stable name of a kind ("upstream", "timeout", ...), for logs and tests.
const char* to_string(ErrorKind kind);

}  // namespace llmgw
