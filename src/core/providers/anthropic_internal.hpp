// Helpers shared by the Anthropic adapter's request side (anthropic_request.cpp) and
// answer side (anthropic_adapter.cpp). Internal to those two files.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/providers/adapter_util.hpp"

namespace llmgw::anthropic::detail {

using adapter::int_field;
using adapter::is_text;
using adapter::lower;
using adapter::member;
using adapter::member_or_null;
using adapter::string_field;
using adapter::text_member;
using adapter::trim;
using nlohmann::json;

inline constexpr const char* k_provider = "anthropic";

[[noreturn]] inline void invalid(std::string message, std::string param) {
  adapter::reject(k_provider, param, message);
}

inline std::string at(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

}  // namespace llmgw::anthropic::detail
