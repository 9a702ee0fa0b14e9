// Environment lookup, injectable so config/key resolution is testable without setenv.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace llmgw {

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the real process environment; empty values count as unset.
EnvLookup process_env();
// A fixed environment, for tests.
EnvLookup fixed_env(std::map<std::string, std::string> vars);

}  // namespace llmgw
