// End to end: `llmgw models`, local knowledge and --remote against fake servers.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/cli_env.hpp"
#include "support/fake_openai.hpp"
#include "support/fake_provider.hpp"

using llmgw::test::CliEnv;
using llmgw::test::FakeOpenAI;
using llmgw::test::FakeProvider;
using llmgw::test::Reply;

TEST_CASE("models lists what is set up, one id per line when piped", "[cli][models]") {
  CliEnv env;
  auto result = env.run({"models"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out ==
        "mock/echo\nmock/embed\nmock/image\nmock/slow\n");  // nothing else is set up yet

  env.env["OPENAI_API_KEY"] = "sk-some-key-0000";
  env.write_config("[aliases]\nfast = \"openai/gpt-4.1-nano\"\n");
  result = env.run({"models", "--json"});
  REQUIRE(result.exit_code == 0);
  const auto models = nlohmann::json::parse(result.out);
  const auto source_of = [&](const std::string& id) {
    for (const auto& m : models) {
      if (m["id"] == id)
        return m["source"].get<std::string>();
    }
    return std::string("absent");
  };
  CHECK(source_of("openai/gpt-4o-mini") == "default");
  CHECK(source_of("openai/gpt-4o") == "price table");
  CHECK(source_of("openai/gpt-4.1-nano") == "price table");
  CHECK(source_of("mock/echo") == "built in");
  CHECK(source_of("anthropic/claude-sonnet-4-5") == "absent");  // no anthropic key
}

TEST_CASE("models --remote asks the provider", "[cli][models]") {
  FakeOpenAI server;
  CliEnv env;
  env.env["OPENAI_API_KEY"] = "sk-remote-key-1111";
  env.env["OPENAI_BASE_URL"] = server.base_url() + "/v1";
  const auto result = env.run({"models", "-p", "openai", "--remote"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "openai/gpt-4o\nopenai/gpt-4o-mini\nopenai/text-embedding-3-small\n");
  const auto request = server.requests().at(0);
  CHECK(request.method == "GET");
  CHECK(request.path == "/v1/models");
  CHECK(request.header("authorization") == "Bearer sk-remote-key-1111");
}

TEST_CASE("models --remote reads Ollama's /api/tags", "[cli][models]") {
  FakeProvider server{llmgw::Protocol::ollama};
  CliEnv env;
  env.env["OLLAMA_HOST"] = server.base_url();
  server.set_models({"qwen2.5:7b", "llama3.2:latest"});
  const auto result = env.run({"models", "-p", "ollama", "--remote"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "ollama/llama3.2:latest\nollama/qwen2.5:7b\n");
  CHECK(server.requests().at(0).path == "/api/tags");
}

TEST_CASE("models errors: unknown provider exits 2, an upstream failure exits 4", "[cli][models]") {
  FakeOpenAI server;
  CliEnv env;
  CHECK(env.run({"models", "-p", "nosuch"}).exit_code == 2);
  env.env["OPENAI_API_KEY"] = "sk-bad-key-2222";
  env.env["OPENAI_BASE_URL"] = server.base_url() + "/v1";
  server.push(
      Reply::error(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key"));
  const auto result = env.run({"models", "-p", "openai", "--remote"});
  CHECK(result.exit_code == 4);
  CHECK(result.err.find("Incorrect API key provided") != std::string::npos);
  CHECK(env.run({"models", "-p", "anthropic", "--remote"}).exit_code == 3);  // no key
}
