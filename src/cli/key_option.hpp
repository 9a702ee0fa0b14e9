// The --key option of the commands that call a provider, worded the same everywhere.
#pragma once

#include <string>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace llmgw::cli {

// Adds "--key KEY" to `command`, storing into `key`.
CLI::Option* add_key_option(CLI::App& command, std::string& key);

}  // namespace llmgw::cli
