// Stored conversations: exchanges round-trip with every field, continue the right
// conversation, are listed, found by full-text search and removed with their index entries.
#include "core/store/conversations.hpp"

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/store/migrations.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::TempDir;

namespace {

Exchange exchange(std::int64_t ts_ms, std::string prompt, std::string answer,
                  std::string model = "smart") {
  Exchange e;
  e.model = std::move(model);
  e.prompt.ts_ms = ts_ms;
  e.prompt.role = "user";
  e.prompt.content = std::move(prompt);
  e.answer.ts_ms = ts_ms + 900;
  e.answer.role = "assistant";
  e.answer.content = std::move(answer);
  e.answer.model = "openai/gpt-4o-mini";
  e.answer.input_tokens = 12;
  e.answer.output_tokens = 34;
  e.answer.cost_usd = 0.000123;
  e.answer.latency_ms = 900;
  return e;
}

struct Db {
  TempDir dir;
  Database db = open_migrated(dir.path() / "llmgw.db");
};

}  // namespace

TEST_CASE("conversations: an exchange round-trips, and continuing appends to it", "[store]") {
  Db d;
  Exchange first = exchange(1'000, "What is a monad?", "A monoid in the category of endofunctors.");
  first.system = "Be brief";
  const std::int64_t id = record_exchange(d.db, std::nullopt, first).conversation_id;
  Exchange second = exchange(5'000, "And a functor?", "A map", "openai/gpt-4o-mini");
  second.answer.cut = true;
  second.answer.input_tokens.reset();
  second.answer.output_tokens.reset();
  second.answer.cost_usd.reset();
  const RecordedExchange recorded = record_exchange(d.db, id, second);
  CHECK(recorded.conversation_id == id);

  const auto conversation = read_conversation(d.db, id);
  REQUIRE(conversation);
  CHECK(conversation->created_ms == 1'000);
  CHECK(conversation->updated_ms == 5'900);
  CHECK(conversation->model == "openai/gpt-4o-mini");  // the model asked for last
  CHECK(conversation->system == std::nullopt);         // the second exchange set none
  REQUIRE(conversation->messages.size() == 4);
  StoredMessage expected = first.prompt;
  expected.id = conversation->messages[0].id;
  CHECK(conversation->messages[0] == expected);
  expected = first.answer;
  expected.id = conversation->messages[1].id;
  CHECK(conversation->messages[1] == expected);
  CHECK(conversation->messages[2].content == "And a functor?");
  CHECK(conversation->messages[3].cut);
  CHECK(conversation->messages[3].cost_usd == std::nullopt);
  CHECK(conversation->messages[2].id == recorded.prompt_id);
  CHECK(conversation->messages[3].id == recorded.answer_id);
  CHECK(latest_conversation_id(d.db) == id);
  CHECK_FALSE(read_conversation(d.db, id + 1));

  // /retry's replacement of the last exchange.
  remove_messages(d.db, std::vector<std::int64_t>{recorded.prompt_id, recorded.answer_id});
  const auto shorter = read_conversation(d.db, id);
  REQUIRE(shorter);
  CHECK(shorter->messages.size() == 2);
  SearchQuery query;
  query.text = "functor";
  CHECK(search_messages(d.db, query).empty());
}

TEST_CASE("conversations: continuing one that was removed is refused, not recreated", "[store]") {
  Db d;
  const std::int64_t id =
      record_exchange(d.db, std::nullopt, exchange(1, "a", "b")).conversation_id;
  remove_conversations(d.db, std::vector<std::int64_t>{id});
  try {
    record_exchange(d.db, id, exchange(2, "c", "d"));
    FAIL("no error");
  } catch (const GatewayError& e) {
    CHECK(e.error().kind == ErrorKind::usage);
    CHECK(e.error().message == "conversation " + std::to_string(id) + " no longer exists");
  }
  CHECK_FALSE(latest_conversation_id(d.db));
  // Ids are never reused, so an old --cid cannot continue somebody else's conversation.
  CHECK(record_exchange(d.db, std::nullopt, exchange(3, "e", "f")).conversation_id > id);
}

TEST_CASE("conversations: listed newest first, filtered by model, with their totals", "[store]") {
  Db d;
  const auto a =
      record_exchange(d.db, std::nullopt, exchange(1'000, "first prompt", "x")).conversation_id;
  Exchange claude = exchange(2'000, "about claude", "y", "anthropic/claude-sonnet-4-5");
  claude.answer.model = "anthropic/claude-sonnet-4-5";
  claude.answer.cost_usd.reset();
  const auto b = record_exchange(d.db, std::nullopt, claude).conversation_id;
  record_exchange(d.db, a, exchange(3'000, "second prompt", "z"));

  const auto all = list_conversations(d.db, {});
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == a);  // updated last
  CHECK(all[0].first_prompt == "first prompt");
  CHECK(all[0].messages == 4);
  CHECK(all[0].cost_usd == Approx(0.000246));
  CHECK_FALSE(all[0].unpriced);
  CHECK(all[0].served_by == "openai/gpt-4o-mini");
  CHECK(all[1].id == b);
  CHECK(all[1].unpriced);

  CHECK(list_conversations(d.db, {1, std::nullopt}).size() == 1);
  const auto claudes = list_conversations(d.db, {20, "CLAUDE"});
  REQUIRE(claudes.size() == 1);
  CHECK(claudes[0].id == b);
  CHECK(list_conversations(d.db, {20, "gpt-4o"}).size() == 1);  // served by, not asked for
  CHECK(list_conversations(d.db, {20, "gemini"}).empty());
}

TEST_CASE("conversations: full-text search over prompts and answers", "[store]") {
  Db d;
  const auto a =
      record_exchange(d.db, std::nullopt, exchange(1, "What's a monad, really?", "It is a monoid."))
          .conversation_id;
  record_exchange(d.db, std::nullopt, exchange(2, "Tell me about functors", "Maps."));

  SearchQuery query;
  query.text = "monad really?";  // punctuation needs no quoting in plain words
  query.mark_open = "[";
  query.mark_close = "]";
  auto hits = search_messages(d.db, query);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].conversation_id == a);
  CHECK(hits[0].role == "user");
  CHECK(hits[0].excerpt == "What's a [monad], [really]?");

  query.text = "monad functors";  // every word must occur in the message
  CHECK(search_messages(d.db, query).empty());

  query.fts_syntax = true;
  query.text = "monad OR functor*";
  CHECK(search_messages(d.db, query).size() == 2);
  query.text = "\"unbalanced";
  CHECK_THROWS_MATCHES(search_messages(d.db, query), GatewayError,
                       Catch::Predicate<GatewayError>([](const GatewayError& e) {
                         return e.error().kind == ErrorKind::usage;
                       }));
  query.fts_syntax = false;
  query.text = "  ";
  CHECK_THROWS_AS(search_messages(d.db, query), GatewayError);
  query.text = "\"";  // a lone quote is a word with no letters in it: nothing matches
  CHECK(search_messages(d.db, query).empty());
}

TEST_CASE("conversations: plain words become quoted FTS5 strings", "[store]") {
  CHECK(fts_words_query("") == "");
  CHECK(fts_words_query("  monad  ") == "\"monad\"");
  CHECK(fts_words_query("a OR b") == "\"a\" \"OR\" \"b\"");
  CHECK(fts_words_query("say \"hi\"") == "\"say\" \"\"\"hi\"\"\"");
}

TEST_CASE("conversations: removed by id, by age or all, with their index entries", "[store]") {
  Db d;
  const auto old_one =
      record_exchange(d.db, std::nullopt, exchange(1'000, "old monad", "a")).conversation_id;
  const auto middle =
      record_exchange(d.db, std::nullopt, exchange(5'000, "mid monad", "b")).conversation_id;
  const auto recent =
      record_exchange(d.db, std::nullopt, exchange(9'000, "new monad", "c")).conversation_id;
  SearchQuery query;
  query.text = "monad";
  REQUIRE(search_messages(d.db, query).size() == 3);

  Removed removed = remove_conversations(d.db, std::vector<std::int64_t>{middle});
  CHECK(removed.conversations == 1);
  CHECK(removed.messages == 2);
  CHECK(remove_conversations(d.db, std::vector<std::int64_t>{middle}).conversations == 0);
  removed = remove_conversations_before(d.db, 5'000);
  CHECK(removed.conversations == 1);
  CHECK_FALSE(read_conversation(d.db, old_one));
  const auto hits = search_messages(d.db, query);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].conversation_id == recent);

  removed = remove_all_conversations(d.db);
  CHECK(removed.conversations == 1);
  CHECK(removed.messages == 2);
  CHECK(search_messages(d.db, query).empty());
  Statement left = d.db.prepare("SELECT count(*) FROM messages");
  REQUIRE(left.step());
  CHECK(left.int64(0) == 0);
  d.db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
}
