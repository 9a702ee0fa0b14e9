// `llmgw models`: the models each configured provider offers, from what llmgw knows
// (default, price table, aliases) or, with --remote, from the provider itself.
#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/interrupt.hpp"
#include "cli/report.hpp"
#include "core/error.hpp"
#include "core/gateway.hpp"
#include "core/model_catalog.hpp"
#include "core/routing.hpp"

namespace llmgw::cli {

namespace {

constexpr const char* k_models_footer =
    R"(Without --provider, lists the providers that are set up: those with a key, those
with a [providers.<name>] table or base-URL variable (e.g. OLLAMA_HOST), and mock.
Output is one provider/model per line when piped; on a terminal each line also says
where the name came from.

Examples:
  llmgw models
  llmgw models -p openai --remote
  llmgw models --remote --json | jq -r '.[].id'
  llmgw models -p ollama --remote)";

struct ModelsOptions {
  std::string provider;
  bool remote = false;
  bool json = false;
  std::string key;
  CLI::Option* provider_opt = nullptr;
  CLI::Option* key_opt = nullptr;
};

struct Row {
  std::string id, provider, source;
};

int run_models(Context& ctx, const ModelsOptions& opts) {
  Io& io = ctx.io();
  const Config& config = ctx.config();
  std::vector<std::string> providers;
  if (opts.provider_opt->count() > 0) {
    effective_provider(opts.provider, config);  // unknown names fail here, listing the known
    providers.push_back(opts.provider);
  } else {
    providers = configured_providers(config, ctx.credentials());
  }
  const std::optional<std::string> key =
      opts.key_opt->count() > 0 ? std::optional<std::string>(opts.key) : std::nullopt;

  std::vector<Row> rows;
  int failures = 0;
  std::optional<Error> last_failure;
  if (opts.remote) {
    Gateway gateway(config, ctx.transport(), ctx.credentials(), ctx.clock());
    InterruptGuard interrupt_guard(ctx.cancel_token());
    for (const std::string& provider : providers) {
      try {
        for (const auto& model : gateway.remote_models(provider, key, &ctx.cancel_token())) {
          rows.push_back({provider + "/" + model, provider, "remote"});
        }
      } catch (const GatewayError& e) {
        if (e.error().kind == ErrorKind::cancelled || providers.size() == 1)
          throw;
        ++failures;
        last_failure = e.error();
        print_warning(io, "could not list " + provider + "'s models: " + e.error().message);
      }
    }
  } else {
    for (const std::string& provider : providers) {
      for (const KnownModel& model : known_models(config, provider)) {
        rows.push_back({model.id, provider, model.source});
      }
    }
  }
  if (failures > 0 && failures == static_cast<int>(providers.size()))
    throw GatewayError(*last_failure);

  if (opts.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const Row& row : rows) {
      out.push_back({{"id", row.id}, {"provider", row.provider}, {"source", row.source}});
    }
    io.out << out.dump(2) << '\n';
    return 0;
  }
  std::size_t width = 0;
  for (const Row& row : rows)
    width = std::max(width, row.id.size());
  for (const Row& row : rows) {
    io.out << row.id;
    if (io.out_tty)
      io.out << std::string(width - row.id.size() + 2, ' ') << "(" << row.source << ")";
    io.out << '\n';
  }
  return 0;
}

}  // namespace

void register_models(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<ModelsOptions>();
  CLI::App* cmd = parent.add_subcommand("models", "List the models of the configured providers");
  opts->provider_opt = cmd->add_option("-p,--provider", opts->provider,
                                       "Only this provider, e.g. openai, anthropic, ollama")
                           ->type_name("NAME");
  cmd->add_flag("--remote", opts->remote, "Ask each provider for its own list");
  cmd->add_flag("--json", opts->json, "Print a JSON array of {id, provider, source}");
  opts->key_opt =
      cmd->add_option("--key", opts->key, "API key for --remote (overrides the keys file and env)")
          ->type_name("KEY");
  cmd->footer(k_models_footer);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_models(ctx, *opts); });
}

}  // namespace llmgw::cli
