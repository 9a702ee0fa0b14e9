// Gemini request side: canonical (OpenAI) request → GenerateContentRequest.
#include <set>

#include "core/providers/gemini_adapter.hpp"
#include "core/providers/gemini_internal.hpp"

namespace llmgw::gemini {

using namespace detail;

namespace {

constexpr const char* k_default_image_mime = "image/jpeg";

// Top-level canonical fields that to_gemini_request carries, or that the caller handles.
const std::set<std::string>& carried_fields() {
  static const std::set<std::string> fields = {
      "model", "messages",    "stream",           "stream_options",        "temperature",
      "top_p", "top_k",       "max_tokens",       "max_completion_tokens", "stop",
      "n",     "seed",        "presence_penalty", "frequency_penalty",     "response_format",
      "tools", "tool_choice", "logprobs",         "top_logprobs"};
  return fields;
}

// ---- request mapping --------------------------------------------------------------------

std::string guess_image_mime(std::string url) {
  if (const auto cut = url.find_first_of("?#"); cut != std::string::npos)
    url.resize(cut);
  const auto dot = url.rfind('.');
  const auto slash = url.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
    return k_default_image_mime;
  const std::string ext = lower(url.substr(dot + 1));
  if (ext == "png")
    return "image/png";
  if (ext == "jpg" || ext == "jpeg")
    return "image/jpeg";
  if (ext == "gif")
    return "image/gif";
  if (ext == "webp")
    return "image/webp";
  if (ext == "heic")
    return "image/heic";
  if (ext == "heif")
    return "image/heif";
  if (ext == "pdf")
    return "application/pdf";
  return k_default_image_mime;
}

// "data:<mime>;base64,<data>" → inlineData; any other URL → fileData (Gemini fetches it).
json media_part(const std::string& url, const std::string& param) {
  if (url.rfind("data:", 0) == 0) {
    const auto comma = url.find(',');
    const std::string meta = url.substr(5, comma == std::string::npos ? 0 : comma - 5);
    const auto semicolon = meta.find(';');
    if (comma == std::string::npos || semicolon == std::string::npos ||
        meta.substr(semicolon + 1) != "base64") {
      invalid(param, param + ": only base64 data URLs can be sent to gemini");
    }
    std::string mime = meta.substr(0, semicolon);
    if (mime.empty())
      mime = k_default_image_mime;
    return {{"inlineData", {{"mimeType", mime}, {"data", url.substr(comma + 1)}}}};
  }
  if (url.empty())
    invalid(param, param + " is empty");
  return {{"fileData", {{"mimeType", guess_image_mime(url)}, {"fileUri", url}}}};
}

json text_part(const json& text) {
  json part = json::object();
  part["text"] = text;
  return part;
}

// Canonical message content (string, null, or array of parts) → Gemini parts.
json content_parts(const json& content, std::size_t i) {
  json parts = json::array();
  if (content.is_null())
    return parts;
  if (content.is_string()) {
    if (!content.get_ref<const std::string&>().empty())
      parts.push_back(text_part(content));
    return parts;
  }
  if (!content.is_array())
    invalid(path(i, ".content"), path(i, ".content") + " must be a string or an array");
  for (std::size_t j = 0; j < content.size(); ++j) {
    const json& part = content[j];
    const std::string where = path(i, ".content[" + std::to_string(j) + "]");
    if (part.is_string()) {
      if (!part.get_ref<const std::string&>().empty())
        parts.push_back(text_part(part));
      continue;
    }
    if (!part.is_object())
      invalid(where, where + " must be an object");
    const json& type_value = member_or_null(part, "type");
    if (!type_value.is_string())
      invalid(where + ".type", where + ".type must be a string");
    const std::string& type = type_value.get_ref<const std::string&>();
    if (type == "text") {
      const json& text = member_or_null(part, "text");
      if (text.is_string() && !text.get_ref<const std::string&>().empty())
        parts.push_back(text_part(text));
    } else if (type == "image_url") {
      const json& image = member_or_null(part, "image_url");
      const json& url = image.is_object() ? member_or_null(image, "url") : image;
      if (!url.is_string())
        invalid(where + ".image_url.url", where + ".image_url.url must be a string");
      parts.push_back(media_part(url.get<std::string>(), where + ".image_url.url"));
    } else if (type == "input_audio") {
      const json& audio = member_or_null(part, "input_audio");
      const json& data = member_or_null(audio, "data");
      if (!data.is_string())
        invalid(where + ".input_audio.data", where + ".input_audio.data must be a string");
      const json& format = member_or_null(audio, "format");
      if (!format.is_null() && !format.is_string())
        invalid(where + ".input_audio.format", where + ".input_audio.format must be a string");
      const std::string mime =
          "audio/" + (format.is_string() ? format.get<std::string>() : std::string("wav"));
      parts.push_back({{"inlineData", {{"mimeType", mime}, {"data", data}}}});
    } else if (type == "file") {
      const json& data = member_or_null(member_or_null(part, "file"), "file_data");
      if (!data.is_string())
        invalid(where + ".file.file_data", where + ": only inline file_data can be sent to gemini");
      parts.push_back(media_part(data.get<std::string>(), where + ".file.file_data"));
    } else {
      invalid(where + ".type",
              where + ".type \"" + type + "\" is not supported by the gemini adapter");
    }
  }
  return parts;
}

// The plain text of a content value (tool results and system prompts).
std::string content_text(const json& content) {
  if (content.is_string())
    return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_string())
        out += part.get<std::string>();
      else if (part.is_object() && part.value("text", json()).is_string())
        out += part["text"].get<std::string>();
    }
  }
  return out;
}

// Gemini wants functionResponse.response to be an object. A tool result that is a JSON
// object with neither an "output" nor an "error" member is sent as-is (the API then
// treats the whole object as the output). One with such a member is wrapped as
// {"output": <object>}: sent as-is, Gemini would read only that member and lose its
// siblings (wire-formats §4.2). Anything else is wrapped as {"output": <parsed JSON
// value, or the raw text>}.
json function_response(const std::string& text) {
  json parsed = json::parse(text, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object()) {
    if (parsed.contains("output") || parsed.contains("error")) {
      json wrapped = json::object();
      wrapped["output"] = std::move(parsed);
      return wrapped;
    }
    return parsed;
  }
  if (!parsed.is_discarded() && !trim(text).empty())
    return {{"output", parsed}};
  return {{"output", text}};
}

json tool_call_parts(const json& calls, std::size_t i, std::map<std::string, std::string>& names) {
  json parts = json::array();
  if (calls.is_null())
    return parts;
  if (!calls.is_array())
    invalid(path(i, ".tool_calls"), path(i, ".tool_calls") + " must be an array");
  for (std::size_t j = 0; j < calls.size(); ++j) {
    const std::string where = path(i, ".tool_calls[" + std::to_string(j) + "]");
    const json& call = calls[j];
    const json& function = member_or_null(call, "function");
    if (!function.is_object() || !function.value("name", json()).is_string())
      invalid(where + ".function.name", where + ".function.name must be a string");
    const std::string name = function["name"].get<std::string>();
    const json& arguments = member_or_null(function, "arguments");
    json args = json::object();
    if (arguments.is_object()) {
      args = arguments;
    } else if (arguments.is_string() && !trim(arguments.get<std::string>()).empty()) {
      args = json::parse(arguments.get<std::string>(), nullptr, false);
      if (args.is_discarded() || !args.is_object()) {
        invalid(where + ".function.arguments",
                where + ".function.arguments is not a JSON object, which gemini requires");
      }
    } else if (!arguments.is_null() && !arguments.is_string()) {
      invalid(where + ".function.arguments", where + ".function.arguments must be a string");
    }
    if (const json id = call.value("id", json()); id.is_string())
      names[id.get<std::string>()] = name;
    json part = {{"functionCall", {{"name", name}, {"args", std::move(args)}}}};
    const json extra = call.value("extra_content", json());
    const json google = extra.is_object() ? extra.value("google", json()) : json();
    if (google.is_object() && google.value("thought_signature", json()).is_string())
      part["thoughtSignature"] = google["thought_signature"];
    parts.push_back(std::move(part));
  }
  return parts;
}

void add_turn(json& contents, const std::string& role, json parts) {
  if (parts.empty())
    return;
  // Consecutive same-role turns are merged: the API may reject non-alternating turns, and
  // parallel tool results must share one user turn.
  if (!contents.empty() && is_text(contents.back()["role"], role)) {
    json& existing = contents.back()["parts"];
    for (auto& part : parts)
      existing.push_back(std::move(part));
    return;
  }
  json turn = json::object();
  turn["role"] = role;
  turn["parts"] = std::move(parts);
  contents.push_back(std::move(turn));
}

json generation_config(const json& request) {
  json config = json::object();
  const auto copy = [&](const char* from, const char* to) {
    if (present(request, from))
      config[to] = request[from];
  };
  copy("temperature", "temperature");
  copy("top_p", "topP");
  copy("top_k", "topK");
  if (present(request, "max_completion_tokens"))
    config["maxOutputTokens"] = request["max_completion_tokens"];
  else
    copy("max_tokens", "maxOutputTokens");
  if (present(request, "stop")) {
    const json& stop = request["stop"];
    config["stopSequences"] = stop.is_array() ? stop : json::array({stop});
  }
  copy("n", "candidateCount");
  copy("seed", "seed");
  copy("presence_penalty", "presencePenalty");
  copy("frequency_penalty", "frequencyPenalty");
  if (present(request, "logprobs"))
    config["responseLogprobs"] = request["logprobs"];
  copy("top_logprobs", "logprobs");
  if (present(request, "response_format")) {
    const json& format = request["response_format"];
    const json& type_value = member_or_null(format, "type");
    if (format.is_object() && !type_value.is_string())
      invalid("response_format.type", "response_format.type must be a string");
    const std::string type = type_value.is_string() ? type_value.get<std::string>() : "";
    if (type == "json_object") {
      config["responseMimeType"] = "application/json";
    } else if (type == "json_schema") {
      config["responseMimeType"] = "application/json";
      const json spec = format.value("json_schema", json::object());
      if (spec.is_object() && present(spec, "schema"))
        config["responseJsonSchema"] = spec["schema"];
    } else if (type != "text") {
      invalid("response_format.type",
              "response_format.type \"" + type + "\" is not supported by the gemini adapter");
    }
  }
  return config;
}

json function_declarations(const json& tools) {
  if (!tools.is_array())
    invalid("tools", "tools must be an array");
  json declarations = json::array();
  for (std::size_t i = 0; i < tools.size(); ++i) {
    const std::string where = "tools[" + std::to_string(i) + "]";
    const json& tool = tools[i];
    const json& type = member_or_null(tool, "type");
    if (!tool.is_object() || !(type.is_null() || is_text(type, "function")))
      invalid(where + ".type", where + ": only function tools can be sent to gemini");
    const json& function = member_or_null(tool, "function");
    if (!function.is_object() || !function.value("name", json()).is_string())
      invalid(where + ".function.name", where + ".function.name must be a string");
    json declaration = {{"name", function["name"]}};
    if (present(function, "description"))
      declaration["description"] = function["description"];
    if (present(function, "parameters"))
      declaration["parametersJsonSchema"] = function["parameters"];
    declarations.push_back(std::move(declaration));
  }
  return declarations;
}

json tool_config(const json& choice) {
  json config = json::object();
  if (choice.is_string()) {
    const std::string mode = choice.get<std::string>();
    if (mode == "auto")
      config["mode"] = "AUTO";
    else if (mode == "none")
      config["mode"] = "NONE";
    else if (mode == "required")
      config["mode"] = "ANY";
    else
      invalid("tool_choice", "tool_choice \"" + mode + "\" is not one of auto, none, required");
  } else if (choice.is_object() && choice.value("function", json()).is_object() &&
             choice["function"].value("name", json()).is_string()) {
    config["mode"] = "ANY";
    config["allowedFunctionNames"] = json::array({choice["function"]["name"]});
  } else {
    invalid("tool_choice", "tool_choice must be a string or {\"function\":{\"name\":...}}");
  }
  return {{"functionCallingConfig", std::move(config)}};
}

}  // namespace

json to_gemini_request(const json& request) {
  if (!request.is_object())
    invalid("", "the request must be a JSON object");
  const json& messages = member_or_null(request, "messages");
  if (!messages.is_array())
    invalid("messages", "messages must be an array");

  json system_parts = json::array();
  json contents = json::array();
  std::map<std::string, std::string> call_names;  // tool_call_id → function name
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const json& message = messages[i];
    if (!message.is_object())
      invalid(path(i), path(i) + " must be an object");
    const json& role_value = member_or_null(message, "role");
    if (!role_value.is_string())
      invalid(path(i, ".role"), path(i, ".role") + " must be a string");
    const std::string& role = role_value.get_ref<const std::string&>();
    const json& content = member_or_null(message, "content");
    if (role == "system" || role == "developer") {
      for (auto& part : content_parts(content, i)) {
        if (!part.contains("text"))
          invalid(path(i, ".content"), path(i, ".content") + ": a system message holds text only");
        system_parts.push_back(std::move(part));
      }
    } else if (role == "user") {
      add_turn(contents, "user", content_parts(content, i));
    } else if (role == "assistant") {
      json parts = content_parts(content, i);
      for (auto& part : tool_call_parts(member_or_null(message, "tool_calls"), i, call_names))
        parts.push_back(std::move(part));
      add_turn(contents, "model", std::move(parts));
    } else if (role == "tool") {
      const json& id = member_or_null(message, "tool_call_id");
      std::string name;
      if (id.is_string()) {
        if (const auto it = call_names.find(id.get<std::string>()); it != call_names.end())
          name = it->second;
      }
      if (name.empty()) {
        invalid(path(i, ".tool_call_id"),
                path(i, ".tool_call_id") + " does not match a tool call of an earlier assistant " +
                    "message (gemini needs the function name)");
      }
      json part = {{"functionResponse",
                    {{"name", name}, {"response", function_response(content_text(content))}}}};
      add_turn(contents, "user", json::array({std::move(part)}));
    } else {
      invalid(path(i, ".role"), path(i, ".role") + " \"" + role + "\" is not supported");
    }
  }

  json body = json::object();
  if (!system_parts.empty())
    body["systemInstruction"] = {{"parts", std::move(system_parts)}};
  body["contents"] = std::move(contents);
  if (present(request, "tools")) {
    json declarations = function_declarations(request["tools"]);
    if (!declarations.empty())
      body["tools"] = json::array({{{"functionDeclarations", std::move(declarations)}}});
  }
  if (present(request, "tool_choice"))
    body["toolConfig"] = tool_config(request["tool_choice"]);
  if (json config = generation_config(request); !config.empty())
    body["generationConfig"] = std::move(config);
  return body;
}

std::vector<std::string> dropped_fields(const json& request) {
  std::vector<std::string> out;
  if (!request.is_object())
    return out;
  for (const auto& [key, value] : request.items()) {
    if (!value.is_null() && carried_fields().count(key) == 0)
      out.push_back(key);
  }
  return out;  // json objects iterate in key order, so this is sorted
}

HttpRequest build_chat_request(const json& request, const std::string& upstream_model,
                               const Endpoint& endpoint, bool stream) {
  const json body = to_gemini_request(request);
  std::string base = endpoint.base_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  std::string model = upstream_model;
  if (model.rfind("models/", 0) == 0)
    model.erase(0, 7);

  HttpRequest out;
  out.method = "POST";
  out.url =
      base + "/models/" + model + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  out.headers.emplace_back("content-type", "application/json");
  out.headers.emplace_back("accept", stream ? "text/event-stream" : "application/json");
  if (!endpoint.api_key.empty())
    out.headers.emplace_back("x-goog-api-key", endpoint.api_key);
  out.headers.emplace_back("user-agent", std::string("llmgw/") + LLMGW_VERSION);
  out.body = adapter::dump_json(body);
  out.timeouts = endpoint.timeouts;
  return out;
}

}  // namespace llmgw::gemini
