// For tests about how one upstream reply maps to an answer or an Error: the config with
// retries turned off, so that a scripted 429 or 503 comes back as it is instead of being
// retried (the attempt loop has its own tests).
#pragma once

#include "core/config/config.hpp"

namespace llmgw::test {

inline Config single_attempt(Config config) {
  config.retry.value.max_retries = 0;
  return config;
}

}  // namespace llmgw::test
