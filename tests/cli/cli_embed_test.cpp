// End to end: `llmgw embed`, the built binary against the mock and a fake OpenAI server.
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/store/ledger.hpp"
#include "core/store/migrations.hpp"
#include "support/base64.hpp"
#include "support/cli_env.hpp"
#include "support/fake_openai.hpp"
#include "support/openai_user.hpp"
#include "support/text_files.hpp"

using llmgw::test::CliEnv;
using llmgw::test::FakeOpenAI;
using llmgw::test::lines_of;
using llmgw::test::Reply;
using nlohmann::json;

namespace {

constexpr const char* k_key = "sk-embed-test-00000000000000EMBD";

struct User : llmgw::test::OpenAIUser {
  User() : OpenAIUser(k_key) {}
  std::filesystem::path write_file(const std::string& name, const std::string& text) const {
    const auto path = env.home() / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
};

std::vector<float> float32s(const std::string& bytes) {
  std::vector<float> values(bytes.size() / 4);
  std::memcpy(values.data(), bytes.data(), values.size() * 4);  // this host is little-endian
  return values;
}

}  // namespace

TEST_CASE("embed: one text with the mock gives OpenAI's list, without a key", "[cli][embed]") {
  CliEnv env;
  const auto result = env.run({"embed", "-m", "mock/embed", "hello", "world"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.empty());
  const json list = json::parse(result.out);
  CHECK(list["object"] == "list");
  REQUIRE(list["data"].size() == 1);
  CHECK(list["data"][0]["index"] == 0);
  CHECK(list["data"][0]["embedding"].size() == 8);
  CHECK(list["usage"]["prompt_tokens"] == 3);  // ceil(11 characters / 4)
  // The same text gives the same vector: the mock is deterministic.
  CHECK(json::parse(env.run({"embed", "-m", "mock/embed", "hello world"}).out) == list);
}

TEST_CASE("embed: without -m, OpenAI's model when it has a key, else the mock with a note",
          "[cli][embed]") {
  SECTION("an OpenAI key") {
    User user;
    const auto result = user.env.run({"embed", "hi"});
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.empty());
    CHECK(user.server.requests().at(0).json["model"] == "text-embedding-3-small");
  }
  SECTION("no key") {
    CliEnv env;
    const auto result = env.run({"embed", "hi"});
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.find("mock/embed") != std::string::npos);
    CHECK(result.err.find("-m") != std::string::npos);
    CHECK(json::parse(result.out)["data"][0]["embedding"].size() == 8);
  }
}

TEST_CASE("embed --lines: batches in order, every format", "[cli][embed]") {
  User user;
  const auto file = user.write_file("lines.txt", "alpha\r\nbeta\ngamma\ndelta\nepsilon");
  const std::vector<std::string> args = {"embed",   "-m",          "openai/text-embedding-3-small",
                                         "--lines", file.string(), "--batch-size",
                                         "2"};
  const auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> all = args;
    all.insert(all.end(), extra.begin(), extra.end());
    return user.env.run(all);
  };
  // Input k is item k % 2 of its batch at the fake: embedding_value(k % 2, j).
  const auto value = [](std::size_t k, std::size_t j) {
    return FakeOpenAI::embedding_value(k % 2, j);
  };

  SECTION("ndjson: a line per input, indexes over all batches") {
    const auto result = with({"--format", "ndjson"});
    REQUIRE(result.exit_code == 0);
    const auto requests = user.server.requests();
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].json["input"] == json({"alpha", "beta"}));  // the \r is not text
    CHECK(requests[1].json["input"] == json({"gamma", "delta"}));
    CHECK(requests[2].json["input"] == json({"epsilon"}));
    const auto lines = lines_of(result.out);
    REQUIRE(lines.size() == 5);
    for (std::size_t k = 0; k < 5; ++k) {
      const json line = json::parse(lines[k]);
      CHECK(line["index"] == k);
      REQUIRE(line["embedding"].size() == FakeOpenAI::k_embedding_dimensions);
      for (std::size_t j = 0; j < FakeOpenAI::k_embedding_dimensions; ++j)
        CHECK(line["embedding"][j].get<double>() == value(k, j));
    }
  }
  SECTION("floats: the values separated by spaces") {
    const auto result = with({"--format", "floats"});
    REQUIRE(result.exit_code == 0);
    const auto lines = lines_of(result.out);
    REQUIRE(lines.size() == 5);
    for (std::size_t k = 0; k < 5; ++k) {
      std::istringstream numbers(lines[k]);
      std::vector<double> values;
      for (double v; numbers >> v;)
        values.push_back(v);
      REQUIRE(values.size() == FakeOpenAI::k_embedding_dimensions);
      for (std::size_t j = 0; j < values.size(); ++j)
        CHECK(values[j] == value(k, j));
    }
  }
  SECTION("base64: asked of the provider, a line of float32 per input") {
    const auto result = with({"--format", "base64"});
    REQUIRE(result.exit_code == 0);
    CHECK(user.server.requests().at(0).json["encoding_format"] == "base64");
    const auto lines = lines_of(result.out);
    REQUIRE(lines.size() == 5);
    for (std::size_t k = 0; k < 5; ++k) {
      const std::vector<float> values = float32s(llmgw::test::base64_decode(lines[k]));
      REQUIRE(values.size() == FakeOpenAI::k_embedding_dimensions);
      for (std::size_t j = 0; j < values.size(); ++j)
        CHECK(values[j] == static_cast<float>(value(k, j)));
    }
  }
  SECTION("json: one list, renumbered, usage summed, one ledger row per batch") {
    const auto result = with({"--dimensions", "3", "-u"});
    REQUIRE(result.exit_code == 0);
    CHECK(user.server.requests().at(0).json["dimensions"] == 3);
    const json list = json::parse(result.out);
    REQUIRE(list["data"].size() == 5);
    for (std::size_t k = 0; k < 5; ++k) {
      CHECK(list["data"][k]["index"] == k);
      CHECK(list["data"][k]["embedding"][0].get<double>() == value(k, 0));
    }
    CHECK(list["usage"]["prompt_tokens"] == 5);  // one word per input at the fake
    CHECK(result.err.find("usage: 5 inputs in 3 requests, 5 tokens") != std::string::npos);
    llmgw::Database db = llmgw::open_migrated(user.env.home() / ".local/share/llmgw/llmgw.db");
    const auto rows = llmgw::read_ledger_rows(db);
    REQUIRE(rows.size() == 3);
    for (const auto& row : rows) {
      CHECK(row.endpoint == "embeddings");
      CHECK(row.source == "cli");
      CHECK(row.status == "ok");
    }
  }
  SECTION("no progress bar when stderr is not a terminal") {
    const auto result = with({"--format", "ndjson"});
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.empty());
  }
}

TEST_CASE("embed: a batch that fails keeps what was printed and says which inputs",
          "[cli][embed]") {
  User user;
  const auto file = user.write_file("lines.txt", "one\ntwo\nthree\nfour\n");
  user.server.push(Reply::echo());
  user.server.push(Reply::error(400, "input too long"));
  const auto result = user.env.run({"embed", "-m", "openai/text-embedding-3-small", "--lines",
                                    file.string(), "--batch-size", "2", "--format", "ndjson"});
  CHECK(result.exit_code == 4);
  CHECK(lines_of(result.out).size() == 2);
  CHECK(result.err.find("inputs 3-4 failed (2 done before)") != std::string::npos);
  CHECK(result.err.find("input too long") != std::string::npos);
  CHECK(result.err.find(k_key) == std::string::npos);
}

TEST_CASE("embed: input from stdin, --file and --lines -", "[cli][embed]") {
  CliEnv env;
  SECTION("piped stdin is one input") {
    const auto result = env.run({"embed", "-m", "mock/embed", "--format", "ndjson"}, "a b\nc d\n");
    REQUIRE(result.exit_code == 0);
    CHECK(lines_of(result.out).size() == 1);
  }
  SECTION("--lines - reads the lines from stdin") {
    const auto result =
        env.run({"embed", "-m", "mock/embed", "--lines", "-", "--format", "ndjson"}, "a\nb\nc\n");
    REQUIRE(result.exit_code == 0);
    CHECK(lines_of(result.out).size() == 3);
  }
  SECTION("--file is one input however many lines it has") {
    const auto path = env.home() / "doc.txt";
    std::ofstream(path) << "first line\nsecond line\n";
    const auto whole = env.run({"embed", "-m", "mock/embed", "--file", path.string()});
    const auto piped = env.run({"embed", "-m", "mock/embed"}, "first line\nsecond line\n");
    REQUIRE(whole.exit_code == 0);
    CHECK(json::parse(whole.out)["data"].size() == 1);
    CHECK(json::parse(whole.out) == json::parse(piped.out));
  }
}

TEST_CASE("embed: bad input is refused before anything is sent", "[cli][embed]") {
  User user;
  const auto file = user.write_file("gap.txt", "one\n\nthree\n");
  const auto run = [&](std::vector<std::string> args, std::string in = {}) {
    args.insert(args.begin(), {"embed", "-m", "openai/text-embedding-3-small"});
    return user.env.run(args, in);
  };
  const auto empty_line = run({"--lines", file.string()});
  CHECK(empty_line.exit_code == 2);
  CHECK(empty_line.err.find("line 2 of " + file.string() + " is empty") != std::string::npos);
  CHECK(empty_line.err.find("llmgw: fix:") != std::string::npos);

  const auto two_sources = run({"--lines", file.string(), "some", "text"});
  CHECK(two_sources.exit_code == 2);
  CHECK(two_sources.err.find("only one of them") != std::string::npos);

  const auto nothing = run({});
  CHECK(nothing.exit_code == 2);
  CHECK(nothing.err.find("nothing to embed") != std::string::npos);

  const auto format = run({"--format", "csv", "hi"});
  CHECK(format.exit_code == 2);
  CHECK(format.err.find("json, ndjson, floats or base64") != std::string::npos);

  CHECK(run({"--batch-size", "0", "--lines", file.string()}).exit_code == 2);
  CHECK(run({"--batch-size", "5000", "hi"}).exit_code == 2);
  CHECK(run({"--dimensions", "-3", "hi"}).exit_code == 2);

  const auto missing = run({"--lines", (user.env.home() / "absent.txt").string()});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("cannot read") != std::string::npos);

  const auto latin1 = run({}, "caf\xe9\n");
  CHECK(latin1.exit_code == 2);
  CHECK(latin1.err.find("not UTF-8") != std::string::npos);

  CHECK(user.server.requests().empty());
}

TEST_CASE("embed: the provider's order does not matter, its count does", "[cli][embed]") {
  User user;
  const auto file = user.write_file("lines.txt", "one\ntwo\n");
  const json reversed = {{"object", "list"},
                         {"model", "text-embedding-3-small"},
                         {"data",
                          {{{"object", "embedding"}, {"index", 1}, {"embedding", {2.0}}},
                           {{"object", "embedding"}, {"index", 0}, {"embedding", {1.0}}}}},
                         {"usage", {{"prompt_tokens", 2}, {"total_tokens", 2}}}};
  const std::vector<std::string> args = {"embed", "-m", "openai/text-embedding-3-small", "--lines",
                                         file.string()};
  for (const char* format : {"json", "ndjson"}) {
    CAPTURE(format);
    user.server.push(Reply::json(200, reversed));
    std::vector<std::string> with_format = args;
    with_format.insert(with_format.end(), {"--format", format});
    const auto result = user.env.run(with_format);
    REQUIRE(result.exit_code == 0);
    std::vector<json> items;
    if (std::string(format) == "json") {
      const json list = json::parse(result.out);
      for (const json& item : list["data"])
        items.push_back(item);
    } else {
      for (const auto& line : lines_of(result.out))
        items.push_back(json::parse(line));
    }
    REQUIRE(items.size() == 2);
    for (std::size_t k = 0; k < 2; ++k) {
      CHECK(items[k]["index"] == k);
      CHECK(items[k]["embedding"] == json({k + 1.0}));
    }
  }
  for (const char* format : {"json", "ndjson"}) {
    CAPTURE(format);
    json short_answer = reversed;
    short_answer["data"].erase(0);
    user.server.push(Reply::json(200, short_answer));
    std::vector<std::string> with_format = args;
    with_format.insert(with_format.end(), {"--format", format});
    const auto result = user.env.run(with_format);
    CHECK(result.exit_code == 4);
    CHECK(result.out.empty());
    CHECK(result.err.find("the answer has 1 embeddings for 2 inputs") != std::string::npos);
  }
}
