#include "cli/key_option.hpp"

#include <CLI/CLI.hpp>

namespace llmgw::cli {

CLI::Option* add_key_option(CLI::App& command, std::string& key) {
  return command
      .add_option("--key", key,
                  "API key for this run (overrides the keys file and env; visible in ps, so "
                  "prefer `llmgw keys set`)")
      ->type_name("KEY");
}

}  // namespace llmgw::cli
