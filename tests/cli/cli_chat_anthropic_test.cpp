// End to end: the built binary talking to a fake Anthropic server via ANTHROPIC_BASE_URL.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/cli_env.hpp"
#include "support/fake_openai.hpp"
#include "support/fixtures.hpp"

using llmgw::test::CliEnv;
using llmgw::test::FakeOpenAI;
using llmgw::test::read_fixture;
using llmgw::test::Reply;

namespace {

constexpr const char* k_key = "sk-ant-test-00000000000000AKEY";

struct AnthropicUser {
  FakeOpenAI server;  // answers any path with the queued reply, here Anthropic's own bodies
  CliEnv env;
  AnthropicUser() {
    env.env["ANTHROPIC_API_KEY"] = k_key;
    env.env["ANTHROPIC_BASE_URL"] = server.base_url() + "/v1";
  }
};

}  // namespace

TEST_CASE("anthropic: streamed and whole answers print the same text and usage",
          "[cli][anthropic]") {
  AnthropicUser user;
  user.server.push(Reply::raw(200, read_fixture("anthropic/stream_text.sse"), "text/event-stream"));
  user.server.push(
      Reply::raw(200, read_fixture("anthropic/response_text.json"), "application/json"));

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
    CHECK(request.path == "/v1/messages");
    CHECK(request.header("x-api-key") == std::string(k_key));
    CHECK(request.header("anthropic-version") == "2023-06-01");
    CHECK(request.json["model"] == "claude-sonnet-4-5");
    CHECK(request.json["system"] == "be kind");
    CHECK(request.json["max_tokens"].is_number_integer());
  }
  CHECK(requests[0].json["stream"] == true);
}

TEST_CASE("anthropic: an overloaded error mid-stream keeps the text and exits 4",
          "[cli][anthropic]") {
  AnthropicUser user;
  user.server.push(
      Reply::raw(200, read_fixture("anthropic/stream_error.sse"), "text/event-stream"));
  const auto result = user.env.run({"chat", "-m", "anthropic/claude-sonnet-4-5", "hi"});
  CHECK(result.exit_code == 4);
  CHECK_FALSE(result.out.empty());
  CHECK(result.out.back() == '\n');
  CHECK(result.err.find("verloaded") != std::string::npos);
  CHECK(result.err.find(k_key) == std::string::npos);
}

TEST_CASE("anthropic: --verbose names the route and a redacted key", "[cli][anthropic]") {
  AnthropicUser user;
  user.server.push(
      Reply::raw(200, read_fixture("anthropic/response_text.json"), "application/json"));
  const auto result = user.env.run({"chat", "-v", "--no-stream", "-m", "claude-sonnet-4-5", "hi"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "Hello! How can I help you today?\n");
  CHECK(result.err.find("sending to anthropic/claude-sonnet-4-5") != std::string::npos);
  CHECK(result.err.find(user.server.base_url()) != std::string::npos);
  CHECK(result.err.find("…AKEY from env ANTHROPIC_API_KEY") != std::string::npos);
  CHECK(result.err.find(k_key) == std::string::npos);
  CHECK(result.err.find("answered in") != std::string::npos);
}

TEST_CASE("anthropic: a 401 exits 4 with Anthropic's message and the keys fix",
          "[cli][anthropic]") {
  AnthropicUser user;
  user.server.push(Reply::raw(401, read_fixture("anthropic/error_401.json"), "application/json"));
  const auto result = user.env.run({"chat", "-m", "claude-sonnet-4-5", "--no-stream", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(result.err.find("llmgw keys set anthropic") != std::string::npos);
}
