// The built-in providers: name → wire protocol, default base URL, auth style, key env
// vars and a sensible default model. Pure data; routing applies config on top.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmgw {

enum class Protocol { openai, anthropic, gemini, ollama, mock };

enum class AuthStyle {
  bearer,          // Authorization: Bearer <key>
  api_key_header,  // api-key: <key>            (Azure OpenAI)
  x_api_key,       // x-api-key: <key>          (Anthropic)
  goog_api_key,    // x-goog-api-key: <key>     (Gemini)
  none,            // no key (Ollama, mock)
};

// How OpenAI-protocol URLs are laid out under base_url (see openai_url.hpp).
enum class UrlLayout {
  plain,             // {base_url}/{operation}, the model in the body
  azure_deployment,  // {base_url}/openai/deployments/{model}/{operation}?api-version=…
};

struct ProviderInfo {
  std::string name;
  Protocol protocol = Protocol::openai;
  std::string base_url;  // e.g. "https://api.openai.com/v1" (no trailing /)
  AuthStyle auth = AuthStyle::bearer;
  std::vector<std::string> key_env_vars;  // conventional env vars, in lookup order
  // key_env_vars came from [providers.X] api_key_env: every one that is set gives a key
  // (used in turn), instead of the first one set giving the only key.
  bool every_key_env_var = false;
  std::string default_model;  // used when this is the first provider with a key
  // Sent with every request to this provider, e.g. OpenRouter's X-Title, which names the
  // calling app on its dashboard. Never secrets.
  std::vector<std::pair<std::string, std::string>> extra_headers;
  UrlLayout url_layout = UrlLayout::plain;
  std::string api_version;  // Azure's api-version query parameter; empty: none sent
  bool requires_key() const { return auth != AuthStyle::none; }
};

// In display order: openai, anthropic, gemini, openrouter, deepseek, groq, together,
// mistral, azure, ollama, mock.
const std::vector<ProviderInfo>& builtin_providers();
const ProviderInfo* find_builtin_provider(std::string_view name);

const char* to_string(Protocol protocol);
std::optional<Protocol> parse_protocol(std::string_view name);

}  // namespace llmgw
