#include "support/fake_openai.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdint>
#include <sstream>

namespace llmgw::test {

namespace {

constexpr long long k_created = 1741569952;
constexpr const char* k_completion_id = "chatcmpl-fake";

std::string to_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Text of a message's content: a string, or the text parts of an array joined by "\n".
std::string content_text(const nlohmann::json& content) {
  if (content.is_string()) {
    return content.get<std::string>();
  }
  std::string text;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_object() && part.value("type", "") == "text" && part.contains("text") &&
          part["text"].is_string()) {
        if (!text.empty()) {
          text += "\n";
        }
        text += part["text"].get<std::string>();
      }
    }
  }
  return text;
}

long count_words(const std::string& text) {
  std::istringstream in(text);
  long words = 0;
  for (std::string word; in >> word;) {
    ++words;
  }
  return words;
}

std::string echo_content(const nlohmann::json& request) {
  std::string last_user;
  for (const auto& message : request["messages"]) {
    if (message.is_object() && message.value("role", "") == "user" && message.contains("content")) {
      last_user = content_text(message["content"]);
    }
  }
  return "fake: " + last_user;
}

nlohmann::json echo_usage(const nlohmann::json& request, const std::string& content) {
  long prompt = 0;
  for (const auto& message : request["messages"]) {
    if (message.is_object() && message.contains("content")) {
      prompt += count_words(content_text(message["content"]));
    }
  }
  prompt = std::max(prompt, 1L);
  const long completion = std::max(count_words(content), 1L);
  return {{"prompt_tokens", prompt},
          {"completion_tokens", completion},
          {"total_tokens", prompt + completion},
          {"prompt_tokens_details", {{"cached_tokens", 0}, {"audio_tokens", 0}}},
          {"completion_tokens_details",
           {{"reasoning_tokens", 0},
            {"audio_tokens", 0},
            {"accepted_prediction_tokens", 0},
            {"rejected_prediction_tokens", 0}}}};
}

std::string model_of(const nlohmann::json& request) {
  const auto it = request.find("model");
  return it != request.end() && it->is_string() ? it->get<std::string>() : "gpt-4o-mini";
}

nlohmann::json error_body(const std::string& message, const std::string& type,
                          const std::string& code) {
  return {{"error",
           {{"message", message},
            {"type", type},
            {"param", nullptr},
            {"code", code.empty() ? nlohmann::json(nullptr) : nlohmann::json(code)}}}};
}

bool is_chat_request(const nlohmann::json& body) {
  return body.is_object() && body.contains("messages") && body["messages"].is_array() &&
         !body["messages"].empty();
}

// Standard base64 (RFC 4648 §4) straight from OpenSSL, not through llmgw's own wrapper.
std::string base64(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string float32_le(const std::vector<double>& values) {
  std::string bytes;
  for (const double value : values) {
    const auto bits = std::bit_cast<std::uint32_t>(static_cast<float>(value));
    for (int shift = 0; shift < 32; shift += 8)
      bytes += static_cast<char>((bits >> shift) & 0xFF);
  }
  return bytes;
}

// An embeddings request's inputs as (count of vectors, words or tokens); nullopt when
// "input" is missing or of no embeddings shape.
std::optional<std::pair<std::size_t, long>> embedding_inputs(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("input"))
    return std::nullopt;
  const auto& input = body["input"];
  if (input.is_string())
    return std::pair<std::size_t, long>{1, count_words(input.get<std::string>())};
  if (!input.is_array() || input.empty())
    return std::nullopt;
  if (input.front().is_number_integer())
    return std::pair<std::size_t, long>{1, static_cast<long>(input.size())};
  long tokens = 0;
  for (const auto& item : input) {
    if (item.is_string())
      tokens += count_words(item.get<std::string>());
    else if (item.is_array())
      tokens += static_cast<long>(item.size());
    else
      return std::nullopt;
  }
  return std::pair<std::size_t, long>{input.size(), tokens};
}

nlohmann::json echo_embeddings(const nlohmann::json& request, std::size_t inputs, long tokens) {
  const std::size_t dimensions =
      request.contains("dimensions") && request["dimensions"].is_number_unsigned()
          ? request["dimensions"].get<std::size_t>()
          : FakeOpenAI::k_embedding_dimensions;
  const bool base64_wanted =
      request.contains("encoding_format") && request["encoding_format"] == "base64";
  nlohmann::json data = nlohmann::json::array();
  for (std::size_t i = 0; i < inputs; ++i) {
    std::vector<double> values;
    for (std::size_t j = 0; j < dimensions; ++j)
      values.push_back(FakeOpenAI::embedding_value(i, j));
    data.push_back({{"object", "embedding"},
                    {"index", i},
                    {"embedding", base64_wanted ? nlohmann::json(base64(float32_le(values)))
                                                : nlohmann::json(values)}});
  }
  tokens = std::max(tokens, 1L);
  return {{"object", "list"},
          {"model", model_of(request)},
          {"data", std::move(data)},
          {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
}

nlohmann::json echo_images(const nlohmann::json& request) {
  const std::string prompt = request["prompt"].get<std::string>();
  const long n =
      request.contains("n") && request["n"].is_number_integer() ? request["n"].get<long>() : 1;
  const bool b64 = request.contains("response_format") && request["response_format"] == "b64_json";
  nlohmann::json data = nlohmann::json::array();
  for (long i = 0; i < n; ++i) {
    if (b64) {
      data.push_back({{"b64_json", base64("fake image " + std::to_string(i) + ": " + prompt)}});
    } else {
      data.push_back({{"url", "https://images.fake.test/" + std::to_string(i) + ".png"},
                      {"revised_prompt", "fake: " + prompt}});
    }
  }
  return {{"created", k_created}, {"data", std::move(data)}};
}

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

}  // namespace

std::optional<std::string> RecordedRequest::header(std::string_view name) const {
  const std::string wanted = to_lower(std::string(name));
  for (const auto& [key, value] : headers) {
    if (key == wanted) {
      return value;
    }
  }
  return std::nullopt;
}

Reply Reply::echo() {
  return Reply{};
}

Reply Reply::json(int status, nlohmann::json body) {
  Reply reply;
  reply.kind = Kind::json;
  reply.status = status;
  reply.body = body.dump();
  reply.content_type = "application/json";
  return reply;
}

Reply Reply::raw(int status, std::string body, std::string content_type) {
  Reply reply;
  reply.kind = Kind::raw;
  reply.status = status;
  reply.body = std::move(body);
  reply.content_type = std::move(content_type);
  return reply;
}

Reply Reply::sse(std::vector<std::string> events) {
  Reply reply;
  reply.kind = Kind::sse;
  reply.events = std::move(events);
  return reply;
}

Reply Reply::error(int status, std::string message, std::string type, std::string code) {
  return json(status, error_body(message, type, code));
}

Reply& Reply::with_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Reply& Reply::with_delay(std::chrono::milliseconds before_headers) {
  delay = before_headers;
  return *this;
}

Reply& Reply::with_stall(std::size_t after_events, std::chrono::milliseconds duration) {
  stall_after = after_events;
  stall = duration;
  return *this;
}

Reply& Reply::with_interval(std::chrono::milliseconds between_events) {
  interval = between_events;
  return *this;
}

Reply& Reply::with_cut_after(std::size_t events) {
  cut_after = events;
  return *this;
}

FakeOpenAI::FakeOpenAI() {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
  m_server.http().Get(".*", handler);
  m_server.http().Post(".*", handler);
  m_server.http().Put(".*", handler);
  m_server.http().Patch(".*", handler);
  m_server.http().Delete(".*", handler);
  m_server.start();
}

void FakeOpenAI::push(Reply reply) {
  std::lock_guard lock(m_mutex);
  m_replies.push_back(std::move(reply));
}

std::size_t FakeOpenAI::pending() const {
  std::lock_guard lock(m_mutex);
  return m_replies.size();
}

std::vector<RecordedRequest> FakeOpenAI::requests() const {
  std::lock_guard lock(m_mutex);
  return m_requests;
}

nlohmann::json FakeOpenAI::echo_completion(const nlohmann::json& request) {
  const std::string content = echo_content(request);
  return {{"id", k_completion_id},
          {"object", "chat.completion"},
          {"created", k_created},
          {"model", model_of(request)},
          {"choices",
           {{{"index", 0},
             {"message",
              {{"role", "assistant"},
               {"content", content},
               {"refusal", nullptr},
               {"annotations", nlohmann::json::array()}}},
             {"logprobs", nullptr},
             {"finish_reason", "stop"}}}},
          {"usage", echo_usage(request, content)},
          {"service_tier", "default"},
          {"system_fingerprint", nullptr}};
}

std::vector<std::string> FakeOpenAI::echo_events(const nlohmann::json& request) {
  const std::string content = echo_content(request);
  const std::string model = model_of(request);
  const bool include_usage = request.contains("stream_options") &&
                             request["stream_options"].is_object() &&
                             request["stream_options"].value("include_usage", false);
  auto chunk = [&](nlohmann::json delta, nlohmann::json finish_reason) {
    nlohmann::json c = {{"id", k_completion_id},
                        {"object", "chat.completion.chunk"},
                        {"created", k_created},
                        {"model", model},
                        {"system_fingerprint", nullptr},
                        {"choices",
                         {{{"index", 0},
                           {"delta", std::move(delta)},
                           {"logprobs", nullptr},
                           {"finish_reason", std::move(finish_reason)}}}}};
    if (include_usage) {
      c["usage"] = nullptr;
    }
    return "data: " + c.dump();
  };

  std::vector<std::string> events;
  events.push_back(chunk({{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}, nullptr));
  // Pieces end after each space, so joining them gives the content back.
  for (std::size_t start = 0; start < content.size();) {
    std::size_t end = content.find(' ', start);
    end = end == std::string::npos ? content.size() : end + 1;
    events.push_back(chunk({{"content", content.substr(start, end - start)}}, nullptr));
    start = end;
  }
  events.push_back(chunk(nlohmann::json::object(), "stop"));
  if (include_usage) {
    const nlohmann::json usage_chunk = {{"id", k_completion_id},
                                        {"object", "chat.completion.chunk"},
                                        {"created", k_created},
                                        {"model", model},
                                        {"system_fingerprint", nullptr},
                                        {"choices", nlohmann::json::array()},
                                        {"usage", echo_usage(request, content)}};
    events.push_back("data: " + usage_chunk.dump());
  }
  events.push_back("data: [DONE]");
  return events;
}

RecordedRequest record_request(const httplib::Request& req) {
  RecordedRequest recorded;
  recorded.method = req.method;
  recorded.path = req.path;
  recorded.target = req.target;
  for (const auto& [name, value] : req.headers)
    recorded.headers.emplace_back(to_lower(name), value);
  recorded.body = req.body;
  recorded.json = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (recorded.json.is_discarded())
    recorded.json = nullptr;
  return recorded;
}

void FakeOpenAI::handle(const httplib::Request& req, httplib::Response& res) {
  const RecordedRequest recorded = record_request(req);

  Reply reply;
  std::size_t number = 0;
  {
    std::lock_guard lock(m_mutex);
    m_requests.push_back(recorded);
    number = m_requests.size();
    if (!m_replies.empty()) {
      reply = std::move(m_replies.front());
      m_replies.pop_front();
    }
  }

  if (reply.delay.count() > 0 && !m_server.wait_unless_stopping(reply.delay)) {
    res.status = 503;
    return;
  }
  res.set_header("x-request-id", "req_fake_" + std::to_string(number));
  for (const auto& [name, value] : reply.headers) {
    res.set_header(name, value);
  }

  switch (reply.kind) {
    case Reply::Kind::json:
    case Reply::Kind::raw:
      res.status = reply.status;
      res.set_content(reply.body, reply.content_type);
      return;
    case Reply::Kind::sse:
      send_events(res, std::move(reply.events), reply);
      return;
    case Reply::Kind::echo:
      break;
  }

  if (req.method == "POST" && req.path == "/v1/chat/completions") {
    if (!is_chat_request(recorded.json)) {
      res.status = 400;
      res.set_content(error_body("The request body must be a JSON object with a non-empty "
                                 "'messages' array.",
                                 "invalid_request_error", "")
                          .dump(),
                      "application/json");
      return;
    }
    if (recorded.json.value("stream", false)) {
      send_events(res, echo_events(recorded.json), reply);
      return;
    }
    res.status = 200;
    res.set_content(echo_completion(recorded.json).dump(), "application/json");
    return;
  }
  if (req.method == "POST" && req.path == "/v1/embeddings") {
    if (const auto inputs = embedding_inputs(recorded.json)) {
      send_json(res, 200, echo_embeddings(recorded.json, inputs->first, inputs->second));
    } else {
      send_json(res, 400,
                error_body("'input' must be a string or an array", "invalid_request_error", ""));
    }
    return;
  }
  if (req.method == "POST" && req.path == "/v1/images/generations") {
    if (recorded.json.is_object() && recorded.json.contains("prompt") &&
        recorded.json["prompt"].is_string()) {
      send_json(res, 200, echo_images(recorded.json));
    } else {
      send_json(res, 400,
                error_body("'prompt' is a required property", "invalid_request_error", ""));
    }
    return;
  }
  if (req.method == "GET" && req.path == "/v1/models") {
    nlohmann::json data = nlohmann::json::array();
    for (const auto& id : k_models) {
      data.push_back(
          {{"id", id}, {"object", "model"}, {"created", 1686935002}, {"owned_by", "fake"}});
    }
    res.status = 200;
    res.set_content(nlohmann::json{{"object", "list"}, {"data", data}}.dump(), "application/json");
    return;
  }
  res.status = 404;
  res.set_content(
      error_body("Invalid URL (" + req.method + " " + req.path + ")", "invalid_request_error", "")
          .dump(),
      "application/json");
}

void FakeOpenAI::send_events(httplib::Response& res, std::vector<std::string> events,
                             const Reply& reply) {
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, events = std::move(events), stall_after = reply.stall_after, stall = reply.stall,
       cut_after = reply.cut_after,
       interval = reply.interval](std::size_t /*offset*/, httplib::DataSink& sink) {
        for (std::size_t i = 0; i <= events.size(); ++i) {
          if (cut_after && i == *cut_after) {
            // Returning false makes httplib close the socket without the final
            // zero-length chunk, so the client sees a truncated body.
            return false;
          }
          if (stall_after && i == *stall_after && !m_server.wait_unless_stopping(stall)) {
            return false;
          }
          if (i == events.size()) {
            break;
          }
          if (i > 0 && interval.count() > 0 && !m_server.wait_unless_stopping(interval))
            return false;
          const std::string frame = events[i] + "\n\n";
          if (!sink.write(frame.data(), frame.size())) {
            ++m_abandoned;
            return false;  // the client went away
          }
        }
        sink.done();
        return true;
      });
}

}  // namespace llmgw::test
