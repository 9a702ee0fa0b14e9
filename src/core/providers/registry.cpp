#include "core/providers/registry.hpp"

namespace llmgw {

namespace {

ProviderInfo make_provider(std::string name, Protocol protocol, std::string base_url,
                           AuthStyle auth, std::vector<std::string> key_env_vars,
                           std::string default_model) {
  ProviderInfo info;
  info.name = std::move(name);
  info.protocol = protocol;
  info.base_url = std::move(base_url);
  info.auth = auth;
  info.key_env_vars = std::move(key_env_vars);
  info.default_model = std::move(default_model);
  return info;
}

std::vector<ProviderInfo> make_builtins() {
  using enum Protocol;
  using A = AuthStyle;
  std::vector<ProviderInfo> providers = {
      make_provider("openai", openai, "https://api.openai.com/v1", A::bearer, {"OPENAI_API_KEY"},
                    "gpt-4o-mini"),
      make_provider("anthropic", anthropic, "https://api.anthropic.com/v1", A::x_api_key,
                    {"ANTHROPIC_API_KEY"}, "claude-sonnet-4-5"),
      make_provider("gemini", gemini, "https://generativelanguage.googleapis.com/v1beta",
                    A::goog_api_key, {"GEMINI_API_KEY", "GOOGLE_API_KEY"}, "gemini-2.5-flash"),
      make_provider("openrouter", openai, "https://openrouter.ai/api/v1", A::bearer,
                    {"OPENROUTER_API_KEY"}, "openai/gpt-4o-mini"),
      make_provider("deepseek", openai, "https://api.deepseek.com/v1", A::bearer,
                    {"DEEPSEEK_API_KEY"}, "deepseek-chat"),
      make_provider("groq", openai, "https://api.groq.com/openai/v1", A::bearer, {"GROQ_API_KEY"},
                    "llama-3.1-8b-instant"),
      make_provider("together", openai, "https://api.together.xyz/v1", A::bearer,
                    {"TOGETHER_API_KEY"}, "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
      make_provider("mistral", openai, "https://api.mistral.ai/v1", A::bearer, {"MISTRAL_API_KEY"},
                    "mistral-small-latest"),
      // Azure endpoints are per resource, so there is no usable default base URL or model
      // (the model is the user's deployment name); routing insists on a configured base_url.
      make_provider("azure", openai, "", A::api_key_header, {"AZURE_OPENAI_API_KEY"}, ""),
      make_provider("ollama", ollama, "http://127.0.0.1:11434", A::none, {}, "llama3.2"),
      make_provider("mock", mock, "", A::none, {}, "echo"),
  };
  for (ProviderInfo& provider : providers) {
    // OpenRouter shows X-Title as the app's name in its activity pages (wire-formats §2.1).
    if (provider.name == "openrouter")
      provider.extra_headers = {{"X-Title", "llmgw"}};
  }
  return providers;
}

}  // namespace

const std::vector<ProviderInfo>& builtin_providers() {
  static const std::vector<ProviderInfo> k_builtins = make_builtins();
  return k_builtins;
}

const ProviderInfo* find_builtin_provider(std::string_view name) {
  for (const auto& provider : builtin_providers()) {
    if (provider.name == name)
      return &provider;
  }
  return nullptr;
}

const char* to_string(Protocol protocol) {
  switch (protocol) {
    case Protocol::openai:
      return "openai";
    case Protocol::anthropic:
      return "anthropic";
    case Protocol::gemini:
      return "gemini";
    case Protocol::ollama:
      return "ollama";
    case Protocol::mock:
      return "mock";
  }
  return "openai";
}

std::optional<Protocol> parse_protocol(std::string_view name) {
  for (Protocol p : {Protocol::openai, Protocol::anthropic, Protocol::gemini, Protocol::ollama,
                     Protocol::mock}) {
    if (name == to_string(p))
      return p;
  }
  return std::nullopt;
}

}  // namespace llmgw
