// `llmgw chat`: one-shot prompts from arguments and/or stdin, streamed to stdout.
#include <CLI/CLI.hpp>
#include <istream>
#include <iterator>
#include <memory>
#include <ostream>

#include "cli/chat_answer.hpp"
#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/conversation_log.hpp"
#include "cli/interrupt.hpp"
#include "cli/key_option.hpp"
#include "cli/repl.hpp"
#include "cli/report.hpp"
#include "cli/text_input.hpp"
#include "cli/unpriced_notice.hpp"
#include "cli/usage_line.hpp"
#include "core/config/key_store.hpp"
#include "core/error.hpp"
#include "core/gateway.hpp"
#include "core/routing.hpp"

namespace llmgw::cli {

namespace {

struct ChatOptions {
  std::vector<std::string> prompt;
  std::string model;
  std::string system;
  std::string key;
  double temperature = 0;
  long max_tokens = 0;
  bool no_stream = false;
  bool json = false;
  bool usage = false;
  bool verbose = false;
  bool cache = false;
  bool no_cache = false;
  bool continue_last = false;
  std::int64_t cid = 0;
  bool no_log = false;
  bool interactive = false;
  bool quiet = false;
  CLI::Option* model_opt = nullptr;
  CLI::Option* cid_opt = nullptr;
  CLI::Option* system_opt = nullptr;
  CLI::Option* key_opt = nullptr;
  CLI::Option* temperature_opt = nullptr;
  CLI::Option* max_tokens_opt = nullptr;
};

constexpr const char* k_chat_footer = R"(Input:
  The prompt is the arguments joined by spaces. When stdin is not a terminal it is read
  too: the piped text comes first, then a blank line, then the prompt. Either may be
  given alone. With no prompt on a terminal (or with -i) the REPL starts.

REPL:
  /help /model NAME /system TEXT /clear /retry /usage /save FILE /exit. A line starting
  with """ begins a message of several lines, one ending with """ ends it; a paste of
  several lines is one message. Ctrl-C stops an answer (the part shown is kept, marked
  as cut) or clears the line; Ctrl-D leaves. A dim status line after each answer gives
  the model, tokens, cost and latency (not with NO_COLOR or -q). History is kept in
  $XDG_STATE_HOME/llmgw/history.

Examples:
  llmgw chat "What is a monad?"
  llmgw chat -m openai/gpt-4o-mini -s "Answer in one word" "Capital of France?"
  cat notes.txt | llmgw chat "Summarise this"
  llmgw chat --json --no-stream "hi" | jq .usage
  llmgw chat -m "gpt-4o,anthropic/claude-sonnet-4-5" -v "hi"   # falls back if gpt-4o fails
  llmgw chat -m mock/echo "try llmgw without a key"
  llmgw chat --temperature 0 "Define idempotent"   # asked again: from the cache, $0
  llmgw chat -c "and in Haskell?"      # continue the last conversation
  llmgw chat --cid 12 "go on"          # continue conversation 12 (see llmgw logs list)
  llmgw chat                           # the REPL, on a terminal
  llmgw chat -i -m claude-sonnet-4-5 -c   # the REPL, continuing the last conversation

Failures:
  Connection failures, timeouts before the first byte and HTTP 408, 409, 429, 5xx and 529
  are retried with backoff (honouring Retry-After), then the next model is tried; nothing
  is retried once the answer has started to stream. See [retry], [breaker] and [fallbacks]
  in `llmgw config --help`.

Conversations:
  Every prompt and its answer are stored in the database (see `llmgw logs --help`), an
  answer cut short by Ctrl-C or a broken stream too, marked as cut. -c and --cid send the
  conversation so far with the new prompt, to the model it last asked for (unless -m) and
  with its system prompt (unless -s). --no-log, or logs = false in config.toml, stores
  nothing.

Cache:
  A request with --temperature 0 (or a seed) is answered from the response cache when the
  same request was answered within the TTL (default 1 h), at no cost; -u says so and the
  ledger records what it saved. --cache caches any request, --no-cache none. See
  `llmgw cache --help`.)";

std::string gather_prompt(Io& io, const ChatOptions& opts) {
  const std::string from_args = join_words(opts.prompt);
  std::string piped;
  if (!io.in_tty) {
    piped.assign(std::istreambuf_iterator<char>(io.in), std::istreambuf_iterator<char>());
  }
  std::string prompt;
  if (!is_blank(piped) && !is_blank(from_args)) {
    prompt = trim_trailing_newlines(piped) + "\n\n" + from_args;
  } else {
    prompt = is_blank(piped) ? from_args : piped;
  }
  require_utf8(piped, "the text on stdin");
  require_utf8(from_args, "the prompt");
  require_utf8(opts.system, "the system prompt");
  if (is_blank(prompt)) {
    fail(ErrorKind::usage, "no prompt given",
         "pass it as an argument (llmgw chat \"hello\") or pipe text in (echo hello | llmgw chat)");
  }
  return prompt;
}

// The model named by -m, by the conversation continued, by config, or chosen from the
// configured keys (mock/echo when nothing is configured, said once on stderr).
std::string pick_model(Context& ctx, const ChatOptions& opts,
                       const std::optional<Conversation>& continued) {
  if (opts.model_opt->count() > 0)
    return opts.model;
  if (continued)
    return continued->model;
  const DefaultModel chosen = ctx.default_model();
  if (chosen.mock_fallback) {
    if (opts.key_opt->count() > 0) {
      fail(ErrorKind::usage, "--key was given but no model",
           "name the model too, e.g. -m openai/gpt-4o-mini");
    }
    print_note(
        ctx.io(),
        "no provider key is configured, so answering with the built-in mock/echo model. "
        "Add a key with `llmgw keys set openai` (or set OPENAI_API_KEY) to use a real model.");
  }
  return chosen.model;
}

// The system prompt of -s, else the continued conversation's.
std::optional<std::string> system_prompt(const ChatOptions& opts,
                                         const std::optional<Conversation>& continued) {
  if (opts.system_opt->count() > 0)
    return opts.system;
  return continued ? continued->system : std::nullopt;
}

// The request's fields beyond model and messages.
nlohmann::json request_fields(const ChatOptions& opts) {
  nlohmann::json fields = nlohmann::json::object();
  if (opts.temperature_opt->count() > 0)
    fields["temperature"] = opts.temperature;
  if (opts.max_tokens_opt->count() > 0)
    fields["max_tokens"] = opts.max_tokens;
  return fields;
}

// --verbose: where the request goes, with which key, and what the provider cannot take.
void describe_plan(Context& ctx, const ChatPlan& plan, const ChatCall& call) {
  const Route& route = plan.route;
  std::string line = "sending to " + route.provider.name + "/" + route.model;
  if (route.requested != route.provider.name + "/" + route.model) {
    line += " (asked for " + route.requested + ")";
  }
  if (route.provider.protocol == Protocol::mock) {
    line += ", the built-in mock";
  } else {
    line += " at " + route.provider.base_url;
    if (route.provider.requires_key()) {
      const auto key = ctx.credentials().find(route.provider, call.api_key);
      line += key ? ", key " + redact_secret(key->key) + " from " + key->source : ", no key";
    }
  }
  print_note(ctx.io(), line);
  if (plan.chain.size() > 1) {
    std::string rest;
    for (std::size_t i = 1; i < plan.chain.size(); ++i)
      rest += (i == 1 ? "" : ", ") + plan.chain[i].provider.name + "/" + plan.chain[i].model;
    print_note(ctx.io(), "if it fails: " + rest);
  }
  if (!plan.dropped.empty()) {
    std::string fields;
    for (const auto& field : plan.dropped)
      fields += (fields.empty() ? "" : ", ") + field;
    print_note(ctx.io(), route.provider.name +
                             " has no equivalent for these request fields, so "
                             "they are not sent: " +
                             fields);
  }
}

// --verbose, after the answer: the attempts that failed or were skipped before it, and
// who served it when that was not the first choice.
void describe_attempts(Io& io, const std::vector<AttemptRecord>& attempts) {
  if (attempts.size() <= 1)
    return;
  for (std::size_t i = 0; i < attempts.size(); ++i)
    print_note(io, "attempt " + std::to_string(i + 1) + ": " + describe(attempts[i]));
}

CacheMode cache_mode(const ChatOptions& opts) {
  return opts.cache ? CacheMode::force : opts.no_cache ? CacheMode::bypass : CacheMode::automatic;
}

int start_repl(Context& ctx, const ChatOptions& opts) {
  Io& io = ctx.io();
  if (!io.in_tty) {
    fail(ErrorKind::usage, "the REPL (-i) needs a terminal, and stdin is not one",
         "pipe the prompt without -i: echo hello | llmgw chat");
  }
  if (opts.json) {
    fail(ErrorKind::usage, "--json is for one prompt, not the REPL",
         "give the prompt too: llmgw chat --json \"hello\"");
  }
  const std::string first = join_words(opts.prompt);
  require_utf8(first, "the prompt");
  require_utf8(opts.system, "the system prompt");
  ReplSettings settings;
  settings.log = ctx.config().logs.value && !opts.no_log;
  if (opts.continue_last || opts.cid_opt->count() > 0) {
    settings.continued = ConversationLog(ctx.config().paths.db_file, settings.log)
                             .load(opts.continue_last ? std::nullopt : std::optional(opts.cid));
  }
  settings.model = pick_model(ctx, opts, settings.continued);
  settings.system = system_prompt(opts, settings.continued);
  if (!is_blank(first))
    settings.first_prompt = first;
  settings.fields = request_fields(opts);
  if (opts.key_opt->count() > 0)
    settings.api_key = opts.key;
  settings.cache_mode = cache_mode(opts);
  settings.stream = !opts.no_stream;
  settings.quiet = opts.quiet;
  return run_repl(ctx, std::move(settings));
}

int run_chat(Context& ctx, const ChatOptions& opts) {
  Io& io = ctx.io();
  if (opts.interactive || (opts.prompt.empty() && io.in_tty))
    return start_repl(ctx, opts);
  const std::string prompt = gather_prompt(io, opts);
  ConversationLog log(ctx.config().paths.db_file, ctx.config().logs.value && !opts.no_log);
  std::optional<Conversation> continued;
  if (opts.continue_last || opts.cid_opt->count() > 0)
    continued = log.load(opts.continue_last ? std::nullopt : std::optional(opts.cid));
  const std::string model = pick_model(ctx, opts, continued);
  const std::optional<std::string> system = system_prompt(opts, continued);

  Exchange exchange;
  exchange.model = model;
  exchange.system = system;
  exchange.prompt.role = "user";
  exchange.prompt.content = prompt;
  exchange.prompt.ts_ms = ctx.clock().unix_milliseconds();
  const auto record = [&](ShownAnswer shown, const ChatResult* answered) {
    exchange.answer = answer_message(std::move(shown), ctx.clock().unix_milliseconds(), answered);
    const auto recorded =
        log.record(io, continued ? std::optional(continued->id) : std::nullopt, exchange);
    if (recorded && opts.verbose) {
      const std::string id = std::to_string(recorded->conversation_id);
      print_note(io, "stored as conversation " + id +
                         " (continue it with llmgw chat -c, or --cid " + id + ")");
    }
  };

  ChatCall call;
  call.request = conversation_request(
      model, system, continued ? continued->messages : std::vector<StoredMessage>{}, prompt,
      request_fields(opts));
  if (opts.key_opt->count() > 0)
    call.api_key = opts.key;
  call.cancel = &ctx.cancel_token();

  call.cache_mode = cache_mode(opts);

  GatewayOptions options = ctx.gateway_options();
  if (call.cache_mode != CacheMode::bypass && ctx.config().cache.value.enabled)
    options.cache = &ctx.cache();
  Gateway gateway(ctx.config(), ctx.transport(), ctx.credentials(), ctx.clock(),
                  std::move(options));
  ChatPlan plan;
  if (opts.verbose) {
    plan = gateway.plan(call);
    describe_plan(ctx, plan, call);
    call.planned_chain = &plan.chain;  // send where it said
  }
  InterruptGuard interrupt_guard(ctx.cancel_token());
  ChatResult result;
  ShownAnswer answer;  // kept when the stream stops short
  try {
    if (opts.json) {
      result = gateway.chat(call);
      answer.text = text_of(result.response);
      io.out << result.response.dump(2) << '\n';
    } else {
      result = show_answer(gateway, call, io.out, !opts.no_stream, answer);
    }
  } catch (const GatewayError&) {
    if (!answer.text.empty())
      record(std::move(answer), nullptr);
    throw;
  }
  record(std::move(answer), &result);
  warn_if_first_unpriced(ctx, result.accounting, result.route);
  if (opts.usage)
    io.err << format_usage_line(result, price_book(ctx.config())) << '\n';
  warn_refused_keys(io, result.attempts);
  if (opts.verbose) {
    describe_attempts(io, result.attempts);
    const std::string took = std::to_string(result.accounting.latency_ms.value_or(0)) + " ms";
    print_note(io, result.cache_hit ? "answered from the response cache in " + took
                                    : "answered in " + took);
  }
  return 0;
}

}  // namespace

void register_chat(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<ChatOptions>();
  CLI::App* cmd = parent.add_subcommand("chat", "Send a prompt to any model and stream the answer");
  cmd->add_option("prompt", opts->prompt, "The prompt (words are joined with spaces)");
  opts->model_opt = cmd->add_option("-m,--model", opts->model,
                                    "Model: provider/model, a bare name (gpt-4o, claude-...), "
                                    "or an alias from config; several, comma-separated, are "
                                    "tried in order (fallbacks)")
                        ->type_name("MODEL");
  opts->system_opt =
      cmd->add_option("-s,--system", opts->system, "System prompt")->type_name("TEXT");
  opts->temperature_opt =
      cmd->add_option("--temperature", opts->temperature, "Sampling temperature, 0 to 2")
          ->type_name("T");
  opts->max_tokens_opt =
      cmd->add_option("--max-tokens", opts->max_tokens, "Upper bound on answer tokens")
          ->type_name("N");
  cmd->add_flag("--no-stream", opts->no_stream, "Wait for the whole answer instead of streaming");
  cmd->add_flag("--json", opts->json,
                "Print the whole OpenAI-format response object (implies --no-stream)");
  cmd->add_flag("-u,--usage", opts->usage, "Print tokens used and cost to stderr");
  CLI::Option* cache_opt =
      cmd->add_flag("--cache", opts->cache,
                    "Answer from the response cache (and keep the answer) even when the "
                    "request is not deterministic; by default only requests with temperature "
                    "0 or a seed are cached");
  cmd->add_flag("--no-cache", opts->no_cache,
                "Neither answer from the response cache nor keep the answer")
      ->excludes(cache_opt);
  cmd->add_flag("-v,--verbose", opts->verbose,
                "Say on stderr where the request goes (and its fallbacks), with which key "
                "(redacted), which request fields the provider cannot take, every attempt when "
                "there was more than one, and how long the answer took");
  CLI::Option* continue_opt =
      cmd->add_flag("-c,--continue", opts->continue_last,
                    "Continue the last conversation: send it so far, with the new prompt");
  opts->cid_opt = cmd->add_option("--cid", opts->cid,
                                  "Continue the conversation with this id (see llmgw logs list)")
                      ->type_name("ID")
                      ->check(CLI::PositiveNumber)
                      ->excludes(continue_opt);
  cmd->add_flag("-i,--interactive", opts->interactive,
                "Start the REPL (also the default on a terminal with no prompt); a prompt "
                "given is its first message");
  cmd->add_flag("-q,--quiet", opts->quiet,
                "REPL: no greeting and no status line after each answer");
  cmd->add_flag("--no-log", opts->no_log,
                "Store neither the prompt nor the answer in the conversation log");
  opts->key_opt = add_key_option(*cmd, opts->key);
  cmd->footer(k_chat_footer);
  cmd->callback([&ctx, opts] { ctx.exit_code = run_chat(ctx, *opts); });
}

}  // namespace llmgw::cli
