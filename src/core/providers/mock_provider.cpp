#include "core/providers/mock_provider.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "core/error.hpp"

namespace llmgw::mock {

namespace {

using nlohmann::json;

constexpr std::size_t k_chars_per_token = 4;
constexpr std::size_t k_words_per_piece = 4;

// Counts characters (UTF-8 code points), not bytes, so non-ASCII text is not overcounted.
std::size_t char_count(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
      ++count;
  }
  return count;
}

// The first max_chars characters of text, never splitting a UTF-8 sequence.
std::string first_chars(const std::string& text, std::size_t max_chars) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (seen == max_chars)
        return text.substr(0, i);
      ++seen;
    }
  }
  return text;
}

long tokens_for(std::size_t chars) {
  const std::size_t tokens = (chars + k_chars_per_token - 1) / k_chars_per_token;
  return static_cast<long>(tokens == 0 ? 1 : tokens);
}

// The text of a message's content: a string, or its text parts joined by newlines.
std::string message_text(const json& message) {
  if (!message.is_object())
    return {};
  const auto content = message.find("content");
  if (content == message.end())
    return {};
  if (content->is_string())
    return content->get<std::string>();
  std::string text;
  if (!content->is_array())
    return text;
  bool first = true;
  for (const auto& part : *content) {
    if (!part.is_object() || part.value("type", "") != "text")
      continue;
    const auto part_text = part.find("text");
    if (part_text == part.end() || !part_text->is_string())
      continue;
    if (!first)
      text += '\n';
    text += part_text->get_ref<const std::string&>();
    first = false;
  }
  return text;
}

// max_completion_tokens is the current name; max_tokens its deprecated predecessor.
std::optional<std::uint64_t> max_tokens_of(const json& request) {
  for (const char* name : {"max_completion_tokens", "max_tokens"}) {
    const auto it = request.find(name);
    if (it != request.end() && it->is_number_integer() && *it > 0) {
      return it->get<std::uint64_t>();
    }
  }
  return std::nullopt;
}

json chunk_base(const json& response) {
  return {{"id", response.value("id", "")},
          {"object", "chat.completion.chunk"},
          {"created", response.value("created", 0L)},
          {"model", response.value("model", "")}};
}

json choice_chunk(const json& response, json delta, const json& finish_reason) {
  json chunk = chunk_base(response);
  chunk["choices"] = json::array({{{"index", 0},
                                   {"delta", std::move(delta)},
                                   {"logprobs", nullptr},
                                   {"finish_reason", finish_reason}}});
  return chunk;
}

// Pieces of at most k_words_per_piece words, each word keeping the spaces after it, so
// the pieces concatenate back to the exact text.
std::vector<std::string> split_pieces(const std::string& text) {
  std::vector<std::string> pieces;
  std::string piece;
  std::size_t words = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    piece += text[i];
    const bool word_ends = text[i] == ' ' && (i + 1 == text.size() || text[i + 1] != ' ');
    if (word_ends && ++words == k_words_per_piece) {
      pieces.push_back(std::move(piece));
      piece.clear();
      words = 0;
    }
  }
  if (!piece.empty())
    pieces.push_back(std::move(piece));
  return pieces;
}

}  // namespace

const std::vector<std::string>& known_models() {
  static const std::vector<std::string> k_models = {"echo", "slow", "embed", "image"};
  return k_models;
}

bool is_known_model(std::string_view model) {
  const auto& models = known_models();
  return std::find(models.begin(), models.end(), model) != models.end();
}

void require_operation(std::string_view model, Operation operation) {
  struct Kind {
    const char* what;    // what its models are, e.g. "a chat model"
    const char* makes;   // what a call of this operation makes
    const char* models;  // the mock models that do it
  };
  const auto kind_of = [](Operation op) {
    switch (op) {
      case Operation::embeddings:
        return Kind{"an embeddings model", "embeddings", "mock/embed"};
      case Operation::images:
        return Kind{"an image model", "images", "mock/image"};
      case Operation::chat:
        break;
    }
    return Kind{"a chat model", "chat completions", "mock/echo or mock/slow"};
  };
  const Operation actual = model == "embed"   ? Operation::embeddings
                           : model == "image" ? Operation::images
                                              : Operation::chat;
  if (actual == operation)
    return;
  Error error = make_error(ErrorKind::invalid_request,
                           "mock/" + std::string(model) + " is " + kind_of(actual).what +
                               " and makes no " + kind_of(operation).makes,
                           std::string("use ") + kind_of(operation).models);
  error.param = "model";
  error.provider = "mock";
  throw GatewayError(std::move(error));
}

json respond(const json& request, const std::string& model, long created) {
  const json messages = request.is_object() ? request.value("messages", json::array()) : json();
  std::size_t prompt_chars = 0;
  std::string last_user;
  if (messages.is_array()) {
    for (const auto& message : messages) {
      const std::string text = message_text(message);
      prompt_chars += char_count(text);
      if (message.is_object() && message.value("role", "") == "user")
        last_user = text;
    }
  }

  std::string reply = std::string(k_reply_prefix) + last_user;
  std::string finish_reason = "stop";
  if (const auto max_tokens = max_tokens_of(request)) {
    const std::uint64_t max_chars = *max_tokens * k_chars_per_token;
    if (char_count(reply) > max_chars) {
      reply = first_chars(reply, static_cast<std::size_t>(max_chars));
      finish_reason = "length";
    }
  }

  // Deterministic for a given conversation within one build, like a cache key would be.
  const std::size_t hash =
      std::hash<std::string>{}(messages.dump(-1, ' ', false, json::error_handler_t::replace));
  char hex[2 * sizeof(std::size_t) + 1];
  std::snprintf(hex, sizeof hex, "%0*zx", static_cast<int>(2 * sizeof(std::size_t)), hash);

  const long prompt_tokens = tokens_for(prompt_chars);
  const long completion_tokens = tokens_for(char_count(reply));
  return {
      {"id", std::string("chatcmpl-mock-") + hex},
      {"object", "chat.completion"},
      {"created", created},
      {"model", "mock/" + model},
      {"choices",
       json::array({{{"index", 0},
                     {"message", {{"role", "assistant"}, {"content", reply}, {"refusal", nullptr}}},
                     {"logprobs", nullptr},
                     {"finish_reason", finish_reason}}})},
      {"usage",
       {{"prompt_tokens", prompt_tokens},
        {"completion_tokens", completion_tokens},
        {"total_tokens", prompt_tokens + completion_tokens}}},
  };
}

std::vector<json> stream_chunks(const json& response) {
  std::vector<json> chunks;
  std::string content;
  json finish_reason = "stop";
  if (const auto choices = response.find("choices");
      choices != response.end() && choices->is_array() && !choices->empty()) {
    const json& choice = choices->front();
    if (const auto message = choice.find("message"); message != choice.end()) {
      const auto text = message->find("content");
      if (text != message->end() && text->is_string())
        content = *text;
    }
    finish_reason = choice.value("finish_reason", json("stop"));
  }

  chunks.push_back(choice_chunk(response, {{"role", "assistant"}, {"content", ""}}, nullptr));
  for (auto& piece : split_pieces(content)) {
    chunks.push_back(choice_chunk(response, {{"content", std::move(piece)}}, nullptr));
  }
  chunks.push_back(choice_chunk(response, json::object(), finish_reason));
  json usage_chunk = chunk_base(response);
  usage_chunk["choices"] = json::array();
  usage_chunk["usage"] = response.value("usage", json::object());
  chunks.push_back(std::move(usage_chunk));
  return chunks;
}

}  // namespace llmgw::mock
