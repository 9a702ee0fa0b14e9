#include "cli/transcript.hpp"

#include "cli/money_text.hpp"
#include "core/time_text.hpp"

namespace llmgw::cli {

namespace {

template <class T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

std::string answer_heading(const StoredMessage& message) {
  std::string heading =
      "## " + message.model.value_or("answer") + " · " + local_minute_text(message.ts_ms);
  if (message.input_tokens && message.output_tokens) {
    heading += " · " + std::to_string(*message.input_tokens) + " in, " +
               std::to_string(*message.output_tokens) + " out";
  }
  if (message.cost_usd)
    heading += " · " + usd_text(*message.cost_usd);
  if (message.latency_ms)
    heading += " · " + std::to_string(*message.latency_ms) + " ms";
  return heading;
}

std::string ending_newline(const std::string& text) {
  return text.empty() || text.back() == '\n' ? text : text + "\n";
}

}  // namespace

std::string markdown_transcript(const Conversation& conversation) {
  double cost = 0;
  bool unpriced = false;
  for (const StoredMessage& message : conversation.messages) {
    if (message.role != "assistant")
      continue;
    if (message.cost_usd)
      cost += *message.cost_usd;
    else
      unpriced = true;
  }
  std::string text = conversation.id > 0
                         ? "# Conversation " + std::to_string(conversation.id) + "\n\n"
                         : std::string("# Conversation\n\n");
  text += "- model: " + conversation.model + "\n";
  text += "- started: " + local_minute_text(conversation.created_ms) +
          " · updated: " + local_minute_text(conversation.updated_ms) + "\n";
  const std::size_t count = conversation.messages.size();
  text += "- " + std::to_string(count) + (count == 1 ? " message" : " messages") + " · cost " +
          usd_text(cost) + (unpriced ? " and some unknown (no price, or cut short)" : "") + "\n";
  if (conversation.system)
    text += "\n## System\n\n" + ending_newline(*conversation.system);
  for (const StoredMessage& message : conversation.messages) {
    text += message.role == "user" ? "\n## You · " + local_minute_text(message.ts_ms) + "\n\n"
                                   : "\n" + answer_heading(message) + "\n\n";
    text += ending_newline(message.content);
    if (message.cut)
      text += "\n*[answer cut short]*\n";
  }
  return text;
}

nlohmann::json conversation_json(const Conversation& conversation) {
  nlohmann::json messages = nlohmann::json::array();
  for (const StoredMessage& message : conversation.messages) {
    messages.push_back({{"role", message.role},
                        {"content", message.content},
                        {"time", utc_iso_text(message.ts_ms)},
                        {"model", or_null(message.model)},
                        {"input_tokens", or_null(message.input_tokens)},
                        {"output_tokens", or_null(message.output_tokens)},
                        {"cost_usd", or_null(message.cost_usd)},
                        {"latency_ms", or_null(message.latency_ms)},
                        {"cut", message.cut}});
  }
  return {{"id", conversation.id},
          {"created", utc_iso_text(conversation.created_ms)},
          {"updated", utc_iso_text(conversation.updated_ms)},
          {"model", conversation.model},
          {"system", or_null(conversation.system)},
          {"messages", std::move(messages)}};
}

}  // namespace llmgw::cli
