#include "core/error.hpp"

#include <string_view>

namespace llmgw {

namespace {

// How many bytes at `text[at]` form one well-formed UTF-8 sequence (Unicode Table 3-7: no
// overlong forms, no surrogates, nothing above U+10FFFF) as `valid`, or, when none does,
// the length of the maximal subpart to replace with one U+FFFD (at least 1).
struct Sequence {
  bool valid;
  std::size_t length;
};

Sequence sequence_at(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) -> unsigned {
    return i < text.size() ? static_cast<unsigned char>(text[i]) : 0x100U;
  };
  const unsigned lead = byte(at);
  if (lead < 0x80)
    return {true, 1};
  std::size_t length = 0;
  unsigned low = 0x80;  // the range of the second byte, which the lead narrows
  unsigned high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    low = lead == 0xE0 ? 0xA0 : low;    // overlong
    high = lead == 0xED ? 0x9F : high;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    low = lead == 0xF0 ? 0x90 : low;    // overlong
    high = lead == 0xF4 ? 0x8F : high;  // above U+10FFFF
  } else {
    return {false, 1};
  }
  for (std::size_t i = 1; i < length; ++i) {
    const unsigned next = byte(at + i);
    if (next < low || next > high)
      return {false, i};
    low = 0x80;
    high = 0xBF;
  }
  return {true, length};
}

// Error text reaches JSON error bodies, which carry only UTF-8, yet adapters quote raw
// upstream bytes into it: invalid sequences become U+FFFD here, once for every error.
std::string valid_utf8(std::string text) {
  std::size_t at = 0;
  for (Sequence sequence{}; at < text.size(); at += sequence.length) {
    sequence = sequence_at(text, at);
    if (!sequence.valid)
      break;
  }
  if (at >= text.size())
    return text;  // the usual case: nothing to replace, no copy
  std::string out = text.substr(0, at);
  while (at < text.size()) {
    const Sequence sequence = sequence_at(text, at);
    if (sequence.valid)
      out.append(text, at, sequence.length);
    else
      out += "\uFFFD";
    at += sequence.length;
  }
  return out;
}

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
    case ErrorKind::unknown_model:  // OpenAI's shape: the code says model_not_found
      return {404, "invalid_request_error"};
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
    case ErrorKind::unauthorized:
      return {401, "invalid_request_error"};
    case ErrorKind::forbidden:
      return {403, "permission_error"};
    case ErrorKind::rate_limited:
      return {429, "requests"};
    case ErrorKind::quota:
      return {429, "insufficient_quota"};
    case ErrorKind::not_found:
      return {404, "invalid_request_error"};
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
  e.message = valid_utf8(std::move(message));
  e.fix = valid_utf8(std::move(fix));
  e.retryable = kind == ErrorKind::network || kind == ErrorKind::timeout;
  if (kind == ErrorKind::unauthorized)
    e.code = "invalid_api_key";
  else if (kind == ErrorKind::rate_limited)
    e.code = "rate_limit_exceeded";
  else if (kind == ErrorKind::quota)
    e.code = "insufficient_quota";
  else if (kind == ErrorKind::unknown_model)
    e.code = "model_not_found";
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
    case ErrorKind::unauthorized:
      return "unauthorized";
    case ErrorKind::forbidden:
      return "forbidden";
    case ErrorKind::rate_limited:
      return "rate_limited";
    case ErrorKind::quota:
      return "quota";
    case ErrorKind::not_found:
      return "not_found";
    case ErrorKind::io:
      return "io";
    case ErrorKind::internal:
      return "internal";
  }
  return "internal";
}

}  // namespace llmgw
