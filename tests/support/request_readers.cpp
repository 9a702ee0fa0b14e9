// Provider request bodies → canonical requests, from the wire formats alone (see the
// header). Tolerant of missing members: a reader's job is to show what a body says, and a
// field the body lacks simply does not come back, so the meaning comparison reports it.
#include "support/request_readers.hpp"

#include <stdexcept>
#include <string_view>
#include <vector>

#include "core/providers/adapter_util.hpp"
#include "support/base64.hpp"

namespace llmgw::test {

using adapter::member_or_null;
using nlohmann::json;

namespace {

json text_part(const std::string& text) {
  return {{"type", "text"}, {"text", text}};
}

json image_part(const std::string& url) {
  return {{"type", "image_url"}, {"image_url", {{"url", url}}}};
}

json data_url_part(const std::string& media_type, const std::string& data) {
  return image_part("data:" + media_type + ";base64," + data);
}

// The text of a value that is a string, or an array of text blocks / parts ({text}).
std::string text_of(const json& value) {
  if (value.is_string())
    return value.get<std::string>();
  std::string out;
  if (value.is_array()) {
    for (const auto& item : value) {
      if (member_or_null(item, "text").is_string())
        out += item["text"].get<std::string>();
    }
  }
  return out;
}

// Tool calls in conversation order, so that results can be linked to them by id or,
// where a protocol has no ids, by name and order.
class CallLinker {
 public:
  // Records a call; returns the id it goes by (`id` when given, else a made-up one).
  std::string add(const std::string& name, const std::string& id = {}) {
    m_calls.push_back({id.empty() ? "call_" + std::to_string(m_calls.size() + 1) : id, name});
    return m_calls.back().id;
  }
  // The id of the call `id` names, marking it answered; empty when no call has that id.
  std::string answer_by_id(const std::string& id) {
    for (auto& call : m_calls) {
      if (call.id == id) {
        call.answered = true;
        return id;
      }
    }
    return {};
  }
  // The earliest unanswered call named `name`, marking it answered; empty when none.
  std::string answer_by_name(const std::string& name) {
    for (auto& call : m_calls) {
      if (!call.answered && call.name == name) {
        call.answered = true;
        return call.id;
      }
    }
    return {};
  }

 private:
  struct Call {
    std::string id;
    std::string name;
    bool answered = false;
  };
  std::vector<Call> m_calls;
};

// Collects one side's parts and emits them as canonical messages: user parts as one user
// message, assistant text followed by its calls as one assistant message (text after a
// call starts a new one, since an OpenAI message holds its text before its calls).
class MessageWriter {
 public:
  explicit MessageWriter(json& messages) : m_messages(messages) {}
  ~MessageWriter() { flush(); }
  MessageWriter(const MessageWriter&) = delete;
  MessageWriter& operator=(const MessageWriter&) = delete;

  void system(const std::string& text) {
    flush();
    m_messages.push_back({{"role", "system"}, {"content", text}});
  }
  void user_part(json part) {
    start("user");
    m_parts.push_back(std::move(part));
  }
  void assistant_text(const std::string& text) {
    if (!m_calls.empty())
      flush();
    start("assistant");
    m_parts.push_back(text_part(text));
  }
  void assistant_call(const std::string& id, const std::string& name, const json& arguments) {
    start("assistant");
    m_calls.push_back({{"id", id},
                       {"type", "function"},
                       {"function",
                        {{"name", name},
                         {"arguments", arguments.is_string() ? arguments.get<std::string>()
                                                             : arguments.dump()}}}});
  }
  void tool_result(const std::string& call_id, const std::string& content) {
    flush();
    m_messages.push_back({{"role", "tool"}, {"tool_call_id", call_id}, {"content", content}});
  }
  void flush() {
    if (m_role.empty())
      return;
    json message = {{"role", m_role}};
    message["content"] = m_parts.empty() && m_role == "assistant" ? json() : m_parts;
    if (!m_calls.empty())
      message["tool_calls"] = m_calls;
    m_messages.push_back(std::move(message));
    m_role.clear();
    m_parts = json::array();
    m_calls = json::array();
  }

 private:
  void start(const std::string& role) {
    if (m_role != role)
      flush();
    m_role = role;
  }

  json& m_messages;
  std::string m_role;  // empty: nothing pending
  json m_parts = json::array();
  json m_calls = json::array();
};

void copy_if_present(const json& from, const char* from_key, json& to, const char* to_key) {
  if (const json& value = member_or_null(from, from_key); !value.is_null())
    to[to_key] = value;
}

json function_tool(const json& name, const json& description, const json& parameters) {
  json function = {{"name", name}};
  if (!description.is_null())
    function["description"] = description;
  if (!parameters.is_null())
    function["parameters"] = parameters;
  return {{"type", "function"}, {"function", std::move(function)}};
}

// ---- Anthropic (§3.2–3.4) ------------------------------------------------------------

json anthropic_image(const json& block) {
  const json& source = member_or_null(block, "source");
  if (member_or_null(source, "type") == "url")
    return image_part(member_or_null(source, "url").get<std::string>());
  return data_url_part(member_or_null(source, "media_type").get<std::string>(),
                       member_or_null(source, "data").get<std::string>());
}

void read_anthropic_turn(const json& message, MessageWriter& writer) {
  const json& content = member_or_null(message, "content");
  const json blocks = content.is_string() ? json::array({text_part(content)}) : content;
  const bool assistant = member_or_null(message, "role") == "assistant";
  for (const auto& block : blocks) {
    const std::string type = member_or_null(block, "type").get<std::string>();
    if (type == "text" && assistant) {
      writer.assistant_text(block["text"]);
    } else if (type == "text") {
      writer.user_part(text_part(block["text"]));
    } else if (type == "image") {
      writer.user_part(anthropic_image(block));
    } else if (type == "tool_use") {
      writer.assistant_call(block["id"], block["name"], member_or_null(block, "input"));
    } else if (type == "tool_result") {
      writer.tool_result(block["tool_use_id"], text_of(member_or_null(block, "content")));
    } else {
      throw std::runtime_error("openai_from_anthropic: unexpected block type " + type);
    }
  }
}

// ---- Gemini (§4.2) -------------------------------------------------------------------

// A functionResponse.response object → the result's text (see the header).
std::string gemini_result_text(const json& response) {
  for (const char* key : {"output", "error"}) {
    if (const json& value = member_or_null(response, key); !value.is_null())
      return value.is_string() ? value.get<std::string>() : value.dump();
  }
  return response.dump();
}

void read_gemini_part(const json& part, bool model, CallLinker& calls, MessageWriter& writer) {
  if (const json& text = member_or_null(part, "text"); text.is_string()) {
    if (model)
      writer.assistant_text(text);
    else
      writer.user_part(text_part(text));
  } else if (const json& inline_data = member_or_null(part, "inlineData");
             inline_data.is_object()) {
    writer.user_part(data_url_part(inline_data["mimeType"], inline_data["data"]));
  } else if (const json& file_data = member_or_null(part, "fileData"); file_data.is_object()) {
    writer.user_part(image_part(file_data["fileUri"]));
  } else if (const json& call = member_or_null(part, "functionCall"); call.is_object()) {
    const std::string name = call["name"];
    writer.assistant_call(calls.add(name), name, member_or_null(call, "args"));
  } else if (const json& result = member_or_null(part, "functionResponse"); result.is_object()) {
    writer.tool_result(calls.answer_by_name(result["name"]),
                       gemini_result_text(member_or_null(result, "response")));
  } else {
    throw std::runtime_error("openai_from_gemini: unexpected part " + part.dump());
  }
}

// ---- Ollama (§5.1) -------------------------------------------------------------------

void read_ollama_message(const json& message, CallLinker& calls, MessageWriter& writer) {
  const std::string role = member_or_null(message, "role");
  const json& text = member_or_null(message, "content");
  const std::string content = text.is_string() ? text.get<std::string>() : std::string();
  if (role == "system") {
    writer.system(content);
  } else if (role == "user") {
    writer.flush();  // Ollama messages are separate turns
    if (!content.empty())
      writer.user_part(text_part(content));
    for (const auto& image : member_or_null(message, "images"))
      writer.user_part(data_url_part(sniff_media_type(image), image));
    writer.flush();
  } else if (role == "assistant") {
    writer.flush();
    if (!content.empty())
      writer.assistant_text(content);
    for (const auto& call : member_or_null(message, "tool_calls")) {
      const json& function = member_or_null(call, "function");
      const std::string name = function["name"];
      const json& id = member_or_null(call, "id");
      const std::string linked = calls.add(name, id.is_string() ? id.get<std::string>() : "");
      writer.assistant_call(linked, name, member_or_null(function, "arguments"));
    }
    writer.flush();
  } else if (role == "tool") {
    const json& id = member_or_null(message, "tool_call_id");
    std::string linked = id.is_string() ? calls.answer_by_id(id) : "";
    if (linked.empty() && member_or_null(message, "tool_name").is_string())
      linked = calls.answer_by_name(message["tool_name"]);
    writer.tool_result(linked, content);
  } else {
    throw std::runtime_error("openai_from_ollama: unexpected role " + role);
  }
}

}  // namespace

json openai_from_anthropic(const json& body) {
  json out = {{"messages", json::array()}};
  {
    MessageWriter writer(out["messages"]);
    if (const json& system = member_or_null(body, "system"); !system.is_null())
      writer.system(text_of(system));
    for (const auto& message : member_or_null(body, "messages"))
      read_anthropic_turn(message, writer);
  }
  copy_if_present(body, "temperature", out, "temperature");
  copy_if_present(body, "top_p", out, "top_p");
  copy_if_present(body, "max_tokens", out, "max_tokens");
  copy_if_present(body, "stop_sequences", out, "stop");
  if (const json& tools = member_or_null(body, "tools"); tools.is_array()) {
    out["tools"] = json::array();
    for (const auto& tool : tools) {
      out["tools"].push_back(function_tool(tool["name"], member_or_null(tool, "description"),
                                           member_or_null(tool, "input_schema")));
    }
  }
  return out;
}

json openai_from_gemini(const json& body) {
  json out = {{"messages", json::array()}};
  {
    MessageWriter writer(out["messages"]);
    for (const auto& part : member_or_null(member_or_null(body, "systemInstruction"), "parts"))
      writer.system(text_of(json::array({part})));
    CallLinker calls;
    for (const auto& content : member_or_null(body, "contents")) {
      const bool model = member_or_null(content, "role") == "model";
      for (const auto& part : member_or_null(content, "parts"))
        read_gemini_part(part, model, calls, writer);
    }
  }
  const json& config = member_or_null(body, "generationConfig");
  copy_if_present(config, "temperature", out, "temperature");
  copy_if_present(config, "topP", out, "top_p");
  copy_if_present(config, "maxOutputTokens", out, "max_tokens");
  copy_if_present(config, "stopSequences", out, "stop");
  for (const auto& tool : member_or_null(body, "tools")) {
    for (const auto& declaration : member_or_null(tool, "functionDeclarations")) {
      json parameters = member_or_null(declaration, "parametersJsonSchema");
      if (parameters.is_null())
        parameters = member_or_null(declaration, "parameters");
      out["tools"].push_back(function_tool(declaration["name"],
                                           member_or_null(declaration, "description"), parameters));
    }
  }
  return out;
}

json openai_from_ollama(const json& body) {
  json out = {{"messages", json::array()}};
  {
    MessageWriter writer(out["messages"]);
    CallLinker calls;
    for (const auto& message : member_or_null(body, "messages"))
      read_ollama_message(message, calls, writer);
  }
  const json& options = member_or_null(body, "options");
  copy_if_present(options, "temperature", out, "temperature");
  copy_if_present(options, "top_p", out, "top_p");
  copy_if_present(options, "num_predict", out, "max_tokens");
  copy_if_present(options, "stop", out, "stop");
  for (const auto& tool : member_or_null(body, "tools")) {
    const json& function = member_or_null(tool, "function");
    out["tools"].push_back(function_tool(function["name"], member_or_null(function, "description"),
                                         member_or_null(function, "parameters")));
  }
  return out;
}

std::string sniff_media_type(const std::string& base64) {
  std::string bytes;
  try {
    bytes = base64_decode(base64);
  } catch (const std::runtime_error&) {
    return "application/octet-stream";
  }
  const auto starts = [&](std::string_view prefix, std::size_t at = 0) {
    return bytes.size() >= at + prefix.size() && bytes.compare(at, prefix.size(), prefix) == 0;
  };
  if (starts("\x89PNG\r\n\x1a\n"))
    return "image/png";
  if (starts("\xff\xd8\xff"))
    return "image/jpeg";
  if (starts("GIF87a") || starts("GIF89a"))
    return "image/gif";
  if (starts("RIFF") && starts("WEBP", 8))
    return "image/webp";
  return "application/octet-stream";
}

}  // namespace llmgw::test
