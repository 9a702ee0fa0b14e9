// The daemon in-process on port 0 in front of a fake OpenAI upstream: OpenAI's endpoints,
// whole and streamed, their extra fields and headers, and the response cache header.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "support/daemon_harness.hpp"

using llmgw::test::DaemonHarness;
using llmgw::test::FakeOpenAI;
using llmgw::test::Reply;
using nlohmann::json;

namespace {

json chat_body(const std::string& prompt, bool stream = false) {
  json body = {{"model", "gpt-4o-mini"}, {"messages", {{{"role", "user"}, {"content", prompt}}}}};
  if (stream)
    body["stream"] = true;
  return body;
}

httplib::Result post(const DaemonHarness& d, const std::string& path, const json& body,
                     const httplib::Headers& headers = {}) {
  return d.client().Post(path.c_str(), headers, body.dump(), "application/json");
}

// The data: payloads of an SSE body, in order ("[DONE]" included as a string).
std::vector<std::string> sse_payloads(const std::string& body) {
  std::vector<std::string> payloads;
  std::size_t at = 0;
  while ((at = body.find("data: ", at)) != std::string::npos) {
    const std::size_t end = body.find("\n\n", at);
    payloads.push_back(body.substr(at + 6, end - at - 6));
    at = end;
  }
  return payloads;
}

std::string streamed_text(const std::vector<std::string>& payloads) {
  std::string text;
  for (const std::string& payload : payloads) {
    if (payload == "[DONE]")
      continue;
    const json chunk = json::parse(payload);
    if (chunk.contains("choices") && !chunk["choices"].empty()) {
      const json& delta = chunk["choices"][0]["delta"];
      if (delta.contains("content") && delta["content"].is_string())
        text += delta["content"].get<std::string>();
    }
  }
  return text;
}

std::vector<llmgw::LedgerRow> ledger_rows(DaemonHarness& d) {
  d.stop();
  llmgw::Database db = llmgw::open_migrated(d.config.paths.db_file);
  return llmgw::read_ledger_rows(db);
}

}  // namespace

TEST_CASE("daemon: a chat completion in OpenAI's shape, with cost, provider and headers",
          "[daemon]") {
  DaemonHarness d;
  const auto res = post(d, "/v1/chat/completions", chat_body("hello daemon"));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "application/json; charset=utf-8");
  const json body = json::parse(res->body);
  CHECK(body["object"] == "chat.completion");
  CHECK(body["choices"][0]["message"]["content"] == "fake: hello daemon");
  CHECK(body["choices"][0]["finish_reason"] == "stop");
  CHECK(body["usage"]["prompt_tokens"] == 2);
  CHECK(body["provider"] == "openai");
  REQUIRE(body["cost"].is_number());
  CHECK(body["cost"].get<double>() > 0);
  CHECK(body["response_time_ms"].is_number_integer());

  CHECK(res->get_header_value("x-request-id").rfind("req_", 0) == 0);
  CHECK(res->get_header_value("x-llmgw-provider") == "openai");
  CHECK(res->get_header_value("x-llmgw-model") == "gpt-4o-mini");
  CHECK(res->get_header_value("x-llmgw-cache") == "miss");
  CHECK(res->get_header_value("x-llmgw-attempts") == "1");
  CHECK(std::stod(res->get_header_value("x-llmgw-cost-usd")) ==
        Approx(body["cost"].get<double>()).epsilon(1e-6));
  CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
  CHECK(res->get_header_value("Cache-Control") == "no-store");

  // The upstream got the provider key, never anything of the client's.
  REQUIRE(d.upstream.requests().size() == 1);
  CHECK(d.upstream.requests()[0].header("authorization") ==
        std::string("Bearer ") + DaemonHarness::k_provider_key);

  // A client's own request id is kept.
  const auto tagged =
      post(d, "/v1/chat/completions", chat_body("tagged"), {{"x-request-id", "trace-42"}});
  REQUIRE(tagged);
  CHECK(tagged->get_header_value("x-request-id") == "trace-42");

  const auto rows = ledger_rows(d);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].source == "daemon");
  CHECK(rows[0].status == "ok");
  CHECK(rows[0].cost_usd == body["cost"].get<double>());
}

TEST_CASE("daemon: answers go out uncompressed, whatever encodings the client accepts",
          "[daemon]") {
  // Compressing a small answer (brotli, chosen when offered) costs ~1 ms, more than it
  // saves on loopback; SDKs offer it by default.
  DaemonHarness d;
  const auto res = post(d, "/v1/chat/completions", chat_body("plain"),
                        {{"Accept-Encoding", "br, gzip, deflate"}});
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK_FALSE(res->has_header("Content-Encoding"));
  CHECK(json::parse(res->body)["choices"][0]["message"]["content"] == "fake: plain");
  const auto models = d.client().Get("/v1/models", {{"Accept-Encoding", "br, gzip, deflate"}});
  REQUIRE(models);
  CHECK_FALSE(models->has_header("Content-Encoding"));
}

TEST_CASE("daemon: a streamed chat, chunk by chunk, with usage only when asked",
          "[daemon][stream]") {
  DaemonHarness d;
  const auto plain = post(d, "/v1/chat/completions", chat_body("stream me please", true));
  REQUIRE(plain);
  CHECK(plain->status == 200);
  CHECK(plain->get_header_value("Content-Type") == "text/event-stream");
  CHECK(plain->get_header_value("x-llmgw-provider") == "openai");
  CHECK(plain->get_header_value("x-llmgw-cache") == "miss");
  const auto payloads = sse_payloads(plain->body);
  REQUIRE(payloads.size() >= 3);
  CHECK(payloads.back() == "[DONE]");
  CHECK(streamed_text(payloads) == "fake: stream me please");
  for (const std::string& payload : payloads) {
    if (payload != "[DONE]")
      CHECK_FALSE(json::parse(payload)["choices"].empty());  // no usage chunk
  }
  // The upstream is always asked for usage, so the ledger prices the stream.
  CHECK(d.upstream.requests()[0].json["stream_options"]["include_usage"] == true);

  json with_usage = chat_body("count these words", true);
  with_usage["stream_options"] = {{"include_usage", true}};
  const auto counted = post(d, "/v1/chat/completions", with_usage);
  REQUIRE(counted);
  const auto frames = sse_payloads(counted->body);
  REQUIRE(frames.size() >= 3);
  const json usage_chunk = json::parse(frames[frames.size() - 2]);
  CHECK(usage_chunk["choices"].empty());
  CHECK(usage_chunk["usage"]["prompt_tokens"] == 3);
  CHECK(usage_chunk["provider"] == "openai");
  CHECK(usage_chunk["cost"].get<double>() > 0);

  const auto rows = ledger_rows(d);
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].cost_usd == usage_chunk["cost"].get<double>());
  CHECK(rows[1].ttft_ms.has_value());
}

TEST_CASE("daemon: a stream that fails before its first chunk is an ordinary HTTP error",
          "[daemon][stream]") {
  DaemonHarness d;
  d.upstream.push(Reply::error(503, "upstream is down", "server_error"));
  const auto res = post(d, "/v1/chat/completions", chat_body("x", true));
  REQUIRE(res);
  CHECK(res->status == 503);
  CHECK(res->get_header_value("Content-Type") == "application/json; charset=utf-8");
  const json error = json::parse(res->body)["error"];
  CHECK(error["message"].get<std::string>().find("upstream is down") != std::string::npos);
  CHECK(error.contains("type"));
  CHECK(error.contains("param"));
  CHECK(error.contains("code"));
}

TEST_CASE("daemon: a stream cut after it began ends with an error event, not [DONE]",
          "[daemon][stream]") {
  DaemonHarness d;
  d.upstream.push(
      Reply::sse(FakeOpenAI::echo_events(chat_body("one two three", true))).with_cut_after(2));
  const auto res = post(d, "/v1/chat/completions", chat_body("one two three", true));
  REQUIRE(res);
  CHECK(res->status == 200);
  const auto payloads = sse_payloads(res->body);
  REQUIRE(payloads.size() >= 2);
  CHECK(payloads.back() != "[DONE]");
  const json last = json::parse(payloads.back());
  REQUIRE(last.contains("error"));
  CHECK(last["error"]["type"] == "stream_error");
  const auto rows = ledger_rows(d);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].status == "error");
}

TEST_CASE("daemon: a client that goes away mid-stream cancels the upstream request",
          "[daemon][stream]") {
  DaemonHarness d;
  std::vector<std::string> events = {
      R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})"};
  for (int i = 0; i < 400; ++i) {
    events.push_back(
        R"(data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]})");
  }
  events.push_back("data: [DONE]");
  d.upstream.push(Reply::sse(events).with_interval(std::chrono::milliseconds(10)));

  httplib::Client client = d.client();
  int chunks = 0;
  httplib::Request req;
  req.method = "POST";
  req.path = "/v1/chat/completions";
  req.body = chat_body("long story", true).dump();
  req.set_header("Content-Type", "application/json");
  req.content_receiver = [&](const char*, std::size_t, std::uint64_t, std::uint64_t) {
    return ++chunks < 3;  // then hang up
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  CHECK_FALSE(client.send(req, res, error));  // the client cancelled the read
  CHECK(chunks == 3);
  // The upstream sees its connection closed long before its 4 s stream would end.
  for (int i = 0; i < 300 && d.upstream.streams_abandoned() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(d.upstream.streams_abandoned() == 1);
  const auto rows = ledger_rows(d);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].status == "cancelled");
}

TEST_CASE("daemon: embeddings, images and models", "[daemon]") {
  DaemonHarness d;
  const auto embedded =
      post(d, "/v1/embeddings", {{"model", "text-embedding-3-small"}, {"input", {"a b", "c"}}});
  REQUIRE(embedded);
  CHECK(embedded->status == 200);
  const json vectors = json::parse(embedded->body);
  CHECK(vectors["object"] == "list");
  REQUIRE(vectors["data"].size() == 2);
  CHECK(vectors["data"][1]["embedding"][0] == FakeOpenAI::embedding_value(1, 0));
  CHECK(vectors["usage"]["prompt_tokens"] == 3);
  CHECK(vectors["provider"] == "openai");
  CHECK(embedded->get_header_value("x-llmgw-provider") == "openai");

  const auto drawn =
      post(d, "/v1/images/generations", {{"model", "dall-e-3"}, {"prompt", "a red fox"}, {"n", 1}});
  REQUIRE(drawn);
  CHECK(drawn->status == 200);
  const json images = json::parse(drawn->body);
  REQUIRE(images["data"].size() == 1);
  CHECK(images["data"][0]["revised_prompt"] == "fake: a red fox");

  const auto mock_image =
      post(d, "/v1/images/generations", {{"model", "mock/image"}, {"prompt", "sky"}});
  REQUIRE(mock_image);
  CHECK(mock_image->status == 200);

  const auto listed = d.client().Get("/v1/models");
  REQUIRE(listed);
  CHECK(listed->status == 200);
  const json models = json::parse(listed->body);
  CHECK(models["object"] == "list");
  bool has_mock = false;
  for (const json& model : models["data"]) {
    CHECK(model["object"] == "model");
    has_mock = has_mock || model["id"] == "mock/echo";
  }
  CHECK(has_mock);

  const auto one = d.client().Get("/v1/models/openai/gpt-4o");
  REQUIRE(one);
  CHECK(one->status == 200);
  CHECK(json::parse(one->body)["owned_by"] == "openai");
  const auto missing = d.client().Get("/v1/models/no-such-model");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(json::parse(missing->body)["error"]["code"] == "model_not_found");

  const auto rows = ledger_rows(d);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].endpoint == "embeddings");
  CHECK(rows[1].endpoint == "images");
}

TEST_CASE("daemon: x-llmgw-cache force, then a hit answered without the upstream",
          "[daemon][cache]") {
  DaemonHarness d;
  json body = chat_body("cache me");
  body["temperature"] = 0.9;  // sampled: cached only when forced
  const auto first = post(d, "/v1/chat/completions", body, {{"x-llmgw-cache", "force"}});
  REQUIRE(first);
  CHECK(first->get_header_value("x-llmgw-cache") == "miss");
  const auto second = post(d, "/v1/chat/completions", body, {{"x-llmgw-cache", "force"}});
  REQUIRE(second);
  CHECK(second->status == 200);
  CHECK(second->get_header_value("x-llmgw-cache") == "hit");
  CHECK(json::parse(second->body)["cost"] == 0.0);
  body["stream"] = true;
  const auto replayed = post(d, "/v1/chat/completions", body, {{"x-llmgw-cache", "force"}});
  REQUIRE(replayed);
  CHECK(replayed->get_header_value("x-llmgw-cache") == "hit");
  CHECK(streamed_text(sse_payloads(replayed->body)) == "fake: cache me");
  CHECK(d.upstream.requests().size() == 1);

  const auto bypass =
      post(d, "/v1/chat/completions", chat_body("cache me"), {{"x-llmgw-cache", "bypass"}});
  REQUIRE(bypass);
  CHECK(bypass->get_header_value("x-llmgw-cache") == "miss");
  const auto bad = post(d, "/v1/chat/completions", chat_body("x"), {{"x-llmgw-cache", "always"}});
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(json::parse(bad->body)["error"]["param"] == "x-llmgw-cache");
}
