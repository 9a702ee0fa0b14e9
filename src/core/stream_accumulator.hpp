// Folds canonical stream chunks back into one chat.completion response: content and
// refusal concatenated per choice, tool_calls joined by index (id/name from the first
// fragment, arguments appended), finish_reason kept, usage taken from the usage chunk.
// Used so a streamed answer can be returned whole (--json, ledger, cache).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace llmgw {

class StreamAccumulator {
 public:
  void add(const nlohmann::json& chunk);
  bool empty() const { return m_chunks == 0; }
  // All of a stream's chunks folded at once.
  static nlohmann::json fold(const std::vector<nlohmann::json>& chunks);
  // The response so far (valid at any point; a cut-off stream gives a partial answer).
  nlohmann::json response() const;

 private:
  std::size_t m_chunks = 0;
  nlohmann::json m_head;  // id, created, model, system_fingerprint...
  nlohmann::json m_choices = nlohmann::json::array();
  std::optional<nlohmann::json> m_usage;
};

}  // namespace llmgw
