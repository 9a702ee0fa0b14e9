#include "core/config/credentials.hpp"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::TempDir;

namespace {

ProviderInfo provider(std::string name, std::vector<std::string> env_vars,
                      AuthStyle auth = AuthStyle::bearer) {
  ProviderInfo info;
  info.name = std::move(name);
  info.auth = auth;
  info.key_env_vars = std::move(env_vars);
  return info;
}

Error require_error(const Credentials& credentials, const ProviderInfo& info,
                    const std::optional<std::string>& flag_key = std::nullopt) {
  return test::error_of([&] { credentials.require(info, flag_key); });
}

}  // namespace

TEST_CASE("key lookup order is flag > keys file > env", "[credentials]") {
  TempDir dir;
  KeyStore store(dir.path() / "keys.json");
  const auto openai = provider("openai", {"OPENAI_API_KEY"});
  const auto env = fixed_env({{"OPENAI_API_KEY", "sk-from-env"}});
  const Credentials credentials(store, env);

  SECTION("env when nothing else") {
    const auto key = credentials.require(openai, std::nullopt);
    CHECK(key.key == "sk-from-env");
    CHECK(key.source == "env OPENAI_API_KEY");
  }
  SECTION("keys file over env") {
    store.set("openai", "sk-from-file");
    const auto key = credentials.require(openai, std::nullopt);
    CHECK(key.key == "sk-from-file");
    CHECK(key.source == "keys file " + store.path().string());
  }
  SECTION("flag over keys file") {
    store.set("openai", "sk-from-file");
    const auto key = credentials.require(openai, std::string("sk-from-flag"));
    CHECK(key.key == "sk-from-flag");
    CHECK(key.source == "flag --key");
  }
  SECTION("another provider's stored key is not used") {
    store.set("anthropic", "sk-ant-file");
    CHECK(credentials.find(openai, std::nullopt)->key == "sk-from-env");
  }
}

TEST_CASE("GEMINI_API_KEY is tried before GOOGLE_API_KEY", "[credentials]") {
  TempDir dir;
  const KeyStore store(dir.path() / "keys.json");
  const auto gemini =
      provider("gemini", {"GEMINI_API_KEY", "GOOGLE_API_KEY"}, AuthStyle::goog_api_key);

  const Credentials both(store,
                         fixed_env({{"GEMINI_API_KEY", "gem-key"}, {"GOOGLE_API_KEY", "goo-key"}}));
  CHECK(both.require(gemini, std::nullopt).source == "env GEMINI_API_KEY");
  CHECK(both.require(gemini, std::nullopt).key == "gem-key");

  const Credentials google_only(store, fixed_env({{"GOOGLE_API_KEY", "goo-key"}}));
  CHECK(google_only.require(gemini, std::nullopt).source == "env GOOGLE_API_KEY");
}

TEST_CASE("api_key_env from config replaces the conventional variables", "[credentials]") {
  TempDir dir;
  const KeyStore store(dir.path() / "keys.json");
  // Routing hands over a ProviderInfo whose key_env_vars reflect [providers.X] api_key_env.
  const auto openai = provider("openai", {"WORK_OPENAI_KEY"});
  const Credentials credentials(
      store, fixed_env({{"OPENAI_API_KEY", "sk-personal"}, {"WORK_OPENAI_KEY", "sk-work"}}));
  const auto key = credentials.require(openai, std::nullopt);
  CHECK(key.key == "sk-work");
  CHECK(key.source == "env WORK_OPENAI_KEY");
}

TEST_CASE("a missing key names the fix and no key", "[credentials]") {
  TempDir dir;
  KeyStore store(dir.path() / "keys.json");
  store.set("anthropic", "sk-ant-secret-9999");  // another provider's key
  const Credentials credentials(store, fixed_env({{"ANTHROPIC_API_KEY", "sk-ant-env-8888"}}));

  const Error error = require_error(
      credentials,
      provider("gemini", {"GEMINI_API_KEY", "GOOGLE_API_KEY"}, AuthStyle::goog_api_key));
  CHECK(error.kind == ErrorKind::missing_key);
  CHECK(error.provider == "gemini");
  CHECK(error.message == "no API key for gemini");
  CHECK(error.fix == "run `llmgw keys set gemini` or set GEMINI_API_KEY or GOOGLE_API_KEY");
  CHECK_THAT(error.message + error.fix, !Catch::Contains("secret") && !Catch::Contains("8888"));

  const Error no_vars = require_error(credentials, provider("custom", {}));
  CHECK(no_vars.fix == "run `llmgw keys set custom`");
  CHECK_FALSE(credentials.find(provider("custom", {}), std::nullopt));
}

TEST_CASE("keyless providers need no key", "[credentials]") {
  TempDir dir;
  const auto file = dir.path() / "keys.json";
  {
    // Even a broken keys file must not stop a provider that needs no key.
    std::FILE* out = std::fopen(file.c_str(), "w");
    REQUIRE(out != nullptr);
    std::fputs("{not json", out);
    std::fclose(out);
  }
  const KeyStore store(file);
  const Credentials credentials(store, fixed_env({}));
  const auto key = credentials.require(provider("ollama", {}, AuthStyle::none), std::nullopt);
  CHECK(key.key.empty());
  CHECK(key.source == "none");
}

TEST_CASE("an explicitly empty --key is a usage error", "[credentials]") {
  TempDir dir;
  const KeyStore store(dir.path() / "keys.json");
  const Credentials credentials(store, fixed_env({{"OPENAI_API_KEY", "sk-env"}}));
  const Error error =
      require_error(credentials, provider("openai", {"OPENAI_API_KEY"}), std::string());
  CHECK(error.kind == ErrorKind::usage);
  CHECK(error.message == "--key is empty");
}

TEST_CASE("find_all gives every key of the first layer that has any", "[credentials]") {
  TempDir dir;
  KeyStore store(dir.path() / "keys.json");
  const std::string file_source = "keys file " + store.path().string();
  const auto env = fixed_env({{"OPENAI_API_KEY", "sk-env-1"},
                              {"OPENAI_API_KEY_2", "sk-env-2"},
                              {"OPENAI_API_KEY_3", "sk-env-3"}});
  const Credentials credentials(store, env);
  // As routing hands it over for [providers.openai] api_key_env = [...]: every one counts.
  ProviderInfo listed = provider(
      "openai", {"OPENAI_API_KEY", "OPENAI_API_KEY_UNSET", "OPENAI_API_KEY_3", "OPENAI_API_KEY_2"});
  listed.every_key_env_var = true;
  const auto conventional =
      provider("openai", {"OPENAI_API_KEY_UNSET", "OPENAI_API_KEY_2", "OPENAI_API_KEY"});

  const auto keys_and_sources = [](const std::vector<ResolvedKey>& keys) {
    std::vector<std::string> out;
    for (const auto& key : keys)
      out.push_back(key.key + " from " + key.source);
    return out;
  };

  SECTION("configured env vars: every one that is set, in listed order") {
    CHECK(keys_and_sources(credentials.find_all(listed, std::nullopt)) ==
          std::vector<std::string>{"sk-env-1 from env OPENAI_API_KEY",
                                   "sk-env-3 from env OPENAI_API_KEY_3",
                                   "sk-env-2 from env OPENAI_API_KEY_2"});
  }
  SECTION("conventional env vars: only the first one set") {
    CHECK(keys_and_sources(credentials.find_all(conventional, std::nullopt)) ==
          std::vector<std::string>{"sk-env-2 from env OPENAI_API_KEY_2"});
  }
  SECTION("the keys file's keys, in stored order, win over env") {
    store.add("openai", "sk-file-a");
    store.add("openai", "sk-file-b");
    store.add("openai", "sk-file-c");
    CHECK(keys_and_sources(credentials.find_all(listed, std::nullopt)) ==
          std::vector<std::string>{"sk-file-a from " + file_source + " #1",
                                   "sk-file-b from " + file_source + " #2",
                                   "sk-file-c from " + file_source + " #3"});
    // find and require stay the first of them.
    CHECK(credentials.find(listed, std::nullopt)->key == "sk-file-a");
    CHECK(credentials.require(listed, std::nullopt).source == file_source + " #1");
    CHECK(credentials.require_all(listed, std::nullopt).size() == 3);
  }
  SECTION("one stored key keeps the plain source") {
    store.set("openai", "sk-file-only");
    CHECK(keys_and_sources(credentials.find_all(conventional, std::nullopt)) ==
          std::vector<std::string>{"sk-file-only from " + file_source});
  }
  SECTION("--key gives only that key") {
    store.add("openai", "sk-file-a");
    store.add("openai", "sk-file-b");
    CHECK(keys_and_sources(credentials.find_all(listed, std::string("sk-flag"))) ==
          std::vector<std::string>{"sk-flag from flag --key"});
    CHECK(keys_and_sources(credentials.require_all(listed, std::string("sk-flag"))) ==
          std::vector<std::string>{"sk-flag from flag --key"});
  }
  SECTION("nothing set: find_all is empty, require_all throws like require") {
    const Credentials empty(store, fixed_env({}));
    CHECK(empty.find_all(listed, std::nullopt).empty());
    const Error error = test::error_of([&] { empty.require_all(listed, std::nullopt); });
    CHECK(error.kind == ErrorKind::missing_key);
    CHECK(error.fix ==
          "run `llmgw keys set openai` or set OPENAI_API_KEY or OPENAI_API_KEY_UNSET or "
          "OPENAI_API_KEY_3 or OPENAI_API_KEY_2");
  }
}

TEST_CASE("require_all gives a keyless provider one empty key, with no lookup", "[credentials]") {
  TempDir dir;
  const auto file = dir.path() / "keys.json";
  {
    std::FILE* out = std::fopen(file.c_str(), "w");
    REQUIRE(out != nullptr);
    std::fputs("{not json", out);
    std::fclose(out);
  }
  const KeyStore store(file);
  const Credentials credentials(store, fixed_env({}));
  const auto keys = credentials.require_all(provider("ollama", {}, AuthStyle::none), std::nullopt);
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].key.empty());
  CHECK(keys[0].source == "none");
}
