// End to end: retries and fallbacks as a user meets them, the built binary against a fake
// OpenAI server. Waits are kept at zero with Retry-After: 0; the delays themselves are
// asserted on a fake clock in tests/unit/attempt_loop_test.cpp.
#include <catch2/catch.hpp>

#include "support/cli_env.hpp"
#include "support/fake_openai.hpp"

using llmgw::test::CliEnv;
using llmgw::test::FakeOpenAI;
using llmgw::test::Reply;

namespace {

constexpr const char* k_key = "sk-resilience-0000000000000RSLN";

struct User {
  FakeOpenAI server;
  CliEnv env;
  User() {
    env.env["OPENAI_BASE_URL"] = server.base_url() + "/v1";
    env.env["OPENAI_API_KEY"] = k_key;
  }
  void push_unavailable(int times) {
    for (int i = 0; i < times; ++i)
      server.push(Reply::error(503, "The server is overloaded", "server_error")
                      .with_header("Retry-After", "0"));
  }
};

}  // namespace

TEST_CASE("a 503 before the answer is retried and the answer comes", "[cli][resilience]") {
  User user;
  user.push_unavailable(2);
  const auto result = user.env.run({"chat", "-v", "-m", "openai/gpt-4o-mini", "hello there"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "fake: hello there\n");
  CHECK(user.server.requests().size() == 3);
  CHECK(result.err.find("attempt 1: openai/gpt-4o-mini (key …RSLN): HTTP 503") !=
        std::string::npos);
  CHECK(result.err.find("attempt 3: openai/gpt-4o-mini (key …RSLN): ok") != std::string::npos);
  CHECK(result.err.find(k_key) == std::string::npos);
}

TEST_CASE("fallbacks: with -m a,b the next model answers when the first keeps failing",
          "[cli][resilience]") {
  User user;
  user.push_unavailable(4);  // the first try and its 3 retries
  const auto result = user.env.run(
      {"chat", "-v", "--json", "-m", "openai/gpt-4o-mini,mock/echo", "fall back please"});
  REQUIRE(result.exit_code == 0);
  const auto response = nlohmann::json::parse(result.out);
  CHECK(response["provider"] == "mock");
  CHECK(user.server.requests().size() == 4);
  CHECK(result.err.find("if it fails: mock/echo") != std::string::npos);
  CHECK(result.err.find("attempt 5: mock/echo: ok") != std::string::npos);
}

TEST_CASE("a 400 is not retried and the next model is not needed to say why", "[cli][resilience]") {
  User user;
  user.server.push(Reply::error(400, "Unsupported parameter: 'temperature'"));
  const auto result = user.env.run({"chat", "--no-stream", "-m", "openai/o3-mini", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(user.server.requests().size() == 1);
  CHECK(result.err.find("Unsupported parameter") != std::string::npos);
}

TEST_CASE("when every model fails, the error names each attempt", "[cli][resilience]") {
  User user;
  user.push_unavailable(4);
  user.env.env.erase("ANTHROPIC_API_KEY");
  const auto result =
      user.env.run({"chat", "--no-stream", "-m", "gpt-4o-mini,anthropic/claude-sonnet-4-5", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(result.err.find("all 5 attempts failed") != std::string::npos);
  CHECK(result.err.find("[4] openai/gpt-4o-mini (key …RSLN): HTTP 503") != std::string::npos);
  CHECK(result.err.find("[5] anthropic/claude-sonnet-4-5, skipped: no API key for anthropic") !=
        std::string::npos);
}
