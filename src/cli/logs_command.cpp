// `llmgw logs list|show|search|rm`: the conversations the CLI stored
// (core/store/conversations.hpp). Reading commands create no database.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "cli/money_text.hpp"
#include "cli/report.hpp"
#include "cli/text_table.hpp"
#include "cli/transcript.hpp"
#include "core/error.hpp"
#include "core/excerpt.hpp"
#include "core/store/conversations.hpp"
#include "core/store/migrations.hpp"
#include "core/time_text.hpp"
#include "core/usage_span.hpp"

namespace llmgw::cli {

namespace {

constexpr const char* k_logs_footer =
    R"(Every `llmgw chat` prompt and its answer are stored in the database (see
`llmgw db --help`), an answer cut short by Ctrl-C or a broken stream too, marked as cut.
`llmgw chat -c` continues the last conversation, `--cid ID` a given one. `llmgw chat
--no-log`, or logs = false in config.toml, stores nothing. The daemon (`llmgw serve`)
never stores the text of requests or answers.

Examples:
  llmgw logs                        # the 20 conversations updated last
  llmgw logs list -n 5 -m claude    # the last 5 where a Claude model took part
  llmgw logs show                   # the last conversation, as Markdown
  llmgw logs show 12 --json | jq '.messages[].content'
  llmgw logs search monad functor   # messages holding every word
  llmgw logs search --fts 'monad OR "free functor"'
  llmgw logs rm 12
  llmgw logs rm --older-than 30d
  llmgw logs rm --all)";

struct ListOptions {
  std::int64_t limit = 20;
  std::string model;
  CLI::Option* model_opt = nullptr;
  bool json = false;
};

struct ShowOptions {
  std::int64_t id = 0;
  CLI::Option* id_opt = nullptr;
  bool json = false;
};

struct SearchOptions {
  std::vector<std::string> words;
  std::int64_t limit = 20;
  bool fts = false;
  bool json = false;
};

struct RmOptions {
  std::vector<std::int64_t> ids;
  std::string older_than;
  CLI::Option* older_than_opt = nullptr;
  bool all = false;
};

// The database, or nothing when it does not exist yet (so nothing is stored).
std::optional<Database> open_existing(Context& ctx) {
  const std::filesystem::path& file = ctx.config().paths.db_file;
  std::error_code error;  // cannot tell: let the open say why
  if (!std::filesystem::exists(file, error) && !error)
    return std::nullopt;
  return open_migrated(file);
}

void say_when_off(Context& ctx) {
  const Config& config = ctx.config();
  if (!config.logs.value)
    print_note(ctx.io(), "logging is off (logs = false, " + config.logs.source + ")");
}

std::string cost_cell(const ConversationSummary& summary) {
  if (summary.unpriced && summary.cost_usd == 0)
    return "-";
  return usd_text(summary.cost_usd) + (summary.unpriced ? "+" : "");
}

int run_list(Context& ctx, const ListOptions& opts) {
  std::vector<ConversationSummary> summaries;
  if (std::optional<Database> db = open_existing(ctx)) {
    ConversationFilter filter;
    filter.limit = opts.limit;
    if (opts.model_opt->count() > 0)
      filter.model = opts.model;
    summaries = list_conversations(*db, filter);
  }
  std::ostream& out = ctx.io().out;
  if (opts.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const ConversationSummary& s : summaries) {
      list.push_back(
          {{"id", s.id},
           {"created", utc_iso_text(s.created_ms)},
           {"updated", utc_iso_text(s.updated_ms)},
           {"model", s.model},
           {"served_by", s.served_by.empty() ? nlohmann::json() : nlohmann::json(s.served_by)},
           {"messages", s.messages},
           {"cost_usd", s.cost_usd},
           {"unpriced", s.unpriced},
           {"first_prompt", s.first_prompt}});
    }
    out << list.dump(2) << '\n';
    return 0;
  }
  if (summaries.empty()) {
    print_note(ctx.io(), opts.model_opt->count() > 0
                             ? "no stored conversation involves a model matching " + opts.model
                             : std::string("no conversations are stored yet"));
    say_when_off(ctx);
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "UPDATED", "MODEL", "MESSAGES", "COST", "FIRST PROMPT"}};
  for (const ConversationSummary& s : summaries) {
    rows.push_back({std::to_string(s.id), local_minute_text(s.updated_ms),
                    s.served_by.empty() ? s.model : s.served_by, std::to_string(s.messages),
                    cost_cell(s), excerpt(s.first_prompt, 60)});
  }
  print_text_table(out, rows);
  return 0;
}

int run_show(Context& ctx, const ShowOptions& opts) {
  std::optional<Database> db = open_existing(ctx);
  std::optional<std::int64_t> id;
  if (opts.id_opt->count() > 0)
    id = opts.id;
  else if (db)
    id = latest_conversation_id(*db);
  if (!id) {
    fail(ErrorKind::usage, "no conversations are stored yet",
         "they are stored as you chat: llmgw chat \"hello\"");
  }
  std::optional<Conversation> conversation = db ? read_conversation(*db, *id) : std::nullopt;
  if (!conversation) {
    fail(ErrorKind::usage, "there is no conversation " + std::to_string(*id),
         "see the stored ones with `llmgw logs list`");
  }
  if (opts.json)
    ctx.io().out << conversation_json(*conversation).dump(2) << '\n';
  else
    ctx.io().out << markdown_transcript(*conversation);
  return 0;
}

int run_search(Context& ctx, const SearchOptions& opts) {
  SearchQuery query;
  for (const std::string& word : opts.words)
    query.text += (query.text.empty() ? "" : " ") + word;
  query.fts_syntax = opts.fts;
  query.limit = opts.limit;
  const bool bold = !opts.json && ctx.io().out_tty && ctx.io().env("NO_COLOR") == std::nullopt &&
                    ctx.io().env("TERM").value_or("") != "dumb";
  query.mark_open = bold ? "\x1b[1m" : "";
  query.mark_close = bold ? "\x1b[22m" : "";
  if (query.text.find_first_not_of(" \t\r\n") == std::string::npos)
    fail(ErrorKind::usage, "nothing to search for", "give the words to find");
  std::vector<SearchHit> hits;
  if (std::optional<Database> db = open_existing(ctx))
    hits = search_messages(*db, query);
  std::ostream& out = ctx.io().out;
  if (opts.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const SearchHit& hit : hits) {
      list.push_back({{"conversation", hit.conversation_id},
                      {"message", hit.message_id},
                      {"time", utc_iso_text(hit.ts_ms)},
                      {"role", hit.role},
                      {"excerpt", hit.excerpt}});
    }
    out << list.dump(2) << '\n';
    return 0;
  }
  if (hits.empty()) {
    print_note(ctx.io(), "no stored message matches");
    say_when_off(ctx);
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {{"ID", "TIME", "WHO", "MATCH"}};
  for (const SearchHit& hit : hits) {
    rows.push_back({std::to_string(hit.conversation_id), local_minute_text(hit.ts_ms),
                    hit.role == "user" ? "you" : "model", excerpt(hit.excerpt, 400)});
  }
  print_text_table(out, rows);
  return 0;
}

int run_rm(Context& ctx, const RmOptions& opts) {
  const int forms =
      (opts.ids.empty() ? 0 : 1) + (opts.older_than_opt->count() > 0 ? 1 : 0) + (opts.all ? 1 : 0);
  if (forms != 1) {
    fail(ErrorKind::usage, "say which conversations to remove",
         "give their ids (llmgw logs rm 12 13), --older-than 30d, or --all");
  }
  const std::int64_t now = ctx.clock().unix_milliseconds();
  // Checked before anything is removed, so a mistyped id removes nothing.
  const std::optional<std::int64_t> before =
      opts.older_than_opt->count() > 0
          ? std::optional(parse_time_bound(opts.older_than, Bound::since, now))
          : std::nullopt;
  std::optional<Database> db = open_existing(ctx);
  Removed removed;
  if (!opts.ids.empty()) {
    for (const std::int64_t id : opts.ids) {
      if (!db || !read_conversation(*db, id)) {
        fail(ErrorKind::usage, "there is no conversation " + std::to_string(id),
             "nothing was removed; see the stored ones with `llmgw logs list`");
      }
    }
    removed = remove_conversations(*db, opts.ids);
  } else if (db) {
    removed = before ? remove_conversations_before(*db, *before) : remove_all_conversations(*db);
  }
  ctx.io().out << "removed " << removed.conversations
               << (removed.conversations == 1 ? " conversation" : " conversations") << " ("
               << removed.messages << (removed.messages == 1 ? " message" : " messages") << ")\n";
  return 0;
}

void add_json_flag(CLI::App& cmd, bool& json) {
  cmd.add_flag("--json", json, "Print the result as JSON");
}

}  // namespace

void register_logs(CLI::App& parent, Context& ctx) {
  CLI::App* logs = parent.add_subcommand(
      "logs", "List, show, search and remove the conversations chat has stored");
  logs->footer(k_logs_footer);

  auto list_opts = std::make_shared<ListOptions>();
  CLI::App* list = logs->add_subcommand(
      "list", "The conversations updated last, with their model, size, cost and first prompt");
  list->add_option("-n,--limit", list_opts->limit, "How many (default 20)")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  list_opts->model_opt =
      list->add_option("-m,--model", list_opts->model,
                       "Only those where a model whose name contains this took part")
          ->type_name("MODEL");
  add_json_flag(*list, list_opts->json);
  list->footer(k_logs_footer);
  list->callback([&ctx, list_opts] { ctx.exit_code = run_list(ctx, *list_opts); });

  auto show_opts = std::make_shared<ShowOptions>();
  CLI::App* show =
      logs->add_subcommand("show", "Print a conversation as Markdown (default: the last)");
  show_opts->id_opt = show->add_option("id", show_opts->id, "The conversation's id")
                          ->type_name("ID")
                          ->check(CLI::PositiveNumber);
  add_json_flag(*show, show_opts->json);
  show->footer(k_logs_footer);
  show->callback([&ctx, show_opts] { ctx.exit_code = run_show(ctx, *show_opts); });

  auto search_opts = std::make_shared<SearchOptions>();
  CLI::App* search = logs->add_subcommand(
      "search", "Find the stored prompts and answers that hold every word given");
  search->add_option("words", search_opts->words, "The words to find")->required();
  search->add_option("-n,--limit", search_opts->limit, "How many matches at most (default 20)")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  search->add_flag("--fts", search_opts->fts,
                   "Take the words as an SQLite FTS5 query: AND, OR, NOT, NEAR, \"phrases\", "
                   "prefix*");
  add_json_flag(*search, search_opts->json);
  search->footer(k_logs_footer);
  search->callback([&ctx, search_opts] { ctx.exit_code = run_search(ctx, *search_opts); });

  auto rm_opts = std::make_shared<RmOptions>();
  CLI::App* rm = logs->add_subcommand("rm", "Remove conversations: by id, by age, or all");
  rm->add_option("ids", rm_opts->ids, "The ids of the conversations to remove")
      ->type_name("ID")
      ->check(CLI::PositiveNumber);
  rm_opts->older_than_opt =
      rm->add_option("--older-than", rm_opts->older_than,
                     "Those not updated for this long (30d, 12h, 2w) or since a date (2026-11-01)")
          ->type_name("AGE");
  rm->add_flag("--all", rm_opts->all, "Every stored conversation");
  rm->footer(k_logs_footer);
  rm->callback([&ctx, rm_opts] { ctx.exit_code = run_rm(ctx, *rm_opts); });

  // `llmgw logs` alone lists.
  logs->callback([&ctx, logs, list_opts] {
    if (logs->get_subcommands().empty())
      ctx.exit_code = run_list(ctx, *list_opts);
  });
}

}  // namespace llmgw::cli
