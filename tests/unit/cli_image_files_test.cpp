#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "cli/image_files.hpp"
#include "core/error.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace fs = std::filesystem;
using llmgw::GatewayError;
using llmgw::cli::image_data;
using llmgw::cli::image_paths;
using llmgw::cli::write_image_file;
using llmgw::test::read_bytes;
using nlohmann::json;

TEST_CASE("image file names: as given, numbered, or defaulted", "[image]") {
  const std::string stamp = "20261204-203015";
  CHECK(image_paths(std::nullopt, 1, stamp) == std::vector<fs::path>{"image-20261204-203015.png"});
  CHECK(image_paths(std::nullopt, 2, stamp) ==
        std::vector<fs::path>{"image-20261204-203015-1.png", "image-20261204-203015-2.png"});
  CHECK(image_paths("out/fox.webp", 1, stamp) == std::vector<fs::path>{"out/fox.webp"});
  CHECK(image_paths("out/fox.png", 3, stamp) ==
        std::vector<fs::path>{"out/fox-1.png", "out/fox-2.png", "out/fox-3.png"});
  CHECK(image_paths("fox", 2, stamp) == std::vector<fs::path>{"fox-1", "fox-2"});
  CHECK(image_paths("drafts/", 1, stamp) ==
        std::vector<fs::path>{"drafts/image-20261204-203015.png"});
  llmgw::test::TempDir dir;
  CHECK(image_paths(dir.path().string(), 1, stamp) ==
        std::vector<fs::path>{dir.path() / "image-20261204-203015.png"});
}

TEST_CASE("image data: base64, data: URLs and http URLs", "[image]") {
  CHECK(image_data(json{{"b64_json", "aGk="}}, 0).bytes == std::string("hi"));
  CHECK(image_data(json{{"url", "data:image/png;base64,aGk="}}, 0).bytes == std::string("hi"));
  const auto remote = image_data(json{{"url", "https://cdn.example/a.png"}}, 0);
  CHECK_FALSE(remote.bytes.has_value());
  CHECK(remote.url == "https://cdn.example/a.png");
  CHECK_THROWS_AS(image_data(json{{"b64_json", "a?=="}}, 0), GatewayError);
  CHECK_THROWS_AS(image_data(json{{"url", "data:text/plain,hi"}}, 0), GatewayError);
  CHECK_THROWS_AS(image_data(json{{"url", "file:///etc/passwd"}}, 0), GatewayError);
  CHECK_THROWS_AS(image_data(json{{"revised_prompt", "x"}}, 0), GatewayError);
  CHECK_THROWS_AS(image_data(json("just a string"), 0), GatewayError);
}

TEST_CASE("an image file never replaces another without force", "[image]") {
  llmgw::test::TempDir dir;
  const fs::path path = dir.path() / "a.png";
  write_image_file(path, std::string("one\0two", 7), false);
  CHECK(read_bytes(path) == std::string("one\0two", 7));
  try {
    write_image_file(path, "other", false);
    FAIL("an existing file was replaced");
  } catch (const GatewayError& e) {
    CHECK(e.error().kind == llmgw::ErrorKind::usage);
    CHECK(e.error().fix.find("--force") != std::string::npos);
  }
  CHECK(read_bytes(path) == std::string("one\0two", 7));
  write_image_file(path, "forced", true);
  CHECK(read_bytes(path) == "forced");
  // Only the image is left: no temporary files.
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
  CHECK_THROWS_AS(write_image_file(dir.path() / "missing/a.png", "x", false), GatewayError);
}
