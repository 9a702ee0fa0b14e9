#include "support/fake_provider.hpp"

#include <algorithm>

namespace llmgw::test {

namespace {

using nlohmann::json;

// Streams go out in pieces this small, so clients meet events split across reads.
constexpr std::size_t k_stream_piece = 48;

std::string anthropic_error(const std::string& type, const std::string& message) {
  return json{{"type", "error"}, {"error", {{"type", type}, {"message", message}}}}.dump();
}

// google.rpc.Status, as the Generative Language API sends it.
std::string google_error(int code, const std::string& status, const std::string& message,
                         const std::string& reason = {}) {
  json error = {{"code", code}, {"message", message}, {"status", status}};
  if (!reason.empty()) {
    error["details"] = {{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                         {"reason", reason},
                         {"domain", "googleapis.com"}}};
  }
  return json{{"error", error}}.dump();
}

std::string ollama_error(const std::string& message) {
  return json{{"error", message}}.dump();
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

FakeProvider::FakeProvider(Protocol protocol, std::string key)
    : m_protocol(protocol), m_key(std::move(key)) {
  const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    handle(req, res);
  };
  const std::string any = ".*";
  m_server.http().Get(any, handler);
  m_server.http().Post(any, handler);
  m_server.http().Put(any, handler);
  m_server.http().Delete(any, handler);
  m_server.start();
}

void FakeProvider::answer(std::string whole_body, std::string stream_body) {
  const std::lock_guard lock(m_mutex);
  m_whole = std::move(whole_body);
  m_stream = std::move(stream_body);
}

void FakeProvider::push_failure(int status, std::string body, Headers headers) {
  const std::lock_guard lock(m_mutex);
  m_failures.push_back({status, std::move(body), std::move(headers)});
}

void FakeProvider::set_models(std::vector<std::string> names) {
  const std::lock_guard lock(m_mutex);
  m_models = std::move(names);
}

std::vector<RecordedRequest> FakeProvider::requests() const {
  const std::lock_guard lock(m_mutex);
  return m_requests;
}

FakeProvider::Failure FakeProvider::not_found(const std::string& what) const {
  switch (m_protocol) {
    case Protocol::anthropic:
      return {404, anthropic_error("not_found_error", what), {}};
    case Protocol::gemini:
      return {404, google_error(404, "NOT_FOUND", what), {}};
    default:
      return {404, ollama_error(what), {}};
  }
}

std::optional<FakeProvider::Failure> FakeProvider::check(const httplib::Request& req,
                                                         const json& body,
                                                         bool& wants_stream) const {
  const std::string route = req.method + " " + req.path;
  switch (m_protocol) {
    case Protocol::anthropic: {
      if (route != "POST /v1/messages")
        return not_found("Not found: " + route);
      if (req.get_header_value("x-api-key") != m_key)
        return Failure{401, anthropic_error("authentication_error", "invalid x-api-key"), {}};
      if (!req.has_header("anthropic-version")) {
        return Failure{
            400,
            anthropic_error("invalid_request_error", "anthropic-version: header is required"),
            {}};
      }
      const bool valid = body.is_object() && body.contains("model") && body["model"].is_string() &&
                         body.contains("max_tokens") && body["max_tokens"].is_number_integer() &&
                         body.contains("messages") && body["messages"].is_array();
      if (!valid) {
        return Failure{
            400,
            anthropic_error("invalid_request_error", "model, max_tokens and messages are required"),
            {}};
      }
      wants_stream = body.value("stream", false);
      return std::nullopt;
    }
    case Protocol::gemini: {
      const bool whole = ends_with(req.path, ":generateContent");
      const bool stream = ends_with(req.path, ":streamGenerateContent");
      if (req.method != "POST" || !req.path.starts_with("/v1beta/models/") || !(whole || stream))
        return not_found("Not found: " + route);
      if (req.has_param("key")) {
        return Failure{400,
                       google_error(400, "INVALID_ARGUMENT",
                                    "the fake refuses keys in URLs: llmgw must send the header"),
                       {}};
      }
      if (req.get_header_value("x-goog-api-key") != m_key) {
        return Failure{
            400,
            google_error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                         "API_KEY_INVALID"),
            {}};
      }
      if (stream && req.get_param_value("alt") != "sse") {
        return Failure{
            400,
            google_error(400, "INVALID_ARGUMENT", "the fake serves streams as SSE only (alt=sse)"),
            {}};
      }
      if (!body.is_object() || !body.contains("contents") || !body["contents"].is_array() ||
          body["contents"].empty()) {
        return Failure{400,
                       google_error(400, "INVALID_ARGUMENT",
                                    "* GenerateContentRequest.contents: contents is not specified"),
                       {}};
      }
      wants_stream = stream;
      return std::nullopt;
    }
    case Protocol::ollama: {
      if (route != "POST /api/chat")
        return not_found("404 page not found");
      if (!body.is_object() || !body.contains("model") || !body.contains("messages"))
        return Failure{400, ollama_error("model and messages are required"), {}};
      wants_stream = body.value("stream", true);
      return std::nullopt;
    }
    default:
      return not_found("this fake does not speak " + std::string(to_string(m_protocol)));
  }
}

void FakeProvider::handle(const httplib::Request& req, httplib::Response& res) {
  RecordedRequest recorded = record_request(req);
  const json body = recorded.json;
  std::unique_lock lock(m_mutex);
  m_requests.push_back(std::move(recorded));

  if (m_protocol == Protocol::ollama && req.method == "GET" && req.path == "/api/tags") {
    json models = json::array();
    for (const auto& name : m_models)
      models.push_back({{"name", name}, {"model", name}, {"size", 1}});
    res.set_content(json{{"models", models}}.dump(), "application/json");
    return;
  }

  bool wants_stream = false;
  std::optional<Failure> failure = check(req, body, wants_stream);
  if (!failure && !m_failures.empty()) {
    failure = std::move(m_failures.front());
    m_failures.pop_front();
  }
  if (failure) {
    res.status = failure->status;
    for (const auto& [name, value] : failure->headers)
      res.set_header(name, value);
    res.set_content(failure->body, "application/json");
    return;
  }
  if (!wants_stream) {
    res.set_content(m_whole, "application/json");
    return;
  }
  const std::string content_type =
      m_protocol == Protocol::ollama ? "application/x-ndjson" : "text/event-stream";
  auto transcript = std::make_shared<std::string>(m_stream);
  lock.unlock();
  res.set_chunked_content_provider(
      content_type, [transcript](std::size_t offset, httplib::DataSink& sink) {
        if (offset >= transcript->size()) {
          sink.done();
          return true;
        }
        const std::size_t size = std::min(k_stream_piece, transcript->size() - offset);
        return sink.write(transcript->data() + offset, size);
      });
}

}  // namespace llmgw::test
