// End to end: `llmgw image`, the built binary against the mock, a fake OpenAI server and
// a local server that hosts image files.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/base64.hpp"
#include "support/cli_env.hpp"
#include "support/fake_openai.hpp"
#include "support/local_server.hpp"
#include "support/openai_user.hpp"
#include "support/png_reader.hpp"
#include "support/text_files.hpp"

namespace fs = std::filesystem;
using llmgw::test::CliEnv;
using llmgw::test::lines_of;
using llmgw::test::read_bytes;
using llmgw::test::Reply;
using nlohmann::json;

namespace {

constexpr const char* k_key = "sk-image-test-00000000000000IMGS";

struct User : llmgw::test::OpenAIUser {
  User() : OpenAIUser(k_key) {}
};

}  // namespace

TEST_CASE("image: the mock's picture is saved as a PNG and its path printed", "[cli][image]") {
  CliEnv env;
  const fs::path out = env.home() / "fox.png";
  const auto result = env.run({"image", "-m", "mock/image", "-o", out.string(), "a", "fox"});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == out.string() + "\n");
  CHECK(result.err.empty());
  const auto png = llmgw::test::decode_png(read_bytes(out));
  CHECK(png.width == 8);
  CHECK(png.height == 8);
  CHECK((fs::status(out).permissions() & fs::perms::owner_read) != fs::perms::none);
  // No temporary file is left beside it.
  for (const auto& entry : fs::directory_iterator(env.home()))
    CHECK(entry.path().extension() != ".tmp");
}

TEST_CASE("image -n: numbered files, each a different picture", "[cli][image]") {
  CliEnv env;
  fs::create_directories(env.home() / "drafts");
  SECTION("-o FILE is numbered before its extension") {
    const auto result = env.run({"image", "-m", "mock/image", "-n", "3", "-o",
                                 (env.home() / "drafts/fox.png").string(), "a fox"});
    REQUIRE(result.exit_code == 0);
    const auto paths = lines_of(result.out);
    REQUIRE(paths.size() == 3);
    for (int i = 1; i <= 3; ++i)
      CHECK(paths[i - 1] == (env.home() / ("drafts/fox-" + std::to_string(i) + ".png")).string());
    CHECK(read_bytes(paths[0]) != read_bytes(paths[1]));
    CHECK(read_bytes(paths[1]) != read_bytes(paths[2]));
  }
  SECTION("-o DIR/ gets the default names in it") {
    const auto result = env.run(
        {"image", "-m", "mock/image", "-n", "2", "-o", (env.home() / "drafts/").string(), "a fox"});
    REQUIRE(result.exit_code == 0);
    const auto paths = lines_of(result.out);
    REQUIRE(paths.size() == 2);
    for (const auto& path : paths) {
      CHECK(fs::path(path).parent_path() == env.home() / "drafts");
      CHECK(fs::path(path).filename().string().starts_with("image-"));
      CHECK(fs::exists(path));
    }
  }
}

TEST_CASE("image: without -o the file goes in the current directory", "[cli][image]") {
  CliEnv env;
  auto spec = env.spec({"image", "-m", "mock/image", "a fox"});
  spec.cwd = env.home().string();
  const auto result = llmgw::test::run_process(spec);
  REQUIRE(result.exit_code == 0);
  const std::string name = result.out.substr(0, result.out.size() - 1);
  CHECK(name.starts_with("image-"));
  CHECK(name.ends_with(".png"));
  CHECK(name.size() == std::string("image-20261204-203015.png").size());
  CHECK(fs::exists(env.home() / name));
}

TEST_CASE("image: an existing file is never replaced without --force, nor paid for",
          "[cli][image]") {
  User user;
  const fs::path out = user.env.home() / "keep.png";
  std::ofstream(out) << "precious";
  const auto refused = user.env.run({"image", "-m", "openai/gpt-image-1", "-o", out.string(), "x"});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find(out.string() + " already exists") != std::string::npos);
  CHECK(refused.err.find("--force") != std::string::npos);
  CHECK(read_bytes(out) == "precious");
  CHECK(user.server.requests().empty());

  SECTION("with -n, one existing file of the set is enough to refuse") {
    std::ofstream(user.env.home() / "set-2.png") << "precious too";
    const auto result = user.env.run({"image", "-m", "openai/gpt-image-1", "-n", "3", "-o",
                                      (user.env.home() / "set.png").string(), "x"});
    CHECK(result.exit_code == 2);
    CHECK(!fs::exists(user.env.home() / "set-1.png"));
    CHECK(user.server.requests().empty());
  }
  SECTION("--force replaces it") {
    user.server.push(Reply::json(
        200, {{"created", 1}, {"data", {{{"b64_json", llmgw::base64_encode("new bytes")}}}}}));
    const auto forced =
        user.env.run({"image", "-m", "openai/gpt-image-1", "--force", "-o", out.string(), "x"});
    REQUIRE(forced.exit_code == 0);
    CHECK(read_bytes(out) == "new bytes");
  }
}

TEST_CASE("image: b64_json is decoded, a URL is downloaded, options reach the provider",
          "[cli][image]") {
  User user;
  llmgw::test::LocalServer files;
  const std::string picture("\x89PNG\r\n\x1a\n-not-really-a-png-\x00\xff", 28);
  files.http().Get("/img/1.png", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(picture, "image/png");
  });
  files.start();
  user.server.push(Reply::json(200, {{"created", 1},
                                     {"data",
                                      {{{"b64_json", llmgw::base64_encode("first image")}},
                                       {{"url", files.base_url() + "/img/1.png"}}}}}));
  const auto result =
      user.env.run({"image", "-m", "openai/dall-e-3", "-n", "2", "--size", "1024x1792", "--quality",
                    "hd", "-o", (user.env.home() / "pic.png").string(), "-u", "a", "city"});
  REQUIRE(result.exit_code == 0);
  CHECK(read_bytes(user.env.home() / "pic-1.png") == "first image");
  CHECK(read_bytes(user.env.home() / "pic-2.png") == picture);
  const json sent = user.server.requests().at(0).json;
  CHECK(sent["model"] == "dall-e-3");
  CHECK(sent["prompt"] == "a city");
  CHECK(sent["n"] == 2);
  CHECK(sent["size"] == "1024x1792");
  CHECK(sent["quality"] == "hd");
  CHECK(result.err.find("usage: 2 images") != std::string::npos);
}

TEST_CASE("image: a download that fails still saves the others and exits 4", "[cli][image]") {
  User user;
  llmgw::test::LocalServer files;  // serves nothing: every path is a 404
  files.start();
  user.server.push(Reply::json(200, {{"created", 1},
                                     {"data",
                                      {{{"url", files.base_url() + "/gone.png"}},
                                       {{"b64_json", llmgw::base64_encode("second")}}}}}));
  const auto result = user.env.run({"image", "-m", "openai/dall-e-3", "-n", "2", "-o",
                                    (user.env.home() / "p.png").string(), "x"});
  CHECK(result.exit_code == 4);
  CHECK(result.out == (user.env.home() / "p-2.png").string() + "\n");
  CHECK(read_bytes(user.env.home() / "p-2.png") == "second");
  CHECK(!fs::exists(user.env.home() / "p-1.png"));
  CHECK(result.err.find("1 of 2 images could not be saved") != std::string::npos);
  CHECK(result.err.find("HTTP 404") != std::string::npos);
}

TEST_CASE("image: bad input is refused with a fix", "[cli][image]") {
  User user;
  const auto run = [&](std::vector<std::string> args, std::string in = {}) {
    args.insert(args.begin(), {"image", "-m", "openai/gpt-image-1"});
    return user.env.run(args, in);
  };
  const auto no_prompt = run({});
  CHECK(no_prompt.exit_code == 2);
  CHECK(no_prompt.err.find("no prompt") != std::string::npos);
  CHECK(run({"-n", "0", "x"}).exit_code == 2);
  CHECK(run({"-n", "11", "x"}).exit_code == 2);
  const auto no_dir = run({"-o", (user.env.home() / "nowhere/x.png").string(), "x"});
  CHECK(no_dir.exit_code == 2);
  CHECK(no_dir.err.find("does not exist") != std::string::npos);
  CHECK(user.server.requests().empty());

  SECTION("base64 that does not decode is the provider's fault") {
    user.server.push(Reply::json(200, {{"created", 1}, {"data", {{{"b64_json", "not base64!"}}}}}));
    const auto result = run({"-o", (user.env.home() / "bad.png").string(), "x"});
    CHECK(result.exit_code == 4);
    CHECK(result.err.find("not valid base64") != std::string::npos);
    CHECK(!fs::exists(user.env.home() / "bad.png"));
  }
  SECTION("the prompt may be piped in") {
    const auto result =
        user.env.run({"image", "-m", "mock/image", "-o", (user.env.home() / "piped.png").string()},
                     "a piped prompt\n");
    CHECK(result.exit_code == 0);
    CHECK(fs::exists(user.env.home() / "piped.png"));
  }
}
