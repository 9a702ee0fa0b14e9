// Stored conversations: the CLI's prompts and answers, in the `conversations` and
// `messages` tables of llmgw.db (migration 4), with a full-text index (FTS5) over the
// messages. The only place llmgw keeps the text of prompts and answers; the daemon writes
// none.
//
// A conversation remembers the model as it was asked for (a name, alias or fallback list,
// which `llmgw chat -c` asks for again) and the system prompt in force; its messages
// alternate user, assistant. An exchange is recorded only once an answer has begun: an
// answer cut short (Ctrl-C, a broken stream) is kept with `cut` set, a request that got
// nothing back leaves no trace here.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/database.hpp"

namespace llmgw {

struct StoredMessage {
  std::int64_t id = 0;
  std::int64_t ts_ms = 0;
  std::string role;  // "user" or "assistant"
  std::string content;
  // An answer's: the provider/model that served it, and what it used. Unset for prompts,
  // and for what is not known (the cost of an unpriced model, the usage of a cut answer).
  std::optional<std::string> model;
  std::optional<std::int64_t> input_tokens;
  std::optional<std::int64_t> output_tokens;
  std::optional<double> cost_usd;
  std::optional<std::int64_t> latency_ms;
  bool cut = false;  // the answer stopped before the model finished it

  bool operator==(const StoredMessage&) const = default;
};

struct Conversation {
  std::int64_t id = 0;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::string model;                    // as asked for, last time
  std::optional<std::string> system;    // the system prompt in force
  std::vector<StoredMessage> messages;  // oldest first
};

// One prompt and the answer it got, to be appended.
struct Exchange {
  std::string model;  // as asked for: becomes the conversation's model
  std::optional<std::string> system;
  StoredMessage prompt;  // role "user"
  StoredMessage answer;  // role "assistant"
};

struct RecordedExchange {
  std::int64_t conversation_id = 0;
  std::int64_t prompt_id = 0;  // the messages' ids
  std::int64_t answer_id = 0;
};

// Appends `exchange` to conversation `id`, or starts a new one when `id` is unset, in one
// transaction. Throws GatewayError{usage} when `id` names no conversation (it was removed
// meanwhile).
RecordedExchange record_exchange(Database& db, std::optional<std::int64_t> id,
                                 const Exchange& exchange);

// Removes these messages of a conversation (the REPL's /retry replaces the last
// exchange); the conversation stays, even when empty.
void remove_messages(Database& db, std::span<const std::int64_t> ids);

std::optional<Conversation> read_conversation(Database& db, std::int64_t id);

// The conversation updated last, if any.
std::optional<std::int64_t> latest_conversation_id(Database& db);

struct ConversationSummary {
  std::int64_t id = 0;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::string model;         // as asked for, last time
  std::string served_by;     // the provider/model of the last answer
  std::string first_prompt;  // in full: callers cut it to fit
  std::int64_t messages = 0;
  double cost_usd = 0;    // the sum of the known costs
  bool unpriced = false;  // some answer's cost is not known
};

struct ConversationFilter {
  std::int64_t limit = 20;
  // Only conversations where this text is part of the model asked for or of a model
  // that answered (case-insensitive), e.g. "claude" or "openai/gpt-4o".
  std::optional<std::string> model;
};

// Newest (last updated) first.
std::vector<ConversationSummary> list_conversations(Database& db, const ConversationFilter& filter);

struct SearchHit {
  std::int64_t conversation_id = 0;
  std::int64_t message_id = 0;
  std::int64_t ts_ms = 0;
  std::string role;
  // The matching part of the message, the matched terms between `mark_open` and
  // `mark_close`, "…" where text was left out.
  std::string excerpt;
};

struct SearchQuery {
  std::string text;
  // False: `text` is plain words, all of which must occur (any punctuation is fine).
  // True: `text` is FTS5 query syntax (AND, OR, NOT, NEAR, "phrases", prefix*); a syntax
  // error throws GatewayError{usage}.
  bool fts_syntax = false;
  std::int64_t limit = 20;
  std::string mark_open;
  std::string mark_close;
};

// Best match first (FTS5's bm25 rank), newest first among equals.
std::vector<SearchHit> search_messages(Database& db, const SearchQuery& query);

// Plain words as an FTS5 query: each whitespace-separated word a quoted string, so that
// none of FTS5's operators or punctuation rules apply. "" when there are no words.
std::string fts_words_query(std::string_view words);

struct Removed {
  std::int64_t conversations = 0;
  std::int64_t messages = 0;
};

// Each removes the conversations and their messages (and index entries) in one
// transaction. Ids that name no conversation are passed over.
Removed remove_conversations(Database& db, std::span<const std::int64_t> ids);
// Those last updated before `before_ms`.
Removed remove_conversations_before(Database& db, std::int64_t before_ms);
Removed remove_all_conversations(Database& db);

}  // namespace llmgw
