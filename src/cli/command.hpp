// The subcommand table: one entry per file in src/cli/*_command.cpp. app.cpp walks it
// to build the command line, so adding a subcommand is adding a file and a table row.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace llmgw::cli {

class Context;

struct Command {
  const char* name;
  const char* summary;
  // Adds the subcommand to `parent`; its callback runs the command and sets
  // ctx.exit_code. Errors are thrown as GatewayError and reported by app.cpp.
  void (*register_command)(CLI::App& parent, Context& ctx);
};

const std::vector<Command>& commands();

void register_chat(CLI::App& parent, Context& ctx);
void register_keys(CLI::App& parent, Context& ctx);
void register_config(CLI::App& parent, Context& ctx);
void register_models(CLI::App& parent, Context& ctx);
void register_providers(CLI::App& parent, Context& ctx);
void register_db(CLI::App& parent, Context& ctx);
void register_usage(CLI::App& parent, Context& ctx);
void register_cache(CLI::App& parent, Context& ctx);
void register_serve(CLI::App& parent, Context& ctx);
void register_embed(CLI::App& parent, Context& ctx);
void register_image(CLI::App& parent, Context& ctx);
void register_logs(CLI::App& parent, Context& ctx);
// `llmgw __complete WORD...` (complete_command.cpp): prints the completion of the words
// typed after "llmgw" against `app`, the whole command line; always returns 0.
int run_complete(const CLI::App& app, Context& ctx, const std::vector<std::string>& words);

// The client keys of `llmgw serve`, under `keys` (client_keys_command.cpp): adds `create`
// and `revoke` to it; `keys list --clients [--json]` runs run_client_key_list.
void register_client_keys(CLI::App& keys, Context& ctx);
int run_client_key_list(Context& ctx, bool json);

}  // namespace llmgw::cli
