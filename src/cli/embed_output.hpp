// How `llmgw embed` prints embeddings (--format):
//   json    one OpenAI embeddings list for every input, printed when all are done:
//           {"object":"list","model","data":[{"object":"embedding","index","embedding"}],
//           "usage":{"prompt_tokens","total_tokens"}} with indexes counted over all
//           batches and usage summed;
//   ndjson  a line per input as its batch arrives: {"index":N,"embedding":[...]};
//   floats  a line per input: its values separated by spaces;
//   base64  a line per input: its values as little-endian float32, in base64 (the
//           provider's encoding_format "base64").
// Numbers are printed exactly as the provider sent them (nlohmann's shortest round trip).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw::cli {

enum class EmbedFormat { json, ndjson, floats, base64 };

std::optional<EmbedFormat> parse_embed_format(std::string_view name);

// The line (with its '\n') for one embedding in the ndjson, floats or base64 format.
// Throws GatewayError{upstream} when `embedding` is not what the format needs (an array
// of numbers; a string for base64).
std::string embedding_line(EmbedFormat format, std::size_t index, const nlohmann::json& embedding);

// Gathers the batches' answers for the json format.
class EmbeddingList {
 public:
  // `response` is one batch's OpenAI embeddings list and `embeddings` its vectors in input
  // order (ordered_embeddings in embed_command.cpp has sorted them by index and checked
  // their count); they are numbered on from the count so far.
  void add(const nlohmann::json& response, const std::vector<nlohmann::json>& embeddings);
  nlohmann::json result() const;

 private:
  nlohmann::json m_data = nlohmann::json::array();
  std::string m_model;
  std::int64_t m_prompt_tokens = 0;
  std::int64_t m_total_tokens = 0;
  bool m_estimated = false;
};

}  // namespace llmgw::cli
