// A conversation as a Markdown transcript: what `llmgw logs show` prints and the REPL's
// /save writes. Times are local; an answer's heading carries who served it, its tokens,
// cost and latency where known; an answer cut short ends with a line saying so.
//
//   # Conversation 12
//
//   - model: smart
//   - started: 2026-12-06 20:41 · updated: 2026-12-06 20:45
//   - 4 messages · cost $0.000246
//
//   ## System
//   ...
//   ## You · 2026-12-06 20:41
//   ...
//   ## openai/gpt-4o-mini · 2026-12-06 20:41 · 12 in, 34 out · $0.000123 · 900 ms
//   ...
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/store/conversations.hpp"

namespace llmgw::cli {

// `conversation.id` 0 titles it "Conversation" without a number (one not stored).
std::string markdown_transcript(const Conversation& conversation);

// The conversation as JSON: {"id","created","updated" (UTC ISO 8601),"model","system",
// "messages":[{"role","content","time","model","input_tokens","output_tokens",
// "cost_usd","latency_ms","cut"}]}, unknown values null.
nlohmann::json conversation_json(const Conversation& conversation);

}  // namespace llmgw::cli
