#include "core/providers/ollama_adapter.hpp"

#include <map>
#include <set>

#include "core/excerpt.hpp"
#include "core/providers/adapter_util.hpp"
#include "core/providers/openai_adapter.hpp"

namespace llmgw::ollama {

namespace {

using nlohmann::json;

[[noreturn]] void bad_request(const std::string& param, const std::string& message) {
  adapter::reject("ollama", param, message);
}

std::string path(std::size_t message, const std::string& rest) {
  return "messages[" + std::to_string(message) + "]" + rest;
}

// Text parts are joined; data-URL images go to images[] (base64 without the prefix).
void put_content(const json& content, std::size_t index, json& out) {
  if (content.is_null()) {
    out["content"] = "";
    return;
  }
  if (content.is_string()) {
    out["content"] = content;
    return;
  }
  std::string text;
  json images = json::array();
  for (std::size_t p = 0; p < content.size(); ++p) {
    const json& part = content[p];
    const std::string type = part.value("type", "");
    if (type == "text") {
      text += part.value("text", "");
    } else if (type == "image_url") {
      const json& image = part.value("image_url", json::object());
      const std::string url = image.is_string() ? image.get<std::string>() : image.value("url", "");
      const auto comma = url.find(',');
      if (url.rfind("data:", 0) != 0 || comma == std::string::npos || url.find(";base64") > comma) {
        bad_request(path(index, ".content[" + std::to_string(p) + "].image_url.url"),
                    "ollama takes images only as base64 data: URLs, not " +
                        excerpt(url.substr(0, url.find(':') + 1) + "...", 40) + " links");
      }
      images.push_back(url.substr(comma + 1));
    }
    // Other part types (audio, files) have no Ollama form; dropped.
  }
  out["content"] = text;
  if (!images.empty())
    out["images"] = images;
}

json parse_arguments(const json& call, std::size_t message, std::size_t index) {
  const json& function = call.value("function", json::object());
  const json arguments = function.value("arguments", json("{}"));
  if (arguments.is_object())
    return arguments;
  const json parsed =
      json::parse(arguments.is_string() ? arguments.get<std::string>() : "", nullptr, false);
  if (!parsed.is_object()) {
    bad_request(path(message, ".tool_calls[" + std::to_string(index) + "].function.arguments"),
                "tool call arguments must be a JSON object for ollama");
  }
  return parsed;
}

const std::set<std::string>& carried_fields() {
  static const std::set<std::string> k_fields = {"model",
                                                 "messages",
                                                 "stream",
                                                 "temperature",
                                                 "top_p",
                                                 "seed",
                                                 "stop",
                                                 "presence_penalty",
                                                 "frequency_penalty",
                                                 "max_tokens",
                                                 "max_completion_tokens",
                                                 "response_format",
                                                 "tools"};
  return k_fields;
}

std::string finish_reason(const std::string& done_reason, bool called_tools) {
  if (done_reason == "length")
    return "length";
  return called_tools ? "tool_calls" : "stop";  // stop, load, unload, or anything new
}

std::optional<json> usage_of(const json& body) {
  const auto prompt = body.find("prompt_eval_count");
  const auto completion = body.find("eval_count");
  if (prompt == body.end() || !prompt->is_number_integer() || completion == body.end() ||
      !completion->is_number_integer()) {
    return std::nullopt;
  }
  const long p = prompt->get<long>();
  const long c = completion->get<long>();
  return json{{"prompt_tokens", p}, {"completion_tokens", c}, {"total_tokens", p + c}};
}

json tool_call(const json& call, int index) {
  const json& function = call.value("function", json::object());
  const json& arguments = function.value("arguments", json::object());
  std::string id = call.value("id", "");
  if (id.empty())
    id = "call_" + std::to_string(index);
  return {
      {"index", index},
      {"id", id},
      {"type", "function"},
      {"function",
       {{"name", function.value("name", "")},
        {"arguments", arguments.is_string() ? arguments.get<std::string>() : arguments.dump()}}}};
}

json parse_body(std::string_view text, const std::string& provider, ErrorKind kind) {
  json body = adapter::parse_json(text);
  if (!body.is_object()) {
    fail(kind, provider + " sent a body that is not a JSON object: " + excerpt(text));
  }
  return body;
}

[[noreturn]] void throw_stream_error(const json& body, const std::string& provider) {
  Error e = make_error(ErrorKind::upstream,
                       provider + ": " +
                           excerpt(body["error"].is_string() ? body["error"].get<std::string>()
                                                             : body["error"].dump()));
  e.provider = provider;
  e.http_status = 502;
  throw GatewayError(e);
}

}  // namespace

json to_ollama_request(const json& request, const std::string& upstream_model, bool stream) {
  json out = {{"model", upstream_model}, {"messages", json::array()}, {"stream", stream}};
  std::map<std::string, std::string> tool_names;  // tool_call_id → function name
  const json& messages = request.at("messages");
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const json& message = messages[i];
    std::string role = message.value("role", "user");
    if (role == "developer")
      role = "system";
    json converted = json::object();
    converted["role"] = role;
    put_content(adapter::member_or_null(message, "content"), i, converted);
    if (role == "assistant" && message.contains("tool_calls")) {
      json calls = json::array();
      const json& tool_calls = message["tool_calls"];
      for (std::size_t t = 0; t < tool_calls.size(); ++t) {
        const json& call = tool_calls[t];
        const std::string name = call.value("function", json::object()).value("name", "");
        json converted_call = {
            {"function", {{"name", name}, {"arguments", parse_arguments(call, i, t)}}}};
        if (call.contains("id")) {
          converted_call["id"] = call["id"];
          tool_names[call["id"].get<std::string>()] = name;
        }
        calls.push_back(std::move(converted_call));
      }
      converted["tool_calls"] = std::move(calls);
    }
    if (role == "tool") {
      const std::string id = message.value("tool_call_id", "");
      const auto name = tool_names.find(id);
      if (name == tool_names.end()) {
        bad_request(path(i, ".tool_call_id"),
                    "tool result '" + id + "' answers no earlier assistant tool call");
      }
      converted["tool_name"] = name->second;
      converted["tool_call_id"] = id;
    }
    out["messages"].push_back(std::move(converted));
  }

  json options = json::object();
  for (const char* field :
       {"temperature", "top_p", "seed", "presence_penalty", "frequency_penalty"}) {
    if (request.contains(field) && !request[field].is_null())
      options[field] = request[field];
  }
  if (request.contains("stop") && !request["stop"].is_null()) {
    options["stop"] =
        request["stop"].is_string() ? json::array({request["stop"]}) : request["stop"];
  }
  for (const char* field : {"max_completion_tokens", "max_tokens"}) {
    if (request.contains(field) && request[field].is_number_integer()) {
      options["num_predict"] = request[field];
      break;
    }
  }
  if (!options.empty())
    out["options"] = options;

  if (const auto format = request.find("response_format");
      format != request.end() && format->is_object()) {
    const std::string type = format->value("type", "");
    if (type == "json_object")
      out["format"] = "json";
    if (type == "json_schema") {
      out["format"] = format->value("json_schema", json::object()).value("schema", json::object());
    }
  }
  if (request.contains("tools") && request["tools"].is_array())
    out["tools"] = request["tools"];
  return out;
}

std::vector<std::string> dropped_fields(const json& request) {
  std::vector<std::string> dropped;
  for (const auto& [name, value] : request.items()) {
    if (!value.is_null() && carried_fields().count(name) == 0)
      dropped.push_back(name);
  }
  return dropped;
}

HttpRequest build_chat_request(const json& request, const std::string& upstream_model,
                               const Endpoint& endpoint, bool stream) {
  HttpRequest out;
  out.method = "POST";
  out.url = endpoint.base_url + "/api/chat";
  out.body = adapter::dump_json(to_ollama_request(request, upstream_model, stream));
  out.timeouts = endpoint.timeouts;
  out.headers.emplace_back("Content-Type", "application/json");
  out.headers.emplace_back("Accept", stream ? "application/x-ndjson" : "application/json");
  // Ollama itself takes no key; a proxy or Ollama cloud in front of it takes a bearer.
  if (!endpoint.api_key.empty())
    out.headers.emplace_back("Authorization", "Bearer " + endpoint.api_key);
  out.headers.emplace_back("User-Agent", std::string("llmgw/") + LLMGW_VERSION);
  return out;
}

json parse_chat_response(const HttpResponse& response, const ResponseContext& context) {
  const json body = parse_body(response.body, context.provider, ErrorKind::upstream);
  if (body.contains("error"))
    throw_stream_error(body, context.provider);
  const json& message = body.value("message", json::object());
  json out_message = {
      {"role", "assistant"}, {"content", message.value("content", "")}, {"refusal", nullptr}};
  const json& calls = message.value("tool_calls", json::array());
  if (!calls.empty()) {
    json converted = json::array();
    for (std::size_t i = 0; i < calls.size(); ++i) {
      json call = tool_call(calls[i], static_cast<int>(i));
      call.erase("index");
      converted.push_back(call);
    }
    out_message["tool_calls"] = converted;
    if (out_message["content"] == "")
      out_message["content"] = nullptr;
  }
  json out = {
      {"id", "chatcmpl-ollama-" + std::to_string(context.created)},
      {"object", "chat.completion"},
      {"created", context.created},
      {"model", body.value("model", context.model)},
      {"choices",
       {{{"index", 0},
         {"message", out_message},
         {"logprobs", nullptr},
         {"finish_reason", finish_reason(body.value("done_reason", "stop"), !calls.empty())}}}}};
  if (const auto usage = usage_of(body))
    out["usage"] = *usage;
  return out;
}

Error map_error(const HttpResponse& response, const std::string& provider) {
  // Ollama's {"error": "..."} is one of the shapes the OpenAI mapping already reads; only
  // the retry rule (503 "server busy") and the fixes differ.
  Error e = openai::map_error(response, provider);
  e.retryable = response.status == 408 || response.status == 429 || response.status == 500 ||
                response.status == 502 || response.status == 503;
  if (response.status == 404) {
    e.fix =
        "pull the model on the Ollama host first (ollama pull <model>); `ollama list` shows "
        "what is there";
  }
  return e;
}

StreamDecoder::StreamDecoder(ResponseContext context)
    : m_context(std::move(context)),
      m_id("chatcmpl-ollama-" + std::to_string(m_context.created)),
      m_shell({{"id", m_id},
               {"object", "chat.completion.chunk"},
               {"created", m_context.created},
               {"model", m_context.model},
               {"choices",
                {{{"index", 0},
                  {"delta", json::object()},
                  {"logprobs", nullptr},
                  {"finish_reason", nullptr}}}}}) {}

json StreamDecoder::chunk(json delta, json finish_reason) const {
  json out = m_shell;
  json& choice = out["choices"][0];
  choice["delta"] = std::move(delta);
  choice["finish_reason"] = std::move(finish_reason);
  return out;
}

std::vector<json> StreamDecoder::on_line(std::string_view line) {
  // Stand-ins for absent members, so that the line is read in place rather than copied.
  static const json k_no_message = json::object();
  static const json k_no_calls = json::array();
  const json body = parse_body(line, m_context.provider, ErrorKind::stream_broken);
  if (body.contains("error"))
    throw_stream_error(body, m_context.provider);
  std::vector<json> chunks;
  const json* found_message = adapter::member(body, "message");
  const json& message = found_message != nullptr ? *found_message : k_no_message;
  std::string content = message.value("content", "");
  const json* found_calls = adapter::member(message, "tool_calls");
  const json& calls = found_calls != nullptr ? *found_calls : k_no_calls;
  if (!m_role_sent && (!content.empty() || !calls.empty() || body.value("done", false))) {
    chunks.push_back(chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
    m_role_sent = true;
  }
  if (!content.empty()) {
    json delta = json::object();
    delta["content"] = std::move(content);
    chunks.push_back(chunk(std::move(delta), nullptr));
  }
  for (const json& call : calls) {
    chunks.push_back(
        chunk({{"tool_calls", json::array({tool_call(call, m_tool_calls++)})}}, nullptr));
  }
  if (body.value("done", false)) {
    m_done = true;
    chunks.push_back(
        chunk(json::object(), finish_reason(body.value("done_reason", "stop"), m_tool_calls > 0)));
    if ((m_usage = usage_of(body))) {
      json usage_chunk = chunk(json::object(), nullptr);
      usage_chunk["choices"] = json::array();
      usage_chunk["usage"] = *m_usage;
      chunks.push_back(usage_chunk);
    }
  }
  return chunks;
}

}  // namespace llmgw::ollama
