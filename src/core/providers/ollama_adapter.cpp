#include "core/providers/ollama_adapter.hpp"
#include "core/providers/upstream_error.hpp"

#include <map>
#include <set>

#include "core/excerpt.hpp"
#include "core/providers/adapter_util.hpp"
#include "core/providers/openai_adapter.hpp"

namespace llmgw::ollama {

namespace {

using adapter::member;
using adapter::member_or_null;
using adapter::text_member;
using nlohmann::json;

[[noreturn]] void bad_request(const std::string& param, const std::string& message) {
  adapter::reject("ollama", param, message);
}

std::string path(std::size_t message, const std::string& rest = {}) {
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
  if (!content.is_array()) {
    bad_request(path(index, ".content"),
                path(index, ".content") + " must be a string or an array of content parts");
  }
  std::string text;
  json images = json::array();
  for (std::size_t p = 0; p < content.size(); ++p) {
    const json& part = content[p];
    const std::string where = path(index, ".content[" + std::to_string(p) + "]");
    if (!part.is_object())
      bad_request(where, where + " must be an object");
    const json& type_value = member_or_null(part, "type");
    if (!type_value.is_string())
      bad_request(where + ".type", where + ".type must be a string");
    const std::string& type = type_value.get_ref<const std::string&>();
    if (type == "text") {
      const json& part_text = member_or_null(part, "text");
      if (!part_text.is_string())
        bad_request(where + ".text", where + ".text must be a string in a text part");
      text += part_text.get_ref<const std::string&>();
    } else if (type == "image_url") {
      const json& image = member_or_null(part, "image_url");
      const json& url_value = image.is_object() ? member_or_null(image, "url") : image;
      if (!url_value.is_string())
        bad_request(where + ".image_url.url", where + ".image_url.url must be a string");
      const std::string& url = url_value.get_ref<const std::string&>();
      const auto comma = url.find(',');
      if (url.rfind("data:", 0) != 0 || comma == std::string::npos || url.find(";base64") > comma) {
        bad_request(where + ".image_url.url",
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

// A call's arguments as the object Ollama takes. Absent, null, "" and whitespace mean a
// call without arguments, {} (as the other adapters read them).
json parse_arguments(const json& call, std::size_t message, std::size_t index) {
  const json& arguments = member_or_null(member_or_null(call, "function"), "arguments");
  if (arguments.is_object())
    return arguments;
  if (arguments.is_null())
    return json::object();
  json parsed;  // discarded-like: not an object
  if (arguments.is_string()) {
    const std::string_view text = adapter::trim_view(arguments.get_ref<const std::string&>());
    if (text.empty())
      return json::object();
    parsed = json::parse(text, nullptr, false);
  }
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

// Stand-in for absent or malformed tool_calls, so that readers can return references.
const json k_no_calls = json::array();

std::string finish_reason(std::string_view done_reason, bool called_tools) {
  if (done_reason == "length")
    return "length";
  return called_tools ? "tool_calls" : "stop";  // stop, load, unload, or anything new
}

// Usage only when both counts are there (non-negative integers, clamped; see adapter_util).
std::optional<json> usage_of(const json& body) {
  const auto prompt = adapter::token_count(body, "prompt_eval_count");
  const auto completion = adapter::token_count(body, "eval_count");
  if (!prompt || !completion)
    return std::nullopt;
  return json{{"prompt_tokens", *prompt},
              {"completion_tokens", *completion},
              {"total_tokens", adapter::add_counts(*prompt, *completion)}};
}

// `done` is true only as the JSON literal true.
bool is_done(const json& body) {
  const json* done = member(body, "done");
  return done != nullptr && done->is_boolean() && done->get<bool>();
}

json tool_call(const json& call, int index) {
  const json& function = member_or_null(call, "function");
  const json* arguments = member(function, "arguments");
  std::string id(text_member(call, "id"));
  if (id.empty())
    id = "call_" + std::to_string(index);
  std::string arguments_text = "{}";
  if (arguments != nullptr && arguments->is_string())
    arguments_text = arguments->get<std::string>();
  else if (arguments != nullptr && !arguments->is_null())
    arguments_text = adapter::dump_json(*arguments);
  return {{"index", index},
          {"id", std::move(id)},
          {"type", "function"},
          {"function",
           {{"name", text_member(function, "name")}, {"arguments", std::move(arguments_text)}}}};
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
  const json& messages = member_or_null(request, "messages");
  if (!messages.is_array())
    bad_request("messages", "messages must be an array");
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const json& message = messages[i];
    if (!message.is_object())
      bad_request(path(i), path(i) + " must be an object");
    const json& role_value = member_or_null(message, "role");
    if (!role_value.is_string())
      bad_request(path(i, ".role"), path(i, ".role") + " must be a string");
    std::string role = role_value.get<std::string>();
    if (role == "developer")
      role = "system";
    json converted = json::object();
    converted["role"] = role;
    put_content(member_or_null(message, "content"), i, converted);
    const json& tool_calls = member_or_null(message, "tool_calls");
    if (role == "assistant" && !tool_calls.is_null()) {
      if (!tool_calls.is_array())
        bad_request(path(i, ".tool_calls"), path(i, ".tool_calls") + " must be an array");
      json calls = json::array();
      for (std::size_t t = 0; t < tool_calls.size(); ++t) {
        const json& call = tool_calls[t];
        const std::string where = path(i, ".tool_calls[" + std::to_string(t) + "]");
        const json& name_value = member_or_null(member_or_null(call, "function"), "name");
        if (!name_value.is_string())
          bad_request(where + ".function.name", where + ".function.name must be a string");
        const std::string& name = name_value.get_ref<const std::string&>();
        json converted_call = {
            {"function", {{"name", name}, {"arguments", parse_arguments(call, i, t)}}}};
        const json& id = member_or_null(call, "id");
        if (id.is_string()) {
          converted_call["id"] = id;
          tool_names[id.get<std::string>()] = name;
        } else if (!id.is_null()) {
          bad_request(where + ".id", where + ".id must be a string");
        }
        calls.push_back(std::move(converted_call));
      }
      converted["tool_calls"] = std::move(calls);
    }
    if (role == "tool") {
      const std::string id(text_member(message, "tool_call_id"));
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
    const json& type_value = member_or_null(*format, "type");
    if (!type_value.is_string())
      bad_request("response_format.type", "response_format.type must be a string");
    const std::string& type = type_value.get_ref<const std::string&>();
    if (type == "json_object")
      out["format"] = "json";
    if (type == "json_schema") {
      const json* schema = member(member_or_null(*format, "json_schema"), "schema");
      out["format"] = schema != nullptr && !schema->is_null() ? *schema : json::object();
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
  const json* message = member(body, "message");
  if (message == nullptr || !message->is_object()) {
    Error e = make_error(ErrorKind::upstream,
                         context.provider + " sent a body that is not an Ollama chat response " +
                             "(no \"message\" object): " + excerpt(response.body));
    e.provider = context.provider;
    throw GatewayError(std::move(e));
  }
  json out_message = {
      {"role", "assistant"}, {"content", text_member(*message, "content")}, {"refusal", nullptr}};
  const json* found_calls = member(*message, "tool_calls");
  const json& calls = found_calls != nullptr && found_calls->is_array() ? *found_calls : k_no_calls;
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
      {"model", adapter::string_field(body, "model", context.model)},
      {"choices",
       {{{"index", 0},
         {"message", out_message},
         {"logprobs", nullptr},
         {"finish_reason", finish_reason(text_member(body, "done_reason"), !calls.empty())}}}}};
  if (const auto usage = usage_of(body))
    out["usage"] = *usage;
  return out;
}

Error map_error(const HttpResponse& response, const std::string& provider) {
  // Ollama's {"error": "..."} is one of the shapes the OpenAI mapping already reads; only
  // the retry rule (503 "server busy") and the fixes differ.
  Error e = openai::map_error(response, provider);
  e.retryable = retryable_http_status(response.status);
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
  const json body = parse_body(line, m_context.provider, ErrorKind::stream_broken);
  if (body.contains("error"))
    throw_stream_error(body, m_context.provider);
  std::vector<json> chunks;
  // Read in place; a member of the wrong type reads as absent.
  const json& message = member_or_null(body, "message");
  const std::string_view content = text_member(message, "content");
  const json* found_calls = member(message, "tool_calls");
  const json& calls = found_calls != nullptr && found_calls->is_array() ? *found_calls : k_no_calls;
  const bool done = is_done(body);
  if (!m_role_sent && (!content.empty() || !calls.empty() || done)) {
    chunks.push_back(chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
    m_role_sent = true;
  }
  if (!content.empty()) {
    json delta = json::object();
    delta["content"] = content;
    chunks.push_back(chunk(std::move(delta), nullptr));
  }
  for (const json& call : calls) {
    chunks.push_back(
        chunk({{"tool_calls", json::array({tool_call(call, m_tool_calls++)})}}, nullptr));
  }
  if (done) {
    m_done = true;
    chunks.push_back(
        chunk(json::object(), finish_reason(text_member(body, "done_reason"), m_tool_calls > 0)));
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
