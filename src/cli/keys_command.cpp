// `llmgw keys`: provider API keys in the keys file (0600, atomic writes), and the client
// keys of `llmgw serve` (create, revoke, list --clients: client_keys_command.cpp).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <istream>
#include <iterator>
#include <memory>
#include <ostream>
#include <string>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/report.hpp"
#include "core/config/credentials.hpp"
#include "core/error.hpp"
#include "core/providers/registry.hpp"
#include "core/routing.hpp"
#include "core/trim.hpp"

namespace llmgw::cli {

namespace {

constexpr const char* k_keys_footer =
    R"(Keys are looked up in this order: --key, the keys file, then the provider's
environment variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY or
GOOGLE_API_KEY, OPENROUTER_API_KEY, ...). Listings show only the last 4 characters.
A provider may have several keys (`keys add`): they are used in turn, and one that is
rate limited rests while the others carry on.

Examples:
  llmgw keys set openai                 # asks for the key without echoing it
  printf '%s' "$KEY" | llmgw keys set anthropic
  llmgw keys add openai                 # a second key, used in turn with the first
  printf '%s' "$KEY2" | llmgw keys add groq
  llmgw keys list
  llmgw keys rm openai
  llmgw keys path

Client keys are what apps present to `llmgw serve` (each with an optional budget, rate
limits, allowed models and expiry); they live in the database, not the keys file:
  KEY=$(llmgw keys create my-app --budget 5 --budget-period day --rpm 60)
  llmgw keys list --clients
  llmgw keys revoke my-app)";

void check_name(const std::string& name) {
  const bool ok =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      });
  if (!ok) {
    fail(ErrorKind::usage, "'" + name + "' is not a valid key name",
         "use the provider's name in lower case, e.g. openai, anthropic, openrouter");
  }
}

// Reads one key the way both `set` and `add` do: hidden at a terminal, else a line of
// stdin. `verb` names the command in the hint.
std::string read_key(Io& io, const std::string& name, const char* verb) {
  std::string key;
  if (io.in_tty && io.read_secret != nullptr) {
    key = io.read_secret("Enter the API key for " + name + " (input is hidden): ");
  } else {
    std::getline(io.in, key);
  }
  key = std::string(trim_whitespace(key));
  if (key.empty()) {
    fail(ErrorKind::usage, "no key was given for " + name,
         "type or paste the key at the prompt, or pipe it in: printf '%s' \"$KEY\" | llmgw keys " +
             std::string(verb) + " " + name);
  }
  if (key.find_first_of(" \t\r\n") != std::string::npos) {
    fail(ErrorKind::usage, "the key for " + name + " contains whitespace",
         "pass just the key, on one line");
  }
  return key;
}

void warn_if_not_builtin(Io& io, const std::string& name) {
  if (find_builtin_provider(name) == nullptr) {
    print_warning(io, "'" + name +
                          "' is not a built-in provider; it is used only by a "
                          "[providers." +
                          name + "] entry in config.toml");
  }
}

// "a second key", "a third key"... then "key #11", for the message after `keys add`.
std::string nth_key(std::size_t n) {
  static constexpr const char* k_words[] = {"first", "second",  "third",  "fourth", "fifth",
                                            "sixth", "seventh", "eighth", "ninth",  "tenth"};
  return n >= 1 && n <= std::size(k_words) ? "a " + std::string(k_words[n - 1]) + " key"
                                           : "key #" + std::to_string(n);
}

std::string key_count(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " key" : " keys");
}

int run_set(Context& ctx, const std::string& name) {
  check_name(name);
  Io& io = ctx.io();
  const std::string key = read_key(io, name, "set");
  KeyStore& store = ctx.key_store();
  store.set(name, key);
  warn_if_not_builtin(io, name);
  io.err << "llmgw: saved the key for " << name << " (" << redact_secret(key) << ") in "
         << store.path().string() << '\n';
  return 0;
}

int run_add(Context& ctx, const std::string& name) {
  check_name(name);
  Io& io = ctx.io();
  const std::string key = read_key(io, name, "add");
  KeyStore& store = ctx.key_store();
  const bool added = store.add(name, key);
  const std::size_t count = store.get_all(name).size();
  warn_if_not_builtin(io, name);
  if (!added) {
    io.err << "llmgw: that key is already stored for " << name << " (" << redact_secret(key)
           << "); " << key_count(count) << '\n';
  } else if (count == 1) {
    io.err << "llmgw: saved the key for " << name << " (" << redact_secret(key) << ") in "
           << store.path().string() << '\n';
  } else {
    io.err << "llmgw: added " << nth_key(count) << " for " << name << " (" << redact_secret(key)
           << "); " << key_count(count) << ", used in turn\n";
  }
  return 0;
}

int run_list(Context& ctx) {
  Io& io = ctx.io();
  KeyStore& store = ctx.key_store();
  const auto stored = store.load();
  if (!store.warning().empty())
    print_warning(io, store.warning());

  struct Row {
    std::string name, key, source;
  };
  std::vector<Row> rows;
  for (const auto& [name, keys] : stored) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      rows.push_back({name, redact_secret(keys[i]),
                      keys.size() == 1 ? "keys file" : "keys file #" + std::to_string(i + 1)});
    }
  }
  // The environment's keys as a request would find them: with config's api_key_env
  // applied, so a list of variables shows every one that is set.
  const Config& config = ctx.config();
  const Credentials env_keys(store, io.env);
  for (const std::string& name : known_provider_names(config)) {
    if (stored.count(name) > 0)
      continue;
    const ProviderInfo provider = effective_provider(name, config);
    if (!provider.requires_key())
      continue;
    for (const ResolvedKey& key : env_keys.find_all(provider, std::nullopt))
      rows.push_back({name, redact_secret(key.key), key.source});
  }
  if (rows.empty()) {
    io.err << "llmgw: no keys yet; add one with `llmgw keys set openai`\n";
    return 0;
  }
  std::size_t width = 0;
  for (const auto& row : rows)
    width = std::max(width, row.name.size());
  for (const auto& row : rows) {
    io.out << row.name << std::string(width - row.name.size() + 2, ' ') << row.key << "  "
           << row.source << '\n';
  }
  return 0;
}

int run_rm(Context& ctx, const std::string& name) {
  check_name(name);
  KeyStore& store = ctx.key_store();
  const std::size_t count = store.get_all(name).size();
  if (!store.remove(name)) {
    fail(ErrorKind::usage, "there is no stored key named " + name,
         "`llmgw keys list` shows the stored keys");
  }
  ctx.io().err << "llmgw: removed " << (count > 1 ? "the " + key_count(count) : "the key")
               << " for " << name << '\n';
  return 0;
}

}  // namespace

void register_keys(CLI::App& parent, Context& ctx) {
  CLI::App* keys = parent.add_subcommand(
      "keys", "Store, list and remove provider API keys; create and revoke client keys");
  keys->require_subcommand(1);
  keys->footer(k_keys_footer);

  auto name = std::make_shared<std::string>();
  CLI::App* set = keys->add_subcommand(
      "set", "Store the key for a provider, read without echo from a terminal or from stdin");
  set->add_option("name", *name, "Provider name, e.g. openai")->required();
  set->callback([&ctx, name] { ctx.exit_code = run_set(ctx, *name); });

  CLI::App* add = keys->add_subcommand(
      "add", "Store one more key for a provider (keys are used in turn), read like `set`");
  add->add_option("name", *name, "Provider name, e.g. openai")->required();
  add->callback([&ctx, name] { ctx.exit_code = run_add(ctx, *name); });

  auto clients = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  CLI::App* list = keys->add_subcommand(
      "list", "Show stored provider keys (last 4 characters only); --clients: client keys");
  CLI::Option* clients_flag = list->add_flag(
      "--clients", *clients, "List the client keys of `llmgw serve` instead, with their limits");
  list->add_flag("--json", *json, "With --clients: print JSON")->needs(clients_flag);
  list->callback([&ctx, clients, json] {
    ctx.exit_code = *clients ? run_client_key_list(ctx, *json) : run_list(ctx);
  });

  CLI::App* rm = keys->add_subcommand("rm", "Remove every stored key of a provider");
  rm->add_option("name", *name, "Provider name")->required();
  rm->callback([&ctx, name] { ctx.exit_code = run_rm(ctx, *name); });

  register_client_keys(*keys, ctx);

  CLI::App* path = keys->add_subcommand("path", "Print the keys file's path");
  path->callback([&ctx] {
    ctx.io().out << ctx.config().paths.keys_file.string() << '\n';
    ctx.exit_code = 0;
  });
}

}  // namespace llmgw::cli
