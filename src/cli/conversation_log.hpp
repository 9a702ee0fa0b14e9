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

  // Stores the exchange in conversation `id` (a new one when unset) and returns its id;
  // nothing when logging is off. A failure to store is a warning on stderr, never the
  // command's failure: the answer has been shown.
  std::optional<std::int64_t> record(const Io& io, std::optional<std::int64_t> id,
                                     const Exchange& exchange);

  bool enabled() const { return m_enabled; }

 private:
  Database& db();

  std::filesystem::path m_db_file;
  bool m_enabled;
  std::optional<Database> m_db;
};

// The stored messages as chat messages ({"role", "content"}), oldest first: what a
// continued conversation sends before its new prompt. A cut answer is sent as far as it
// got, which is what the user saw.
nlohmann::json history_messages(const Conversation& conversation);

// The answer's row for an exchange: the text, when it was `answer_ms`, and, from `result`
// when the answer completed, who served it and what it used.
StoredMessage answer_message(std::string text, std::int64_t answer_ms, const ChatResult* result);

}  // namespace llmgw::cli
