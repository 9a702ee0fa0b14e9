// Anthropic Messages request → canonical request, validated at the edge (wire-formats
// §3.2-3.4). Every rejection names the field as Anthropic's own errors do:
// "messages.2.content.0.text".
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/frontends/anthropic_messages.hpp"
#include "core/providers/adapter_util.hpp"
#include "core/request_errors.hpp"

namespace llmgw::anthropic_front {

namespace {

using nlohmann::json;
using request_errors::echo;
using request_errors::reject;

// The canonical validator's limit (OpenAI's): more would be refused after mapping, under
// a field name the Anthropic client never sent.
constexpr std::size_t k_max_stop_sequences = 4;

// Top-level fields to_canonical carries; dropped_fields lists the others.
constexpr std::array<std::string_view, 12> k_carried_fields = {
    "model", "max_tokens", "messages", "system", "temperature", "top_p",
    "top_k", "stream",     "metadata", "tools",  "tool_choice", "stop_sequences"};

std::string item(const std::string& path, std::size_t index) {
  return path + "." + std::to_string(index);
}

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// "<path> must be <expected>, got <value>" (or ", but it is missing").
[[noreturn]] void wrong(const std::string& path, const std::string& expected, const json* value) {
  reject(path, path + " must be " + expected +
                   (value != nullptr ? ", got " + echo(*value) : ", but it is missing"));
}

// Optional members: absent and JSON null are both "not given".
const json* optional(const json& object, std::string_view key) {
  const json* value = adapter::member(object, key);
  return value != nullptr && !value->is_null() ? value : nullptr;
}

const json& required(const json& object, std::string_view key, const std::string& path,
                     const std::string& expected) {
  const json* value = adapter::member(object, key);
  if (value == nullptr)
    wrong(child(path, key), expected, nullptr);
  return *value;
}

const std::string& required_string(const json& object, std::string_view key,
                                   const std::string& path) {
  const json& value = required(object, key, path, "a string");
  if (!value.is_string())
    wrong(child(path, key), "a string", &value);
  return value.get_ref<const std::string&>();
}

bool integer_at_least(const json& value, std::int64_t minimum) {
  if (value.is_number_unsigned())
    return minimum <= 0 || value.get<std::uint64_t>() >= static_cast<std::uint64_t>(minimum);
  return value.is_number_integer() && value.get<std::int64_t>() >= minimum;
}

json text_part(const std::string& text) {
  return {{"type", "text"}, {"text", text}};
}

// A text block's text; cache_control and citations have no canonical place.
const std::string& block_text(const json& block, const std::string& path) {
  return required_string(block, "text", path);
}

std::string data_url(const json& source, const std::string& path) {
  return "data:" + required_string(source, "media_type", path) + ";base64," +
         required_string(source, "data", path);
}

const json& source_of(const json& block, const std::string& path) {
  const json& source = required(block, "source", path, "an object");
  if (!source.is_object())
    wrong(child(path, "source"), "an object", &source);
  return source;
}

[[noreturn]] void unsupported_source(const json& source, const std::string& path,
                                     const std::string& supported) {
  const std::string type_path = child(child(path, "source"), "type");
  const json* type = adapter::member(source, "type");
  if (type == nullptr || !type->is_string())
    wrong(type_path, "one of " + supported, type);
  reject(type_path, type_path + " \"" + type->get<std::string>() +
                        "\" is not supported by llmgw; send the content inline as " + supported);
}

json image_part(const json& block, const std::string& path) {
  const json& source = source_of(block, path);
  const std::string source_path = child(path, "source");
  const std::string_view type = adapter::text_member(source, "type");
  std::string url;
  if (type == "base64")
    url = data_url(source, source_path);
  else if (type == "url")
    url = required_string(source, "url", source_path);
  else
    unsupported_source(source, path, "base64 or url");
  return {{"type", "image_url"}, {"image_url", {{"url", std::move(url)}}}};
}

// Documents: a base64 one (a PDF) is OpenAI's file part, which the adapters carry; a
// plain-text one is its text.
json document_part(const json& block, const std::string& path) {
  const json& source = source_of(block, path);
  const std::string source_path = child(path, "source");
  const std::string_view type = adapter::text_member(source, "type");
  if (type == "base64")
    return {{"type", "file"}, {"file", {{"file_data", data_url(source, source_path)}}}};
  if (type == "text")
    return text_part(required_string(source, "data", source_path));
  unsupported_source(source, path, "base64 or text");
}

bool is_thinking(std::string_view type) {
  return type == "thinking" || type == "redacted_thinking";
}

const std::string& block_type(const json& block, const std::string& path) {
  if (!block.is_object())
    wrong(path, "a content block object", &block);
  return required_string(block, "type", path);
}

// Calls on_block(block, type, path) for each block of an array of content blocks, after
// checking that it is an object with a string type.
template <class OnBlock>
void each_block(const json& blocks, const std::string& path, OnBlock&& on_block) {
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::string block_path = item(path, i);
    on_block(blocks[i], block_type(blocks[i], block_path), block_path);
  }
}

[[noreturn]] void misplaced(const std::string& path, const std::string& type, const char* belongs) {
  reject(child(path, "type"),
         child(path, "type") + " \"" + type + "\" is only allowed in " + belongs + " messages");
}

[[noreturn]] void unsupported_block(const std::string& path, const std::string& type) {
  reject(child(path, "type"),
         child(path, "type") + " \"" + type +
             "\" is not supported by llmgw; supported blocks are text, image, document, "
             "tool_use, tool_result and thinking");
}

// A tool_result's content → the tool message's content: a string, or parts when it holds
// images (text parts then stay parts); is_error shows as k_tool_error_prefix.
json tool_result_content(const json& block, const std::string& path) {
  const std::string content_path = child(path, "content");
  const json* content = optional(block, "content");
  json parts = json::array();
  std::string text;
  bool has_image = false;
  if (content == nullptr) {
    // An empty answer.
  } else if (content->is_string()) {
    text = content->get<std::string>();
    parts.push_back(text_part(text));
  } else if (content->is_array()) {
    each_block(*content, content_path,
               [&](const json& inner, const std::string& type, const std::string& inner_path) {
                 if (type == "text") {
                   const std::string& piece = block_text(inner, inner_path);
                   text += piece;
                   parts.push_back(text_part(piece));
                 } else if (type == "image") {
                   has_image = true;
                   parts.push_back(image_part(inner, inner_path));
                 } else {
                   reject(child(inner_path, "type"),
                          child(inner_path, "type") + " \"" + type +
                              "\" is not supported in a tool_result by llmgw; use text or image "
                              "blocks");
                 }
               });
  } else {
    wrong(content_path, "a string or an array of text and image blocks", content);
  }

  bool is_error = false;
  if (const json* flag = optional(block, "is_error")) {
    if (!flag->is_boolean())
      wrong(child(path, "is_error"), "true or false", flag);
    is_error = flag->get<bool>();
  }
  if (!has_image) {
    return is_error ? std::string(k_tool_error_prefix) + text : text;
  }
  if (is_error) {
    if (!parts.empty() && parts[0]["type"] == "text")
      parts[0]["text"] = std::string(k_tool_error_prefix) + parts[0]["text"].get<std::string>();
    else
      parts.insert(parts.begin(), text_part(std::string(k_tool_error_prefix)));
  }
  return parts;
}

// A user message: tool_result blocks become tool messages, which come first; the other
// blocks stay one user message after them.
void add_user(json& out, const json& blocks, const std::string& path) {
  json parts = json::array();
  each_block(blocks, path, [&](const json& block, const std::string& type, const std::string& at) {
    if (type == "text") {
      parts.push_back(text_part(block_text(block, at)));
    } else if (type == "image") {
      parts.push_back(image_part(block, at));
    } else if (type == "document") {
      parts.push_back(document_part(block, at));
    } else if (type == "tool_result") {
      out.push_back({{"role", "tool"},
                     {"tool_call_id", required_string(block, "tool_use_id", at)},
                     {"content", tool_result_content(block, at)}});
    } else if (type == "tool_use") {
      misplaced(at, type, "assistant");
    } else if (!is_thinking(type)) {
      unsupported_block(at, type);
    }
  });
  if (!parts.empty())
    out.push_back({{"role", "user"}, {"content", std::move(parts)}});
}

json tool_call(const json& block, const std::string& path) {
  const std::string& id = required_string(block, "id", path);
  const std::string& name = required_string(block, "name", path);
  const json& input = required(block, "input", path, "an object");
  if (!input.is_object())
    wrong(child(path, "input"), "an object", &input);
  return {{"id", id},
          {"type", "function"},
          {"function", {{"name", name}, {"arguments", adapter::dump_json(input)}}}};
}

// An assistant message: text blocks → text parts, tool_use blocks → tool_calls (content
// null when there is no text, as OpenAI writes a turn that only calls tools).
void add_assistant(json& out, const json& blocks, const std::string& path) {
  json parts = json::array();
  json calls = json::array();
  each_block(blocks, path, [&](const json& block, const std::string& type, const std::string& at) {
    if (type == "text") {
      parts.push_back(text_part(block_text(block, at)));
    } else if (type == "tool_use") {
      calls.push_back(tool_call(block, at));
    } else if (type == "image" || type == "document" || type == "tool_result") {
      misplaced(at, type, "user");
    } else if (!is_thinking(type)) {
      unsupported_block(at, type);
    }
  });
  if (parts.empty() && calls.empty())
    return;
  json message = {{"role", "assistant"}};
  message["content"] = parts.empty() ? json(nullptr) : std::move(parts);
  if (!calls.empty())
    message["tool_calls"] = std::move(calls);
  out.push_back(std::move(message));
}

void add_message(json& out, const json& message, const std::string& path) {
  if (!message.is_object())
    wrong(path, "an object with role and content", &message);
  const std::string& role = required_string(message, "role", path);
  if (role != "user" && role != "assistant") {
    reject(child(path, "role"), child(path, "role") + " must be \"user\" or \"assistant\", got " +
                                    echo(message["role"]) +
                                    " (a system prompt goes in the top-level system field)");
  }
  const std::string content_path = child(path, "content");
  const json& content =
      required(message, "content", path, "a string or an array of content blocks");
  if (content.is_string()) {
    out.push_back({{"role", role}, {"content", content}});
  } else if (content.is_array()) {
    if (role == "user")
      add_user(out, content, content_path);
    else
      add_assistant(out, content, content_path);
  } else {
    wrong(content_path, "a string or an array of content blocks", &content);
  }
}

json system_message(const json& system) {
  if (system.is_string())
    return {{"role", "system"}, {"content", system}};
  if (!system.is_array())
    wrong("system", "a string or an array of text blocks", &system);
  json parts = json::array();
  each_block(system, "system",
             [&](const json& block, const std::string& type, const std::string& at) {
               if (type != "text")
                 wrong(child(at, "type"), "\"text\" in the system prompt", &block["type"]);
               parts.push_back(text_part(block_text(block, at)));
             });
  return {{"role", "system"}, {"content", std::move(parts)}};
}

json function_tool(const json& tool, const std::string& path) {
  if (!tool.is_object())
    wrong(path, "a tool object", &tool);
  if (const json* type = optional(tool, "type");
      type != nullptr && !adapter::is_text(*type, "custom")) {
    if (!type->is_string())
      wrong(child(path, "type"), "a string", type);
    reject(child(path, "type"),
           child(path, "type") + " \"" + type->get<std::string>() +
               "\" is a server tool, which llmgw cannot run; only custom tools (name, "
               "description, input_schema) are supported");
  }
  json function = {{"name", required_string(tool, "name", path)}};
  if (const json* description = optional(tool, "description")) {
    if (!description->is_string())
      wrong(child(path, "description"), "a string", description);
    function["description"] = *description;
  }
  const json& schema = required(tool, "input_schema", path, "a JSON Schema object");
  if (!schema.is_object())
    wrong(child(path, "input_schema"), "a JSON Schema object", &schema);
  function["parameters"] = schema;
  return {{"type", "function"}, {"function", std::move(function)}};
}

void map_tool_choice(const json& choice, json& out) {
  if (!choice.is_object())
    wrong("tool_choice", "an object such as {\"type\":\"auto\"}", &choice);
  const std::string& type = required_string(choice, "type", "tool_choice");
  if (type == "auto") {
    out["tool_choice"] = "auto";
  } else if (type == "any") {
    out["tool_choice"] = "required";
  } else if (type == "none") {
    out["tool_choice"] = "none";
  } else if (type == "tool") {
    out["tool_choice"] = {{"type", "function"},
                          {"function", {{"name", required_string(choice, "name", "tool_choice")}}}};
  } else {
    wrong("tool_choice.type", "one of auto, any, tool, none", &choice["type"]);
  }
  if (const json* flag = optional(choice, "disable_parallel_tool_use")) {
    if (!flag->is_boolean())
      wrong("tool_choice.disable_parallel_tool_use", "true or false", flag);
    if (flag->get<bool>())
      out["parallel_tool_calls"] = false;
  }
}

void copy_unit_number(const json& request, const char* key, json& out) {
  const json* value = optional(request, key);
  if (value == nullptr)
    return;
  if (!value->is_number() || value->get<double>() < 0 || value->get<double>() > 1)
    wrong(key, "a number between 0 and 1", value);
  out[key] = *value;
}

void map_stop_sequences(const json& request, json& out) {
  const json* stop = optional(request, "stop_sequences");
  if (stop == nullptr)
    return;
  if (!stop->is_array())
    wrong("stop_sequences", "an array of strings", stop);
  for (std::size_t i = 0; i < stop->size(); ++i) {
    if (!(*stop)[i].is_string())
      wrong(item("stop_sequences", i), "a string", &(*stop)[i]);
  }
  if (stop->size() > k_max_stop_sequences) {
    reject("stop_sequences", "stop_sequences may hold at most " +
                                 std::to_string(k_max_stop_sequences) +
                                 " sequences through llmgw, got " + std::to_string(stop->size()));
  }
  if (!stop->empty())
    out["stop"] = *stop;
}

void map_metadata(const json& request, json& out) {
  const json* metadata = optional(request, "metadata");
  if (metadata == nullptr)
    return;
  if (!metadata->is_object())
    wrong("metadata", "an object", metadata);
  if (const json* user = optional(*metadata, "user_id")) {
    if (!user->is_string())
      wrong("metadata.user_id", "a string", user);
    if (!user->get_ref<const std::string&>().empty())
      out["user"] = *user;
  }
}

}  // namespace

json to_canonical(const json& request) {
  if (!request.is_object())
    reject("", "the request body must be a JSON object, got " + echo(request));
  json out = json::object();

  const std::string& model = required_string(request, "model", "");
  if (model.empty())
    reject("model", "model must be a non-empty string");
  out["model"] = model;

  const json& max_tokens = required(request, "max_tokens", "", "an integer of at least 1");
  if (!integer_at_least(max_tokens, 1))
    wrong("max_tokens", "an integer of at least 1", &max_tokens);
  out["max_tokens"] = max_tokens;

  json messages = json::array();
  if (const json* system = optional(request, "system")) {
    json message = system_message(*system);
    // An empty system prompt says nothing; canonical readers need not see it.
    if (!message["content"].empty())
      messages.push_back(std::move(message));
  }
  const json& given = required(request, "messages", "", "an array of messages");
  if (!given.is_array())
    wrong("messages", "an array of messages", &given);
  if (given.empty())
    reject("messages", "messages must contain at least one message");
  for (std::size_t i = 0; i < given.size(); ++i)
    add_message(messages, given[i], item("messages", i));
  out["messages"] = std::move(messages);

  copy_unit_number(request, "temperature", out);
  copy_unit_number(request, "top_p", out);
  if (const json* top_k = optional(request, "top_k")) {
    if (!integer_at_least(*top_k, 0))
      wrong("top_k", "a non-negative integer", top_k);
    out["top_k"] = *top_k;
  }
  map_stop_sequences(request, out);
  map_metadata(request, out);

  if (const json* stream = optional(request, "stream")) {
    if (!stream->is_boolean())
      wrong("stream", "true or false", stream);
    out["stream"] = *stream;
    if (stream->get<bool>())
      out["stream_options"] = {{"include_usage", true}};
  }

  if (const json* tools = optional(request, "tools")) {
    if (!tools->is_array())
      wrong("tools", "an array of tools", tools);
    json mapped = json::array();
    for (std::size_t i = 0; i < tools->size(); ++i)
      mapped.push_back(function_tool((*tools)[i], item("tools", i)));
    if (!mapped.empty())
      out["tools"] = std::move(mapped);
  }
  if (const json* choice = optional(request, "tool_choice"))
    map_tool_choice(*choice, out);
  return out;
}

std::vector<std::string> dropped_fields(const json& request) {
  return adapter::keys_not_in(request, k_carried_fields);
}

}  // namespace llmgw::anthropic_front
