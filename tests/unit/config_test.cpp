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
#include "core/pricing.hpp"
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
    CHECK(paths.db_file == "/x/data/llmgw/llmgw.db");
  }
  SECTION("HOME fallbacks") {
    const auto paths = resolve_paths(fixed_env({{"HOME", "/home/u"}}));
    CHECK(paths.config_dir == "/home/u/.config/llmgw");
    CHECK(paths.data_dir == "/home/u/.local/share/llmgw");
    CHECK(paths.state_dir == "/home/u/.local/state/llmgw");
    CHECK(paths.config_file == "/home/u/.config/llmgw/config.toml");
    CHECK(paths.keys_file == "/home/u/.config/llmgw/keys.json");
    CHECK(paths.db_file == "/home/u/.local/share/llmgw/llmgw.db");
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
  SECTION("LLMGW_CONFIG, LLMGW_KEYS_FILE and LLMGW_DB override the file paths") {
    const auto paths = resolve_paths(fixed_env({{"HOME", "/home/u"},
                                                {"LLMGW_CONFIG", "/etc/llmgw.toml"},
                                                {"LLMGW_KEYS_FILE", "/secret/keys.json"},
                                                {"LLMGW_DB", "/srv/llmgw/team.db"}}));
    CHECK(paths.config_dir == "/home/u/.config/llmgw");
    CHECK(paths.config_file == "/etc/llmgw.toml");
    CHECK(paths.keys_file == "/secret/keys.json");
    CHECK(paths.db_file == "/srv/llmgw/team.db");
    CHECK(paths.data_dir == "/home/u/.local/share/llmgw");
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

TEST_CASE("the database path: default < LLMGW_DB < --db, with its source", "[config][db]") {
  TempDir dir;
  Config config = load_config(env_in(dir), {});
  CHECK(config.paths.db_file == config.paths.data_dir / "llmgw.db");
  CHECK(config.db_file_source == "default");

  std::map<std::string, std::string> vars = {{"HOME", dir.path().string()},
                                             {"LLMGW_DB", "/from/env.db"}};
  config = load_config(fixed_env(vars), {});
  CHECK(config.paths.db_file == "/from/env.db");
  CHECK(config.db_file_source == "env LLMGW_DB");

  ConfigFlags flags;
  flags.db_file = "/from/flag.db";
  config = load_config(fixed_env(vars), flags);
  CHECK(config.paths.db_file == "/from/flag.db");
  CHECK(config.db_file_source == "flag --db");

  flags.db_file = "";
  try {
    load_config(fixed_env(vars), flags);
    FAIL("no error");
  } catch (const GatewayError& error) {
    CHECK(error.error().kind == ErrorKind::usage);
  }
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
      {"\nlogs = \"no\"\n", ":2: logs must be true or false, not a string"},
  }));
  write_file(file, toml);
  const Error error = config_error(env_in(dir));
  CHECK(error.kind == ErrorKind::config);
  CHECK_THAT(error.message, Catch::StartsWith(file.string() + expected));
  CHECK_THAT(error.message, !Catch::Contains("gsk_abcdef"));
}

TEST_CASE("logs: on by default, off with logs = false, with its source", "[config]") {
  TempDir dir;
  const Config defaults = load_config(env_in(dir), {});
  CHECK(defaults.logs.value);
  CHECK(defaults.logs.source == "default");
  write_file(config_path(dir), "default_model = \"mock/echo\"\nlogs = false\n");
  const Config off = load_config(env_in(dir), {});
  CHECK_FALSE(off.logs.value);
  CHECK(off.logs.source == "file " + config_path(dir).string() + ":2");
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

TEST_CASE("[retry] and [breaker] read seconds into milliseconds with their source", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  write_file(file,
             "[breaker]\n"
             "cooldown = 12.5\n"
             "failures = 3\n"
             "failure_ratio = 0.25\n"
             "min_requests = 8\n"
             "window = 90\n"
             "\n"
             "[retry]\n"
             "max_wait = 0\n"
             "max_retries = 0\n"
             "base_delay = 0.25\n"
             "max_delay = 7\n");
  const std::string at = "file " + file.string() + ":";
  const Config config = load_config(env_in(dir), {});

  CHECK(config.retry.value.max_retries == 0);
  CHECK(config.retry.value.base_delay == 250ms);
  CHECK(config.retry.value.max_delay == 7000ms);
  CHECK(config.retry.value.max_wait == 0ms);
  CHECK(config.retry.source == at + "9");

  CHECK(config.breaker.value.failure_threshold == 3);
  CHECK(config.breaker.value.failure_ratio == 0.25);
  CHECK(config.breaker.value.min_requests == 8);
  CHECK(config.breaker.value.window == 90'000ms);
  CHECK(config.breaker.value.cooldown == 12'500ms);
  CHECK(config.breaker.source == at + "2");
}

TEST_CASE("unset [retry] and [breaker] keys keep the built-in defaults", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  SECTION("no tables at all") {
    write_file(file, "default_model = \"a/b\"\n");
    const Config config = load_config(env_in(dir), {});
    CHECK(config.retry.value == RetrySettings{});
    CHECK(config.retry.source == "default");
    CHECK(config.breaker.value.failure_threshold == BreakerSettings{}.failure_threshold);
    CHECK(config.breaker.source == "default");
    CHECK(config.fallbacks.empty());
    CHECK(config.balanced_aliases.empty());
  }
  SECTION("one key changes only itself") {
    write_file(file, "[retry]\n\nmax_retries = 20\n[breaker]\nfailure_ratio = 1\n");
    const Config config = load_config(env_in(dir), {});
    RetrySettings expected;
    expected.max_retries = 20;
    CHECK(config.retry.value == expected);
    CHECK(config.retry.source == "file " + file.string() + ":3");
    CHECK(config.breaker.value.failure_ratio == 1.0);
    CHECK(config.breaker.value.cooldown == BreakerSettings{}.cooldown);
    CHECK(config.breaker.source == "file " + file.string() + ":5");
  }
  SECTION("an empty table is the default") {
    write_file(file, "[retry]\n[breaker]\n");
    const Config config = load_config(env_in(dir), {});
    CHECK(config.retry.source == "default");
    CHECK(config.breaker.source == "default");
  }
}

TEST_CASE("provider retry keys apply on top of [retry], wherever [retry] is", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  const std::string retry_table = "[retry]\nmax_retries = 2\nmax_delay = 9\n";
  const std::string provider_table =
      "[providers.openai]\nretry_base_delay = 0.1\nmax_retry_wait = 5\n"
      "[providers.groq]\nmax_retries = 6\nretry_max_delay = 1.5\n"
      "[providers.anthropic]\nbase_url = \"https://a.example\"\n";
  const bool retry_first = GENERATE(true, false);
  INFO("retry table first: " << retry_first);
  write_file(file, retry_first ? retry_table + provider_table : provider_table + retry_table);
  const int provider_offset = retry_first ? 3 : 0;  // lines before [providers.openai]
  const std::string at = "file " + file.string() + ":";
  const Config config = load_config(env_in(dir), {});

  CHECK(config.retry.value.max_retries == 2);
  CHECK(config.retry.value.max_delay == 9000ms);

  const auto& openai = config.providers.at("openai").retry;
  REQUIRE(openai);
  CHECK(openai->value.max_retries == 2);     // from [retry]
  CHECK(openai->value.base_delay == 100ms);  // its own
  CHECK(openai->value.max_delay == 9000ms);  // from [retry]
  CHECK(openai->value.max_wait == 5000ms);   // its own
  CHECK(openai->source == at + std::to_string(provider_offset + 2));

  const auto& groq = config.providers.at("groq").retry;
  REQUIRE(groq);
  CHECK(groq->value.max_retries == 6);
  CHECK(groq->value.base_delay == RetrySettings{}.base_delay);
  CHECK(groq->value.max_delay == 1500ms);
  CHECK(groq->source == at + std::to_string(provider_offset + 5));

  CHECK_FALSE(config.providers.at("anthropic").retry);
}

TEST_CASE("api_key_env takes one variable or a list of them", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  write_file(file,
             "[providers.openai]\n"
             "api_key_env = [\"OPENAI_KEY_A\", \"OPENAI_KEY_B\",\n"
             "               \"OPENAI_KEY_C\"]\n"
             "[providers.groq]\n"
             "api_key_env = \"GROQ_WORK\"\n");
  const Config config = load_config(env_in(dir), {});
  const auto& openai = config.providers.at("openai").api_key_env;
  REQUIRE(openai);
  CHECK(openai->value == std::vector<std::string>{"OPENAI_KEY_A", "OPENAI_KEY_B", "OPENAI_KEY_C"});
  CHECK(openai->source == "file " + file.string() + ":2");
  CHECK(config.providers.at("groq").api_key_env->value == std::vector<std::string>{"GROQ_WORK"});
}

TEST_CASE("[aliases] mixes plain names and balanced tables", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  write_file(file,
             "[aliases]\n"
             "fast = \"groq/llama-3.1-8b-instant\"\n"
             "cheap = { targets = [\"groq/llama\"] }\n"
             "\n"
             "[aliases.smart]\n"
             "weights = [3, 0.5]\n"
             "strategy = \"weighted\"\n"
             "targets = [\"openai/gpt-4o\", \"azure/gpt-4o\"]\n");
  const std::string at = "file " + file.string() + ":";
  const Config config = load_config(env_in(dir), {});

  REQUIRE(config.aliases.size() == 1);
  CHECK(config.aliases.at("fast").value == "groq/llama-3.1-8b-instant");
  REQUIRE(config.balanced_aliases.size() == 2);

  const auto& smart = config.balanced_aliases.at("smart");
  CHECK(smart.value.targets == std::vector<std::string>{"openai/gpt-4o", "azure/gpt-4o"});
  CHECK(smart.value.weights == std::vector<double>{3.0, 0.5});
  CHECK(smart.value.strategy == Strategy::weighted);
  CHECK(smart.source == at + "5");

  const auto& cheap = config.balanced_aliases.at("cheap");
  CHECK(cheap.value.targets == std::vector<std::string>{"groq/llama"});
  CHECK(cheap.value.weights.empty());
  CHECK(cheap.value.strategy == Strategy::round_robin);
  CHECK(cheap.source == at + "3");

  SECTION("every strategy name") {
    const auto [name, strategy] = GENERATE(values<std::pair<std::string, Strategy>>({
        {"round-robin", Strategy::round_robin},
        {"weighted", Strategy::weighted},
        {"least-latency", Strategy::least_latency},
        {"least-busy", Strategy::least_busy},
        {"priority", Strategy::priority},
    }));
    write_file(file, "[aliases.x]\ntargets = [\"a/b\"]\nstrategy = \"" + name + "\"\n");
    CHECK(load_config(env_in(dir), {}).balanced_aliases.at("x").value.strategy == strategy);
  }
}

TEST_CASE("[fallbacks] map a model to the models tried after it", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  write_file(file,
             "[fallbacks]\n"
             "\"openai/gpt-4o\" = [\"anthropic/claude-sonnet\", \"groq/llama\"]\n"
             "smart = \"openai/gpt-4o-mini\"\n");
  const Config config = load_config(env_in(dir), {});
  REQUIRE(config.fallbacks.size() == 2);
  CHECK(config.fallbacks.at("openai/gpt-4o").value ==
        std::vector<std::string>{"anthropic/claude-sonnet", "groq/llama"});
  CHECK(config.fallbacks.at("openai/gpt-4o").source == "file " + file.string() + ":2");
  CHECK(config.fallbacks.at("smart").value == std::vector<std::string>{"openai/gpt-4o-mini"});
  CHECK(config.fallbacks.at("smart").source == "file " + file.string() + ":3");
}

TEST_CASE("bad resilience settings are errors naming file:line", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  const auto [toml, expected] = GENERATE(values<std::pair<std::string, std::string>>({
      // [retry]
      {"retry = 3\n", ":1: retry must be a table, not an integer"},
      {"[retry]\nmax_retries = 2.5\n",
       ":2: retry.max_retries must be an integer, not a floating-point number"},
      {"[retry]\nmax_retries = \"3\"\n", ":2: retry.max_retries must be an integer, not a string"},
      {"[retry]\nmax_retries = -1\n", ":2: retry.max_retries must be from 0 to 20"},
      {"[retry]\nmax_retries = 21\n", ":2: retry.max_retries must be from 0 to 20"},
      {"[retry]\nbase_delay = -0.5\n",
       ":2: retry.base_delay must be a number of seconds, 0 or more"},
      {"[retry]\nbase_delay = \"1s\"\n",
       ":2: retry.base_delay must be a number of seconds, not a string"},
      {"[retry]\nmax_delay = 0\n", ":2: retry.max_delay must be a number of seconds, more than 0"},
      {"[retry]\nmax_delay = 0.0001\n", ":2: retry.max_delay must be at least 0.001 seconds"},
      {"[retry]\nmax_wait = -1\n", ":2: retry.max_wait must be a number of seconds, 0 or more"},
      {"[retry]\nmax_wait = inf\n", ":2: retry.max_wait must be a number of seconds, 0 or more"},
      {"[retry]\nmax_wait = 1e12\n", ":2: retry.max_wait is too large"},
      {"[retry]\n\nmax_retry = 3\n",
       ":3: unknown key 'max_retry' in [retry] (did you mean "
       "'max_retries'?)"},
      // [breaker]
      {"[breaker]\nfailures = 0\n", ":2: breaker.failures must be from 1 to 1000000"},
      {"[breaker]\nfailures = 1.5\n", ":2: breaker.failures must be an integer"},
      {"[breaker]\nfailure_ratio = 0\n",
       ":2: breaker.failure_ratio must be more than 0 and at most 1"},
      {"[breaker]\nfailure_ratio = 1.5\n",
       ":2: breaker.failure_ratio must be more than 0 and at most 1"},
      {"[breaker]\nfailure_ratio = nan\n", ":2: breaker.failure_ratio must be a finite number"},
      {"[breaker]\nfailure_ratio = \"half\"\n",
       ":2: breaker.failure_ratio must be a number, not a string"},
      {"[breaker]\nmin_requests = 0\n", ":2: breaker.min_requests must be from 1 to 1000000"},
      {"[breaker]\nwindow = 0\n", ":2: breaker.window must be a number of seconds, more than 0"},
      {"[breaker]\ncooldown = -3\n",
       ":2: breaker.cooldown must be a number of seconds, more than 0"},
      {"[breaker]\ncooldown = [1]\n",
       ":2: breaker.cooldown must be a number of seconds, not an array"},
      {"[breaker]\ncoldown = 3\n",
       ":2: unknown key 'coldown' in [breaker] (did you mean 'cooldown'?)"},
      // [providers.X] retry keys and api_key_env lists
      {"[providers.openai]\nmax_retries = 99\n",
       ":2: providers.openai.max_retries must be from 0 to 20"},
      {"[providers.openai]\nretry_base_delay = -1\n",
       ":2: providers.openai.retry_base_delay must be a number of seconds, 0 or more"},
      {"[providers.openai]\nretry_max_delay = 0\n",
       ":2: providers.openai.retry_max_delay must be a number of seconds, more than 0"},
      {"[providers.openai]\nmax_retry_wait = true\n",
       ":2: providers.openai.max_retry_wait must be a number of seconds, not a boolean"},
      {"[providers.openai]\nretry_max_dalay = 3\n",
       ":2: unknown key 'retry_max_dalay' in [providers.openai] (did you mean 'retry_max_delay'?)"},
      {"[providers.x]\napi_key_env = []\n",
       ":2: providers.x.api_key_env must not be an empty array"},
      {"[providers.x]\napi_key_env = [\"A_KEY\", 3]\n",
       ":2: providers.x.api_key_env[1] must be a string, not an integer"},
      {"[providers.x]\napi_key_env = [\"A_KEY\",\n  \"gsk_abcdefXYZ\"]\n",
       ":3: providers.x.api_key_env[1] must be the name of an environment variable"},
      {"[providers.x]\napi_key_env = 7\n",
       ":2: providers.x.api_key_env must be a string or an array of strings, not an integer"},
      // [aliases.X] tables
      {"[aliases]\nfast = 1\n",
       ":2: aliases.fast must be a string (\"provider/model\") or a table (targets = [...]), not "
       "an integer"},
      {"[aliases.smart]\nstrategy = \"weighted\"\n", ":1: aliases.smart has no targets"},
      {"[aliases.smart]\ntargets = \"openai/gpt-4o\"\n",
       ":2: aliases.smart.targets must be an array of strings, not a string"},
      {"[aliases.smart]\ntargets = []\n", ":2: aliases.smart.targets must not be an empty array"},
      {"[aliases.smart]\ntargets = [\"openai/gpt-4o\", \"\"]\n",
       ":2: aliases.smart.targets[1] must not be empty"},
      {"[aliases.smart]\ntargets = [\"openai/gpt-4o\",\n  \"fast\"]\n",
       ":3: aliases.smart.targets[1] must be provider/model, like \"openai/gpt-4o\""},
      {"[aliases.smart]\ntargets = [\"openai/\"]\n",
       ":2: aliases.smart.targets[0] must be provider/model"},
      {"[aliases.smart]\ntargets = [\"a/b\"]\nstrategy = \"fastest\"\n",
       ":3: aliases.smart.strategy must be one of round-robin, weighted, least-latency, "
       "least-busy, priority"},
      {"[aliases.smart]\ntargets = [\"a/b\"]\nstrategy = 1\n",
       ":3: aliases.smart.strategy must be a string, not an integer"},
      {"[aliases.smart]\nweights = [1, 2]\ntargets = [\"a/b\"]\n",
       ":2: aliases.smart.weights has 2 weights for 1 targets"},
      {"[aliases.smart]\ntargets = [\"a/b\", \"c/d\"]\nweights = [1, 0]\n",
       ":3: aliases.smart.weights[1] must be more than 0"},
      {"[aliases.smart]\ntargets = [\"a/b\"]\nweights = [\"1\"]\n",
       ":3: aliases.smart.weights[0] must be a number, not a string"},
      {"[aliases.smart]\ntargets = [\"a/b\"]\nweights = 1\n",
       ":3: aliases.smart.weights must be an array of numbers, not an integer"},
      {"[aliases.smart]\ntargets = [\"a/b\"]\nstrategey = \"priority\"\n",
       ":3: unknown key 'strategey' in [aliases.smart] (did you mean 'strategy'?)"},
      // [fallbacks]
      {"fallbacks = [\"a/b\"]\n", ":1: fallbacks must be a table, not an array"},
      {"[fallbacks]\n\"a/b\" = 3\n",
       ":2: fallbacks.a/b must be a string or an array of strings, not an integer"},
      {"[fallbacks]\n\"a/b\" = []\n", ":2: fallbacks.a/b must not be an empty array"},
      {"[fallbacks]\n\"a/b\" = [\"c/d\", 1]\n", ":2: fallbacks.a/b[1] must be a string"},
      {"[fallbacks]\n\"a/b\" = \"\"\n", ":2: fallbacks.a/b must not be empty"},
      // the top level knows the new tables
      {"[rety]\nmax_retries = 3\n", ":1: unknown key 'rety' (did you mean 'retry'?)"},
      {"[fallback]\n\"a/b\" = \"c/d\"\n", ":1: unknown key 'fallback' (did you mean 'fallbacks'?)"},
  }));
  INFO(toml);
  write_file(file, toml);
  const Error error = config_error(env_in(dir));
  CHECK(error.kind == ErrorKind::config);
  CHECK_THAT(error.message, Catch::StartsWith(file.string() + expected));
  CHECK_THAT(error.message, !Catch::Contains("gsk_abcdef"));
}

TEST_CASE("unknown keys in the new tables list the valid ones in the fix", "[config]") {
  TempDir dir;
  const auto file = config_path(dir);
  write_file(file, "[breaker]\nzzz = 1\n");
  CHECK(config_error(env_in(dir)).fix ==
        "valid [breaker] keys are failures, failure_ratio, min_requests, window, cooldown");
  write_file(file, "[retry]\nzzz = 1\n");
  CHECK(config_error(env_in(dir)).fix ==
        "valid [retry] keys are max_retries, base_delay, max_delay, max_wait");
  write_file(file, "[aliases.a]\ntargets = [\"a/b\"]\nzzz = 1\n");
  CHECK(config_error(env_in(dir)).fix == "valid [aliases.a] keys are targets, strategy, weights");
  write_file(file, "zzz = 1\n");
  CHECK_THAT(config_error(env_in(dir)).fix,
             Catch::StartsWith("valid top-level keys are default_model, aliases, providers, "
                               "retry, breaker, fallbacks"));
}

TEST_CASE("[prices] overrides are read with their source and change costs", "[config][pricing]") {
  TempDir dir;
  const auto file = config_path(dir);
  write_file(file,
             "[prices.\"openai/gpt-4o\"]\n"
             "output = 5\n"
             "[prices.\"local/my-model\"]\n"
             "input = 0.1\n"
             "output = 0.2\n"
             "image = { \"1024x1024/hd\" = 0.08 }\n");
  const Config config = load_config(env_in(dir), {});
  REQUIRE(config.prices.size() == 2);
  const auto& gpt = config.prices.at("openai/gpt-4o");
  CHECK(gpt.source == "file " + file.string() + ":1");
  CHECK(gpt.value.rates.output == 5.0);
  CHECK_FALSE(gpt.value.rates.input);
  CHECK(config.prices.at("local/my-model").value.image->at("1024x1024/hd") == 0.08);

  const PriceBook book = price_book(config);
  const nlohmann::json usage = {{"prompt_tokens", 1000}, {"completion_tokens", 1000}};
  // gpt-4o keeps its $2.50 input; output is now $5: 0.0025 + 0.005
  CHECK(cost_usd(book, "openai", "gpt-4o", usage) == Approx(0.0075));
  // Only in config: 1000 × 0.1 / 1e6 + 1000 × 0.2 / 1e6 = 0.0003
  CHECK(cost_usd(book, "local", "my-model", usage) == Approx(0.0003));
  CHECK(image_cost(book, "local", "my-model", "1024x1024", "hd", 1)->total_usd == Approx(0.08));
}

TEST_CASE("bad [prices] tables are errors naming file:line", "[config][pricing]") {
  TempDir dir;
  const auto file = config_path(dir);
  SECTION("unknown key, with a suggestion") {
    write_file(file, "[prices.\"openai/gpt-4o\"]\ninput = 1\noutptu = 2\n");
    const Error error = config_error(env_in(dir));
    CHECK(error.kind == ErrorKind::config);
    CHECK_THAT(error.message, Catch::StartsWith(file.string() + ":3: unknown key 'outptu'"));
    CHECK_THAT(error.message, Catch::Contains("did you mean 'output'?"));
  }
  SECTION("negative price") {
    write_file(file, "[prices.\"openai/gpt-4o\"]\ninput = -1\n");
    CHECK_THAT(config_error(env_in(dir)).message,
               Catch::StartsWith(file.string() + ":2:") && Catch::Contains("0 or more"));
  }
  SECTION("not a number") {
    write_file(file, "[prices.\"openai/gpt-4o\"]\ninput = \"cheap\"\n");
    CHECK_THAT(config_error(env_in(dir)).message, Catch::StartsWith(file.string() + ":2:"));
  }
  SECTION("no provider in the name") {
    write_file(file, "[prices.gpt-4o]\ninput = 1\n");
    CHECK_THAT(config_error(env_in(dir)).message, Catch::Contains("provider/model"));
  }
  SECTION("no price at all") {
    write_file(file, "[prices.\"openai/gpt-4o\"]\n");
    CHECK_THAT(config_error(env_in(dir)).message, Catch::Contains("sets no price"));
  }
}
