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

TEST_CASE("keys add stores more keys, used in turn, and list shows each one redacted", "[cli]") {
  CliEnv env;
  const std::string second = "sk-second-key-9876543210LMNO";
  const std::string third = "sk-third-key-5555555555QRST";
  REQUIRE(env.run({"keys", "set", "openai"}, std::string(k_secret) + "\n").exit_code == 0);

  const auto add = env.run({"keys", "add", "openai"}, second + "\n");
  REQUIRE(add.exit_code == 0);
  CHECK(add.out.empty());
  CHECK(add.err == "llmgw: added a second key for openai (…LMNO); 2 keys, used in turn\n");

  const auto again = env.run({"keys", "add", "openai"}, second);
  CHECK(again.exit_code == 0);
  CHECK(again.err == "llmgw: that key is already stored for openai (…LMNO); 2 keys\n");

  REQUIRE(env.run({"keys", "add", "openai"}, third).exit_code == 0);
  const auto added_groq = env.run({"keys", "add", "groq"}, "gsk-groq-first-key-ABCD\n");
  CHECK(added_groq.err.find("saved the key for groq (…ABCD)") != std::string::npos);

  struct stat info {};
  REQUIRE(stat(env.keys_file().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  std::ifstream file(env.keys_file());
  CHECK(nlohmann::json::parse(file)["openai"] == nlohmann::json::array({k_secret, second, third}));

  const auto list = env.run({"keys", "list"});
  CHECK(list.exit_code == 0);
  CHECK(list.out ==
        "groq    …ABCD  keys file\n"
        "openai  …WXYZ  keys file #1\n"
        "openai  …LMNO  keys file #2\n"
        "openai  …QRST  keys file #3\n");
  for (const auto& secret : {std::string(k_secret), second, third}) {
    CHECK(list.out.find(secret) == std::string::npos);
    CHECK(list.err.find(secret) == std::string::npos);
  }

  const auto rm = env.run({"keys", "rm", "openai"});
  CHECK(rm.exit_code == 0);
  CHECK(rm.err == "llmgw: removed the 3 keys for openai\n");
  CHECK(env.run({"keys", "list"}).out == "groq  …ABCD  keys file\n");
}

TEST_CASE("keys add refuses an empty key, and its help shows examples", "[cli]") {
  CliEnv env;
  const auto empty = env.run({"keys", "add", "openai"}, "\n");
  CHECK(empty.exit_code == 2);
  CHECK(empty.err.find("llmgw keys add openai") != std::string::npos);
  CHECK(!std::filesystem::exists(env.keys_file()));

  const auto help = env.run({"keys", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("llmgw keys add openai") != std::string::npos);
}

TEST_CASE("config show lists resilience settings, balanced aliases and every key", "[cli]") {
  CliEnv env;
  env.write_config(
      "[retry]\n"                                                     // 1
      "max_retries = 4\n"                                             // 2
      "base_delay = 0.25\n"                                           // 3
      "[breaker]\n"                                                   // 4
      "cooldown = 12.5\n"                                             // 5
      "[fallbacks]\n"                                                 // 6
      "\"openai/gpt-4o\" = [\"anthropic/claude\", \"groq/llama\"]\n"  // 7
      "[aliases]\n"                                                   // 8
      "fast = \"groq/llama\"\n"                                       // 9
      "[aliases.smart]\n"                                             // 10
      "targets = [\"openai/gpt-4o\", \"azure/gpt-4o\"]\n"             // 11
      "weights = [3, 1]\n"                                            // 12
      "[providers.openai]\n"                                          // 13
      "api_key_env = [\"WORK_KEY_A\", \"WORK_KEY_B\"]\n"              // 14
      "max_retry_wait = 5\n");                                        // 15
  env.env["WORK_KEY_A"] = "sk-work-a-secret-AAAA";
  env.env["WORK_KEY_B"] = "sk-work-b-secret-BBBB";
  const std::string at = "file " + env.config_file().string() + ":";

  const auto result = env.run({"config", "show", "--json"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.find("secret") == std::string::npos);
  const auto config = nlohmann::json::parse(result.out);
  const auto row = [&](const std::string& name) {
    INFO(name);
    REQUIRE(config.contains(name));
    return config[name]["value"].get<std::string>() + " (" +
           config[name]["source"].get<std::string>() + ")";
  };
  CHECK(row("retry.max_retries") == "4 (" + at + "2)");
  CHECK(row("retry.base_delay") == "0.25 s (" + at + "2)");
  CHECK(row("retry.max_delay") == "20 s (" + at + "2)");
  CHECK(row("retry.max_wait") == "60 s (" + at + "2)");
  CHECK(row("breaker.failures") == "5 (" + at + "5)");
  CHECK(row("breaker.failure_ratio") == "0.5 (" + at + "5)");
  CHECK(row("breaker.min_requests") == "20 (" + at + "5)");
  CHECK(row("breaker.window") == "60 s (" + at + "5)");
  CHECK(row("breaker.cooldown") == "12.5 s (" + at + "5)");
  CHECK(row("fallbacks.openai/gpt-4o") == "anthropic/claude, groq/llama (" + at + "7)");
  CHECK(row("aliases.fast") == "groq/llama (" + at + "9)");
  CHECK(row("aliases.smart") ==
        "round-robin: openai/gpt-4o, azure/gpt-4o (weights 3, 1) (" + at + "10)");
  CHECK(row("providers.openai.api_key_env") == "WORK_KEY_A, WORK_KEY_B (" + at + "14)");
  CHECK(row("providers.openai.key") ==
        "…AAAA, …BBBB (2 keys, used in turn) (env WORK_KEY_A, env WORK_KEY_B)");
  CHECK(row("providers.openai.retry") ==
        "max_retries 4, base_delay 0.25 s, max_delay 20 s, max_wait 5 s (" + at + "15)");
  CHECK_FALSE(config.contains("providers.anthropic.retry"));

  // The text form has the same rows.
  const auto text = env.run({"config", "show"});
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("retry.max_retries") != std::string::npos);
  CHECK(text.out.find("round-robin: openai/gpt-4o, azure/gpt-4o (weights 3, 1)") !=
        std::string::npos);
  CHECK(text.out.find("secret") == std::string::npos);
}

TEST_CASE("config show gives stored keys of a provider, redacted, from the keys file", "[cli]") {
  CliEnv env;
  REQUIRE(env.run({"keys", "add", "openai"}, std::string(k_secret)).exit_code == 0);
  REQUIRE(env.run({"keys", "add", "openai"}, "sk-another-key-000000ZZZZ").exit_code == 0);
  const auto result = env.run({"config", "show", "--json"});
  REQUIRE(result.exit_code == 0);
  const auto config = nlohmann::json::parse(result.out);
  CHECK(config["providers.openai.key"]["value"] == "…WXYZ, …ZZZZ (2 keys, used in turn)");
  CHECK(config["providers.openai.key"]["source"] == "keys file " + env.keys_file().string());
  CHECK(config["retry.max_retries"]["source"] == "default");
  CHECK(result.out.find(k_secret) == std::string::npos);
}

TEST_CASE("keys list shows every key of a configured api_key_env list", "[cli]") {
  CliEnv env;
  env.write_config(
      "[providers.groq]\napi_key_env = [\"GROQ_A\", \"GROQ_UNSET\", \"GROQ_B\"]\n"
      "[providers.local]\nbase_url = \"http://127.0.0.1:9/v1\"\napi_key_env = \"LOCAL_KEY\"\n");
  env.env["GROQ_A"] = "gsk-secret-groq-a-AAAA";
  env.env["GROQ_B"] = "gsk-secret-groq-b-BBBB";
  env.env["GROQ_API_KEY"] = "gsk-secret-conventional-CCCC";  // replaced by api_key_env
  env.env["LOCAL_KEY"] = "local-secret-key-DDDD";
  const auto list = env.run({"keys", "list"});
  REQUIRE(list.exit_code == 0);
  CHECK(list.out ==
        "groq   …AAAA  env GROQ_A\n"
        "groq   …BBBB  env GROQ_B\n"
        "local  …DDDD  env LOCAL_KEY\n");
  CHECK(list.err.find("secret") == std::string::npos);
}
