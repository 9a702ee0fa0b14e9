// Helpers shared by the Gemini adapter's request side (gemini_request.cpp) and answer
// side (gemini_adapter.cpp). Internal to those two files.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/providers/adapter_util.hpp"

namespace llmgw::gemini::detail {

using nlohmann::json;

using adapter::ends_with;
using adapter::is_text;
using adapter::lower;
using adapter::member;
using adapter::member_or_null;
using adapter::present;
using adapter::trim;
using adapter::trim_view;

[[noreturn]] inline void invalid(const std::string& param, const std::string& message) {
  adapter::reject("gemini", param, message);
}

inline std::string path(std::size_t i, const std::string& rest = {}) {
  return "messages[" + std::to_string(i) + "]" + rest;
}

}  // namespace llmgw::gemini::detail
