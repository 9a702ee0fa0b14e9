// End to end: Azure OpenAI's two API styles against a fake server speaking OpenAI's format
// (wire-formats §2.1, §2.4): the dated deployment URLs with api-version, and the v1 API.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/cli_env.hpp"
#include "support/fake_openai.hpp"

using llmgw::test::CliEnv;
using llmgw::test::FakeOpenAI;
using llmgw::test::Reply;
using nlohmann::json;

namespace {

constexpr const char* k_key = "azure-key-0000000000000000AZK1";

json completion(const std::string& text) {
  return {{"id", "chatcmpl-az1"},
          {"object", "chat.completion"},
          {"created", 1700000000},
          {"model", "gpt-4o-2024-08-06"},
          {"choices",
           {{{"index", 0},
             {"message", {{"role", "assistant"}, {"content", text}}},
             {"finish_reason", "stop"},
             {"content_filter_results", json::object()}}}},
          {"usage", {{"prompt_tokens", 9}, {"completion_tokens", 3}, {"total_tokens", 12}}}};
}

struct AzureUser {
  FakeOpenAI server;
  CliEnv env;
  AzureUser() { env.env["AZURE_OPENAI_API_KEY"] = k_key; }
};

}  // namespace

TEST_CASE("azure: a resource endpoint uses deployment URLs, api-version and api-key",
          "[cli][azure]") {
  AzureUser user;
  user.env.env["AZURE_OPENAI_ENDPOINT"] = user.server.base_url();
  user.server.push(Reply::json(200, completion("Hello from Azure")));
  const auto result = user.env.run({"chat", "-m", "azure/gpt4o-prod", "--no-stream", "-u", "hi"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "Hello from Azure\n");
  CHECK(result.err.find("9 input + 3 output = 12 tokens") != std::string::npos);

  const auto request = user.server.requests().at(0);
  CHECK(request.target == "/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21");
  CHECK(request.header("api-key") == std::string(k_key));
  CHECK_FALSE(request.header("authorization"));
  CHECK(request.json["messages"][0]["content"] == "hi");
}

TEST_CASE("azure: a streamed answer survives the prompt-filter chunk and keeps its usage",
          "[cli][azure]") {
  AzureUser user;
  user.env.write_config("[providers.azure]\nbase_url = \"" + user.server.base_url() +
                        "\"\napi_version = \"2025-04-01-preview\"\n");
  const json filter_chunk = {{"id", ""},
                             {"object", ""},
                             {"created", 0},
                             {"model", ""},
                             {"choices", json::array()},
                             {"prompt_filter_results", {{{"prompt_index", 0}}}}};
  const auto chunk = [](const json& delta, const json& finish) {
    return json{{"id", "chatcmpl-az2"},
                {"object", "chat.completion.chunk"},
                {"created", 1700000000},
                {"model", "gpt-4o-2024-08-06"},
                {"choices", {{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}}}};
  };
  json usage_chunk = chunk(json::object(), nullptr);
  usage_chunk["choices"] = json::array();
  usage_chunk["usage"] = {{"prompt_tokens", 9}, {"completion_tokens", 2}, {"total_tokens", 11}};
  user.server.push(
      Reply::sse({"data: " + filter_chunk.dump(),
                  "data: " + chunk({{"role", "assistant"}, {"content", ""}}, nullptr).dump(),
                  "data: " + chunk({{"content", "Hi "}}, nullptr).dump(),
                  "data: " + chunk({{"content", "there"}}, nullptr).dump(),
                  "data: " + chunk(json::object(), "stop").dump(), "data: " + usage_chunk.dump(),
                  "data: [DONE]"}));
  const auto result = user.env.run({"chat", "-m", "azure/gpt4o-prod", "-u", "hi"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "Hi there\n");
  CHECK(result.err.find("9 input + 2 output = 11 tokens") != std::string::npos);
  const auto request = user.server.requests().at(0);
  CHECK(request.target ==
        "/openai/deployments/gpt4o-prod/chat/completions?api-version=2025-04-01-preview");
  CHECK(request.json["stream_options"]["include_usage"] == true);
}

TEST_CASE("azure: the v1 API takes the deployment name as the model", "[cli][azure]") {
  AzureUser user;
  user.env.write_config("[providers.azure]\nbase_url = \"" + user.server.base_url() +
                        "/openai/v1\"\n");
  user.server.push(Reply::json(200, completion("v1 says hi")));
  const auto result = user.env.run({"chat", "-m", "azure/gpt4o-prod", "--no-stream", "hi"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "v1 says hi\n");
  const auto request = user.server.requests().at(0);
  CHECK(request.target == "/openai/v1/chat/completions");
  CHECK(request.json["model"] == "gpt4o-prod");
  CHECK(request.header("api-key") == std::string(k_key));
}

TEST_CASE("azure: no endpoint configured is a config error naming the fix", "[cli][azure]") {
  AzureUser user;
  const auto result = user.env.run({"chat", "-m", "azure/gpt4o-prod", "hi"});
  CHECK(result.exit_code == 3);
  CHECK(result.err.find("azure needs a base_url") != std::string::npos);
  CHECK(result.err.find("AZURE_OPENAI_ENDPOINT") != std::string::npos);
  CHECK(user.server.requests().empty());
}

TEST_CASE("configured headers reach the provider", "[cli]") {
  FakeOpenAI server;
  CliEnv env;
  env.env["OPENROUTER_API_KEY"] = "sk-or-test-0000000000000ORKY";
  env.write_config("[providers.openrouter]\nbase_url = \"" + server.base_url() +
                   "/v1\"\nheaders = { \"HTTP-Referer\" = \"https://myapp.example\" }\n");
  const auto result = env.run({"chat", "-m", "openrouter/openai/gpt-4o", "hi"});
  REQUIRE(result.exit_code == 0);
  const auto request = server.requests().at(0);
  CHECK(request.header("http-referer") == "https://myapp.example");
  CHECK(request.header("x-title") == "llmgw");
}

TEST_CASE("config show names azure's api-version and header names with their sources",
          "[cli][azure]") {
  CliEnv env;
  env.env["AZURE_OPENAI_ENDPOINT"] = "https://res.openai.azure.com";
  env.env["OPENAI_API_VERSION"] = "2025-04-01-preview";
  env.write_config(
      "[providers.openrouter]\nheaders = { \"HTTP-Referer\" = \"https://secret.example\" }\n");
  const auto result = env.run({"config", "show", "--json"});
  REQUIRE(result.exit_code == 0);
  const auto shown = json::parse(result.out);
  CHECK(shown["providers.azure.base_url"]["value"] == "https://res.openai.azure.com");
  CHECK(shown["providers.azure.base_url"]["source"] == "env AZURE_OPENAI_ENDPOINT");
  CHECK(shown["providers.azure.api_version"]["value"] == "2025-04-01-preview");
  CHECK(shown["providers.azure.api_version"]["source"] == "env OPENAI_API_VERSION");
  CHECK(shown["providers.openrouter.headers"]["value"] == "HTTP-Referer");
  CHECK(result.out.find("secret.example") == std::string::npos);
}
