// The reverse of StreamAccumulator: one chat.completion turned back into the canonical
// chunks of a stream, so a cached answer can be replayed to a streaming caller whichever
// way it was first fetched. Pure.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

namespace llmgw {

// For each choice, in index order: a chunk whose delta carries the role and the whole
// message (content, refusal, reasoning text, tool_calls with their indexes) and the
// choice's logprobs, then a chunk with its finish_reason and any other choice fields;
// last, when the completion has usage, the usage chunk (choices: []). Every chunk has the
// completion's other top-level fields (id, created, model, system_fingerprint…) and
// object "chat.completion.chunk". StreamAccumulator::fold() of the result gives the
// completion back.
std::vector<nlohmann::json> replay_chunks(const nlohmann::json& completion);

}  // namespace llmgw
