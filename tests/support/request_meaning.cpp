// The meaning of a canonical request; the rules are in the header.
#include "support/request_meaning.hpp"

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "core/providers/adapter_util.hpp"

namespace llmgw::test {

using adapter::member_or_null;
using nlohmann::json;

namespace {

// Appends a part, concatenating text onto text and dropping empty text.
void add_part(json& parts, json part) {
  if (part.contains("text")) {
    const std::string text = part["text"];
    if (text.empty())
      return;
    if (!parts.empty() && parts.back().contains("text")) {
      parts.back()["text"] = parts.back()["text"].get<std::string>() + text;
      return;
    }
  }
  parts.push_back(std::move(part));
}

json image_meaning(const json& part) {
  const json& image = member_or_null(part, "image_url");
  const json& url_value = image.is_string() ? image : member_or_null(image, "url");
  const std::string url = url_value.is_string() ? url_value.get<std::string>() : "";
  constexpr std::string_view prefix = "data:";
  constexpr std::string_view marker = ";base64,";
  const auto at = url.find(marker);
  if (url.rfind(prefix, 0) == 0 && at != std::string::npos) {
    return {{"image",
             {{"media_type", url.substr(prefix.size(), at - prefix.size())},
              {"data", url.substr(at + marker.size())}}}};
  }
  return {{"image", {{"url", url}}}};
}

// Content (string, null or parts) → meaning parts.
json content_meaning(const json& content) {
  json parts = json::array();
  if (content.is_string()) {
    add_part(parts, {{"text", content}});
    return parts;
  }
  if (!content.is_array())
    return parts;
  for (const auto& part : content) {
    const json& type = member_or_null(part, "type");
    if (type == "text" && member_or_null(part, "text").is_string())
      add_part(parts, {{"text", part["text"]}});
    else if (type == "image_url")
      add_part(parts, image_meaning(part));
    else
      add_part(parts, {{"other", part}});
  }
  return parts;
}

std::string content_text(const json& content) {
  std::string text;
  for (const auto& part : content_meaning(content)) {
    if (part.contains("text"))
      text += part["text"].get<std::string>();
  }
  return text;
}

json arguments_meaning(const json& arguments) {
  if (arguments.is_null())
    return json::object();
  if (!arguments.is_string())
    return arguments;
  const std::string text = arguments;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    return json::object();
  const json parsed = json::parse(text, nullptr, false);
  return parsed.is_discarded() ? json(text) : parsed;
}

json tool_meaning(const json& tool) {
  const json& function = member_or_null(tool, "function");
  json out = {{"name", member_or_null(function, "name")}};
  for (const char* key : {"description", "parameters"}) {
    if (const json& value = member_or_null(function, key); !value.is_null())
      out[key] = value;
  }
  return out;
}

json settings_meaning(const json& request) {
  json out = json::object();
  for (const char* key : {"temperature", "top_p"}) {
    if (const json& value = member_or_null(request, key); !value.is_null())
      out[key] = value;
  }
  for (const char* key : {"max_completion_tokens", "max_tokens"}) {
    if (const json& value = member_or_null(request, key); !value.is_null()) {
      out["max_tokens"] = value;
      break;
    }
  }
  const json& stop = member_or_null(request, "stop");
  const json stops = stop.is_string() ? json::array({stop}) : stop;
  if (stops.is_array() && !stops.empty())
    out["stop"] = stops;
  return out;
}

class TurnBuilder {
 public:
  void add(const std::string& side, const json& parts) {
    if (parts.empty())
      return;
    if (m_turns.empty() || m_turns.back()["side"] != side)
      m_turns.push_back({{"side", side}, {"parts", json::array()}});
    for (const auto& part : parts)
      add_part(m_turns.back()["parts"], part);
  }
  json turns() const { return m_turns; }

 private:
  json m_turns = json::array();
};

}  // namespace

json meaning(const json& request) {
  std::string system;
  TurnBuilder turns;
  std::map<std::string, std::pair<int, json>> calls;  // tool_call_id → (ordinal, name)
  int next_call = 0;
  for (const auto& message : member_or_null(request, "messages")) {
    const json& role_value = member_or_null(message, "role");
    const std::string role = role_value.is_string() ? role_value.get<std::string>() : "";
    const json& content = member_or_null(message, "content");
    if (role == "system" || role == "developer") {
      system += content_text(content);
    } else if (role == "user") {
      turns.add("user", content_meaning(content));
    } else if (role == "assistant") {
      json parts = content_meaning(content);
      for (const auto& call : member_or_null(message, "tool_calls")) {
        const json& function = member_or_null(call, "function");
        const json& id = member_or_null(call, "id");
        if (id.is_string())
          calls[id.get<std::string>()] = {next_call, member_or_null(function, "name")};
        ++next_call;
        parts.push_back(
            {{"tool_call",
              {{"name", member_or_null(function, "name")},
               {"arguments", arguments_meaning(member_or_null(function, "arguments"))}}}});
      }
      turns.add("assistant", parts);
    } else if (role == "tool") {
      const json& id = member_or_null(message, "tool_call_id");
      json answers = {{"call", nullptr}, {"name", nullptr}};
      if (const auto it = id.is_string() ? calls.find(id.get<std::string>()) : calls.end();
          it != calls.end()) {
        answers = {{"call", it->second.first}, {"name", it->second.second}};
      }
      const std::string text = content_text(content);
      const json parsed = json::parse(text, nullptr, false);
      turns.add("user",
                json::array({{{"tool_result",
                               {{"answers", std::move(answers)},
                                {"content", parsed.is_discarded() ? json(text) : parsed}}}}}));
    } else {
      turns.add(role, json::array({{{"other", message}}}));
    }
  }
  json tools = json::array();
  for (const auto& tool : member_or_null(request, "tools"))
    tools.push_back(tool_meaning(tool));
  return {{"system", system},
          {"turns", turns.turns()},
          {"tools", tools},
          {"settings", settings_meaning(request)}};
}

}  // namespace llmgw::test
