#include "core/validation.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/request_errors.hpp"

namespace llmgw {

using request_errors::at;
using request_errors::echo;
using request_errors::reject;

namespace {

using nlohmann::json;

constexpr std::size_t k_max_stop_sequences = 4;
constexpr std::array<std::string_view, 5> k_roles = {"system", "developer", "user", "assistant",
                                                     "tool"};

// Optional fields accept JSON null as "not given", as the OpenAI schema does.
const json* optional_field(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null())
    return nullptr;
  return &*it;
}

// The schema types these fields as integers; JSON 2.0 parses as a float and is rejected.
bool is_integer_at_least(const json& value, std::int64_t minimum) {
  if (value.is_number_unsigned()) {
    return minimum <= 0 || value.get<std::uint64_t>() >= static_cast<std::uint64_t>(minimum);
  }
  return value.is_number_integer() && value.get<std::int64_t>() >= minimum;
}

std::string format_number(double number) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
  return std::string(buffer.data(), result.ptr);
}

void check_number_range(const json& request, const char* name, double low, double high) {
  const json* value = optional_field(request, name);
  if (value == nullptr)
    return;
  if (value->is_number()) {
    const double number = value->get<double>();
    if (number >= low && number <= high)
      return;
  }
  reject(name, std::string(name) + " must be a number between " + format_number(low) + " and " +
                   format_number(high) + ", got " + echo(*value));
}

void check_positive_integer(const json& request, const char* name) {
  const json* value = optional_field(request, name);
  if (value != nullptr && !is_integer_at_least(*value, 1)) {
    reject(name, std::string(name) + " must be a positive integer, got " + echo(*value));
  }
}

void check_content_parts(const json& parts, const std::string& path) {
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const json& part = parts[i];
    const std::string part_path = at(path, i);
    if (!part.is_object()) {
      reject(part_path, part_path + " must be an object, got " + echo(part));
    }
    const auto type = part.find("type");
    if (type == part.end() || !type->is_string()) {
      reject(part_path + ".type", part_path + ".type must be a string" +
                                      (type == part.end() ? std::string(", but it is missing")
                                                          : ", got " + echo(*type)));
    }
    if (type->get_ref<const std::string&>() == "text") {
      const auto text = part.find("text");
      if (text == part.end() || !text->is_string()) {
        reject(part_path + ".text", part_path + ".text must be a string in a text part" +
                                        (text == part.end() ? std::string(", but it is missing")
                                                            : ", got " + echo(*text)));
      }
    }
  }
}

bool has_tool_calls(const json& message) {
  const auto it = message.find("tool_calls");
  return it != message.end() && it->is_array() && !it->empty();
}

void check_tool_calls(const json& message, const std::string& path) {
  const json* calls = optional_field(message, "tool_calls");
  if (calls == nullptr)
    return;
  const std::string calls_path = path + ".tool_calls";
  if (!calls->is_array()) {
    reject(calls_path, calls_path + " must be an array, got " + echo(*calls));
  }
  for (std::size_t i = 0; i < calls->size(); ++i) {
    const json& call = (*calls)[i];
    const std::string call_path = at(calls_path, i);
    if (!call.is_object()) {
      reject(call_path, call_path + " must be an object, got " + echo(call));
    }
    const auto function = call.find("function");
    if (function == call.end() || !function->is_object()) {
      reject(call_path + ".function", call_path + ".function must be an object with a name");
    }
    const auto name = function->find("name");
    if (name == function->end() || !name->is_string()) {
      reject(call_path + ".function.name", call_path + ".function.name must be a string");
    }
  }
}

void check_message(const json& message, std::size_t index) {
  const std::string path = at("messages", index);
  if (!message.is_object()) {
    reject(path, path + " must be an object, got " + echo(message));
  }
  const auto role_it = message.find("role");
  bool role_ok = false;
  if (role_it != message.end() && role_it->is_string()) {
    const auto& given = role_it->get_ref<const std::string&>();
    for (const auto role : k_roles)
      role_ok = role_ok || given == role;
  }
  if (!role_ok) {
    reject(path + ".role", path + ".role must be one of system, developer, user, assistant, tool");
  }
  const std::string& role = role_it->get_ref<const std::string&>();
  const bool assistant = role == "assistant";

  if (assistant)
    check_tool_calls(message, path);

  const std::string content_path = path + ".content";
  const auto content = message.find("content");
  // OpenAI lets an assistant turn that only calls tools omit its content or send null.
  const bool content_optional = assistant && has_tool_calls(message);
  if (content == message.end()) {
    if (!content_optional)
      reject(content_path, content_path + " is required");
  } else if (content->is_array()) {
    check_content_parts(*content, content_path);
  } else if (!content->is_string() && !(content->is_null() && content_optional)) {
    reject(content_path, content_path + " must be a string or an array of content parts" +
                             std::string(assistant ? " (or null when tool_calls are given)" : "") +
                             ", got " + echo(*content));
  }

  if (role == "tool") {
    const auto id = message.find("tool_call_id");
    if (id == message.end() || !id->is_string()) {
      reject(path + ".tool_call_id",
             path + ".tool_call_id must be a string naming the tool call this message answers");
    }
  }
}

void check_stop(const json& request) {
  const json* stop = optional_field(request, "stop");
  if (stop == nullptr || stop->is_string())
    return;
  if (!stop->is_array()) {
    reject("stop", "stop must be a string or an array of strings, got " + echo(*stop));
  }
  if (stop->size() > k_max_stop_sequences) {
    reject("stop", "stop must have at most 4 sequences, got " + std::to_string(stop->size()));
  }
  for (std::size_t i = 0; i < stop->size(); ++i) {
    if (!(*stop)[i].is_string()) {
      reject(at("stop", i), at("stop", i) + " must be a string, got " + echo((*stop)[i]));
    }
  }
}

}  // namespace

void validate_chat_request(const json& request) {
  if (!request.is_object()) {
    reject("", "the request body must be a JSON object, got " + echo(request));
  }

  if (const auto model = request.find("model"); model != request.end()) {
    if (!model->is_string() || model->get_ref<const std::string&>().empty()) {
      reject("model", "model must be a non-empty string, got " + echo(*model));
    }
  }

  const auto messages = request.find("messages");
  if (messages == request.end())
    reject("messages", "messages is required");
  if (!messages->is_array()) {
    reject("messages", "messages must be an array of messages, got " + echo(*messages));
  }
  if (messages->empty())
    reject("messages", "messages must contain at least one message");
  for (std::size_t i = 0; i < messages->size(); ++i)
    check_message((*messages)[i], i);

  check_number_range(request, "temperature", 0, 2);
  check_number_range(request, "top_p", 0, 1);
  check_positive_integer(request, "max_tokens");
  check_positive_integer(request, "max_completion_tokens");
  if (const json* n = optional_field(request, "n")) {
    if (!is_integer_at_least(*n, 1)) {
      reject("n", "n must be an integer of at least 1, got " + echo(*n));
    }
  }
  if (const json* stream = optional_field(request, "stream"); stream && !stream->is_boolean()) {
    reject("stream", "stream must be true or false, got " + echo(*stream));
  }
  check_stop(request);
  if (const json* tools = optional_field(request, "tools"); tools && !tools->is_array()) {
    reject("tools", "tools must be an array, got " + echo(*tools));
  }
}

}  // namespace llmgw
