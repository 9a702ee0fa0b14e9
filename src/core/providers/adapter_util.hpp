// Small helpers the protocol adapters share for reading upstream JSON and rejecting
// requests a provider cannot take. Header-only: they are a few lines each.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace llmgw::adapter {

inline std::string trim(std::string_view text) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
  };
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return std::string(text);
}

inline std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

inline bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The key is there and not null: JSON null counts as absent for optional fields.
inline bool present(const nlohmann::json& object, const char* key) {
  if (!object.is_object())
    return false;
  const auto it = object.find(key);
  return it != object.end() && !it->is_null();
}

// Tolerant readers for upstream JSON: a missing field or a wrong type reads as the
// fallback instead of throwing a json exception.
inline std::string string_field(const nlohmann::json& object, const char* key,
                                std::string fallback = {}) {
  if (!object.is_object())
    return fallback;
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

inline std::int64_t int_field(const nlohmann::json& object, const char* key,
                              std::int64_t fallback) {
  if (!object.is_object())
    return fallback;
  const auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : fallback;
}

// A request this provider cannot take: invalid_request naming the field (`param`).
[[noreturn]] inline void reject(const std::string& provider, const std::string& param,
                                const std::string& message) {
  Error error = make_error(ErrorKind::invalid_request, message);
  error.param = param;
  error.provider = provider;
  throw GatewayError(std::move(error));
}

}  // namespace llmgw::adapter
