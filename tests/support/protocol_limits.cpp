// The named exceptions behind carried(); see the header. Each takes the canonical request
// and changes it the way the protocol (or its adapter's documented choice) must, and says
// why that is not a meaning the protocol could keep.
#include "support/protocol_limits.hpp"

#include <string>
#include <vector>

#include "core/providers/adapter_util.hpp"
#include "core/providers/anthropic_adapter.hpp"
#include "support/request_readers.hpp"

namespace llmgw::test {

using adapter::member_or_null;
using nlohmann::json;

namespace {

bool is_system(const json& message) {
  const json& role = member_or_null(message, "role");
  return role == "system" || role == "developer";
}

// Image URLs of every image_url part in the request.
std::vector<std::string> image_urls(const json& request) {
  std::vector<std::string> out;
  for (const auto& message : member_or_null(request, "messages")) {
    const json& content = member_or_null(message, "content");
    if (!content.is_array())
      continue;
    for (const auto& part : content) {
      if (member_or_null(part, "type") != "image_url")
        continue;
      const json& image = member_or_null(part, "image_url");
      const json& url = image.is_string() ? image : member_or_null(image, "url");
      out.push_back(url.is_string() ? url.get<std::string>() : "");
    }
  }
  return out;
}

std::string trim_right(std::string text) {
  text.erase(text.find_last_not_of(" \t\r\n\f\v") + 1);
  return text;
}

// ---- Anthropic (wire-formats §3) -------------------------------------------------------

// anthropic_system_is_one_text: Anthropic has no system role, only a top-level `system`,
// and the adapter sends the non-empty text pieces of every system and developer message as
// one string joined by a blank line (blocks only when cache_control asks for them). The
// pieces' text survives; a "\n\n" between them is added.
void anthropic_system_is_one_text(json& request) {
  std::string joined;
  json rest = json::array();
  for (const auto& message : request["messages"]) {
    if (!is_system(message)) {
      rest.push_back(message);
      continue;
    }
    const json& content = member_or_null(message, "content");
    for (const auto& piece : content.is_array() ? content : json::array({content})) {
      const json& text = piece.is_string() ? piece : member_or_null(piece, "text");
      if (!text.is_string() || text.get_ref<const std::string&>().empty())
        continue;
      joined += (joined.empty() ? "" : "\n\n") + text.get<std::string>();
    }
  }
  if (!joined.empty())
    rest.insert(rest.begin(), json{{"role", "system"}, {"content", joined}});
  request["messages"] = std::move(rest);
}

// anthropic_needs_max_tokens: max_tokens is required by the Messages API, so a request
// without one gets the adapter's documented default.
void anthropic_needs_max_tokens(json& request) {
  if (member_or_null(request, "max_completion_tokens").is_null() &&
      member_or_null(request, "max_tokens").is_null())
    request["max_tokens"] = anthropic::k_default_max_tokens;
}

// anthropic_drops_blank_stops: the API rejects whitespace-only stop sequences (§3.2), so
// the adapter leaves them out rather than failing the request.
void anthropic_drops_blank_stops(json& request) {
  const json& stop = member_or_null(request, "stop");
  if (stop.is_null())
    return;
  json kept = json::array();
  for (const auto& sequence : stop.is_string() ? json::array({stop}) : stop) {
    if (!trim_right(sequence.get<std::string>()).empty())
      kept.push_back(sequence);
  }
  request["stop"] = std::move(kept);
}

// anthropic_needs_a_schema: input_schema is required (§3.4); a tool without parameters is
// sent with the empty object schema, which takes the same arguments.
void anthropic_needs_a_schema(json& request) {
  if (!request.contains("tools"))
    return;
  for (auto& tool : request["tools"]) {
    json& function = tool["function"];
    if (!function.contains("parameters"))
      function["parameters"] = {{"type", "object"}};
  }
}

// anthropic_trims_the_prefill: a conversation that ends with an assistant message asks
// Anthropic to continue that text (a prefill), and the API rejects a prefill ending in
// whitespace (§3.3), so the adapter trims it.
void anthropic_trims_the_prefill(json& request) {
  json* last = nullptr;
  for (auto& message : request["messages"]) {
    if (!is_system(message))
      last = &message;
  }
  if (last == nullptr || (*last)["role"] != "assistant" ||
      !member_or_null(*last, "tool_calls").empty())
    return;
  json& content = (*last)["content"];
  if (content.is_string()) {
    content = trim_right(content);
  } else if (content.is_array() && !content.empty() &&
             member_or_null(content.back(), "type") == "text") {
    content.back()["text"] = trim_right(content.back()["text"]);
  }
}

// anthropic_temperature_range: Anthropic's temperature is 0–1 (§3.2); the adapter refuses
// anything else rather than scaling it, so such a request cannot be carried.
bool anthropic_takes_temperature(const json& request) {
  const json& temperature = member_or_null(request, "temperature");
  return temperature.is_null() || (temperature.is_number() && temperature >= 0 && temperature <= 1);
}

// ---- Gemini (wire-formats §4) ----------------------------------------------------------

// gemini_links_results_by_name: Gemini calls and results carry no ids (§4.2), only the
// function name, so a result answers the earliest unanswered call of its function. Results
// for two calls of one function given out of order are therefore re-linked in call order.
void gemini_links_results_by_name(json& request) {
  struct Call {
    std::string id;
    std::string name;
    bool answered = false;
  };
  std::vector<Call> calls;
  for (auto& message : request["messages"]) {
    for (const auto& call : member_or_null(message, "tool_calls")) {
      calls.push_back(
          {member_or_null(call, "id").get<std::string>(),
           member_or_null(member_or_null(call, "function"), "name").get<std::string>()});
    }
    if (member_or_null(message, "role") != "tool")
      continue;
    std::string name;
    for (const auto& call : calls) {
      if (call.id == member_or_null(message, "tool_call_id"))
        name = call.name;
    }
    for (auto& call : calls) {
      if (!call.answered && call.name == name) {
        call.answered = true;
        message["tool_call_id"] = call.id;
        break;
      }
    }
  }
}

// ---- Ollama (wire-formats §5) ----------------------------------------------------------

// ollama_refuses_image_links: Ollama takes images only as base64 bytes (§5.1, §5.4), so
// the adapter refuses an http(s) image URL rather than fetching it.
bool ollama_takes_images(const json& request) {
  for (const auto& url : image_urls(request)) {
    if (url.rfind("data:", 0) != 0)
      return false;
  }
  return true;
}

// ollama_one_string_per_message: an Ollama message is one content string plus images[]
// (§5.1). So a message's text parts are joined into one text, its images come after that
// text, and other part types (audio, files) are dropped.
// ollama_images_have_no_media_type: images[] holds bare base64, so an image's media type
// is whatever its bytes announce (read back by sniffing them).
void ollama_flattens_content(json& request) {
  for (auto& message : request["messages"]) {
    json& content = message["content"];
    if (!content.is_array())
      continue;
    std::string text;
    json images = json::array();
    for (const auto& part : content) {
      if (member_or_null(part, "type") == "text") {
        text += member_or_null(part, "text").get<std::string>();
      } else if (member_or_null(part, "type") == "image_url") {
        const json& image = part["image_url"];
        const std::string url = image.is_string() ? image : image["url"];
        const std::string data = url.substr(url.find(',') + 1);
        images.push_back(
            {{"type", "image_url"},
             {"image_url", {{"url", "data:" + sniff_media_type(data) + ";base64," + data}}}});
      }
    }
    content = json::array({{{"type", "text"}, {"text", text}}});
    for (auto& image : images)
      content.push_back(std::move(image));
  }
}

}  // namespace

std::optional<json> carried(Protocol protocol, const json& request) {
  json out = request;
  switch (protocol) {
    case Protocol::anthropic:
      if (!anthropic_takes_temperature(out))
        return std::nullopt;
      anthropic_system_is_one_text(out);
      anthropic_needs_max_tokens(out);
      anthropic_drops_blank_stops(out);
      anthropic_needs_a_schema(out);
      anthropic_trims_the_prefill(out);
      return out;
    case Protocol::gemini:
      gemini_links_results_by_name(out);
      return out;
    case Protocol::ollama:
      if (!ollama_takes_images(out))
        return std::nullopt;
      ollama_flattens_content(out);
      return out;
    case Protocol::openai:  // every field passes through
    case Protocol::mock:
      return out;
  }
  return out;
}

}  // namespace llmgw::test
