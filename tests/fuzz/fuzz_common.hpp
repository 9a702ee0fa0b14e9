// Shared by the libFuzzer targets: how an input is cut into pieces, and the checks every
// target applies to what core hands back. A GatewayError is an expected outcome; any other
// exception is deliberately left uncaught, so std::terminate aborts at the throw site and
// libFuzzer records it as a crash with that stack (see README.md for what is a finding).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace llmgw::fuzz {

// Reports a broken invariant and aborts; libFuzzer saves the input as a crash.
[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "==FUZZ FINDING== %s\n", what.c_str());
  std::abort();
}

// The input as text, without its first `skip` bytes (the control bytes).
inline std::string_view payload(const std::uint8_t* data, std::size_t size, std::size_t skip) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  return all.substr(std::min(skip, size));
}

// Passes `bytes` to `feed` in order, cut as `control` says: 0 passes them whole; n > 0
// gives pieces of 1..n bytes with lengths from a small generator seeded by n. So a split
// inside "\r\n", a UTF-8 sequence or a JSON value is reachable, while a fixture seed with
// any control byte still carries the fixture unchanged.
template <class Feed>
void feed_in_pieces(std::string_view bytes, std::uint8_t control, Feed&& feed) {
  if (control == 0) {
    feed(bytes);
    return;
  }
  std::uint32_t state = control * 2654435761U | 1U;  // xorshift32 needs a non-zero state
  while (!bytes.empty()) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    const std::size_t size = std::min<std::size_t>(bytes.size(), 1 + state % control);
    feed(bytes.substr(0, size));
    bytes.remove_prefix(size);
  }
}

// Canonical JSON must be writable as it is: the CLI's --json and the daemon's SSE writer
// call dump(), which throws for invalid UTF-8 in a string.
inline void check_serialisable(const nlohmann::json& value, const char* what) {
  try {
    (void)value.dump();
  } catch (const nlohmann::json::exception& e) {
    finding(std::string(what) + " cannot be serialised: " + e.what());
  }
}

// An Error's text ends up in JSON error bodies and on the terminal, so it must be UTF-8;
// its status is sent as an HTTP status; a retry policy waits retry_after seconds.
inline void check_error(const Error& error) {
  if (error.http_status < 100 || error.http_status > 599)
    finding("Error.http_status is " + std::to_string(error.http_status));
  if (error.retry_after && !(*error.retry_after >= 0 && std::isfinite(*error.retry_after)))
    finding("Error.retry_after is " + std::to_string(*error.retry_after));
  const std::pair<const char*, const std::string*> fields[] = {
      {"message", &error.message}, {"type", &error.type}, {"param", &error.param},
      {"code", &error.code},       {"fix", &error.fix},   {"provider", &error.provider}};
  for (const auto& [name, text] : fields) {
    try {
      (void)nlohmann::json(*text).dump();
    } catch (const nlohmann::json::exception& e) {
      finding(std::string("Error.") + name + " is not valid UTF-8: " + e.what());
    }
  }
}

}  // namespace llmgw::fuzz
