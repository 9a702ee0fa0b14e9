// `llmgw chat` without a prompt on a terminal (or with -i): the interactive REPL.
//
// Each message is sent with the conversation so far and its answer streams in; the
// exchange is stored like a one-shot chat's (conversation_log.hpp). Ctrl-C during an
// answer stops it and returns to the prompt, keeping the part shown, marked as cut; at
// the prompt it clears the line (or the """ block begun). Ctrl-D or /exit leaves. After
// each answer a dim status line on stderr gives the model, tokens, cost and latency,
// unless NO_COLOR is set, stderr is not a terminal, or --quiet. SIGTERM or SIGHUP during
// an answer ends the REPL as they end a one-shot chat.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/context.hpp"
#include "core/gateway.hpp"
#include "core/store/conversations.hpp"

namespace llmgw::cli {

struct ReplSettings {
  std::string model;
  std::optional<std::string> system;
  std::optional<Conversation> continued;             // -c / --cid
  std::optional<std::string> first_prompt;           // the prompt given with -i, sent first
  nlohmann::json fields = nlohmann::json::object();  // temperature, max_tokens
  std::optional<std::string> api_key;
  CacheMode cache_mode = CacheMode::automatic;
  bool stream = true;
  bool quiet = false;
  bool log = true;
};

// Returns the exit code: 0 when the user leaves.
int run_repl(Context& ctx, ReplSettings settings);

}  // namespace llmgw::cli
