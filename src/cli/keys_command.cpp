// `llmgw keys`: provider API keys in the keys file (0600, atomic writes).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <istream>
#include <memory>
#include <ostream>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/report.hpp"
#include "core/error.hpp"
#include "core/providers/registry.hpp"

namespace llmgw::cli {

namespace {

constexpr const char* k_keys_footer =
    R"(Keys are looked up in this order: --key, the keys file, then the provider's
environment variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY or
GOOGLE_API_KEY, OPENROUTER_API_KEY, ...). Listings show only the last 4 characters.

Examples:
  llmgw keys set openai                 # asks for the key without echoing it
  printf '%s' "$KEY" | llmgw keys set anthropic
  llmgw keys list
  llmgw keys rm openai
  llmgw keys path)";

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

std::string strip(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

int run_set(Context& ctx, const std::string& name) {
  check_name(name);
  Io& io = ctx.io();
  std::string key;
  if (io.in_tty && io.read_secret != nullptr) {
    key = io.read_secret("Enter the API key for " + name + " (input is hidden): ");
  } else {
    std::getline(io.in, key);
  }
  key = strip(key);
  if (key.empty()) {
    fail(ErrorKind::usage, "no key was given for " + name,
         "type or paste the key at the prompt, or pipe it in: printf '%s' \"$KEY\" | llmgw keys "
         "set " +
             name);
  }
  if (key.find_first_of(" \t\r\n") != std::string::npos) {
    fail(ErrorKind::usage, "the key for " + name + " contains whitespace",
         "pass just the key, on one line");
  }
  KeyStore& store = ctx.key_store();
  store.set(name, key);
  if (find_builtin_provider(name) == nullptr) {
    print_warning(io, "'" + name +
                          "' is not a built-in provider; it is used only by a "
                          "[providers." +
                          name + "] entry in config.toml");
  }
  io.err << "llmgw: saved the key for " << name << " (" << redact_secret(key) << ") in "
         << store.path().string() << '\n';
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
  for (const auto& [name, key] : stored)
    rows.push_back({name, redact_secret(key), "keys file"});
  for (const ProviderInfo& provider : builtin_providers()) {
    if (stored.count(provider.name) > 0)
      continue;
    for (const auto& var : provider.key_env_vars) {
      if (const auto value = io.env(var)) {
        rows.push_back({provider.name, redact_secret(*value), "env " + var});
        break;
      }
    }
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
  if (!ctx.key_store().remove(name)) {
    fail(ErrorKind::usage, "there is no stored key named " + name,
         "`llmgw keys list` shows the stored keys");
  }
  ctx.io().err << "llmgw: removed the key for " << name << '\n';
  return 0;
}

}  // namespace

void register_keys(CLI::App& parent, Context& ctx) {
  CLI::App* keys = parent.add_subcommand("keys", "Store, list and remove provider API keys");
  keys->require_subcommand(1);
  keys->footer(k_keys_footer);

  auto name = std::make_shared<std::string>();
  CLI::App* set = keys->add_subcommand(
      "set", "Store the key for a provider, read without echo from a terminal or from stdin");
  set->add_option("name", *name, "Provider name, e.g. openai")->required();
  set->callback([&ctx, name] { ctx.exit_code = run_set(ctx, *name); });

  CLI::App* list = keys->add_subcommand("list", "Show stored keys (last 4 characters only)");
  list->callback([&ctx] { ctx.exit_code = run_list(ctx); });

  CLI::App* rm = keys->add_subcommand("rm", "Remove a stored key");
  rm->add_option("name", *name, "Provider name")->required();
  rm->callback([&ctx, name] { ctx.exit_code = run_rm(ctx, *name); });

  CLI::App* path = keys->add_subcommand("path", "Print the keys file's path");
  path->callback([&ctx] {
    ctx.io().out << ctx.config().paths.keys_file.string() << '\n';
    ctx.exit_code = 0;
  });
}

}  // namespace llmgw::cli
