#include "core/store/conversations.hpp"

#include <cctype>

#include "core/error.hpp"

namespace llmgw {

namespace {

constexpr std::string_view k_message_columns =
    "id, ts_ms, role, content, model, input_tokens, output_tokens, cost_usd, latency_ms, cut";

StoredMessage message_from(const Statement& row) {
  StoredMessage message;
  message.id = row.int64(0);
  message.ts_ms = row.int64(1);
  message.role = row.text(2);
  message.content = row.text(3);
  message.model = row.optional_text(4);
  message.input_tokens = row.optional_int64(5);
  message.output_tokens = row.optional_int64(6);
  message.cost_usd = row.optional_real(7);
  message.latency_ms = row.optional_int64(8);
  message.cut = row.int64(9) != 0;
  return message;
}

std::int64_t insert_message(Database& db, std::int64_t conversation_id,
                            const StoredMessage& message, const char* role) {
  Statement insert = db.prepare(
      "INSERT INTO messages (conversation_id, ts_ms, role, content, model, input_tokens, "
      "output_tokens, cost_usd, latency_ms, cut) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  insert.bind(1, conversation_id)
      .bind(2, message.ts_ms)
      .bind(3, role)
      .bind(4, message.content)
      .bind(5, message.model)
      .bind(6, message.input_tokens)
      .bind(7, message.output_tokens)
      .bind(8, message.cost_usd)
      .bind(9, message.latency_ms)
      .bind(10, message.cut ? 1 : 0);
  insert.run();
  return db.last_insert_rowid();
}

// Removes the conversations `where` selects (an SQL condition on conversations, with ?1
// bound to `arg` when given), inside the caller's transaction.
Removed remove_selected(Database& db, const std::string& where, std::optional<std::int64_t> arg) {
  Removed removed;
  Statement count = db.prepare(
      "SELECT count(*) FROM messages WHERE conversation_id IN (SELECT id FROM conversations "
      "WHERE " +
      where + ")");
  if (arg)
    count.bind(1, *arg);
  removed.messages = count.step() ? count.int64(0) : 0;
  Statement remove = db.prepare("DELETE FROM conversations WHERE " + where);
  if (arg)
    remove.bind(1, *arg);
  remove.run();
  removed.conversations = db.changes();
  return removed;
}

}  // namespace

RecordedExchange record_exchange(Database& db, std::optional<std::int64_t> id,
                                 const Exchange& exchange) {
  return with_transaction(db, [&] {
    const std::int64_t now = exchange.answer.ts_ms;
    std::int64_t conversation = 0;
    if (id) {
      Statement update = db.prepare(
          "UPDATE conversations SET updated_ms = max(updated_ms, ?2), model = ?3, "
          "system = ?4 WHERE id = ?1");
      update.bind(1, *id).bind(2, now).bind(3, exchange.model).bind(4, exchange.system);
      update.run();
      if (db.changes() == 0) {
        fail(ErrorKind::usage, "conversation " + std::to_string(*id) + " no longer exists",
             "see `llmgw logs list`, or start a new conversation without -c/--cid");
      }
      conversation = *id;
    } else {
      Statement insert = db.prepare(
          "INSERT INTO conversations (created_ms, updated_ms, model, system) "
          "VALUES (?1, ?2, ?3, ?4)");
      insert.bind(1, exchange.prompt.ts_ms).bind(2, now).bind(3, exchange.model);
      insert.bind(4, exchange.system);
      insert.run();
      conversation = db.last_insert_rowid();
    }
    RecordedExchange recorded;
    recorded.conversation_id = conversation;
    recorded.prompt_id = insert_message(db, conversation, exchange.prompt, "user");
    recorded.answer_id = insert_message(db, conversation, exchange.answer, "assistant");
    return recorded;
  });
}

void remove_messages(Database& db, std::span<const std::int64_t> ids) {
  with_transaction(db, [&] {
    Statement remove = db.prepare("DELETE FROM messages WHERE id = ?1");
    for (const std::int64_t id : ids) {
      remove.bind(1, id);
      remove.run();
      remove.reset();
    }
  });
}

std::optional<Conversation> read_conversation(Database& db, std::int64_t id) {
  Statement head =
      db.prepare("SELECT created_ms, updated_ms, model, system FROM conversations WHERE id = ?1");
  head.bind(1, id);
  if (!head.step())
    return std::nullopt;
  Conversation conversation;
  conversation.id = id;
  conversation.created_ms = head.int64(0);
  conversation.updated_ms = head.int64(1);
  conversation.model = head.text(2);
  conversation.system = head.optional_text(3);
  Statement messages = db.prepare("SELECT " + std::string(k_message_columns) +
                                  " FROM messages WHERE conversation_id = ?1 ORDER BY id");
  messages.bind(1, id);
  while (messages.step())
    conversation.messages.push_back(message_from(messages));
  return conversation;
}

std::optional<std::int64_t> latest_conversation_id(Database& db) {
  Statement latest =
      db.prepare("SELECT id FROM conversations ORDER BY updated_ms DESC, id DESC LIMIT 1");
  return latest.step() ? std::optional(latest.int64(0)) : std::nullopt;
}

std::vector<ConversationSummary> list_conversations(Database& db,
                                                    const ConversationFilter& filter) {
  Statement list = db.prepare(R"sql(
    SELECT c.id, c.created_ms, c.updated_ms, c.model,
           (SELECT model FROM messages WHERE conversation_id = c.id AND role = 'assistant'
             ORDER BY id DESC LIMIT 1),
           (SELECT content FROM messages WHERE conversation_id = c.id AND role = 'user'
             ORDER BY id LIMIT 1),
           (SELECT count(*) FROM messages WHERE conversation_id = c.id),
           (SELECT total(cost_usd) FROM messages WHERE conversation_id = c.id),
           (SELECT count(*) FROM messages WHERE conversation_id = c.id AND role = 'assistant'
             AND cost_usd IS NULL)
    FROM conversations AS c
    WHERE ?2 IS NULL OR instr(lower(c.model), lower(?2)) > 0
       OR EXISTS (SELECT 1 FROM messages WHERE conversation_id = c.id
                  AND instr(lower(model), lower(?2)) > 0)
    ORDER BY c.updated_ms DESC, c.id DESC
    LIMIT ?1)sql");
  list.bind(1, filter.limit).bind(2, filter.model);
  std::vector<ConversationSummary> summaries;
  while (list.step()) {
    ConversationSummary summary;
    summary.id = list.int64(0);
    summary.created_ms = list.int64(1);
    summary.updated_ms = list.int64(2);
    summary.model = list.text(3);
    summary.served_by = list.text(4);
    summary.first_prompt = list.text(5);
    summary.messages = list.int64(6);
    summary.cost_usd = list.real(7);
    summary.unpriced = list.int64(8) > 0;
    summaries.push_back(std::move(summary));
  }
  return summaries;
}

std::string fts_words_query(std::string_view words) {
  std::string query;
  std::size_t i = 0;
  while (i < words.size()) {
    while (i < words.size() && std::isspace(static_cast<unsigned char>(words[i])))
      ++i;
    if (i == words.size())
      break;
    query += query.empty() ? "\"" : " \"";
    for (; i < words.size() && !std::isspace(static_cast<unsigned char>(words[i])); ++i) {
      if (words[i] == '"')
        query += '"';  // FTS5 strings double their quotes, as SQL does
      query += words[i];
    }
    query += '"';
  }
  return query;
}

std::vector<SearchHit> search_messages(Database& db, const SearchQuery& query) {
  const std::string match = query.fts_syntax ? query.text : fts_words_query(query.text);
  if (match.empty() || match.find_first_not_of(" \t\r\n") == std::string::npos)
    fail(ErrorKind::usage, "nothing to search for", "give the words to find");
  Statement search = db.prepare(R"sql(
    SELECT m.conversation_id, m.id, m.ts_ms, m.role,
           snippet(messages_fts, 0, ?3, ?4, '…', 16)
    FROM messages_fts JOIN messages AS m ON m.id = messages_fts.rowid
    WHERE messages_fts MATCH ?1
    ORDER BY messages_fts.rank, m.id DESC
    LIMIT ?2)sql");
  search.bind(1, match).bind(2, query.limit).bind(3, query.mark_open).bind(4, query.mark_close);
  std::vector<SearchHit> hits;
  try {
    while (search.step()) {
      hits.push_back(
          {search.int64(0), search.int64(1), search.int64(2), search.text(3), search.text(4)});
    }
  } catch (const GatewayError& e) {
    // FTS5 reports a malformed query as an SQL error when the statement first runs; with
    // plain words there are none, so only --fts queries can get here.
    if (!query.fts_syntax || e.error().kind != ErrorKind::internal)
      throw;
    fail(ErrorKind::usage, "the search is not valid FTS5 syntax: " + query.text,
         "put phrases and words with punctuation in double quotes, or leave out --fts to "
         "search for plain words");
  }
  return hits;
}

Removed remove_conversations(Database& db, std::span<const std::int64_t> ids) {
  return with_transaction(db, [&] {
    Removed removed;
    for (const std::int64_t id : ids) {
      const Removed one = remove_selected(db, "id = ?1", id);
      removed.conversations += one.conversations;
      removed.messages += one.messages;
    }
    return removed;
  });
}

Removed remove_conversations_before(Database& db, std::int64_t before_ms) {
  return with_transaction(db, [&] { return remove_selected(db, "updated_ms < ?1", before_ms); });
}

Removed remove_all_conversations(Database& db) {
  return with_transaction(db, [&] { return remove_selected(db, "1", std::nullopt); });
}

}  // namespace llmgw
