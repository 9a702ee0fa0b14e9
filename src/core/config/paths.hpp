// Where llmgw keeps its files, following the XDG base directory spec:
//   config: $XDG_CONFIG_HOME/llmgw, else ~/.config/llmgw  (config.toml, keys.json)
//   data:   $XDG_DATA_HOME/llmgw,   else ~/.local/share/llmgw (llmgw.db)
//   state:  $XDG_STATE_HOME/llmgw,  else ~/.local/state/llmgw (history)
// LLMGW_CONFIG overrides the config file path, LLMGW_KEYS_FILE the keys file path and
// LLMGW_DB the database path.
#pragma once

#include <filesystem>

#include "core/config/env.hpp"

namespace llmgw {

struct Paths {
  std::filesystem::path config_dir;
  std::filesystem::path data_dir;
  std::filesystem::path state_dir;
  std::filesystem::path config_file;
  std::filesystem::path keys_file;
  std::filesystem::path db_file;  // the ledger and response cache (store/migrations.hpp)
};

// Pure: derives every path from the environment. Throws GatewayError{config} when
// neither the XDG variable nor HOME is set.
Paths resolve_paths(const EnvLookup& env);

}  // namespace llmgw
