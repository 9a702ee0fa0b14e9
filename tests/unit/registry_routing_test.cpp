#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/providers/registry.hpp"
#include "core/routing.hpp"
#include "support/expect_error.hpp"

using namespace llmgw;

using llmgw::test::error_of;

namespace {

Sourced<std::string> from_file(std::string value, int line = 1) {
  return {std::move(value), "file config.toml:" + std::to_string(line)};
}

const std::string k_known =
    "openai, anthropic, gemini, openrouter, deepseek, groq, together, mistral, azure, ollama, "
    "mock";

}  // namespace

TEST_CASE("registry lists the built-in providers in display order", "[registry]") {
  std::vector<std::string> names;
  for (const auto& p : builtin_providers())
    names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"openai", "anthropic", "gemini", "openrouter", "deepseek",
                                          "groq", "together", "mistral", "azure", "ollama",
                                          "mock"});
}

TEST_CASE("registry entries carry protocol, base URL, auth, key env vars and default model",
          "[registry]") {
  struct Expected {
    const char* name;
    Protocol protocol;
    const char* base_url;
    AuthStyle auth;
    std::vector<std::string> env;
    const char* model;
  };
  const std::vector<Expected> expected = {
      {"openai",
       Protocol::openai,
       "https://api.openai.com/v1",
       AuthStyle::bearer,
       {"OPENAI_API_KEY"},
       "gpt-4o-mini"},
      {"anthropic",
       Protocol::anthropic,
       "https://api.anthropic.com/v1",
       AuthStyle::x_api_key,
       {"ANTHROPIC_API_KEY"},
       "claude-sonnet-4-5"},
      {"gemini",
       Protocol::gemini,
       "https://generativelanguage.googleapis.com/v1beta",
       AuthStyle::goog_api_key,
       {"GEMINI_API_KEY", "GOOGLE_API_KEY"},
       "gemini-2.5-flash"},
      {"openrouter",
       Protocol::openai,
       "https://openrouter.ai/api/v1",
       AuthStyle::bearer,
       {"OPENROUTER_API_KEY"},
       "openai/gpt-4o-mini"},
      {"deepseek",
       Protocol::openai,
       "https://api.deepseek.com/v1",
       AuthStyle::bearer,
       {"DEEPSEEK_API_KEY"},
       "deepseek-chat"},
      {"groq",
       Protocol::openai,
       "https://api.groq.com/openai/v1",
       AuthStyle::bearer,
       {"GROQ_API_KEY"},
       "llama-3.1-8b-instant"},
      {"together",
       Protocol::openai,
       "https://api.together.xyz/v1",
       AuthStyle::bearer,
       {"TOGETHER_API_KEY"},
       "meta-llama/Llama-3.3-70B-Instruct-Turbo"},
      {"mistral",
       Protocol::openai,
       "https://api.mistral.ai/v1",
       AuthStyle::bearer,
       {"MISTRAL_API_KEY"},
       "mistral-small-latest"},
      {"azure", Protocol::openai, "", AuthStyle::api_key_header, {"AZURE_OPENAI_API_KEY"}, ""},
      {"ollama", Protocol::ollama, "http://127.0.0.1:11434", AuthStyle::none, {}, "llama3.2"},
      {"mock", Protocol::mock, "", AuthStyle::none, {}, "echo"},
  };
  for (const auto& e : expected) {
    INFO(e.name);
    const ProviderInfo* p = find_builtin_provider(e.name);
    REQUIRE(p != nullptr);
    CHECK(p->protocol == e.protocol);
    CHECK(p->base_url == e.base_url);
    CHECK(p->auth == e.auth);
    CHECK(p->key_env_vars == e.env);
    CHECK(p->default_model == e.model);
    CHECK(p->requires_key() == (e.auth != AuthStyle::none));
  }
  CHECK(find_builtin_provider("nope") == nullptr);
}

TEST_CASE("protocol names round-trip", "[registry]") {
  for (auto p : {Protocol::openai, Protocol::anthropic, Protocol::gemini, Protocol::ollama,
                 Protocol::mock}) {
    CHECK(parse_protocol(to_string(p)) == p);
  }
  CHECK(std::string(to_string(Protocol::gemini)) == "gemini");
  CHECK_FALSE(parse_protocol("OpenAI").has_value());
  CHECK_FALSE(parse_protocol("").has_value());
}

TEST_CASE("provider/model routes to that provider with the rest as the model", "[routing]") {
  const Config config;
  const Route r = resolve_model("openai/gpt-4o", config);
  CHECK(r.provider.name == "openai");
  CHECK(r.provider.base_url == "https://api.openai.com/v1");
  CHECK(r.model == "gpt-4o");
  CHECK(r.requested == "openai/gpt-4o");
  CHECK(r.mock_delay_ms == 0);

  const Route nested = resolve_model("openrouter/meta-llama/llama-3-8b", config);
  CHECK(nested.provider.name == "openrouter");
  CHECK(nested.model == "meta-llama/llama-3-8b");

  const Route anthropic = resolve_model("anthropic/claude-3-5-haiku-latest", config);
  CHECK(anthropic.provider.protocol == Protocol::anthropic);
  CHECK(anthropic.model == "claude-3-5-haiku-latest");
}

TEST_CASE("bare names route by prefix", "[routing]") {
  const Config config;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"gpt-4o-mini", "openai"},
      {"o1", "openai"},
      {"o1-mini", "openai"},
      {"o3-mini", "openai"},
      {"o4-mini", "openai"},
      {"chatgpt-4o-latest", "openai"},
      {"text-embedding-3-small", "openai"},
      {"dall-e-3", "openai"},
      {"gpt-image-1", "openai"},
      {"claude-sonnet-4-5", "anthropic"},
      {"gemini-2.5-flash", "gemini"},
  };
  for (const auto& [model, provider] : cases) {
    INFO(model);
    const Route r = resolve_model(model, config);
    CHECK(r.provider.name == provider);
    CHECK(r.model == model);
    CHECK(r.requested == model);
  }
}

TEST_CASE("aliases resolve, one nested level at most, cycles are errors", "[routing]") {
  Config config;
  config.aliases["fast"] = from_file("groq/llama-3.1-8b-instant", 2);
  config.aliases["quick"] = from_file("fast", 3);
  config.aliases["smart"] = from_file("claude-sonnet-4-5", 4);

  const Route fast = resolve_model("fast", config);
  CHECK(fast.provider.name == "groq");
  CHECK(fast.model == "llama-3.1-8b-instant");
  CHECK(fast.requested == "fast");

  const Route quick = resolve_model("quick", config);
  CHECK(quick.provider.name == "groq");
  CHECK(quick.requested == "quick");

  const Route smart = resolve_model("smart", config);
  CHECK(smart.provider.name == "anthropic");
  CHECK(smart.model == "claude-sonnet-4-5");

  SECTION("too deep") {
    config.aliases["quicker"] = from_file("quick", 5);
    const Error e = error_of([&] { resolve_model("quicker", config); });
    CHECK(e.kind == ErrorKind::config);
    CHECK(e.message ==
          "alias 'quicker' is nested too deeply ('quicker' -> 'quick' -> 'fast'); an alias may "
          "point at one other alias at most");
    CHECK(e.fix == "point [aliases] quicker at a provider/model name (file config.toml:5)");
  }
  SECTION("two-alias cycle") {
    config.aliases["a"] = from_file("b");
    config.aliases["b"] = from_file("a");
    const Error e = error_of([&] { resolve_model("a", config); });
    CHECK(e.kind == ErrorKind::config);
    CHECK(e.message == "alias 'a' refers back to itself ('a' -> 'b' -> 'a')");
  }
  SECTION("self reference") {
    config.aliases["loop"] = from_file("loop");
    const Error e = error_of([&] { resolve_model("loop", config); });
    CHECK(e.kind == ErrorKind::config);
    CHECK(e.message == "alias 'loop' points at itself");
  }
}

TEST_CASE("a custom [providers.<name>] with a base_url is a provider", "[routing]") {
  Config config;
  ProviderSettings local;
  local.base_url = from_file("http://127.0.0.1:1234/v1/");
  local.api_key_env = Sourced<std::vector<std::string>>{{"LOCAL_KEY"}, "file config.toml:1"};
  config.providers["lmstudio"] = local;

  const Route r = resolve_model("lmstudio/qwen2.5-7b", config);
  CHECK(r.provider.name == "lmstudio");
  CHECK(r.provider.protocol == Protocol::openai);
  CHECK(r.provider.auth == AuthStyle::bearer);
  CHECK(r.provider.base_url == "http://127.0.0.1:1234/v1");
  CHECK(r.provider.key_env_vars == std::vector<std::string>{"LOCAL_KEY"});
  CHECK(r.model == "qwen2.5-7b");

  CHECK(known_provider_names(config).back() == "lmstudio");
  CHECK(known_provider_names(config).size() == builtin_providers().size() + 1);

  SECTION("without api_key_env no env vars") {
    config.providers["lmstudio"].api_key_env.reset();
    CHECK(resolve_model("lmstudio/x", config).provider.key_env_vars.empty());
  }
  SECTION("protocol from config") {
    config.providers["lmstudio"].protocol = from_file("anthropic");
    CHECK(resolve_model("lmstudio/x", config).provider.protocol == Protocol::anthropic);
  }
  SECTION("unknown protocol") {
    config.providers["lmstudio"].protocol = from_file("soap", 7);
    const Error e = error_of([&] { resolve_model("lmstudio/x", config); });
    CHECK(e.kind == ErrorKind::config);
    CHECK(e.message == "unknown protocol 'soap' for [providers.lmstudio] (file config.toml:7)");
    CHECK(e.fix == "protocol is one of openai, anthropic, gemini, ollama");
  }
  SECTION("without a base_url it is not usable") {
    config.providers["lmstudio"].base_url.reset();
    CHECK(known_provider_names(config).size() == builtin_providers().size());
    const Error e = error_of([&] { resolve_model("lmstudio/x", config); });
    CHECK(e.kind == ErrorKind::config);
    CHECK(e.message == "[providers.lmstudio] has no base_url");
  }
}

TEST_CASE("config provider settings apply to built-in routes", "[routing]") {
  Config config;
  ProviderSettings openai;
  openai.base_url = {"http://127.0.0.1:9999/v1", "env OPENAI_BASE_URL"};
  openai.api_key_env = Sourced<std::vector<std::string>>{{"MY_OPENAI_KEY"}, "file config.toml:1"};
  openai.protocol = from_file("anthropic");  // ignored: built-ins keep their protocol
  openai.timeouts.value.connect = std::chrono::milliseconds(1500);
  openai.timeouts.value.total = std::chrono::milliseconds(30'000);
  config.providers["openai"] = openai;

  for (const char* model : {"openai/gpt-4o", "gpt-4o"}) {
    INFO(model);
    const Route r = resolve_model(model, config);
    CHECK(r.provider.base_url == "http://127.0.0.1:9999/v1");
    CHECK(r.provider.key_env_vars == std::vector<std::string>{"MY_OPENAI_KEY"});
    CHECK(r.provider.protocol == Protocol::openai);
    CHECK(r.timeouts.connect == std::chrono::milliseconds(1500));
    CHECK(r.timeouts.total == std::chrono::milliseconds(30'000));
  }
  // Other providers keep the defaults.
  const Route groq = resolve_model("groq/x", config);
  CHECK(groq.provider.base_url == "https://api.groq.com/openai/v1");
  CHECK(groq.timeouts.connect == Timeouts{}.connect);
}

TEST_CASE("mock models and their delays", "[routing]") {
  Config config;
  const Route echo = resolve_model("mock/echo", config);
  CHECK(echo.provider.protocol == Protocol::mock);
  CHECK(echo.model == "echo");
  CHECK(echo.mock_delay_ms == 0);
  CHECK(resolve_model("mock/slow", config).mock_delay_ms == 200);

  ProviderSettings mock;
  mock.delay_ms = Sourced<long>{5, "file config.toml:9"};
  config.providers["mock"] = mock;
  CHECK(resolve_model("mock/slow", config).mock_delay_ms == 5);
  CHECK(resolve_model("mock/echo", config).mock_delay_ms == 0);

  const Error e = error_of([&] { resolve_model("mock/fast", config); });
  CHECK(e.kind == ErrorKind::unknown_model);
  CHECK(e.message == "unknown mock model 'fast'; mock models: echo, slow, embed, image");
}

TEST_CASE("routing errors name the problem and the fix", "[routing]") {
  const Config config;
  SECTION("empty model") {
    const Error e = error_of([&] { resolve_model("", config); });
    CHECK(e.kind == ErrorKind::invalid_request);
    CHECK(e.param == "model");
  }
  SECTION("unknown provider") {
    const Error e = error_of([&] { resolve_model("foo/bar", config); });
    CHECK(e.kind == ErrorKind::unknown_model);
    CHECK(e.message == "unknown provider 'foo' in model 'foo/bar'");
    CHECK(e.fix == "known providers: " + k_known +
                       " (or define [providers.foo] with a base_url in config.toml)");
  }
  SECTION("unknown bare name") {
    const Error e = error_of([&] { resolve_model("llama3", config); });
    CHECK(e.kind == ErrorKind::unknown_model);
    CHECK(e.http_status == 404);
    CHECK(e.message == "cannot tell which provider serves model 'llama3'");
    CHECK(e.fix ==
          "name it as provider/model, e.g. ollama/llama3 or openrouter/llama3; known "
          "providers: " +
              k_known);
  }
  SECTION("unknown name through an alias says so") {
    Config aliased;
    aliased.aliases["local"] = from_file("llama3");
    const Error e = error_of([&] { resolve_model("local", aliased); });
    CHECK(e.message == "cannot tell which provider serves model 'llama3' (from alias 'local')");
  }
  SECTION("provider without a model") {
    const Error e = error_of([&] { resolve_model("openai/", config); });
    CHECK(e.kind == ErrorKind::invalid_request);
    CHECK(e.message == "model 'openai/' names no model after the provider");
    CHECK(e.fix == "e.g. openai/gpt-4o-mini");
  }
  SECTION("azure without base_url") {
    const Error e = error_of([&] { resolve_model("azure/my-deployment", config); });
    CHECK(e.kind == ErrorKind::config);
    CHECK(e.message == "azure needs a base_url");
    CHECK_THAT(e.fix, Catch::Contains("AZURE_OPENAI_ENDPOINT=https://<resource>.openai.azure.com"));
    CHECK_THAT(e.fix, Catch::Contains("[providers.azure] base_url"));
  }
}

TEST_CASE("azure routes once its base_url is configured", "[routing]") {
  Config config;
  config.providers["azure"].base_url = from_file("https://res.openai.azure.com/openai/v1");
  const Route r = resolve_model("azure/my-deployment", config);
  CHECK(r.provider.auth == AuthStyle::api_key_header);
  CHECK(r.provider.base_url == "https://res.openai.azure.com/openai/v1");
  CHECK(r.model == "my-deployment");
  // The v1 API is used like OpenAI: plain URLs, no api-version unless one is configured.
  CHECK(r.provider.url_layout == UrlLayout::plain);
  CHECK(r.provider.api_version.empty());
}

TEST_CASE("an azure resource endpoint selects the dated deployment API", "[routing]") {
  Config config;
  config.providers["azure"].base_url = {"https://res.openai.azure.com",
                                        "env AZURE_OPENAI_ENDPOINT"};

  SECTION("with the default api-version") {
    const Route r = resolve_model("azure/gpt4o-prod", config);
    CHECK(r.provider.url_layout == UrlLayout::azure_deployment);
    CHECK(r.provider.api_version == "2024-10-21");
    CHECK(r.model == "gpt4o-prod");
  }
  SECTION("with a configured api-version") {
    config.providers["azure"].api_version = from_file("2025-04-01-preview");
    const Route r = resolve_model("azure/gpt4o-prod", config);
    CHECK(r.provider.api_version == "2025-04-01-preview");
  }
  SECTION("a model that cannot be a deployment name is refused before any request") {
    const Error e = error_of([&] { resolve_model("azure/a/../b", config); });
    CHECK(e.kind == ErrorKind::unknown_model);
    CHECK_THAT(e.message, Catch::Contains("'a/../b' is not an Azure deployment name"));
    CHECK_THAT(e.fix, Catch::Contains("azure/<deployment>"));
  }
}

TEST_CASE("configured headers join and replace the registry's extra headers", "[routing]") {
  Config config;
  ProviderSettings openrouter;
  openrouter.headers = {{{"HTTP-Referer", "https://myapp.example"}, {"x-title", "My App"}},
                        "file config.toml:3"};
  config.providers["openrouter"] = openrouter;
  const Route r = resolve_model("openrouter/openai/gpt-4o", config);
  using Headers = std::vector<std::pair<std::string, std::string>>;
  CHECK(r.provider.extra_headers ==
        Headers{{"HTTP-Referer", "https://myapp.example"}, {"x-title", "My App"}});
  // Without config, the registry's own X-Title stays.
  CHECK(resolve_model("openrouter/x", Config{}).provider.extra_headers ==
        Headers{{"X-Title", "llmgw"}});
}

TEST_CASE("choose_default_model: config, then first provider with a key, then mock", "[routing]") {
  Config config;
  SECTION("config default wins") {
    config.default_model = Sourced<std::string>{"fast", "env LLMGW_MODEL"};
    const auto d = choose_default_model(config, [](const std::string&) { return true; });
    CHECK(d.model == "fast");
    CHECK(d.source == "env LLMGW_MODEL");
    CHECK_FALSE(d.mock_fallback);
  }
  SECTION("first provider with a key, in registry order") {
    const auto d = choose_default_model(
        config, [](const std::string& name) { return name == "groq" || name == "gemini"; });
    CHECK(d.model == "gemini/gemini-2.5-flash");
    CHECK(d.source == "first provider with a key (gemini)");
    CHECK_FALSE(d.mock_fallback);
  }
  SECTION("nothing configured falls back to mock/echo") {
    const auto d = choose_default_model(config, [](const std::string&) { return false; });
    CHECK(d.model == "mock/echo");
    CHECK(d.source == "no provider key configured");
    CHECK(d.mock_fallback);
  }
}

TEST_CASE("effective_provider applies config without needing a model", "[routing]") {
  Config config;
  config.providers["openai"].base_url = Sourced<std::string>{"http://127.0.0.1:1/v1", "env"};
  config.providers["openai"].api_key_env =
      Sourced<std::vector<std::string>>{{"ALT_KEY"}, "file config.toml:1"};
  config.providers["local"].base_url = from_file("http://127.0.0.1:2/v1");

  const ProviderInfo openai = effective_provider("openai", config);
  CHECK(openai.base_url == "http://127.0.0.1:1/v1");
  CHECK(openai.key_env_vars == std::vector<std::string>{"ALT_KEY"});
  CHECK(effective_provider("local", config).protocol == Protocol::openai);
  // Describing a provider works where a route would not (mock has no "default" model,
  // azure has no base_url yet).
  CHECK(effective_provider("mock", config).protocol == Protocol::mock);
  CHECK(effective_provider("azure", config).base_url.empty());

  const Error e = error_of([&] { effective_provider("nope", config); });
  CHECK(e.kind == ErrorKind::unknown_model);
  CHECK(e.message == "unknown provider 'nope'");
}
