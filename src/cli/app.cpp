#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <exception>
#include <ostream>
#include <string>
#include <string_view>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/report.hpp"

namespace llmgw::cli {

namespace {

constexpr const char* k_footer = R"(Examples:
  llmgw chat "Explain TCP slow start in two sentences"
  git diff | llmgw chat -m gpt-4o "Write a commit message"
  llmgw keys set openai
  llmgw config show
  llmgw models --remote
  llmgw chat -m "gpt-4o,anthropic/claude-sonnet-4-5" "hi"   # with a fallback
  llmgw chat -c "and why?"                     # continue the last conversation
  llmgw logs search "slow start"
  llmgw embed --lines titles.txt --format ndjson > vectors.ndjson
  llmgw image -o fox.png "a fox in the snow, watercolour"
  llmgw providers status
  llmgw serve --port 0                         # OpenAI-compatible daemon
  llmgw usage --by day --since 7d
  llmgw db check

Exit codes:
  0 ok   1 error   2 usage (bad arguments or model)
  3 missing key, bad config, or a damaged (or newer) database
  4 provider failed after retries and fallbacks (error reply, network, timeout, open
    circuit breaker, cut-off stream)
  130 interrupted (Ctrl-C); 143 terminated (SIGTERM); 129 hung up (SIGHUP). The
    request is cut short and recorded in the ledger first.

Run `llmgw <command> --help` for each command's options; `man llmgw` for everything.)";

// For a command line that stopped at a command needing a subcommand (`llmgw`, `llmgw
// cache`): which one it was and the subcommands it has, so the error can name them.
void print_missing_subcommand(CLI::App& app, Io& io) {
  CLI::App* deepest = &app;
  std::string path = "llmgw";
  for (std::vector<CLI::App*> parsed = app.get_subcommands(); !parsed.empty();
       parsed = deepest->get_subcommands()) {
    deepest = parsed.front();
    path += " " + deepest->get_name();
  }
  std::string names;
  for (const CLI::App* sub :
       deepest->get_subcommands([](CLI::App* sub) { return !sub->get_group().empty(); }))
    names += (names.empty() ? "" : ", ") + sub->get_name();
  print_error(io, "`" + path + "` needs a command: " + names,
              "run `" + path + " --help` for what each does");
}

}  // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> k_commands = {
      {"chat", "Send a prompt to any model and stream the answer", &register_chat},
      {"embed", "Turn text into embedding vectors, one input or many", &register_embed},
      {"image", "Generate images from a prompt and save them as files", &register_image},
      {"keys", "Store, list and remove provider API keys; create and revoke client keys",
       &register_keys},
      {"config", "Show where config lives and the effective settings", &register_config},
      {"models", "List the models of the configured providers", &register_models},
      {"providers", "Show the providers' health: circuit breakers and rate-limited keys",
       &register_providers},
      {"serve", "Run the OpenAI-compatible daemon on localhost", &register_serve},
      {"usage", "Show what was spent and used, from the ledger", &register_usage},
      {"logs", "List, show, search and remove the conversations chat has stored", &register_logs},
      {"cache", "Show or clear the response cache", &register_cache},
      {"db", "Check the database that holds the ledger and the response cache", &register_db},
  };
  return k_commands;
}

void build_command_line(CLI::App& app, Context& ctx) {
  app.set_version_flag("-V,--version", "llmgw " LLMGW_VERSION);
  app.require_subcommand(1);
  app.footer(k_footer);
  app.add_option("--config", ctx.globals().config_file,
                 "Use this config file instead of the default")
      ->type_name("FILE");
  app.add_option("--db", ctx.globals().db_file,
                 "Use this database (ledger, cache, conversations) instead of the default")
      ->type_name("FILE");
  for (const Command& command : commands())
    command.register_command(app, ctx);
}

int run(int argc, const char* const* argv, Io& io) {
  Context ctx(io);
  CLI::App app("llmgw " LLMGW_VERSION " — one command line and gateway for every LLM API", "llmgw");
  build_command_line(app, ctx);
  // The shells' completion scripts: hidden, and before CLI11 so no word is taken as ours.
  if (argc >= 2 && std::string_view(argv[1]) == "__complete")
    return run_complete(app, ctx, std::vector<std::string>(argv + 2, argv + argc));

  // Whatever happens, what this run learnt about providers is kept for the next one, and
  // every request it made is in the ledger.
  struct FinishRun {
    Context& ctx;
    ~FinishRun() {
      ctx.save_health();
      ctx.finish_ledger();
    }
  } finish_run{ctx};
  try {
    app.parse(argc, argv);
    io.out.flush();
    return ctx.exit_code;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, io.out, io.err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, io.out, io.err);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, io.out, io.err);
  } catch (const CLI::RequiredError& e) {
    if (std::string_view(e.what()) == "A subcommand is required")
      print_missing_subcommand(app, io);
    else
      print_error(io, e.what(), "run `llmgw --help` (or `llmgw <command> --help`) for usage");
    return k_exit_usage;
  } catch (const CLI::ParseError& e) {
    print_error(io, e.what(), "run `llmgw --help` (or `llmgw <command> --help`) for usage");
    return k_exit_usage;
  } catch (const GatewayError& e) {
    io.out.flush();
    if (e.error().kind == ErrorKind::cancelled) {
      const int signal = cancelling_signal();
      io.err << (signal == SIGTERM  ? "llmgw: terminated\n"
                 : signal == SIGHUP ? "llmgw: hung up\n"
                                    : "llmgw: interrupted\n");
      if (signal == SIGTERM || signal == SIGHUP)
        return 128 + signal;
    } else {
      print_error(io, e.error());
    }
    return exit_code_for(e.error().kind);
  } catch (const std::exception& e) {
    io.out.flush();
    print_error(io, std::string("unexpected failure: ") + e.what(),
                "please report this as a bug with the command you ran");
    return k_exit_error;
  }
}

}  // namespace llmgw::cli
