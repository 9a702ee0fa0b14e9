#include "core/config/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config/config_cache.hpp"
#include "core/config/config_prices.hpp"
#include "core/config/config_resilience.hpp"
#include "core/config/toml_reader.hpp"
#include "core/error.hpp"
#include "core/providers/registry.hpp"
#include "core/trim.hpp"

namespace llmgw {

namespace {

using namespace config_detail;

constexpr std::array<std::string_view, 9> k_top_level_keys = {
    "default_model", "aliases", "providers", "retry", "breaker",
    "fallbacks",     "prices",  "cache",     "logs"};
constexpr std::array<std::string_view, 14> k_provider_keys = {
    "base_url",     "api_key_env",      "protocol",        "connect_timeout", "first_byte_timeout",
    "idle_timeout", "total_timeout",    "delay_ms",        "headers",         "api_version",
    "max_retries",  "retry_base_delay", "retry_max_delay", "max_retry_wait"};

// Headers that carry credentials: a key in config.toml would escape the keys file's 0600
// mode and its redaction, so these are refused in [providers.*] headers.
constexpr std::array<std::string_view, 5> k_auth_headers = {
    "authorization", "api-key", "x-api-key", "x-goog-api-key", "proxy-authorization"};

// RFC 9110 token characters, the only ones allowed in a header name.
bool is_header_name(std::string_view name) {
  constexpr std::string_view k_token_punctuation = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           k_token_punctuation.find(c) != std::string_view::npos;
  });
}

// Ollama's own client uses this port when OLLAMA_HOST names no port.
constexpr std::string_view k_ollama_default_port = "11434";

std::string strip_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

std::string trim(std::string_view text) {
  return std::string(trim_whitespace(text));
}

// OLLAMA_HOST as Ollama itself reads it: "host", "host:port", "[::1]:port" or a URL.
// Without a scheme it is http; without a scheme and port it is Ollama's default port.
std::string ollama_base_url(std::string_view host_value) {
  std::string host = trim(host_value);
  if (host.find("://") != std::string::npos) {
    return strip_trailing_slashes(std::move(host));
  }
  std::string path;
  if (const auto slash = host.find('/'); slash != std::string::npos) {
    path = host.substr(slash);
    host.resize(slash);
  }
  bool has_port = false;
  if (host.starts_with('[')) {
    has_port = host.find("]:") != std::string::npos;
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    has_port = true;
  } else if (std::count(host.begin(), host.end(), ':') > 1) {
    host = "[" + host + "]";  // a bare IPv6 address
  }
  if (host.empty() || host.starts_with(':')) {
    host = "127.0.0.1" + host;  // ":11434" means the local host, as in Ollama
  }
  if (!has_port) {
    host += ":";
    host += k_ollama_default_port;
  }
  return strip_trailing_slashes("http://" + host + path);
}

// Reads the whole config file. nullopt when it does not exist; any other failure is a
// config error naming the file, since a file we cannot read would silently be ignored.
std::optional<std::string> read_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) {
      return std::nullopt;
    }
    fail(ErrorKind::config,
         "cannot read config file " + path.string() + ": " + std::strerror(error),
         "check the file's permissions; `llmgw config path` shows where it is");
  }
  std::string text;
  std::string failure;
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    failure = std::strerror(errno);
  } else if (S_ISDIR(info.st_mode)) {
    failure = "it is a directory";
  } else {
    char buffer[16384];
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n > 0) {
        text.append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0) {
        break;
      } else if (errno != EINTR) {
        failure = std::strerror(errno);
        break;
      }
    }
  }
  ::close(fd);
  if (!failure.empty()) {
    fail(ErrorKind::config, "cannot read config file " + path.string() + ": " + failure,
         "check the file; `llmgw config path` shows where it is");
  }
  return text;
}

// Applies one parsed config.toml onto a Config, validating as it goes: every error
// names the file and line of the offending key or value.
class FileLayer : private TomlReader {
 public:
  FileLayer(const std::filesystem::path& path, Config& config)
      : TomlReader(path.string()), m_config(config) {}

  void apply(const toml::table& document) {
    for (const auto& [key, node] : document) {
      const std::string_view name = key.str();
      if (name == "default_model") {
        m_config.default_model =
            Sourced<std::string>{require_nonempty_string(node, "default_model"), source(node)};
      } else if (name == "aliases") {
        apply_aliases(require_table(node, "aliases"));
      } else if (name == "providers") {
        for (const auto& [provider_key, provider_node] : require_table(node, "providers")) {
          apply_provider(provider_key, provider_node);
        }
      } else if (name == "retry") {
        read_retry(*this, node, m_config.retry);
      } else if (name == "breaker") {
        read_breaker(*this, node, m_config.breaker);
      } else if (name == "fallbacks") {
        read_fallbacks(*this, node, m_config.fallbacks);
      } else if (name == "prices") {
        read_prices(*this, node, m_config.prices);
      } else if (name == "cache") {
        read_cache(*this, node, m_config.cache);
      } else if (name == "logs") {
        m_config.logs = Sourced<bool>{require_bool(node, "logs"), source(node)};
      } else {
        unknown_key(key, "", k_top_level_keys,
                    "valid top-level keys are " + join(k_top_level_keys, ", ") +
                        "; provider settings go under [providers.<name>]");
      }
    }
    // After the whole file: a provider's retry keys apply on top of [retry] wherever
    // the two tables sit.
    for (const auto& [name, overrides] : m_provider_retry) {
      m_config.providers[name].retry = Sourced<RetrySettings>{
          overrides.applied_to(m_config.retry.value), source_line(*overrides.first_line)};
    }
  }

 private:
  // An api-version such as "2024-10-21" or "2025-04-01-preview": it goes into a URL
  // query, so only letters, digits, '-' and '.' are accepted.
  std::string require_api_version(const toml::node& node, const std::string& what) const {
    std::string version = require_nonempty_string(node, what);
    const bool plain = std::all_of(version.begin(), version.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    });
    if (!plain) {
      fail_at(node.source(), what + " must look like 2024-10-21 (letters, digits, '-', '.')");
    }
    return version;
  }

  std::vector<std::pair<std::string, std::string>> read_headers(const toml::node& node,
                                                                const std::string& what) const {
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& [header_key, header_value] : require_table(node, what)) {
      const std::string name(header_key.str());
      const std::string item = what + "." + name;
      if (!is_header_name(name)) {
        fail_at(header_key.source(), "'" + name + "' in " + what + " is not a valid header name");
      }
      std::string lowered = name;
      std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (std::find(k_auth_headers.begin(), k_auth_headers.end(), lowered) !=
          k_auth_headers.end()) {
        fail_at(
            header_key.source(), item + " would put a credential in config.toml",
            "store keys with `llmgw keys set <provider>` (or name an env var with api_key_env)");
      }
      const auto* text = header_value.as_string();
      if (text == nullptr) {
        wrong_type(header_value, item, "a string");
      }
      const std::string& value = text->get();
      if (value.find_first_of("\r\n") != std::string::npos ||
          value.find('\0') != std::string::npos) {
        fail_at(header_value.source(), item + " must be one line");
      }
      headers.emplace_back(name, value);
    }
    return headers;
  }

  // A string is a plain alias; a table is a balanced one over several deployments.
  void apply_aliases(const toml::table& aliases) {
    for (const auto& [key, node] : aliases) {
      const std::string name(key.str());
      if (const toml::table* table = node.as_table()) {
        m_config.balanced_aliases[name] = read_balanced_alias(*this, name, *table);
        continue;
      }
      if (!node.is_string()) {
        wrong_type(node, "aliases." + name,
                   "a string (\"provider/model\") or a table (targets = [...])");
      }
      m_config.aliases[name] =
          Sourced<std::string>{require_nonempty_string(node, "aliases." + name), source(node)};
    }
  }

  void apply_provider(const toml::key& key, const toml::node& node) {
    const std::string name(key.str());
    const std::string prefix = "providers." + name;
    if (name.empty() || name.find('/') != std::string::npos) {
      fail_at(key.source(), "provider name '" + name + "' must be non-empty and have no '/'");
    }
    const toml::table& table = require_table(node, prefix);
    ProviderSettings& settings = m_config.providers[name];
    std::optional<std::size_t> first_timeout_line;
    RetryOverrides retry;
    for (const auto& [setting_key, value] : table) {
      const std::string_view setting = setting_key.str();
      const std::string what = prefix + "." + std::string(setting);
      if (setting == "base_url") {
        std::string url = strip_trailing_slashes(require_nonempty_string(value, what));
        if (!url.starts_with("http://") && !url.starts_with("https://")) {
          fail_at(value.source(), what + " must start with http:// or https://");
        }
        settings.base_url = Sourced<std::string>{std::move(url), source(value)};
      } else if (setting == "api_key_env") {
        settings.api_key_env =
            Sourced<std::vector<std::string>>{require_env_var_names(value, what), source(value)};
      } else if (setting == "protocol") {
        std::string protocol = require_nonempty_string(value, what);
        if (!parse_protocol(protocol)) {
          fail_at(value.source(), what + " must be one of openai, anthropic, gemini, ollama, mock");
        }
        settings.protocol = Sourced<std::string>{std::move(protocol), source(value)};
      } else if (setting == "api_version") {
        if (name != "azure") {
          fail_at(value.source(), what + " only applies to [providers.azure]");
        }
        settings.api_version =
            Sourced<std::string>{require_api_version(value, what), source(value)};
      } else if (setting == "headers") {
        settings.headers = Sourced<std::vector<std::pair<std::string, std::string>>>{
            read_headers(value, what), source(value)};
      } else if (setting == "delay_ms") {
        const auto* delay = value.as_integer();
        if (delay == nullptr) {
          wrong_type(value, what, "an integer number of milliseconds");
        }
        if (delay->get() < 0) {
          fail_at(value.source(), what + " must not be negative");
        }
        settings.delay_ms = Sourced<long>{static_cast<long>(delay->get()), source(value)};
      } else if (auto* field = timeout_field(settings.timeouts.value, setting)) {
        *field = require_seconds(value, what, true);
        const std::size_t line = value.source().begin.line;
        first_timeout_line = std::min(first_timeout_line.value_or(line), line);
      } else if (read_provider_retry_key(*this, setting, value, what, retry)) {
        // kept in m_provider_retry until [retry] is surely read
      } else if (setting == "api_key" || setting == "key") {
        unknown_key(setting_key, "[" + prefix + "]", {},
                    "API keys do not go in config.toml: run `llmgw keys set " + name +
                        "`, or name an environment variable with api_key_env");
      } else {
        unknown_key(setting_key, "[" + prefix + "]", k_provider_keys,
                    "valid provider keys are " + join(k_provider_keys, ", "));
      }
    }
    if (first_timeout_line) {
      settings.timeouts.source = source_line(*first_timeout_line);
    }
    if (!retry.empty()) {
      m_provider_retry[name] = retry;
    }
  }

  static std::chrono::milliseconds* timeout_field(Timeouts& timeouts, std::string_view key) {
    if (key == "connect_timeout") {
      return &timeouts.connect;
    }
    if (key == "first_byte_timeout") {
      return &timeouts.first_byte;
    }
    if (key == "idle_timeout") {
      return &timeouts.idle;
    }
    if (key == "total_timeout") {
      return &timeouts.total;
    }
    return nullptr;
  }

  // One variable name or a non-empty array of them; every key they hold is used in turn.
  std::vector<std::string> require_env_var_names(const toml::node& node,
                                                 const std::string& what) const {
    if (const toml::array* array = node.as_array()) {
      if (array->empty()) {
        fail_at(node.source(), what + " must not be an empty array");
      }
      std::vector<std::string> names;
      for (std::size_t i = 0; i < array->size(); ++i) {
        names.push_back(require_env_var_name(*array->get(i), what + "[" + std::to_string(i) + "]"));
      }
      return names;
    }
    if (!node.is_string()) {
      wrong_type(node, what, "a string or an array of strings");
    }
    return {require_env_var_name(node, what)};
  }

  // The value names a variable, never holds the key. Accepting only the conventional
  // capitals-digits-underscore shape also rejects a pasted key, which would otherwise be
  // echoed later in "set <var>" hints; the message never repeats the value.
  std::string require_env_var_name(const toml::node& node, const std::string& what) const {
    std::string name = require_nonempty_string(node, what);
    const bool valid =
        (name[0] < '0' || name[0] > '9') && std::all_of(name.begin(), name.end(), [](char c) {
          return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        });
    if (!valid) {
      fail_at(node.source(), what +
                                 " must be the name of an environment variable in capitals, like "
                                 "\"MY_API_KEY\" (the variable's name, not the key itself)");
    }
    return name;
  }

  Config& m_config;
  std::map<std::string, RetryOverrides> m_provider_retry;
};

void load_file(const std::filesystem::path& path, bool must_exist, Config& config) {
  const auto text = read_file(path);
  if (!text) {
    if (must_exist) {
      fail(ErrorKind::config, "config file " + path.string() + " does not exist",
           "check the path given to --config");
    }
    return;
  }
  config.file_exists = true;
  toml::table document;
  try {
    document = toml::parse(*text, path.string());
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    fail(ErrorKind::config,
         path.string() + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column) +
             ": " + std::string(error.description()),
         std::string(k_parse_fix));
  }
  FileLayer(path, config).apply(document);
}

void apply_env(const EnvLookup& env, Config& config) {
  if (auto model = env("LLMGW_MODEL")) {
    config.default_model = Sourced<std::string>{std::move(*model), "env LLMGW_MODEL"};
  }
  struct BaseUrlVar {
    std::string_view variable;
    std::string_view provider;
  };
  // AZURE_OPENAI_ENDPOINT and OPENAI_API_VERSION are the names OpenAI's own SDKs read.
  constexpr std::array<BaseUrlVar, 3> k_base_url_vars = {
      BaseUrlVar{"OPENAI_BASE_URL", "openai"}, BaseUrlVar{"ANTHROPIC_BASE_URL", "anthropic"},
      BaseUrlVar{"AZURE_OPENAI_ENDPOINT", "azure"}};
  for (const auto& var : k_base_url_vars) {
    if (auto url = env(var.variable)) {
      config.providers[std::string(var.provider)].base_url = Sourced<std::string>{
          strip_trailing_slashes(trim(*url)), "env " + std::string(var.variable)};
    }
  }
  if (auto version = env("OPENAI_API_VERSION")) {
    config.providers["azure"].api_version =
        Sourced<std::string>{trim(*version), "env OPENAI_API_VERSION"};
  }
  if (const auto host = env("OLLAMA_HOST")) {
    config.providers["ollama"].base_url =
        Sourced<std::string>{ollama_base_url(*host), "env OLLAMA_HOST"};
  }
}

}  // namespace

Config load_config(const EnvLookup& env, const ConfigFlags& flags) {
  Config config;
  config.paths = resolve_paths(env);
  bool must_exist = false;
  if (flags.config_file) {
    if (flags.config_file->empty()) {
      fail(ErrorKind::usage, "--config is empty");
    }
    config.paths.config_file = *flags.config_file;
    config.config_file_source = "flag --config";
    must_exist = true;
  } else if (env("LLMGW_CONFIG")) {
    config.config_file_source = "env LLMGW_CONFIG";
  }
  if (flags.db_file) {
    if (flags.db_file->empty()) {
      fail(ErrorKind::usage, "--db is empty");
    }
    config.paths.db_file = *flags.db_file;
    config.db_file_source = "flag --db";
  } else if (env("LLMGW_DB")) {
    config.db_file_source = "env LLMGW_DB";
  }

  load_file(config.paths.config_file, must_exist, config);
  apply_env(env, config);
  if (flags.model) {
    config.default_model = Sourced<std::string>{*flags.model, "flag --model"};
  }
  return config;
}

PriceBook price_book(const Config& config) {
  if (config.prices.empty()) {
    return PriceBook::builtin();
  }
  std::map<std::string, PriceOverride> overrides;
  for (const auto& [name, change] : config.prices) {
    overrides[name] = change.value;
  }
  return PriceBook::builtin().with_overrides(overrides);
}

}  // namespace llmgw
