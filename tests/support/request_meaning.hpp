// Test oracle: what a canonical (OpenAI) chat request means, as normalised JSON, so that
// two requests that say the same thing in different shapes compare equal.
//
// meaning(request) =
//   {"system":   every system and developer text, in order, concatenated,
//    "turns":    [{"side": "user"|"assistant", "parts": [...]}, ...],
//    "tools":    [{"name", "description"?, "parameters"?}, ...],
//    "settings": {"temperature"?, "top_p"?, "max_tokens"?, "stop"?}}
// with these rules, each a decision about what is not meaning:
// - Sides. User and tool messages are the user side (Anthropic and Gemini carry tool
//   results in user turns), assistant messages the assistant side. Consecutive messages of
//   one side form one turn; a message with nothing in it adds nothing (no empty turns).
// - Parts, in order: {"text"}, {"image": {"media_type", "data"}} for a base64 data: URL or
//   {"image": {"url"}} otherwise (image detail is dropped), {"tool_call": {"name",
//   "arguments"}} with the arguments parsed (absent or "" is {}), and {"tool_result":
//   {"answers": {"call", "name"}, "content"}}. An assistant message's text comes before
//   its calls. Any other part type shows up whole as {"other": part}, so it is not lost.
// - Text boundaries. Adjacent text inside a turn (or in the system prompt) is concatenated
//   with nothing between; empty text vanishes. Protocols merge consecutive messages into
//   one turn and Ollama joins a message's parts into one string, so where one text piece
//   ends is not meaning; the characters are.
// - Linkage, not ids. A tool result answers {"call": n, "name"}: the n-th tool call of the
//   conversation (counting from 0) and its name, resolved through tool_call_id; null when
//   it answers no earlier call. Call ids themselves are dropped (Gemini has none).
// - Tool result content is its text (text parts concatenated) read as JSON when it parses
//   (whitespace and key order are not meaning; the text `"x"` and x are the same),
//   otherwise the text as a string.
// - Settings: max_completion_tokens, else max_tokens; stop as an array (an empty one is
//   left out). Only what every protocol carries is compared; model, stream and ids are not.
#pragma once

#include <nlohmann/json.hpp>

namespace llmgw::test {

nlohmann::json meaning(const nlohmann::json& request);

}  // namespace llmgw::test
