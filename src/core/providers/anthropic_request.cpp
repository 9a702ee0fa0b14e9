// Anthropic request side: canonical (OpenAI) request → Messages API request.
#include "core/providers/anthropic_adapter.hpp"
#include "core/providers/anthropic_internal.hpp"

namespace llmgw::anthropic {

using namespace detail;

namespace {

// Top-level request fields the mapping carries; everything else is dropped.
constexpr const char* k_carried_fields[] = {
    "model",
    "messages",
    "max_tokens",
    "max_completion_tokens",
    "stop",
    "temperature",
    "top_p",
    "top_k",
    "stream",
    "user",
    "safety_identifier",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
};

void copy_cache_control(const json& from, json& to) {
  if (const auto it = from.find("cache_control"); it != from.end() && it->is_object())
    to["cache_control"] = *it;
}

// "data:<media type>;base64,<data>" → {media_type, data}; nullopt when not that form.
std::optional<std::pair<std::string, std::string>> parse_data_url(const std::string& url) {
  constexpr std::string_view prefix = "data:";
  constexpr std::string_view marker = ";base64,";
  if (url.rfind(prefix, 0) != 0)
    return std::nullopt;
  const auto pos = url.find(marker);
  if (pos == std::string::npos || pos == prefix.size())
    return std::nullopt;
  return std::pair{url.substr(prefix.size(), pos - prefix.size()), url.substr(pos + marker.size())};
}

json image_block(const json& part, const std::string& path) {
  const auto image = part.find("image_url");
  std::string url;
  if (image != part.end() && image->is_string()) {
    url = *image;
  } else if (image != part.end() && image->is_object() && image->contains("url") &&
             (*image)["url"].is_string()) {
    url = (*image)["url"];
  } else {
    invalid(path + ".image_url.url must be a string", path + ".image_url.url");
  }
  json block = {{"type", "image"}};
  if (const auto data = parse_data_url(url)) {
    block["source"] = {{"type", "base64"}, {"media_type", data->first}, {"data", data->second}};
  } else if (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) {
    block["source"] = {{"type", "url"}, {"url", url}};
  } else {
    invalid(path + ".image_url.url must be a base64 data URL or an http(s) URL for anthropic",
            path + ".image_url.url");
  }
  copy_cache_control(part, block);
  return block;
}

// OpenAI {type:"file", file:{file_data:"data:application/pdf;base64,..."}} → document.
json file_block(const json& part, const std::string& path) {
  const json& data_url = member_or_null(member_or_null(part, "file"), "file_data");
  const auto data =
      data_url.is_string() ? parse_data_url(data_url.get<std::string>()) : std::nullopt;
  if (!data) {
    invalid(path + ".file.file_data must be a base64 data URL for anthropic",
            path + ".file.file_data");
  }
  json block = {
      {"type", "document"},
      {"source", {{"type", "base64"}, {"media_type", data->first}, {"data", data->second}}}};
  copy_cache_control(part, block);
  return block;
}

void add_text(json& blocks, const std::string& text, const json* part = nullptr) {
  // Anthropic rejects empty text blocks.
  if (text.empty())
    return;
  json block = json::object();
  block["type"] = "text";
  block["text"] = text;
  if (part != nullptr)
    copy_cache_control(*part, block);
  blocks.push_back(std::move(block));
}

// A message's content (string, null or parts) → Anthropic blocks. `assistant` allows
// refusal parts and forbids media.
json content_blocks(const json& content, const std::string& path, bool assistant) {
  json blocks = json::array();
  if (content.is_null())
    return blocks;
  if (content.is_string()) {
    add_text(blocks, content.get_ref<const std::string&>());
    return blocks;
  }
  if (!content.is_array())
    invalid(path + " must be a string or an array of content parts", path);
  for (std::size_t j = 0; j < content.size(); ++j) {
    const json& part = content[j];
    const std::string part_path = at(path, j);
    if (!part.is_object() || !part.contains("type") || !part["type"].is_string())
      invalid(part_path + " must be an object with a string type", part_path + ".type");
    const std::string type = part["type"];
    if (type == "text") {
      if (!part.contains("text") || !part["text"].is_string())
        invalid(part_path + ".text must be a string", part_path + ".text");
      add_text(blocks, part["text"].get<std::string>(), &part);
    } else if (type == "refusal" && assistant) {
      if (!part.contains("refusal") || !part["refusal"].is_string())
        invalid(part_path + ".refusal must be a string", part_path + ".refusal");
      add_text(blocks, part["refusal"].get<std::string>());
    } else if (type == "image_url" && !assistant) {
      blocks.push_back(image_block(part, part_path));
    } else if (type == "file" && !assistant) {
      blocks.push_back(file_block(part, part_path));
    } else {
      invalid("content part type \"" + type + "\" is not supported by anthropic",
              part_path + ".type");
    }
  }
  return blocks;
}

json tool_use_blocks(const json& tool_calls, const std::string& path) {
  json blocks = json::array();
  if (tool_calls.is_null())
    return blocks;
  if (!tool_calls.is_array())
    invalid(path + " must be an array", path);
  for (std::size_t j = 0; j < tool_calls.size(); ++j) {
    const json& call = tool_calls[j];
    const std::string call_path = at(path, j);
    if (!call.is_object() || !call.contains("id") || !call["id"].is_string())
      invalid(call_path + ".id must be a string", call_path + ".id");
    const json& function = member_or_null(call, "function");
    if (!function.is_object() || !function.contains("name") || !function["name"].is_string())
      invalid(call_path + ".function.name must be a string", call_path + ".function.name");
    const std::string args_path = call_path + ".function.arguments";
    const json& arguments = member_or_null(function, "arguments");
    json input;
    if (arguments.is_null()) {
      input = json::object();
    } else if (arguments.is_object()) {
      input = arguments;
    } else if (arguments.is_string()) {
      const std::string text = trim(arguments.get<std::string>());
      // Some clients send "" for a call without arguments.
      input = text.empty() ? json::object() : json::parse(text, nullptr, false);
    }
    if (input.is_discarded() || !input.is_object())
      invalid(args_path + " must be a JSON object (as a string)", args_path);
    blocks.push_back({{"type", "tool_use"},
                      {"id", call["id"]},
                      {"name", function["name"]},
                      {"input", std::move(input)}});
  }
  return blocks;
}

json tool_result_block(const json& message, const std::string& path) {
  const json& id = member_or_null(message, "tool_call_id");
  if (!id.is_string())
    invalid(path + ".tool_call_id must be a string", path + ".tool_call_id");
  const json& content = member_or_null(message, "content");
  json block = {{"type", "tool_result"}, {"tool_use_id", id}};
  if (content.is_null()) {
    block["content"] = "";
  } else if (content.is_string()) {
    block["content"] = content;
  } else {
    block["content"] = content_blocks(content, path + ".content", false);
  }
  return block;
}

struct Turn {
  std::string role;  // "user" or "assistant"
  json blocks = json::array();
};

bool has_type(const json& block, std::string_view type) {
  return is_text(member_or_null(block, "type"), type);
}

std::size_t leading_tool_results(const json& blocks) {
  std::size_t n = 0;
  while (n < blocks.size() && has_type(blocks[n], "tool_result"))
    ++n;
  return n;
}

// Appends blocks to the conversation, merging into the last turn when it has the same
// role. tool_result blocks go after the turn's existing tool results and before its
// other blocks, as Anthropic expects. A message without blocks (content "" and no tool
// calls) opens no turn, so that its neighbours merge instead of becoming two
// consecutive turns of one role (wire-formats §3.2).
void append(std::vector<Turn>& turns, const std::string& role, json blocks) {
  if (blocks.empty())
    return;
  if (turns.empty() || turns.back().role != role)
    turns.push_back(Turn{role, json::array()});
  json& target = turns.back().blocks;
  for (auto& block : blocks) {
    if (has_type(block, "tool_result")) {
      const auto position = static_cast<std::ptrdiff_t>(leading_tool_results(target));
      target.insert(target.begin() + position, std::move(block));
    } else {
      target.push_back(std::move(block));
    }
  }
}

json turn_content(json blocks) {
  if (blocks.size() == 1 && blocks[0].size() == 2 && has_type(blocks[0], "text"))
    return std::move(blocks[0]["text"]);
  return blocks;
}

json system_field(const json& parts) {
  bool any_cache_control = false;
  for (const auto& part : parts)
    any_cache_control = any_cache_control || part.contains("cache_control");
  if (any_cache_control)
    return parts;
  std::string joined;
  for (const auto& part : parts) {
    if (!joined.empty())
      joined += "\n\n";
    joined += part["text"].get<std::string>();
  }
  return joined;
}

json map_tools(const json& tools) {
  if (!tools.is_array())
    invalid("tools must be an array", "tools");
  json out = json::array();
  for (std::size_t i = 0; i < tools.size(); ++i) {
    const json& tool = tools[i];
    const std::string path = at("tools", i);
    const json& type = member_or_null(tool, "type");
    if (!tool.is_object() || !(type.is_null() || is_text(type, "function")))
      invalid(path + ".type must be \"function\" for anthropic", path + ".type");
    const json& function = member_or_null(tool, "function");
    if (!function.is_object() || !function.contains("name") || !function["name"].is_string())
      invalid(path + ".function.name must be a string", path + ".function.name");
    json mapped = json::object();
    mapped["name"] = function["name"];
    if (const auto it = function.find("description"); it != function.end() && it->is_string())
      mapped["description"] = *it;
    const json& parameters = member_or_null(function, "parameters");
    mapped["input_schema"] = parameters.is_object() ? parameters : json{{"type", "object"}};
    copy_cache_control(tool, mapped);
    out.push_back(std::move(mapped));
  }
  return out;
}

json map_tool_choice(const json& choice) {
  if (choice.is_string()) {
    const std::string value = choice;
    if (value == "auto")
      return {{"type", "auto"}};
    if (value == "required")
      return {{"type", "any"}};
    if (value == "none")
      return {{"type", "none"}};
  } else if (choice.is_object()) {
    const json function = choice.value("function", json());
    if (function.is_object() && function.contains("name") && function["name"].is_string())
      return {{"type", "tool"}, {"name", function["name"]}};
  }
  invalid(
      "tool_choice must be \"auto\", \"required\", \"none\" or {\"type\":\"function\","
      "\"function\":{\"name\":...}}",
      "tool_choice");
}

bool is_null_or_missing(const json& request, const char* key) {
  const auto it = request.find(key);
  return it == request.end() || it->is_null();
}

}  // namespace

json to_anthropic_request(const json& request, const std::string& upstream_model, bool stream) {
  if (!request.is_object())
    invalid("the request must be a JSON object", "");
  const json& messages = member_or_null(request, "messages");
  if (!messages.is_array())
    invalid("messages must be an array", "messages");

  json system_parts = json::array();
  std::vector<Turn> turns;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const json& message = messages[i];
    const std::string path = at("messages", i);
    if (!message.is_object() || !message.contains("role") || !message["role"].is_string())
      invalid(path + ".role must be a string", path + ".role");
    const std::string& role = message["role"].get_ref<const std::string&>();
    const json& content = member_or_null(message, "content");
    if (role == "system" || role == "developer") {
      for (auto& block : content_blocks(content, path + ".content", true))
        system_parts.push_back(std::move(block));
    } else if (role == "user") {
      append(turns, "user", content_blocks(content, path + ".content", false));
    } else if (role == "assistant") {
      json blocks = content_blocks(content, path + ".content", true);
      for (auto& block :
           tool_use_blocks(member_or_null(message, "tool_calls"), path + ".tool_calls")) {
        blocks.push_back(std::move(block));
      }
      append(turns, "assistant", std::move(blocks));
    } else if (role == "tool") {
      append(turns, "user", json::array({tool_result_block(message, path)}));
    } else {
      invalid("message role \"" + role + "\" is not supported by anthropic", path + ".role");
    }
  }

  // A final assistant turn is a prefill, which Anthropic rejects when it ends in whitespace.
  if (!turns.empty() && turns.back().role == "assistant") {
    json& blocks = turns.back().blocks;
    if (!blocks.empty() && blocks.back()["type"] == "text") {
      std::string text = blocks.back()["text"];
      const auto last = text.find_last_not_of(" \t\r\n\f\v");
      text.erase(last == std::string::npos ? 0 : last + 1);
      if (text.empty())
        blocks.erase(blocks.end() - 1);
      else
        blocks.back()["text"] = text;
    }
  }

  json out = json::object();
  out["model"] = upstream_model;
  if (!system_parts.empty())
    out["system"] = system_field(system_parts);
  json anthropic_messages = json::array();
  for (auto& turn : turns) {
    if (turn.blocks.empty())
      continue;
    json entry = json::object();
    entry["role"] = turn.role;
    entry["content"] = turn_content(std::move(turn.blocks));
    anthropic_messages.push_back(std::move(entry));
  }
  out["messages"] = std::move(anthropic_messages);

  json max_tokens = k_default_max_tokens;
  for (const char* key : {"max_completion_tokens", "max_tokens"}) {
    if (is_null_or_missing(request, key))
      continue;
    if (!request[key].is_number_integer() || request[key].get<std::int64_t>() < 0)
      invalid(std::string(key) + " must be a non-negative integer", key);
    max_tokens = request[key];
    break;
  }
  out["max_tokens"] = max_tokens;

  if (!is_null_or_missing(request, "stop")) {
    const json& stop = request["stop"];
    const json list = stop.is_string() ? json::array({stop}) : stop;
    if (!list.is_array())
      invalid("stop must be a string or an array of strings", "stop");
    json sequences = json::array();
    for (const auto& sequence : list) {
      if (!sequence.is_string())
        invalid("stop must be a string or an array of strings", "stop");
      // Anthropic rejects whitespace-only stop sequences.
      if (!trim(sequence.get<std::string>()).empty())
        sequences.push_back(sequence);
    }
    if (!sequences.empty())
      out["stop_sequences"] = std::move(sequences);
  }

  if (!is_null_or_missing(request, "temperature")) {
    const json& temperature = request["temperature"];
    if (!temperature.is_number() || temperature.get<double>() < 0 ||
        temperature.get<double>() > 1) {
      invalid("temperature must be between 0 and 1 for anthropic", "temperature");
    }
    out["temperature"] = temperature;
  }
  for (const char* key : {"top_p", "top_k"}) {
    if (!is_null_or_missing(request, key))
      out[key] = request[key];
  }

  for (const char* key : {"user", "safety_identifier"}) {
    if (!is_null_or_missing(request, key) && request[key].is_string() &&
        !request[key].get<std::string>().empty()) {
      out["metadata"] = {{"user_id", request[key]}};
      break;
    }
  }

  if (!is_null_or_missing(request, "tools"))
    out["tools"] = map_tools(request["tools"]);
  if (!is_null_or_missing(request, "tool_choice"))
    out["tool_choice"] = map_tool_choice(request["tool_choice"]);
  // Only meaningful (and only accepted) next to tools.
  if (request.value("parallel_tool_calls", json()) == false && out.contains("tools")) {
    json& choice = out["tool_choice"];
    if (choice.is_null())
      choice = {{"type", "auto"}};
    // "none" accepts no disable_parallel_tool_use; with no tool calls it means nothing.
    if (choice["type"] != "none")
      choice["disable_parallel_tool_use"] = true;
  }

  if (stream)
    out["stream"] = true;
  return out;
}

std::vector<std::string> dropped_fields(const json& request) {
  return adapter::keys_not_in(request, k_carried_fields);
}

HttpRequest build_chat_request(const json& request, const std::string& upstream_model,
                               const Endpoint& endpoint, bool stream) {
  const json body = to_anthropic_request(request, upstream_model, stream);
  HttpRequest out;
  out.method = "POST";
  std::string base = endpoint.base_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  out.url = base + "/messages";
  out.headers.emplace_back("content-type", "application/json");
  out.headers.emplace_back("accept", stream ? "text/event-stream" : "application/json");
  if (!endpoint.api_key.empty()) {
    if (endpoint.auth == AuthStyle::bearer)
      out.headers.emplace_back("authorization", "Bearer " + endpoint.api_key);
    else if (endpoint.auth != AuthStyle::none)
      out.headers.emplace_back("x-api-key", endpoint.api_key);
  }
  out.headers.emplace_back("anthropic-version", k_api_version);
  out.headers.emplace_back("user-agent", std::string("llmgw/") + LLMGW_VERSION);
  out.body = adapter::dump_json(body);
  out.timeouts = endpoint.timeouts;
  return out;
}

}  // namespace llmgw::anthropic
