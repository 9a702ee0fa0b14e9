// End to end: the built binary talking to a fake OpenAI server via OPENAI_BASE_URL.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/cli_env.hpp"
#include "support/fake_openai.hpp"

using llmgw::test::CliEnv;
using llmgw::test::FakeOpenAI;
using llmgw::test::Reply;

namespace {

constexpr const char* k_env_key = "sk-from-env-000000000000ENVK";
constexpr const char* k_file_key = "sk-from-file-11111111111FILE";
constexpr const char* k_flag_key = "sk-from-flag-22222222222FLAG";

struct OpenAIUser {
  FakeOpenAI server;
  CliEnv env;
  OpenAIUser() {
    env.env["OPENAI_BASE_URL"] = server.base_url() + "/v1";
    env.env["OPENAI_API_KEY"] = k_env_key;
  }
};

bool mentions_secret(const std::string& text) {
  for (const char* key : {k_env_key, k_file_key, k_flag_key}) {
    if (text.find(key) != std::string::npos)
      return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a configured key makes a real provider the default and streams its answer", "[cli]") {
  OpenAIUser user;
  const auto result = user.env.run({"chat", "what", "is", "up"});
  CHECK(result.exit_code == 0);
  CHECK(result.out == "fake: what is up\n");
  CHECK(result.err.empty());
  const auto requests = user.server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].json["model"] == "gpt-4o-mini");
  CHECK(requests[0].json["stream"] == true);
}

TEST_CASE("options reach the upstream request", "[cli]") {
  OpenAIUser user;
  const auto result =
      user.env.run({"chat", "-m", "openai/gpt-4o", "-s", "be terse", "--temperature", "0.2",
                    "--max-tokens", "50", "--no-stream", "hi"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "fake: hi\n");
  const auto sent = user.server.requests().at(0).json;
  CHECK(sent["model"] == "gpt-4o");
  CHECK(sent["messages"][0] == nlohmann::json({{"role", "system"}, {"content", "be terse"}}));
  CHECK(sent["temperature"] == Approx(0.2));
  CHECK(sent["max_tokens"] == 50);
  CHECK_FALSE(sent.contains("stream"));
}

TEST_CASE("json flag prints the upstream's response object", "[cli]") {
  OpenAIUser user;
  const auto result = user.env.run({"chat", "--json", "hi"});
  REQUIRE(result.exit_code == 0);
  const auto response = nlohmann::json::parse(result.out);
  CHECK(response["object"] == "chat.completion");
  CHECK(response["choices"][0]["message"]["content"] == "fake: hi");
}

TEST_CASE("key lookup order: --key, then keys file, then env", "[cli]") {
  OpenAIUser user;
  auto sent_key = [&] {
    return user.server.requests().back().header("authorization").value_or("");
  };
  REQUIRE(user.env.run({"chat", "hi"}).exit_code == 0);
  CHECK(sent_key() == std::string("Bearer ") + k_env_key);

  REQUIRE(user.env.run({"keys", "set", "openai"}, k_file_key).exit_code == 0);
  REQUIRE(user.env.run({"chat", "hi"}).exit_code == 0);
  CHECK(sent_key() == std::string("Bearer ") + k_file_key);

  const auto flagged = user.env.run({"chat", "--key", k_flag_key, "hi"});
  REQUIRE(flagged.exit_code == 0);
  CHECK(sent_key() == std::string("Bearer ") + k_flag_key);
  CHECK_FALSE(mentions_secret(flagged.out + flagged.err));
}

TEST_CASE("upstream 401 and 400 exit 4 with the provider's message", "[cli]") {
  OpenAIUser user;
  user.server.push(Reply::error(401, "Incorrect API key provided: sk-fro***ENVK.",
                                "invalid_request_error", "invalid_api_key"));
  auto result = user.env.run({"chat", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(result.out.empty());
  CHECK(result.err.find("Incorrect API key provided") != std::string::npos);
  CHECK(result.err.find("llmgw keys set openai") != std::string::npos);
  CHECK_FALSE(mentions_secret(result.err));

  user.server.push(Reply::error(400, "Invalid value for 'temperature'"));
  result = user.env.run({"chat", "--no-stream", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(result.err.find("Invalid value for 'temperature'") != std::string::npos);
}

TEST_CASE("a body that is not JSON exits 4 with the status and an excerpt", "[cli]") {
  OpenAIUser user;
  for (int i = 0; i < 4; ++i) {  // the first try and 3 retries
    user.server.push(
        Reply::raw(503, "<html><h1>Service Unavailable</h1> upstream overloaded</html>")
            .with_header("Retry-After", "0"));
  }
  const auto result = user.env.run({"chat", "--no-stream", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(result.err.find("503") != std::string::npos);
  CHECK(result.err.find("Service Unavailable") != std::string::npos);
}

TEST_CASE("a stream cut off mid-way keeps the printed text and exits 4", "[cli]") {
  OpenAIUser user;
  user.server.push(Reply::echo().with_cut_after(3));
  const auto result = user.env.run({"chat", "alpha beta gamma delta epsilon zeta"});
  CHECK(result.exit_code == 4);
  CHECK(result.out.rfind("fake:", 0) == 0);             // the start was printed
  CHECK(result.out.find("zeta") == std::string::npos);  // the end never came
  CHECK(result.out.back() == '\n');                     // the line is closed
  CHECK(result.err.find("llmgw: error:") != std::string::npos);
}

TEST_CASE("a connection failure exits 4 and names the address", "[cli]") {
  CliEnv env;
  env.env["OPENAI_API_KEY"] = k_env_key;
  env.env["OPENAI_BASE_URL"] = "http://127.0.0.1:9/v1";  // discard port: nothing listens
  const auto result = env.run({"chat", "hi"});
  CHECK(result.exit_code == 4);
  CHECK(result.err.find("127.0.0.1:9") != std::string::npos);
}

TEST_CASE("a custom OpenAI-compatible provider from config", "[cli]") {
  FakeOpenAI server;
  CliEnv env;
  env.env["LOCAL_KEY"] = "local-secret-key-123456";
  env.write_config("[providers.local]\nbase_url = \"" + server.base_url() +
                   "/v1\"\napi_key_env = \"LOCAL_KEY\"\n[aliases]\nmine = \"local/my-model\"\n");
  const auto result = env.run({"chat", "-m", "mine", "hi"});
  CHECK(result.exit_code == 0);
  CHECK(result.out == "fake: hi\n");
  const auto request = server.requests().at(0);
  CHECK(request.json["model"] == "my-model");
  CHECK(request.header("authorization") == "Bearer local-secret-key-123456");
}

TEST_CASE("openrouter: the model path passes through and the app is named", "[cli]") {
  FakeOpenAI server;
  CliEnv env;
  env.env["OPENROUTER_API_KEY"] = "sk-or-test-0000000000000ORKY";
  env.write_config("[providers.openrouter]\nbase_url = \"" + server.base_url() + "/v1\"\n");
  const auto result = env.run({"chat", "-m", "openrouter/meta-llama/llama-3-8b-instruct", "hi"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == "fake: hi\n");
  const auto request = server.requests().at(0);
  CHECK(request.path == "/v1/chat/completions");
  CHECK(request.json["model"] == "meta-llama/llama-3-8b-instruct");
  CHECK(request.header("x-title") == "llmgw");
  CHECK(request.header("authorization") == "Bearer sk-or-test-0000000000000ORKY");
}
