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
