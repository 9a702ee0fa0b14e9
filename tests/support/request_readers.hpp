// Test oracle: reads a provider's chat request body back into a canonical (OpenAI) chat
// request. Written from the wire formats (docs/wire-formats §3 Anthropic, §4 Gemini,
// §5 Ollama), not from the adapters, so a round trip build → read checks the adapters
// against the protocols rather than against themselves.
//
// What comes back: system/developer text as "system" messages, user text and image parts,
// assistant text and tool_calls (arguments as JSON text), tool results as "tool" messages
// linked to their call by tool_call_id, tools as function tools, and temperature, top_p,
// max_tokens and stop. Everything else in the body is ignored. The result is accepted by
// every adapter, so read-backs can be rebuilt for another protocol.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace llmgw::test {

// Anthropic Messages body → OpenAI request. A user turn's tool_result blocks become tool
// messages (in place); tool_use ids become tool_call ids.
nlohmann::json openai_from_anthropic(const nlohmann::json& body);

// Gemini GenerateContentRequest → OpenAI request. Gemini has no call ids, so calls get
// made-up ids ("call_<n>") and a functionResponse answers the earliest unanswered call of
// the same name, the order the protocol implies. inlineData becomes a data: URL, fileData
// its fileUri. A response {"output": x} reads as x (text as is, other JSON as its text);
// {"error": e} as e; any other object is the output itself (SDK convention, §4.2).
nlohmann::json openai_from_gemini(const nlohmann::json& body);

// Ollama /api/chat body → OpenAI request. Messages stay one for one; images[] come after
// the message's text as data: URLs whose media type is sniffed from the bytes (Ollama
// carries none). A tool message links by tool_call_id when that names an earlier call,
// else by tool_name to the earliest unanswered call of that name.
nlohmann::json openai_from_ollama(const nlohmann::json& body);

// The media type that a base64 image's bytes announce (PNG, JPEG, GIF, WebP), or
// "application/octet-stream" when they announce none or are not base64.
std::string sniff_media_type(const std::string& base64);

}  // namespace llmgw::test
