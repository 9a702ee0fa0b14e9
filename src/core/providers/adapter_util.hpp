// Small helpers the protocol adapters share for reading upstream JSON and rejecting
// requests a provider cannot take. Header-only: they are a few lines each.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace llmgw::adapter {

// Upstream JSON text → value, or a discarded value when it is not JSON (never throws).
inline nlohmann::json parse_json(std::string_view text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// A request body: compact, UTF-8 kept, invalid UTF-8 replaced by U+FFFD (never throws).
inline std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// `text` without leading and trailing whitespace, as a view into it.
inline std::string_view trim_view(std::string_view text) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
  };
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

inline std::string trim(std::string_view text) {
  return std::string(trim_view(text));
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

// The member `key` of `object`, or nullptr when `object` is not an object or lacks it.
// For reading parsed events in place, where value() would copy.
inline const nlohmann::json* member(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object())
    return nullptr;
  const auto it = object.find(key);
  return it != object.end() ? &*it : nullptr;
}

// `object[key]` when present, else null: object.value(key, json()) without the copy (and
// without value()'s type_error when `object` is not an object).
inline const nlohmann::json& member_or_null(const nlohmann::json& object, std::string_view key) {
  static const nlohmann::json k_null;
  const nlohmann::json* value = member(object, key);
  return value != nullptr ? *value : k_null;
}

// `value` is the string `text`: `value == "text"` without building a json to compare with.
inline bool is_text(const nlohmann::json& value, std::string_view text) {
  return value.is_string() && value.get_ref<const std::string&>() == text;
}

// The text of member `key` when it is a string, else `fallback`; a view into `object`
// (or into `fallback`), valid while that lives.
inline std::string_view text_member(const nlohmann::json& object, std::string_view key,
                                    std::string_view fallback = {}) {
  const nlohmann::json* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get_ref<const std::string&>() : fallback;
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

// Upstream token counts are read through these: a count is a non-negative JSON integer,
// at most k_max_token_count (larger ones are clamped, so that sums of counts cannot
// overflow). Anything else (a float such as 1e300, a negative number, a string) is no
// count at all.
inline constexpr std::int64_t k_max_token_count = 1'000'000'000'000'000;  // 1e15

inline std::optional<std::int64_t> token_count(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    const auto count = value.get<std::uint64_t>();
    return count > static_cast<std::uint64_t>(k_max_token_count) ? k_max_token_count
                                                                 : static_cast<std::int64_t>(count);
  }
  if (value.is_number_integer()) {
    const auto count = value.get<std::int64_t>();
    if (count < 0)
      return std::nullopt;
    return count > k_max_token_count ? k_max_token_count : count;
  }
  return std::nullopt;
}

// The count in member `key` of `object`, or nullopt when it is absent or not a count.
inline std::optional<std::int64_t> token_count(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json* value = member(object, key);
  return value != nullptr ? token_count(*value) : std::nullopt;
}

// a + b for counts from token_count(): clamped, never overflowing.
inline std::int64_t add_counts(std::int64_t a, std::int64_t b) {
  return a > k_max_token_count - b ? k_max_token_count : a + b;
}

// The keys of `object` that are not among `known` (any range of names), in the object's
// order, which is sorted: what a mapping leaves out, for a dropped_fields() note.
template <class Names>
std::vector<std::string> keys_not_in(const nlohmann::json& object, const Names& known) {
  std::vector<std::string> out;
  if (!object.is_object())
    return out;
  for (const auto& [key, value] : object.items()) {
    bool listed = false;
    for (const auto& name : known)
      listed = listed || key == name;
    if (!listed)
      out.push_back(key);
  }
  return out;
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
