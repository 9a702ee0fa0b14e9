// What the Gemini stream decoder needs from one GenerateContentResponse event, read in
// one of two ways that must agree:
//   - read_stream_event: from a parsed JSON value (any event);
//   - read_plain_stream_event: straight from the event text through nlohmann's SAX
//     interface, without building a DOM. It takes only the common shape (candidates with
//     text parts, usage, ids) and declines everything else, which then goes the first way.
// Almost every event of a stream is plain text, and building then walking a DOM for it
// cost more than the rest of decoding (bench/adapters.sh), so the second way exists for
// speed alone. tests/unit/gemini_stream_event_test.cpp and the gemini stream fuzzer check
// that both give the same StreamEvent wherever the second accepts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace llmgw::gemini {

struct StreamCandidate {
  // The candidate's "index" as sent (a JSON integer), or its position in "candidates".
  nlohmann::json index;
  // The visible text parts, joined (thought parts left out).
  std::string text;
  // The functionCall parts, whole (with their thoughtSignature), in order.
  std::vector<nlohmann::json> call_parts;
  // candidates[i].finishReason when it is a string.
  std::optional<std::string> finish_reason;

  bool operator==(const StreamCandidate&) const = default;
};

struct StreamEvent {
  std::string response_id;    // "" when absent or not a string
  std::string model_version;  // "" when absent or not a string
  // usageMetadata when it is an object, with only its scalar members kept as they are:
  // nested ones (promptTokensDetails...) become null, since to_openai_usage reads only
  // top-level counts and the plain reader would otherwise have to build them.
  std::optional<nlohmann::json> usage_metadata;
  // "candidates" is a non-empty array (a prompt block only counts without candidates).
  bool candidates_listed = false;
  // The object entries of "candidates"; entries that are not objects are skipped.
  std::vector<StreamCandidate> candidates;
  // promptFeedback.blockReason when it is a string, else "".
  std::string block_reason;

  bool operator==(const StreamEvent&) const = default;
};

// Reads a parsed event that is a JSON object without a top-level "error" (the decoder
// handles errors first).
void read_stream_event(const nlohmann::json& response, StreamEvent& out);

// Reads `text` when it is a JSON object of the plain shape and returns true; otherwise
// returns false (with `out` in an unspecified state) and the caller parses `text` in full.
// Declined: anything that is not a JSON object, an "error" or "promptFeedback" member,
// functionCall parts, repeated keys or wrong types among the members read, and null
// where a value is read.
bool read_plain_stream_event(std::string_view text, StreamEvent& out);

}  // namespace llmgw::gemini
