#include <catch2/catch.hpp>

#include "cli/embed_output.hpp"
#include "core/error.hpp"

using llmgw::GatewayError;
using llmgw::cli::embedding_line;
using llmgw::cli::EmbeddingList;
using llmgw::cli::EmbedFormat;
using llmgw::cli::parse_embed_format;
using nlohmann::json;

TEST_CASE("embed formats are named as --help says", "[embed]") {
  CHECK(parse_embed_format("json") == EmbedFormat::json);
  CHECK(parse_embed_format("ndjson") == EmbedFormat::ndjson);
  CHECK(parse_embed_format("floats") == EmbedFormat::floats);
  CHECK(parse_embed_format("base64") == EmbedFormat::base64);
  CHECK_FALSE(parse_embed_format("JSON").has_value());
  CHECK_FALSE(parse_embed_format("").has_value());
}

TEST_CASE("an embedding line keeps the provider's numbers exactly", "[embed]") {
  const json values = json::parse("[0.1, -2.5e-07, 3, 0.30000000000000004]");
  CHECK(embedding_line(EmbedFormat::floats, 0, values) == "0.1 -2.5e-07 3 0.30000000000000004\n");
  CHECK(embedding_line(EmbedFormat::ndjson, 7, values) ==
        R"({"embedding":[0.1,-2.5e-07,3,0.30000000000000004],"index":7})"
        "\n");
  CHECK(embedding_line(EmbedFormat::base64, 0, "AAAAPw==") == "AAAAPw==\n");
}

TEST_CASE("an embedding of the wrong shape is the provider's error, not a crash", "[embed]") {
  CHECK_THROWS_AS(embedding_line(EmbedFormat::floats, 0, "AAAA"), GatewayError);
  CHECK_THROWS_AS(embedding_line(EmbedFormat::floats, 0, json::parse(R"([1, "x"])")), GatewayError);
  CHECK_THROWS_AS(embedding_line(EmbedFormat::base64, 0, json::array({1.0})), GatewayError);
  CHECK_THROWS_AS(embedding_line(EmbedFormat::ndjson, 0, json()), GatewayError);
}

TEST_CASE("the json list renumbers batches and sums their usage", "[embed]") {
  EmbeddingList list;
  list.add({{"model", "m"}, {"usage", {{"prompt_tokens", 4}, {"total_tokens", 4}}}},
           {json::array({1.0}), json::array({2.0})});
  list.add(
      {{"model", "m"}, {"usage", {{"prompt_tokens", 2}, {"total_tokens", 2}, {"estimated", true}}}},
      {json::array({3.0})});
  const json out = list.result();
  CHECK(out["object"] == "list");
  CHECK(out["model"] == "m");
  REQUIRE(out["data"].size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(out["data"][i]["index"] == i);
    CHECK(out["data"][i]["object"] == "embedding");
    CHECK(out["data"][i]["embedding"][0] == i + 1.0);
  }
  CHECK(out["usage"] == json({{"prompt_tokens", 6}, {"total_tokens", 6}, {"estimated", true}}));
}
