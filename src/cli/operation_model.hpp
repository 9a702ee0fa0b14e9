// The model for `llmgw embed` and `llmgw image` when -m is not given. The config's
// default_model is a chat model, so it is not used: OpenAI's model for the operation
// when an OpenAI key is configured, else the built-in mock's, said once on stderr.
#pragma once

#include <optional>
#include <string>

#include "cli/context.hpp"

namespace llmgw::cli {

struct OperationModels {
  const char* openai;  // e.g. "openai/text-embedding-3-small"
  const char* mock;    // e.g. "mock/embed"
};

std::string operation_model(Context& ctx, const std::optional<std::string>& flag,
                            const OperationModels& models);

}  // namespace llmgw::cli
