#include "core/config/env.hpp"

#include <cstdlib>
#include <utility>

namespace llmgw {

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    // getenv needs a NUL-terminated name; string_view gives no such guarantee.
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr || *value == '\0') {
      return std::nullopt;
    }
    return std::string(value);
  };
}

EnvLookup fixed_env(std::map<std::string, std::string> vars) {
  // Empty values count as unset here too, so tests see what process_env() would give.
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end() || it->second.empty()) {
      return std::nullopt;
    }
    return it->second;
  };
}

}  // namespace llmgw
