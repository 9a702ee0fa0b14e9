#include "core/config/config.hpp"

#include <unistd.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "core/error.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::TempDir;
using namespace std::chrono_literals;

namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

// An environment whose config dir is <dir>/config/llmgw, plus extra variables.
EnvLookup env_in(const TempDir& dir, std::map<std::string, std::string> extra = {}) {
  extra.emplace("HOME", (dir.path() / "home").string());
  extra.emplace("XDG_CONFIG_HOME", (dir.path() / "config").string());
  return fixed_env(std::move(extra));
}

std::filesystem::path config_path(const TempDir& dir) {
  return dir.path() / "config" / "llmgw" / "config.toml";
}

// Runs load_config expecting a GatewayError and returns it.
Error config_error(const EnvLookup& env, const ConfigFlags& flags = {}) {
  return test::error_of([&] { load_config(env, flags); });
}

}  // namespace

TEST_CASE("fixed_env treats empty values as unset", "[config]") {
  const auto env = fixed_env({{"A", "1"}, {"EMPTY", ""}});
  CHECK(env("A") == std::optional<std::string>("1"));
  CHECK_FALSE(env("EMPTY"));
  CHECK_FALSE(env("MISSING"));
}

TEST_CASE("resolve_paths follows XDG and falls back to HOME", "[config]") {
  SECTION("absolute XDG variables") {
    const auto paths = resolve_paths(fixed_env({{"HOME", "/home/u"},
                                                {"XDG_CONFIG_HOME", "/x/config"},
                                                {"XDG_DATA_HOME", "/x/data"},
                                                {"XDG_STATE_HOME", "/x/state"}}));
    CHECK(paths.config_dir == "/x/config/llmgw");
    CHECK(paths.data_dir == "/x/data/llmgw");
    CHECK(paths.state_dir == "/x/state/llmgw");
    CHECK(paths.config_file == "/x/config/llmgw/config.toml");
    CHECK(paths.keys_file == "/x/config/llmgw/keys.json");
  }
  SECTION("HOME fallbacks") {
    const auto paths = resolve_paths(fixed_env({{"HOME", "/home/u"}}));
    CHECK(paths.config_dir == "/home/u/.config/llmgw");
    CHECK(paths.data_dir == "/home/u/.local/share/llmgw");
    CHECK(paths.state_dir == "/home/u/.local/state/llmgw");
    CHECK(paths.config_file == "/home/u/.config/llmgw/config.toml");
    CHECK(paths.keys_file == "/home/u/.config/llmgw/keys.json");
  }
  SECTION("relative XDG values are ignored, as the spec requires") {
    const auto paths = resolve_paths(fixed_env({{"HOME", "/home/u"},
                                                {"XDG_CONFIG_HOME", "rel/config"},
                                                {"XDG_DATA_HOME", "./data"},
                                                {"XDG_STATE_HOME", "state"}}));
    CHECK(paths.config_dir == "/home/u/.config/llmgw");
    CHECK(paths.data_dir == "/home/u/.local/share/llmgw");
    CHECK(paths.state_dir == "/home/u/.local/state/llmgw");
  }
  SECTION("LLMGW_CONFIG and LLMGW_KEYS_FILE override the file paths") {
    const auto paths = resolve_paths(fixed_env({{"HOME", "/home/u"},
                                                {"LLMGW_CONFIG", "/etc/llmgw.toml"},
                                                {"LLMGW_KEYS_FILE", "/secret/keys.json"}}));
    CHECK(paths.config_dir == "/home/u/.config/llmgw");
    CHECK(paths.config_file == "/etc/llmgw.toml");
    CHECK(paths.keys_file == "/secret/keys.json");
  }
  SECTION("neither XDG nor HOME is a config error") {
    try {
      resolve_paths(fixed_env({{"XDG_CONFIG_HOME", "/x/config"}}));
      FAIL("no error");
    } catch (const GatewayError& error) {
      CHECK(error.error().kind == ErrorKind::config);
      CHECK_THAT(error.error().message, Catch::Contains("HOME"));
    }
  }
}

TEST_CASE("a missing default config file is fine", "[config]") {
  TempDir dir;
  const Config config = load_config(env_in(dir), {});
  CHECK_FALSE(config.file_exists);
  CHECK(config.paths.config_file == config_path(dir));
  CHECK(config.config_file_source == "default");
  CHECK_FALSE(config.default_model);
  CHECK(config.aliases.empty());
  CHECK(config.providers.empty());
}

TEST_CASE("precedence is default < file < env < flag", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  write_file(file,
             "# comment\n"
             "default_model = \"openai/gpt-4o-mini\"\n"
             "\n"
             "[providers.openai]\n"
             "base_url = \"https://file.example/v1/\"\n");
  const std::string at = "file " + file.string() + ":";

  SECTION("file over default") {
    const Config config = load_config(env_in(dir), {});
    CHECK(config.file_exists);
    REQUIRE(config.default_model);
    CHECK(config.default_model->value == "openai/gpt-4o-mini");
    CHECK(config.default_model->source == at + "2");
    REQUIRE(config.providers.at("openai").base_url);
    CHECK(config.providers.at("openai").base_url->value == "https://file.example/v1");
    CHECK(config.providers.at("openai").base_url->source == at + "5");
  }
  SECTION("env over file") {
    const Config config =
        load_config(env_in(dir, {{"LLMGW_MODEL", "anthropic/claude"},
                                 {"OPENAI_BASE_URL", "http://localhost:8080/v1/"}}),
                    {});
    CHECK(config.default_model->value == "anthropic/claude");
    CHECK(config.default_model->source == "env LLMGW_MODEL");
    CHECK(config.providers.at("openai").base_url->value == "http://localhost:8080/v1");
    CHECK(config.providers.at("openai").base_url->source == "env OPENAI_BASE_URL");
  }
  SECTION("flag over env") {
    ConfigFlags flags;
    flags.model = "groq/llama";
    const Config config = load_config(env_in(dir, {{"LLMGW_MODEL", "anthropic/claude"}}), flags);
    CHECK(config.default_model->value == "groq/llama");
    CHECK(config.default_model->source == "flag --model");
  }
  SECTION("env without a file") {
    std::filesystem::remove(file);
    const Config config =
        load_config(env_in(dir, {{"ANTHROPIC_BASE_URL", "https://proxy.example/"}}), {});
    CHECK_FALSE(config.default_model);
    REQUIRE(config.providers.at("anthropic").base_url);
    CHECK(config.providers.at("anthropic").base_url->value == "https://proxy.example");
    CHECK(config.providers.at("anthropic").base_url->source == "env ANTHROPIC_BASE_URL");
  }
}

TEST_CASE("the --config flag overrides LLMGW_CONFIG, which overrides the default path",
          "[config]") {
  TempDir dir;
  write_file(config_path(dir), "default_model = \"from/default\"\n");
  const auto env_file = dir.path() / "env.toml";
  write_file(env_file, "default_model = \"from/env\"\n");
  const auto flag_file = dir.path() / "flag.toml";
  write_file(flag_file, "default_model = \"from/flag\"\n");
  const auto env = env_in(dir, {{"LLMGW_CONFIG", env_file.string()}});

  Config config = load_config(env, {});
  CHECK(config.default_model->value == "from/env");
  CHECK(config.paths.config_file == env_file);
  CHECK(config.config_file_source == "env LLMGW_CONFIG");

  ConfigFlags flags;
  flags.config_file = flag_file.string();
  config = load_config(env, flags);
  CHECK(config.default_model->value == "from/flag");
  CHECK(config.default_model->source == "file " + flag_file.string() + ":1");
  CHECK(config.paths.config_file == flag_file);
  CHECK(config.config_file_source == "flag --config");
}

TEST_CASE("a --config file that does not exist is an error", "[config]") {
  TempDir dir;
  const auto missing = dir.path() / "nope.toml";
  ConfigFlags flags;
  flags.config_file = missing.string();
  const Error error = config_error(env_in(dir), flags);
  CHECK(error.kind == ErrorKind::config);
  CHECK(error.message == "config file " + missing.string() + " does not exist");
}

TEST_CASE("aliases and provider tables", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  write_file(file,
             "[aliases]\n"
             "fast = \"groq/llama-3.1-8b-instant\"\n"
             "smart = \"anthropic/claude-sonnet\"\n"
             "\n"
             "[providers.work]\n"
             "base_url = \"https://llm.work.example/v1\"\n"
             "api_key_env = \"WORK_LLM_KEY\"\n"
             "protocol = \"openai\"\n"
             "\n"
             "[providers.mock]\n"
             "delay_ms = 25\n");
  const std::string at = "file " + file.string() + ":";
  const Config config = load_config(env_in(dir), {});

  REQUIRE(config.aliases.size() == 2);
  CHECK(config.aliases.at("fast").value == "groq/llama-3.1-8b-instant");
  CHECK(config.aliases.at("fast").source == at + "2");
  CHECK(config.aliases.at("smart").value == "anthropic/claude-sonnet");
  CHECK(config.aliases.at("smart").source == at + "3");

  REQUIRE(config.providers.size() == 2);
  const ProviderSettings& work = config.providers.at("work");
  CHECK(work.base_url->value == "https://llm.work.example/v1");
  CHECK(work.base_url->source == at + "6");
  CHECK(work.api_key_env->value == std::vector<std::string>{"WORK_LLM_KEY"});
  CHECK(work.api_key_env->source == at + "7");
  CHECK(work.protocol->value == "openai");
  CHECK(work.protocol->source == at + "8");
  CHECK_FALSE(work.delay_ms);
  CHECK(work.timeouts.source == "default");

  const ProviderSettings& mock = config.providers.at("mock");
  REQUIRE(mock.delay_ms);
  CHECK(mock.delay_ms->value == 25);
  CHECK(mock.delay_ms->source == at + "11");
  CHECK_FALSE(mock.base_url);
}

TEST_CASE("provider headers and azure's api_version", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  const std::string at = "file " + file.string() + ":";

  SECTION("read with their source") {
    write_file(file,
               "[providers.openrouter]\n"
               "headers = { \"HTTP-Referer\" = \"https://myapp.example\", X-Title = \"My App\" }\n"
               "[providers.azure]\n"
               "api_version = \"2025-04-01-preview\"\n");
    const Config config = load_config(env_in(dir), {});
    const auto& headers = config.providers.at("openrouter").headers;
    REQUIRE(headers);
    CHECK(headers->value == std::vector<std::pair<std::string, std::string>>{
                                {"HTTP-Referer", "https://myapp.example"}, {"X-Title", "My App"}});
    CHECK(headers->source == at + "2");
    CHECK(config.providers.at("azure").api_version->value == "2025-04-01-preview");
  }
  SECTION("AZURE_OPENAI_ENDPOINT and OPENAI_API_VERSION configure azure") {
    const Config config =
        load_config(env_in(dir, {{"AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com/"},
                                 {"OPENAI_API_VERSION", "2024-10-21"}}),
                    {});
    const ProviderSettings& azure = config.providers.at("azure");
    CHECK(azure.base_url->value == "https://res.openai.azure.com");
    CHECK(azure.base_url->source == "env AZURE_OPENAI_ENDPOINT");
    CHECK(azure.api_version->value == "2024-10-21");
    CHECK(azure.api_version->source == "env OPENAI_API_VERSION");
  }
  SECTION("an auth header is refused, and its value never echoed") {
    write_file(file,
               "[providers.openai]\nheaders = { Authorization = \"Bearer sk-secret-9999\" }\n");
    const Error error = config_error(env_in(dir));
    CHECK(error.kind == ErrorKind::config);
    CHECK_THAT(error.message, Catch::StartsWith(file.string() + ":2:"));
    CHECK_THAT(error.message, Catch::Contains("would put a credential in config.toml"));
    CHECK_THAT(error.fix, Catch::Contains("llmgw keys set"));
    CHECK_THAT(error.message + error.fix, !Catch::Contains("sk-secret"));
  }
  SECTION("bad header names, values and api versions name file:line") {
    const auto [toml, expected] = GENERATE(values<std::pair<std::string, std::string>>({
        {"[providers.openai]\nheaders = { \"Bad Name\" = \"x\" }\n",
         ":2: 'Bad Name' in providers.openai.headers is not a valid header name"},
        {"[providers.openai]\nheaders = { X-A = 1 }\n",
         ":2: providers.openai.headers.X-A must be a string"},
        {"[providers.openai]\nheaders = { X-A = \"a\\r\\nX-B: b\" }\n",
         ":2: providers.openai.headers.X-A must be one line"},
        {"[providers.openai]\nheaders = \"X-A: b\"\n",
         ":2: providers.openai.headers must be a table"},
        {"[providers.openai]\napi_version = \"2024-10-21\"\n",
         ":2: providers.openai.api_version only applies to [providers.azure]"},
        {"[providers.azure]\napi_version = \"2024&x=1\"\n",
         ":2: providers.azure.api_version must look like 2024-10-21"},
    }));
    INFO(toml);
    write_file(file, toml);
    CHECK_THAT(config_error(env_in(dir)).message, Catch::StartsWith(file.string() + expected));
  }
}

TEST_CASE("timeouts are seconds, integer or fractional", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  write_file(file,
             "[providers.openai]\n"
             "base_url = \"https://api.openai.com/v1\"\n"
             "connect_timeout = 2.5\n"
             "total_timeout = 30\n");
  const Config config = load_config(env_in(dir), {});
  const auto& timeouts = config.providers.at("openai").timeouts;
  CHECK(timeouts.value.connect == 2500ms);
  CHECK(timeouts.value.total == 30'000ms);
  // Untouched ones keep the built-in defaults.
  const Timeouts defaults;
  CHECK(timeouts.value.first_byte == defaults.first_byte);
  CHECK(timeouts.value.idle == defaults.idle);
  CHECK(timeouts.source == "file " + file.string() + ":3");
}

TEST_CASE("invalid TOML names the file, line and column", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  write_file(file, "default_model = \"a/b\"\n\n[providers.openai\n");
  const Error error = config_error(env_in(dir));
  CHECK(error.kind == ErrorKind::config);
  CHECK_THAT(error.message, Catch::StartsWith(file.string() + ":3:"));
  CHECK(error.fix == "fix the file or move it aside; `llmgw config path` shows where it is");
}

TEST_CASE("unknown keys are errors naming file:line", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);

  SECTION("top level, with a suggestion") {
    write_file(file, "default_model = \"a/b\"\n[provders.openai]\nbase_url = \"http://x\"\n");
    const Error error = config_error(env_in(dir));
    CHECK(error.kind == ErrorKind::config);
    CHECK_THAT(error.message, Catch::StartsWith(file.string() + ":2: unknown key 'provders'"));
    CHECK_THAT(error.message, Catch::Contains("did you mean 'providers'?"));
  }
  SECTION("in a provider table") {
    write_file(file, "[providers.openai]\nbase_url = \"http://x\"\nconect_timeout = 3\n");
    const Error error = config_error(env_in(dir));
    CHECK_THAT(error.message,
               Catch::StartsWith(file.string() + ":3: unknown key 'conect_timeout'"));
    CHECK_THAT(error.message, Catch::Contains("did you mean 'connect_timeout'?"));
  }
  SECTION("a key pasted into the config is not echoed") {
    write_file(file, "[providers.openai]\napi_key = \"sk-secret-value-1234\"\n");
    const Error error = config_error(env_in(dir));
    CHECK_THAT(error.message, Catch::StartsWith(file.string() + ":2: unknown key 'api_key'"));
    CHECK_THAT(error.fix, Catch::Contains("llmgw keys set openai"));
    CHECK_THAT(error.message + error.fix, !Catch::Contains("sk-secret"));
  }
}

TEST_CASE("wrong types are errors naming file:line", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  const auto [toml, expected] = GENERATE(values<std::pair<std::string, std::string>>({
      {"default_model = 3\n", ":1: default_model must be a string, not an integer"},
      {"\n[aliases]\nfast = 1\n", ":3: aliases.fast must be a string"},
      {"aliases = \"x\"\n", ":1: aliases must be a table"},
      {"[providers]\nopenai = \"x\"\n", ":2: providers.openai must be a table"},
      {"[providers.openai]\nconnect_timeout = \"10\"\n",
       ":2: providers.openai.connect_timeout must be a number of seconds"},
      {"[providers.openai]\nidle_timeout = -1\n",
       ":2: providers.openai.idle_timeout must be a number of seconds, 0 or more"},
      {"[providers.openai]\n\ntotal_timeout = -0.5\n",
       ":3: providers.openai.total_timeout must be a number of seconds, 0 or more"},
      {"[providers.openai]\nfirst_byte_timeout = nan\n",
       ":2: providers.openai.first_byte_timeout must be a number of seconds"},
      {"[providers.openai]\nbase_url = 5\n", ":2: providers.openai.base_url must be a string"},
      {"[providers.openai]\nbase_url = \"api.openai.com\"\n",
       ":2: providers.openai.base_url must start with http:// or https://"},
      {"[providers.x]\nprotocol = \"grpc\"\n", ":2: providers.x.protocol must be one of"},
      {"[providers.mock]\ndelay_ms = 1.5\n", ":2: providers.mock.delay_ms must be an integer"},
      {"[providers.mock]\ndelay_ms = -3\n", ":2: providers.mock.delay_ms must not be negative"},
      {"[providers.x]\napi_key_env = \"gsk_abcdefXYZ123\"\n",
       ":2: providers.x.api_key_env must be the name of an environment variable"},
  }));
  write_file(file, toml);
  const Error error = config_error(env_in(dir));
  CHECK(error.kind == ErrorKind::config);
  CHECK_THAT(error.message, Catch::StartsWith(file.string() + expected));
  CHECK_THAT(error.message, !Catch::Contains("gsk_abcdef"));
}

TEST_CASE("OLLAMA_HOST forms become an http base URL", "[config]") {
  TempDir dir;
  const auto [host, expected] = GENERATE(values<std::pair<std::string, std::string>>({
      {"localhost:11434", "http://localhost:11434"},
      {"gpu-box:8000/", "http://gpu-box:8000"},
      {"0.0.0.0", "http://0.0.0.0:11434"},
      {"example.com", "http://example.com:11434"},
      {":11500", "http://127.0.0.1:11500"},
      {"[::1]:11434", "http://[::1]:11434"},
      {"http://ollama.lan:11434/", "http://ollama.lan:11434"},
      {"https://ollama.example.com", "https://ollama.example.com"},
  }));
  const Config config = load_config(env_in(dir, {{"OLLAMA_HOST", host}}), {});
  REQUIRE(config.providers.at("ollama").base_url);
  CHECK(config.providers.at("ollama").base_url->value == expected);
  CHECK(config.providers.at("ollama").base_url->source == "env OLLAMA_HOST");
}

TEST_CASE("a config file that exists but cannot be read is an error", "[config]") {
  TempDir dir;
  std::filesystem::create_directories(config_path(dir));  // a directory, not a file
  const Error error = config_error(env_in(dir));
  CHECK(error.kind == ErrorKind::config);
  CHECK_THAT(error.message, Catch::Contains(config_path(dir).string()));
}
