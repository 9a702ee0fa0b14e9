// A user of the built binary whose OpenAI is a fake upstream: OPENAI_BASE_URL points at
// it and OPENAI_API_KEY holds `key`, in a fresh HOME (CliEnv).
#pragma once

#include <string>

#include "support/cli_env.hpp"
#include "support/fake_openai.hpp"

namespace llmgw::test {

struct OpenAIUser {
  FakeOpenAI server;
  CliEnv env;

  explicit OpenAIUser(const std::string& key) {
    env.env["OPENAI_BASE_URL"] = server.base_url() + "/v1";
    env.env["OPENAI_API_KEY"] = key;
  }
};

}  // namespace llmgw::test
