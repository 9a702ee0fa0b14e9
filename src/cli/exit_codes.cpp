#include "cli/exit_codes.hpp"

namespace llmgw::cli {

ExitCode exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage:
    case ErrorKind::invalid_request:
    case ErrorKind::unknown_model:
      return k_exit_usage;
    case ErrorKind::config:
    case ErrorKind::missing_key:
    case ErrorKind::unauthorized:
    case ErrorKind::forbidden:
      return k_exit_config;
    case ErrorKind::upstream:
    case ErrorKind::network:
    case ErrorKind::timeout:
    case ErrorKind::stream_broken:
    case ErrorKind::rate_limited:
    case ErrorKind::quota:
      return k_exit_upstream;
    case ErrorKind::cancelled:
      return k_exit_interrupted;
    case ErrorKind::not_found:
    case ErrorKind::io:
    case ErrorKind::internal:
      break;
  }
  return k_exit_error;
}

}  // namespace llmgw::cli
