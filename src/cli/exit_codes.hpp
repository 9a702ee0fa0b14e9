// Documented exit codes (README, man page and --help say the same).
#pragma once

#include "core/error.hpp"

namespace llmgw::cli {

enum ExitCode : int {
  k_exit_ok = 0,
  k_exit_error = 1,          // any other failure
  k_exit_usage = 2,          // bad arguments, option values or model name
  k_exit_config = 3,         // missing key, bad config or keys file, damaged or newer database
  k_exit_upstream = 4,       // the provider failed (error reply, network, timeout, cut stream)
  k_exit_interrupted = 130,  // Ctrl-C
};

ExitCode exit_code_for(ErrorKind kind);

}  // namespace llmgw::cli
