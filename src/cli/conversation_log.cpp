#include "cli/conversation_log.hpp"

#include "cli/report.hpp"
#include "core/error.hpp"
#include "core/store/migrations.hpp"

namespace llmgw::cli {

Database& ConversationLog::db() {
  if (!m_db)
    m_db = open_migrated(m_db_file);
  return *m_db;
}

Conversation ConversationLog::load(std::optional<std::int64_t> id) {
  if (!id) {
    id = latest_conversation_id(db());
    if (!id) {
      fail(ErrorKind::usage, "there is no conversation to continue yet",
           "start one without -c: llmgw chat \"hello\"");
    }
  }
  std::optional<Conversation> conversation = read_conversation(db(), *id);
  if (!conversation) {
    fail(ErrorKind::usage, "there is no conversation " + std::to_string(*id),
         "see the stored ones with `llmgw logs list`");
  }
  return std::move(*conversation);
}

std::optional<RecordedExchange> ConversationLog::record(const Io& io,
                                                        std::optional<std::int64_t> id,
                                                        const Exchange& exchange) {
  if (!m_enabled)
    return std::nullopt;
  try {
    try {
      return record_exchange(db(), id, exchange);
    } catch (const GatewayError& e) {
      if (!id || e.error().kind != ErrorKind::usage)
        throw;
    }
    // The conversation was removed (`llmgw logs rm`) while this one went on: keep the
    // exchange in a new one rather than lose it.
    const RecordedExchange recorded = record_exchange(db(), std::nullopt, exchange);
    print_note(io, "conversation " + std::to_string(*id) +
                       " was removed meanwhile; this exchange starts conversation " +
                       std::to_string(recorded.conversation_id));
    return recorded;
  } catch (const GatewayError& e) {
    print_warning(io, "the answer was not stored in the conversation log: " + e.error().message +
                          " (--no-log, or logs = false in config.toml, stores none)");
    return std::nullopt;
  }
}

void ConversationLog::forget(const Io& io, const RecordedExchange& recorded) {
  try {
    remove_messages(db(), std::vector<std::int64_t>{recorded.prompt_id, recorded.answer_id});
  } catch (const GatewayError& e) {
    print_warning(io, "the replaced answer stays in the conversation log: " + e.error().message);
  }
}

nlohmann::json conversation_request(const std::string& model,
                                    const std::optional<std::string>& system,
                                    const std::vector<StoredMessage>& history,
                                    const std::string& prompt, nlohmann::json fields) {
  nlohmann::json messages = nlohmann::json::array();
  if (system)
    messages.push_back({{"role", "system"}, {"content", *system}});
  for (const StoredMessage& message : history)
    messages.push_back({{"role", message.role}, {"content", message.content}});
  messages.push_back({{"role", "user"}, {"content", prompt}});
  fields["model"] = model;
  fields["messages"] = std::move(messages);
  return fields;
}

StoredMessage answer_message(ShownAnswer shown, std::int64_t answer_ms, const ChatResult* result) {
  StoredMessage answer;
  answer.role = "assistant";
  answer.content = std::move(shown.text);
  answer.model = std::move(shown.model);
  answer.ts_ms = answer_ms;
  answer.cut = result == nullptr;
  if (result != nullptr) {
    const LedgerRow& row = result->accounting;
    answer.model = result->route.provider.name + "/" + result->route.model;
    answer.input_tokens = row.input_tokens;
    answer.output_tokens = row.output_tokens;
    answer.cost_usd = row.cost_usd;
    answer.latency_ms = row.latency_ms;
  }
  return answer;
}

}  // namespace llmgw::cli
