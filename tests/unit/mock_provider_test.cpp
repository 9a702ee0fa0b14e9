#include <catch2/catch.hpp>

#include "core/providers/mock_provider.hpp"
#include "core/stream_accumulator.hpp"
#include "support/expect_error.hpp"

using namespace llmgw;
using nlohmann::json;

namespace {

json request_with(const std::string& last_user) {
  return {{"model", "mock/echo"},
          {"messages", json::array({{{"role", "system"}, {"content", "Be brief."}},
                                    {{"role", "user"}, {"content", "first question"}},
                                    {{"role", "assistant"}, {"content", "first answer"}},
                                    {{"role", "user"}, {"content", last_user}}})}};
}

}  // namespace

TEST_CASE("mock knows echo, slow, embed and image", "[mock]") {
  CHECK(mock::is_known_model("echo"));
  CHECK(mock::is_known_model("slow"));
  CHECK(mock::is_known_model("embed"));
  CHECK(mock::is_known_model("image"));
  CHECK_FALSE(mock::is_known_model("fast"));
  CHECK_FALSE(mock::is_known_model(""));
}

TEST_CASE("each mock model does one operation and says which to use instead", "[mock]") {
  using mock::Operation;
  CHECK_NOTHROW(mock::require_operation("echo", Operation::chat));
  CHECK_NOTHROW(mock::require_operation("slow", Operation::chat));
  CHECK_NOTHROW(mock::require_operation("embed", Operation::embeddings));
  CHECK_NOTHROW(mock::require_operation("image", Operation::images));

  struct Case {
    const char* model;
    Operation operation;
    const char* message;
    const char* fix;
  };
  for (const Case& c : {
           Case{"echo", Operation::embeddings, "mock/echo is a chat model and makes no embeddings",
                "use mock/embed"},
           Case{"slow", Operation::images, "mock/slow is a chat model and makes no images",
                "use mock/image"},
           Case{"embed", Operation::chat,
                "mock/embed is an embeddings model and makes no chat completions",
                "use mock/echo or mock/slow"},
           Case{"image", Operation::embeddings,
                "mock/image is an image model and makes no embeddings", "use mock/embed"},
       }) {
    const Error e = test::error_of([&] { mock::require_operation(c.model, c.operation); });
    CHECK(e.kind == ErrorKind::invalid_request);
    CHECK(e.param == "model");
    CHECK(e.provider == "mock");
    CHECK(e.message == c.message);
    CHECK(e.fix == c.fix);
  }
}

TEST_CASE("mock respond echoes the last user message", "[mock]") {
  const json request = request_with("hello there");
  const json r = mock::respond(request, "echo", 1700000000);
  CHECK(r["object"] == "chat.completion");
  CHECK(r["created"] == 1700000000);
  CHECK(r["model"] == "mock/echo");
  CHECK(r["id"].get<std::string>().rfind("chatcmpl-mock-", 0) == 0);
  REQUIRE(r["choices"].size() == 1);
  const json& choice = r["choices"][0];
  CHECK(choice["index"] == 0);
  CHECK(choice["finish_reason"] == "stop");
  CHECK(choice["message"]["role"] == "assistant");
  CHECK(choice["message"]["content"] == "mock: hello there");
  CHECK(choice["message"]["refusal"].is_null());

  // Prompt: "Be brief." (9) + "first question" (14) + "first answer" (12) + "hello there"
  // (11) = 46 chars → 12 tokens. Reply: 17 chars → 5 tokens.
  CHECK(r["usage"] == json{{"prompt_tokens", 12}, {"completion_tokens", 5}, {"total_tokens", 17}});
}

TEST_CASE("mock respond is deterministic and the id depends on the messages", "[mock]") {
  const json a = mock::respond(request_with("x"), "echo", 1);
  const json b = mock::respond(request_with("x"), "echo", 2);
  const json c = mock::respond(request_with("y"), "echo", 1);
  CHECK(a["id"] == b["id"]);
  CHECK(a["id"] != c["id"]);
  CHECK(mock::respond(request_with("x"), "slow", 1)["model"] == "mock/slow");
}

TEST_CASE("mock joins text parts and counts characters, not bytes", "[mock]") {
  const json request = {
      {"messages",
       json::array(
           {{{"role", "user"},
             {"content", json::array({{{"type", "text"}, {"text", "h\u00e9"}},
                                      {{"type", "image_url"}, {"image_url", {{"url", "data:,"}}}},
                                      {{"type", "text"}, {"text", "you"}}})}}})}};
  const json r = mock::respond(request, "echo", 0);
  CHECK(r["choices"][0]["message"]["content"] == "mock: h\u00e9\nyou");
  CHECK(r["usage"]["prompt_tokens"] == 2);  // "hé" + "you" = 5 chars
}

TEST_CASE("mock token counts are at least 1", "[mock]") {
  const json request = {{"messages", json::array({{{"role", "user"}, {"content", ""}}})}};
  const json r = mock::respond(request, "echo", 0);
  CHECK(r["usage"]["prompt_tokens"] == 1);
  CHECK(r["choices"][0]["message"]["content"] == "mock: ");
  CHECK(r["usage"]["completion_tokens"] == 2);
}

TEST_CASE("mock honours max_tokens with finish_reason length", "[mock]") {
  json request = request_with("a fairly long question about many things");
  request["max_tokens"] = 2;
  json r = mock::respond(request, "echo", 0);
  CHECK(r["choices"][0]["message"]["content"] == "mock: a ");
  CHECK(r["choices"][0]["finish_reason"] == "length");
  CHECK(r["usage"]["completion_tokens"] == 2);

  request.erase("max_tokens");
  request["max_completion_tokens"] = 1;
  r = mock::respond(request, "echo", 0);
  CHECK(r["choices"][0]["message"]["content"] == "mock");
  CHECK(r["choices"][0]["finish_reason"] == "length");

  request["max_completion_tokens"] = 1000;
  r = mock::respond(request, "echo", 0);
  CHECK(r["choices"][0]["finish_reason"] == "stop");
}

TEST_CASE("mock stream chunks: role, pieces of at most 4 words, finish, usage", "[mock]") {
  const json r = mock::respond(request_with("one two three four five six seven"), "echo", 42);
  const auto chunks = mock::stream_chunks(r);
  // "mock: one two three four five six seven" = 8 words → 2 content pieces.
  REQUIRE(chunks.size() == 5);
  for (const auto& chunk : chunks) {
    CHECK(chunk["object"] == "chat.completion.chunk");
    CHECK(chunk["id"] == r["id"]);
    CHECK(chunk["created"] == 42);
    CHECK(chunk["model"] == "mock/echo");
  }
  CHECK(chunks[0]["choices"][0]["delta"] == json{{"role", "assistant"}, {"content", ""}});
  CHECK(chunks[0]["choices"][0]["finish_reason"].is_null());
  CHECK(chunks[1]["choices"][0]["delta"]["content"] == "mock: one two three ");
  CHECK(chunks[2]["choices"][0]["delta"]["content"] == "four five six seven");
  CHECK(chunks[3]["choices"][0]["delta"] == json::object());
  CHECK(chunks[3]["choices"][0]["finish_reason"] == "stop");
  CHECK(chunks[4]["choices"].empty());
  CHECK(chunks[4]["usage"] == r["usage"]);
}

TEST_CASE("mock stream accumulates back to the non-stream response", "[mock]") {
  const json r = mock::respond(request_with("  spaced   out  words here "), "echo", 7);
  StreamAccumulator acc;
  std::string joined;
  for (const auto& chunk : mock::stream_chunks(r)) {
    acc.add(chunk);
    if (!chunk["choices"].empty()) {
      joined += chunk["choices"][0]["delta"].value("content", "");
    }
  }
  CHECK(joined == r["choices"][0]["message"]["content"]);
  CHECK(acc.response() == r);
}
