// End to end: the built binary talking to a fake Anthropic server (FakeProvider, which
// checks the path, headers and body the way Anthropic does) through [providers.anthropic]
// base_url in config.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/cli_env.hpp"
#include "support/fake_provider.hpp"
#include "support/fixtures.hpp"

using llmgw::Protocol;
using llmgw::test::CliEnv;
using llmgw::test::FakeProvider;
using llmgw::test::read_fixture;

namespace {

constexpr const char* k_key = "sk-ant-test-00000000000000AKEY";

struct AnthropicUser {
  FakeProvider server{Protocol::anthropic, k_key};
  CliEnv env;
  AnthropicUser() {
    env.env["ANTHROPIC_API_KEY"] = k_key;
    env.write_config("[providers.anthropic]\nbase_url = \"" + server.base_url() + "/v1\"\n");
    server.answer(read_fixture("anthropic/response_text.json"),
                  read_fixture("anthropic/stream_text.sse"));
  }
};

}  // namespace

TEST_CASE("anthropic: streamed and whole answers print the same text and usage",
          "[cli][anthropic]") {
  AnthropicUser user;
  const auto streamed =
      user.env.run({"chat", "-m", "claude-sonnet-4-5", "-s", "be kind", "-u", "hi"});
  const auto whole =
      user.env.run({"chat", "-m", "claude-sonnet-4-5", "-s", "be kind", "-u", "--no-stream", "hi"});
  REQUIRE(streamed.exit_code == 0);
  REQUIRE(whole.exit_code == 0);
  CHECK(streamed.out == "Hello! How can I help you today?\n");
  CHECK(whole.out == streamed.out);
  CHECK(streamed.err.find("12 input + 12 output = 24 tokens") != std::string::npos);
  CHECK(whole.err == streamed.err);

  const auto requests = user.server.requests();
  REQUIRE(requests.size() == 2);
  for (const auto& request : requests) {
    CHECK(request.header("anthropic-version") == "2023-06-01");
    CHECK(request.json["model"] == "claude-sonnet-4-5");
    CHECK(request.json["system"] == "be kind");
  }
  CHECK(requests[0].json["stream"] == true);
}

TEST_CASE("anthropic: --json prints a tool-use answer as OpenAI tool calls", "[cli][anthropic]") {
  AnthropicUser user;
  user.server.answer(read_fixture("anthropic/response_tool_use.json"),
                     read_fixture("anthropic/stream_tool_use.sse"));
  const auto result = user.env.run({"chat", "--json", "-m", "claude-sonnet-4-5", "weather?"});
  REQUIRE(result.exit_code == 0);
  const auto choice = nlohmann::json::parse(result.out)["choices"][0];
  CHECK(choice["finish_reason"] == "tool_calls");
  const auto& calls = choice["message"]["tool_calls"];
  REQUIRE(calls.size() == 2);
  CHECK(calls[0]["id"] == "toolu_01A09q90qw90lq917835lq9");
  CHECK(calls[0]["function"]["name"] == "get_weather");
  CHECK(nlohmann::json::parse(calls[0]["function"]["arguments"].get<std::string>()) ==
        nlohmann::json({{"city", "Paris"}, {"unit", "celsius"}}));
  CHECK(calls[1]["id"] == "toolu_01B7kq2mX3Lr8cQwe4TtY6pz");
  CHECK(user.server.requests().at(0).json.value("stream", false) == false);
}

TEST_CASE("anthropic: an overloaded error mid-stream keeps the text and exits 4",
          "[cli][anthropic]") {
  AnthropicUser user;
  user.server.answer("{}", read_fixture("anthropic/stream_error.sse"));
  const auto result = user.env.run({"chat", "-m", "anthropic/claude-sonnet-4-5", "hi"});
  CHECK(result.exit_code == 4);
  CHECK_FALSE(result.out.empty());
  CHECK(result.out.back() == '\n');
  CHECK(result.err.find("verloaded") != std::string::npos);
  CHECK(result.err.find(k_key) == std::string::npos);
}

TEST_CASE("anthropic: a 529 before the answer exits 4 with Anthropic's message",
          "[cli][anthropic]") {
  AnthropicUser user;
  // Overloaded on the first try and on all 3 retries (retry-after: 0 keeps the test quick).
  for (int i = 0; i < 4; ++i)
    user.server.push_failure(529, read_fixture("anthropic/error_529.json"), {{"retry-after", "0"}});
  const auto result = user.env.run({"chat", "-m", "claude-sonnet-4-5", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(result.out.empty());
  CHECK(result.err.find("all 4 attempts failed") != std::string::npos);
  CHECK(result.err.find("HTTP 529: anthropic: Overloaded") != std::string::npos);
  CHECK(user.server.requests().size() == 4);
}

TEST_CASE("anthropic: --verbose names the route and a redacted key", "[cli][anthropic]") {
  AnthropicUser user;
  const auto result = user.env.run({"chat", "-v", "--no-stream", "-m", "claude-sonnet-4-5", "hi"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "Hello! How can I help you today?\n");
  CHECK(result.err.find("sending to anthropic/claude-sonnet-4-5") != std::string::npos);
  CHECK(result.err.find(user.server.base_url()) != std::string::npos);
  CHECK(result.err.find("…AKEY from env ANTHROPIC_API_KEY") != std::string::npos);
  CHECK(result.err.find(k_key) == std::string::npos);
  CHECK(result.err.find("answered in") != std::string::npos);
}

TEST_CASE("anthropic: a wrong key gets the service's 401, exit 4 and the keys fix",
          "[cli][anthropic]") {
  AnthropicUser user;
  user.env.env["ANTHROPIC_API_KEY"] = "sk-ant-wrong-0000000000000WRNG";
  const auto result = user.env.run({"chat", "-m", "claude-sonnet-4-5", "--no-stream", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(result.err.find("invalid x-api-key") != std::string::npos);
  CHECK(result.err.find("llmgw keys set anthropic") != std::string::npos);
  CHECK(result.err.find("sk-ant-wrong-0000000000000WRNG") == std::string::npos);
}
