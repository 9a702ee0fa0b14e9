// End to end: `llmgw keys` and `llmgw config` in a fresh HOME.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cli_env.hpp"

using llmgw::test::CliEnv;

namespace {
constexpr const char* k_secret = "sk-test-0123456789abcdefWXYZ";
}

TEST_CASE("keys set/list/rm round trip with a 0600 file and redacted listing", "[cli]") {
  CliEnv env;
  const auto set = env.run({"keys", "set", "openai"}, std::string(k_secret) + "\n");
  REQUIRE(set.exit_code == 0);
  CHECK(set.out.empty());
  CHECK(set.err.find(k_secret) == std::string::npos);
  CHECK(set.err.find("…WXYZ") != std::string::npos);

  struct stat info {};
  REQUIRE(stat(env.keys_file().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  const auto list = env.run({"keys", "list"});
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("openai") != std::string::npos);
  CHECK(list.out.find("…WXYZ") != std::string::npos);
  CHECK(list.out.find(k_secret) == std::string::npos);
  CHECK(list.out.find("0123") == std::string::npos);

  const auto path = env.run({"keys", "path"});
  CHECK(path.out == env.keys_file().string() + "\n");

  const auto rm = env.run({"keys", "rm", "openai"});
  CHECK(rm.exit_code == 0);
  CHECK(env.run({"keys", "list"}).out.find("openai") == std::string::npos);
  CHECK(env.run({"keys", "rm", "openai"}).exit_code == 2);
}

TEST_CASE("keys list also shows env keys, redacted, with their source", "[cli]") {
  CliEnv env;
  env.env["ANTHROPIC_API_KEY"] = "sk-ant-secret-value-ABCD";
  const auto list = env.run({"keys", "list"});
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("anthropic") != std::string::npos);
  CHECK(list.out.find("…ABCD") != std::string::npos);
  CHECK(list.out.find("env ANTHROPIC_API_KEY") != std::string::npos);
  CHECK(list.out.find("secret") == std::string::npos);
}

TEST_CASE("keys set refuses an empty key and bad names", "[cli]") {
  CliEnv env;
  CHECK(env.run({"keys", "set", "openai"}, "\n").exit_code == 2);
  CHECK(env.run({"keys", "set", "Open AI"}, "sk-x\n").exit_code == 2);
  CHECK(!std::filesystem::exists(env.keys_file()));
}

TEST_CASE("a group-readable keys file gets a warning naming chmod", "[cli]") {
  CliEnv env;
  REQUIRE(env.run({"keys", "set", "openai"}, std::string(k_secret)).exit_code == 0);
  chmod(env.keys_file().c_str(), 0644);
  const auto list = env.run({"keys", "list"});
  CHECK(list.exit_code == 0);
  CHECK(list.err.find("chmod 600") != std::string::npos);
}

TEST_CASE("a stored key stops the mock fallback", "[cli]") {
  CliEnv env;
  REQUIRE(env.run({"keys", "set", "openai"}, std::string(k_secret)).exit_code == 0);
  const auto show = env.run({"config", "show", "--json"});
  REQUIRE(show.exit_code == 0);
  const auto config = nlohmann::json::parse(show.out);
  CHECK(config["default_model"]["value"] == "openai/gpt-4o-mini");
  CHECK(show.out.find(k_secret) == std::string::npos);
}

TEST_CASE("config path honours XDG_CONFIG_HOME and LLMGW_CONFIG", "[cli]") {
  CliEnv env;
  CHECK(env.run({"config", "path"}).out == env.config_file().string() + "\n");
  env.env["LLMGW_CONFIG"] = "/tmp/elsewhere.toml";
  CHECK(env.run({"config", "path"}).out == "/tmp/elsewhere.toml\n");
}

TEST_CASE("config show gives each value's source: default < file < env < flag", "[cli]") {
  CliEnv env;
  env.write_config(
      "default_model = \"mock/echo\"\n[providers.openai]\nbase_url = \"http://127.0.0.1:9/v1\"\n");
  auto show = [&](std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"config", "show", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = env.run(args);
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(result.out);
  };
  auto config = show();
  CHECK(config["default_model"]["source"] == "file " + env.config_file().string() + ":1");
  CHECK(config["providers.openai.base_url"]["value"] == "http://127.0.0.1:9/v1");
  CHECK(config["providers.anthropic.base_url"]["source"] == "default");

  env.env["LLMGW_MODEL"] = "mock/slow";
  env.env["OPENAI_BASE_URL"] = "http://127.0.0.1:10/v1";
  config = show();
  CHECK(config["default_model"]["value"] == "mock/slow");
  CHECK(config["default_model"]["source"] == "env LLMGW_MODEL");
  CHECK(config["providers.openai.base_url"]["source"] == "env OPENAI_BASE_URL");

  config = show({"-m", "openai/gpt-4o"});
  CHECK(config["default_model"]["value"] == "openai/gpt-4o");
  CHECK(config["default_model"]["source"] == "flag --model");
}

TEST_CASE("a corrupt keys file exits 3, names the file and never prints its content", "[cli]") {
  CliEnv env;
  std::filesystem::create_directories(env.keys_file().parent_path());
  std::ofstream(env.keys_file()) << "{\"openai\": \"sk-half-written-secret";
  for (const auto& args : std::vector<std::vector<std::string>>{{"keys", "list"}, {"chat", "hi"}}) {
    const auto result = env.run(args);
    CHECK(result.exit_code == 3);
    CHECK(result.err.find(env.keys_file().string()) != std::string::npos);
    CHECK(result.err.find("half-written") == std::string::npos);
  }
}
