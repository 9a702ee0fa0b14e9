#include "core/cache_key.hpp"

#include <array>
#include <cmath>
#include <limits>

#include "core/sha256.hpp"

namespace llmgw {

namespace {

using nlohmann::json;

// Fields that change how an answer is delivered or filed, never what it says.
constexpr std::array<std::string_view, 5> k_ignored = {"stream", "stream_options", "user",
                                                       "metadata", "store"};

bool ignored(std::string_view key) {
  for (const std::string_view name : k_ignored) {
    if (key == name)
      return true;
  }
  return false;
}

// Numbers by value: an integral float is written as the integer it equals, so 0.0 and 0
// (or 1.0 and 1) give the same text.
json canonical(const json& value) {
  switch (value.type()) {
    case json::value_t::object: {
      json out = json::object();  // std::map underneath: keys come out sorted
      for (const auto& [key, member] : value.items()) {
        if (!member.is_null())
          out[key] = canonical(member);
      }
      return out;
    }
    case json::value_t::array: {
      json out = json::array();
      for (const auto& item : value)
        out.push_back(canonical(item));
      return out;
    }
    case json::value_t::number_float: {
      const double number = value.get<double>();
      constexpr double k_limit = 9.0e15;  // integers below 2^53 are exact in a double
      if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < k_limit)
        return static_cast<std::int64_t>(number);
      return value;
    }
    case json::value_t::number_unsigned:
      if (value.get<std::uint64_t>() <=
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return value.get<std::int64_t>();
      return value;
    default:
      return value;
  }
}

bool is_zero(const json& value) {
  return value.is_number() && value.get<double>() == 0.0;
}

}  // namespace

std::string_view to_string(CacheMode mode) {
  switch (mode) {
    case CacheMode::automatic:
      return "auto";
    case CacheMode::force:
      return "force";
    case CacheMode::bypass:
      return "bypass";
    case CacheMode::refresh:
      return "refresh";
  }
  return "auto";
}

std::optional<CacheMode> parse_cache_mode(std::string_view text) {
  for (const CacheMode mode :
       {CacheMode::automatic, CacheMode::force, CacheMode::bypass, CacheMode::refresh}) {
    if (text == to_string(mode))
      return mode;
  }
  return std::nullopt;
}

bool is_deterministic(const json& request) {
  if (!request.is_object())
    return false;
  const auto temperature = request.find("temperature");
  if (temperature != request.end() && is_zero(*temperature))
    return true;
  const auto seed = request.find("seed");
  return seed != request.end() && !seed->is_null();
}

bool cache_may_answer(CacheMode mode, const json& request) {
  switch (mode) {
    case CacheMode::automatic:
      return is_deterministic(request);
    case CacheMode::force:
      return true;
    case CacheMode::bypass:
    case CacheMode::refresh:
      return false;
  }
  return false;
}

bool cache_may_store(CacheMode mode, const json& request) {
  switch (mode) {
    case CacheMode::automatic:
    case CacheMode::refresh:
      return is_deterministic(request);
    case CacheMode::force:
      return true;
    case CacheMode::bypass:
      return false;
  }
  return false;
}

std::string request_hash(const json& request) {
  json shaping = json::object();
  if (request.is_object()) {
    for (const auto& [key, value] : request.items()) {
      if (!ignored(key) && !value.is_null())
        shaping[key == "max_completion_tokens" ? std::string("max_tokens") : key] = value;
    }
  }
  json text = canonical(shaping);
  if (const auto n = text.find("n"); n != text.end() && *n == 1)
    text.erase(n);
  return sha256_hex(text.dump());
}

}  // namespace llmgw
