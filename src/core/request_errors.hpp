// How edge validation names a bad request field: invalid_request with `param`, quoting
// the offending value briefly. Shared by chat and embeddings validation.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/excerpt.hpp"

namespace llmgw::request_errors {

inline constexpr std::size_t k_echo_limit = 40;

[[noreturn]] inline void reject(const std::string& param, const std::string& message) {
  Error error = make_error(ErrorKind::invalid_request, message);
  error.param = param;
  throw GatewayError(std::move(error));
}

// The offending value as JSON text, cut to about k_echo_limit bytes on a UTF-8 boundary
// (the message ends up inside JSON error bodies, so it must stay valid UTF-8).
inline std::string echo(const nlohmann::json& value) {
  return excerpt(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                 k_echo_limit);
}

inline std::string at(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

}  // namespace llmgw::request_errors
