// `llmgw __complete WORD...`: the hidden command the shell completion scripts call
// (completion.hpp). run() hands it the words before CLI11 parses anything, so every word
// ("--", "-h") arrives as typed. It must answer in milliseconds and never disturb the terminal: it
// reads only what the word needs, creates no file, and prints nothing on stderr; any
// failure gives an empty answer.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <ostream>

#include "cli/command.hpp"
#include "cli/completion.hpp"
#include "cli/context.hpp"
#include "cli/model_names.hpp"
#include "core/providers/registry.hpp"
#include "core/store/client_keys.hpp"
#include "core/store/database.hpp"

namespace llmgw::cli {

namespace {

std::vector<std::string> provider_names(Context& ctx) {
  std::vector<std::string> names;
  for (const ProviderInfo& provider : builtin_providers())
    names.push_back(provider.name);
  for (const auto& [name, settings] : ctx.config().providers) {
    if (find_builtin_provider(name) == nullptr)
      names.push_back(name);
  }
  return names;
}

std::vector<std::string> stored_key_providers(Context& ctx) {
  std::vector<std::string> names;
  // Its own KeyStore: the shared one warns on stderr about file modes.
  for (const auto& [name, keys] : KeyStore(ctx.config().paths.keys_file).load())
    names.push_back(name);
  return names;
}

std::vector<std::string> client_key_names(Context& ctx) {
  std::vector<std::string> names;
  const auto& file = ctx.config().paths.db_file;
  if (!std::filesystem::exists(file))
    return names;  // never create the database for a completion
  Database db = Database::open(file, OpenMode::existing);
  if (!db.table_exists("client_keys"))
    return names;
  for (const ClientKey& key : list_client_keys(db)) {
    if (!key.revoked_ms)
      names.push_back(key.name);
  }
  return names;
}

}  // namespace

int run_complete(const CLI::App& app, Context& ctx, const std::vector<std::string>& words) {
  Completion completion;
  try {
    const CompletionSources sources{
        [&ctx] { return offered_model_names(ctx); }, [&ctx] { return provider_names(ctx); },
        [&ctx] { return stored_key_providers(ctx); }, [&ctx] { return client_key_names(ctx); }};
    completion = complete_words(app, words, sources);
  } catch (...) {
    completion = {};  // a broken config or database: no candidates, and no noise
  }
  ctx.io().out << format_completion(completion);
  ctx.io().out.flush();
  return 0;
}

}  // namespace llmgw::cli
