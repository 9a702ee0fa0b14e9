// The chat command's link to stored conversations (core/store/conversations.hpp): the
// conversation that `-c` or `--cid` continues, and the writing of each exchange once its
// answer is in. The database opens on first use, so a chat with logging off and nothing
// to continue never touches it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/chat_answer.hpp"
#include "cli/io.hpp"
#include "core/gateway.hpp"
#include "core/store/conversations.hpp"
#include "core/store/database.hpp"

namespace llmgw::cli {

class ConversationLog {
 public:
  // `enabled`: store exchanges (config `logs`, and no --no-log).
  ConversationLog(std::filesystem::path db_file, bool enabled)
      : m_db_file(std::move(db_file)), m_enabled(enabled) {}

  // The conversation to continue: `id`, or the one updated last when unset. Throws
  // GatewayError{usage} naming the fix when there is none; database errors as they are.
  Conversation load(std::optional<std::int64_t> id);

  // Stores the exchange in conversation `id` (a new one when unset, or when `id` has been
  // removed meanwhile, which a note says); nothing when logging is off. A failure to store
  // is a warning on stderr, never the command's failure: the answer has been shown.
  std::optional<RecordedExchange> record(const Io& io, std::optional<std::int64_t> id,
                                         const Exchange& exchange);
  // Removes a recorded exchange (the REPL's /retry); a failure only warns.
  void forget(const Io& io, const RecordedExchange& recorded);

  bool enabled() const { return m_enabled; }

 private:
  Database& db();

  std::filesystem::path m_db_file;
  bool m_enabled;
  std::optional<Database> m_db;
};

// The chat request for `prompt` in a conversation: `fields` (temperature, max_tokens…)
// with the model, then as messages the system prompt, the conversation so far (a cut
// answer as far as it got, which is what the user saw) and the prompt.
nlohmann::json conversation_request(const std::string& model,
                                    const std::optional<std::string>& system,
                                    const std::vector<StoredMessage>& history,
                                    const std::string& prompt, nlohmann::json fields);

// The answer's row for an exchange: what was shown, when it was `answer_ms`, and, from
// `result` when the answer completed, who served it and what it used (else it is cut).
StoredMessage answer_message(ShownAnswer shown, std::int64_t answer_ms, const ChatResult* result);

}  // namespace llmgw::cli
