#include "core/config/paths.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace llmgw {

namespace {

constexpr std::string_view k_app_dir = "llmgw";

// $<xdg_var>/llmgw when the variable holds an absolute path (the XDG spec says relative
// values are invalid and must be ignored), else $HOME/<home_relative>/llmgw.
std::filesystem::path base_dir(const EnvLookup& env, std::string_view xdg_var,
                               std::string_view home_relative) {
  if (const auto xdg = env(xdg_var)) {
    const std::filesystem::path dir(*xdg);
    if (dir.is_absolute()) {
      return dir / k_app_dir;
    }
  }
  const auto home = env("HOME");
  if (!home) {
    fail(ErrorKind::config,
         "cannot find where to keep llmgw's files: neither " + std::string(xdg_var) +
             " nor HOME is set",
         "set HOME (or " + std::string(xdg_var) + " to an absolute path)");
  }
  return std::filesystem::path(*home) / home_relative / k_app_dir;
}

}  // namespace

Paths resolve_paths(const EnvLookup& env) {
  Paths paths;
  paths.config_dir = base_dir(env, "XDG_CONFIG_HOME", ".config");
  paths.data_dir = base_dir(env, "XDG_DATA_HOME", ".local/share");
  paths.state_dir = base_dir(env, "XDG_STATE_HOME", ".local/state");
  const auto config_file = env("LLMGW_CONFIG");
  paths.config_file =
      config_file ? std::filesystem::path(*config_file) : paths.config_dir / "config.toml";
  const auto keys_file = env("LLMGW_KEYS_FILE");
  paths.keys_file = keys_file ? std::filesystem::path(*keys_file) : paths.config_dir / "keys.json";
  const auto db_file = env("LLMGW_DB");
  paths.db_file = db_file ? std::filesystem::path(*db_file) : paths.data_dir / "llmgw.db";
  return paths;
}

}  // namespace llmgw
