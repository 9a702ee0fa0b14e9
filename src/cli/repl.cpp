#include "cli/repl.hpp"

#include <csignal>
#include <cstdio>
#include <set>

#include "cli/chat_answer.hpp"
#include "cli/conversation_log.hpp"
#include "cli/interrupt.hpp"
#include "cli/line_editor.hpp"
#include "cli/model_names.hpp"
#include "cli/money_text.hpp"
#include "cli/repl_input.hpp"
#include "cli/report.hpp"
#include "cli/transcript.hpp"
#include "cli/unpriced_notice.hpp"
#include "core/config/private_file.hpp"
#include "core/error.hpp"

namespace llmgw::cli {

namespace {

constexpr const char* k_prompt = "> ";
constexpr const char* k_block_prompt = "... ";
constexpr const char* k_dim = "\x1b[2m";
constexpr const char* k_plain = "\x1b[0m";

constexpr const char* k_keys_help =
    R"(Enter sends the line. A line starting with """ begins a message of several lines, one
ending with """ ends it; a paste of several lines is one message. A line starting with
// sends the rest with one /. Ctrl-C stops an answer (the part shown stays in the
conversation, marked as cut) or clears the line; Ctrl-Z suspends; Ctrl-D leaves. Tab
completes commands and, after /model, model names. Up and Down walk the history, which
is kept between sessions.
)";

std::string latency_text(std::int64_t ms) {
  if (ms < 1000)
    return std::to_string(ms) + " ms";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000.0);
  return text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    if (end == std::string::npos)
      return lines;
    start = end + 1;
  }
}

struct SessionTotals {
  int requests = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  double cost_usd = 0;
  int unpriced = 0;
};

class Repl {
 public:
  Repl(Context& ctx, ReplSettings settings)
      : m_ctx(ctx),
        m_io(ctx.io()),
        m_settings(std::move(settings)),
        m_log(ctx.config().paths.db_file, m_settings.log) {
    if (m_settings.continued)
      m_conversation = std::move(*m_settings.continued);
  }

  int run() {
    banner();
    LineEditor editor(m_io, m_ctx.config().paths.state_dir / "history",
                      [this](std::string_view before) { return complete(before); });
    if (m_settings.first_prompt) {
      editor.add_history(*m_settings.first_prompt);
      send(*m_settings.first_prompt);
    }
    InputAssembler assembler;
    for (;;) {
      const EditedLine line = editor.read(assembler.in_block() ? k_block_prompt : k_prompt);
      if (line.kind == EditedLine::Kind::eof) {
        screen() << '\n';
        break;
      }
      if (line.kind == EditedLine::Kind::interrupted) {
        assembler.reset();
        continue;
      }
      std::vector<std::string> inputs;
      if (line.pasted.empty()) {
        if (auto input = assembler.feed(line.text))
          inputs.push_back(std::move(*input));
      } else {
        screen() << line.pasted << '\n';  // the terminal showed only what was typed
        if (!assembler.in_block()) {
          inputs.push_back(line.text + line.pasted);
        } else {
          for (const std::string& part : lines_of(line.text + line.pasted)) {
            if (auto input = assembler.feed(part))
              inputs.push_back(std::move(*input));
          }
        }
      }
      bool leave = false;
      for (const std::string& input : inputs) {
        const std::optional<ReplCommand> command = parse_repl_input(input);
        if (!command)
          continue;
        editor.add_history(input);
        if (!handle(*command)) {
          leave = true;
          break;
        }
      }
      if (leave)
        break;
    }
    return 0;
  }

 private:
  bool colour() const { return !m_settings.quiet && stderr_color(m_io); }

  // Where the REPL talks to the user: the terminal's stdout, else stderr, so that with
  // stdout redirected (`llmgw chat > answers.txt`) the file holds only the answers.
  std::ostream& screen() { return m_io.out_tty ? m_io.out : m_io.err; }

  void banner() {
    if (m_settings.quiet)
      return;
    std::string text = "llmgw chat with " + m_settings.model;
    if (m_conversation.id > 0) {
      text += ", continuing conversation " + std::to_string(m_conversation.id) + " (" +
              std::to_string(m_conversation.messages.size()) + " messages)";
    }
    text += ". /help for commands, Ctrl-D to leave.";
    if (colour())
      m_io.err << k_dim << text << k_plain << '\n';
    else
      m_io.err << text << '\n';
  }

  Gateway& gateway() {
    if (!m_gateway) {
      GatewayOptions options = m_ctx.gateway_options();
      options.source = "repl";
      if (m_settings.cache_mode != CacheMode::bypass && m_ctx.config().cache.value.enabled)
        options.cache = &m_ctx.cache();
      m_gateway.emplace(m_ctx.config(), m_ctx.transport(), m_ctx.credentials(), m_ctx.clock(),
                        std::move(options));
    }
    return *m_gateway;
  }

  // False: leave the REPL.
  bool handle(const ReplCommand& command) {
    switch (command.action) {
      case ReplAction::message:
        send(command.text);
        return true;
      case ReplAction::help:
        help();
        return true;
      case ReplAction::model:
        set_model(command.text);
        return true;
      case ReplAction::system:
        set_system(command.text);
        return true;
      case ReplAction::clear:
        clear();
        return true;
      case ReplAction::retry:
        retry();
        return true;
      case ReplAction::usage:
        usage();
        return true;
      case ReplAction::save:
        save(command.text);
        return true;
      case ReplAction::exit:
        return false;
      case ReplAction::unknown:
        print_error(m_io, "unknown command " + command.text,
                    "/help lists the commands; start the line with // to send a / as text");
        return true;
    }
    return true;
  }

  void send(const std::string& prompt) {
    m_last_prompt = prompt;
    m_last_kept = false;
    m_last_recorded.reset();
    Exchange exchange;
    exchange.model = m_settings.model;
    exchange.system = m_settings.system;
    exchange.prompt.role = "user";
    exchange.prompt.content = prompt;
    exchange.prompt.ts_ms = m_ctx.clock().unix_milliseconds();

    CancelToken token;
    ChatCall call;
    call.request = conversation_request(m_settings.model, m_settings.system,
                                        m_conversation.messages, prompt, m_settings.fields);
    call.api_key = m_settings.api_key;
    call.cache_mode = m_settings.cache_mode;
    call.cancel = &token;
    ShownAnswer shown;
    ChatResult result;
    std::optional<Error> failure;
    {
      InterruptGuard guard(token);
      try {
        result = show_answer(gateway(), call, m_io.out, m_settings.stream, shown);
      } catch (const GatewayError& e) {
        failure = e.error();
      }
    }
    if (!failure) {
      keep(std::move(exchange), std::move(shown), &result);
      warn_if_first_unpriced(m_ctx, result.accounting, result.route);
      warn_refused_keys(m_io, result.attempts);
      count(result);
      status_line(result);
      return;
    }
    if (!shown.text.empty())
      keep(std::move(exchange), std::move(shown), nullptr);
    if (failure->kind == ErrorKind::cancelled) {
      const int signal = cancelling_signal();
      if (signal == SIGTERM || signal == SIGHUP)
        throw GatewayError(*failure);  // ends llmgw as it ends a one-shot chat
      print_note(m_io,
                 m_last_kept
                     ? "answer stopped; the part shown stays in the conversation, marked as cut"
                     : "stopped before the answer began");
      return;
    }
    print_error(m_io, *failure);
    if (m_last_kept)
      print_note(m_io,
                 "the part shown stays in the conversation, marked as cut; /retry asks again");
  }

  void keep(Exchange exchange, ShownAnswer shown, const ChatResult* result) {
    exchange.answer = answer_message(std::move(shown), m_ctx.clock().unix_milliseconds(), result);
    if (m_conversation.messages.empty())
      m_conversation.created_ms = exchange.prompt.ts_ms;
    m_conversation.updated_ms = exchange.answer.ts_ms;
    m_conversation.model = exchange.model;
    m_conversation.system = exchange.system;
    m_conversation.messages.push_back(exchange.prompt);
    m_conversation.messages.push_back(exchange.answer);
    m_last_kept = true;
    m_last_recorded = m_log.record(
        m_io, m_conversation.id > 0 ? std::optional(m_conversation.id) : std::nullopt, exchange);
    if (m_last_recorded) {
      m_conversation.id = m_last_recorded->conversation_id;
      m_conversation.messages[m_conversation.messages.size() - 2].id = m_last_recorded->prompt_id;
      m_conversation.messages.back().id = m_last_recorded->answer_id;
    }
  }

  void count(const ChatResult& result) {
    const LedgerRow& row = result.accounting;
    ++m_totals.requests;
    m_totals.input_tokens += row.input_tokens;
    m_totals.output_tokens += row.output_tokens;
    if (row.cost_usd)
      m_totals.cost_usd += *row.cost_usd;
    else
      ++m_totals.unpriced;
  }

  void status_line(const ChatResult& result) {
    if (!colour())
      return;
    const LedgerRow& row = result.accounting;
    std::string line = result.route.provider.name + "/" + result.route.model + " · " +
                       std::to_string(row.input_tokens) + " in, " +
                       std::to_string(row.output_tokens) + " out · " +
                       (row.cost_usd ? usd_text(*row.cost_usd) : std::string("cost unknown")) +
                       " · " + latency_text(row.latency_ms.value_or(0));
    if (result.cache_hit)
      line += " · from the response cache";
    m_io.err << k_dim << line << k_plain << '\n';
    m_io.err.flush();
  }

  void help() {
    std::string text = "Commands:\n";
    for (const ReplCommandInfo& info : repl_commands()) {
      std::string usage = std::string(info.name) + (*info.arguments ? " " : "") + info.arguments;
      usage.resize(std::max<std::size_t>(usage.size() + 2, 16), ' ');
      text += "  " + usage + info.summary + "\n";
    }
    screen() << text << '\n' << k_keys_help;
    screen().flush();
  }

  void set_model(const std::string& name) {
    if (name.empty()) {
      screen() << "model: " << m_settings.model << '\n';
      return;
    }
    try {
      ChatCall probe;
      probe.request = {{"model", name}, {"messages", {{{"role", "user"}, {"content", "."}}}}};
      probe.api_key = m_settings.api_key;
      const ChatPlan plan = gateway().plan(probe);
      const ProviderInfo& provider = plan.route.provider;
      if (provider.requires_key() && !m_ctx.credentials().find(provider, m_settings.api_key)) {
        fail(ErrorKind::missing_key, "no API key for " + provider.name,
             "add one with `llmgw keys set " + provider.name + "`, then /model " + name + " again");
      }
    } catch (const GatewayError& e) {
      print_error(m_io, e.error());
      print_note(m_io, "still answering with " + m_settings.model);
      return;
    }
    m_settings.model = name;
    print_note(m_io, "answering with " + name + " from now on");
  }

  void set_system(const std::string& text) {
    if (text.empty()) {
      m_settings.system.reset();
      print_note(m_io, "no system prompt from now on");
    } else {
      m_settings.system = text;
      print_note(m_io, "system prompt set for the rest of the conversation");
    }
  }

  void clear() {
    m_conversation = Conversation{};
    m_last_prompt.reset();
    m_last_kept = false;
    m_last_recorded.reset();
    print_note(m_io, "a new conversation begins; the last one stays in `llmgw logs`");
  }

  void retry() {
    if (!m_last_prompt) {
      print_error(m_io, "nothing to retry yet", "send a message first");
      return;
    }
    if (m_last_kept) {
      m_conversation.messages.resize(m_conversation.messages.size() - 2);
      if (m_last_recorded)
        m_log.forget(m_io, *m_last_recorded);
    }
    const std::string prompt = *m_last_prompt;
    send(prompt);
  }

  void usage() {
    std::string text = "this session: " + std::to_string(m_totals.requests) +
                       (m_totals.requests == 1 ? " request" : " requests") + " · " +
                       std::to_string(m_totals.input_tokens) + " input + " +
                       std::to_string(m_totals.output_tokens) + " output tokens · cost " +
                       usd_text(m_totals.cost_usd);
    if (m_totals.unpriced > 0) {
      text += " (and " + std::to_string(m_totals.unpriced) +
              (m_totals.unpriced == 1 ? " answer" : " answers") + " of a model with no price)";
    }
    screen() << text << '\n';
    screen().flush();
  }

  void save(const std::string& name) {
    if (name.empty()) {
      print_error(m_io, "/save needs a file name", "e.g. /save notes.md");
      return;
    }
    std::filesystem::path file = name;
    if (name.rfind("~/", 0) == 0) {
      if (const auto home = m_io.env("HOME"))
        file = std::filesystem::path(*home) / name.substr(2);
    }
    std::error_code error;
    if (std::filesystem::exists(file, error) && m_saved.count(file) == 0) {
      print_error(m_io, file.string() + " already exists",
                  "/save to another name; llmgw only replaces files this session saved");
      return;
    }
    try {
      Conversation shown = m_conversation;
      shown.model = m_settings.model;
      write_atomically(file, markdown_transcript(shown));
    } catch (const GatewayError& e) {
      print_error(m_io, e.error());
      return;
    }
    m_saved.insert(file);
    const std::size_t count = m_conversation.messages.size();
    print_note(m_io, "saved " + std::to_string(count) + (count == 1 ? " message" : " messages") +
                         " to " + file.string());
  }

  std::vector<std::string> complete(std::string_view before) {
    std::vector<std::string> words;
    if (before.rfind("/model ", 0) == 0) {
      if (!m_models) {
        try {
          m_models = offered_model_names(m_ctx);
        } catch (const GatewayError&) {
          m_models.emplace();  // a broken keys file: no names, and no noise mid-line
        }
      }
      return *m_models;
    }
    if (!before.empty() && before.front() == '/' &&
        before.find_first_of(" \t") == std::string_view::npos) {
      for (const ReplCommandInfo& info : repl_commands())
        words.emplace_back(info.name);
    }
    return words;
  }

  Context& m_ctx;
  Io& m_io;
  ReplSettings m_settings;
  ConversationLog m_log;
  std::optional<Gateway> m_gateway;
  Conversation m_conversation;  // id 0 until its first exchange is stored
  std::optional<std::string> m_last_prompt;
  bool m_last_kept = false;  // the last exchange is the end of m_conversation
  std::optional<RecordedExchange> m_last_recorded;
  SessionTotals m_totals;
  std::set<std::filesystem::path> m_saved;
  std::optional<std::vector<std::string>> m_models;
};

}  // namespace

int run_repl(Context& ctx, ReplSettings settings) {
  return Repl(ctx, std::move(settings)).run();
}

}  // namespace llmgw::cli
