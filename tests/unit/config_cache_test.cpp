// [cache] in config.toml: the response cache's settings, with file:line errors.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/config/config.hpp"
#include "core/error.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::TempDir;

namespace {

struct ConfigFile {
  TempDir dir;
  std::filesystem::path file = dir.path() / "config.toml";

  Config load(const std::string& toml) const {
    std::ofstream(file, std::ios::binary) << toml;
    return load_config(fixed_env({{"HOME", dir.path().string()}}),
                       ConfigFlags{{}, file.string(), {}});
  }
  Error error(const std::string& toml) const {
    return test::error_of([&] { load(toml); });
  }
};

}  // namespace

TEST_CASE("[cache]: defaults, each key, and its source", "[config][cache]") {
  ConfigFile config;
  const Config defaults = config.load("default_model = \"mock/echo\"\n");
  CHECK(defaults.cache.value == CacheSettings{});
  CHECK(defaults.cache.value.enabled);
  CHECK(defaults.cache.value.ttl == std::chrono::seconds(3600));
  CHECK(defaults.cache.value.max_bytes == 256LL * 1024 * 1024);
  CHECK(defaults.cache.source == "default");

  const Config set = config.load("[cache]\n\nttl = 600\nmax_size_mb = 1.5\nenabled = false\n");
  CHECK_FALSE(set.cache.value.enabled);
  CHECK(set.cache.value.ttl == std::chrono::seconds(600));
  CHECK(set.cache.value.max_bytes == 1572864);  // 1.5 MiB
  CHECK(set.cache.source == "file " + config.file.string() + ":3");

  const Config one = config.load("[cache]\nttl = 90\n");
  CHECK(one.cache.value.enabled);
  CHECK(one.cache.value.ttl == std::chrono::seconds(90));
  CHECK(one.cache.value.max_bytes == CacheSettings{}.max_bytes);
}

TEST_CASE("[cache]: wrong types, values and keys name the file and line", "[config][cache]") {
  ConfigFile config;
  const std::string at = config.file.string() + ":2";
  const auto fails_with = [&](const std::string& toml, const std::string& words) {
    const Error e = config.error(toml);
    INFO(e.message);
    CHECK(e.kind == ErrorKind::config);
    CHECK(e.message.find(at) != std::string::npos);
    CHECK(e.message.find(words) != std::string::npos);
  };
  fails_with("[cache]\nenabled = \"yes\"\n", "cache.enabled must be true or false");
  fails_with("[cache]\nttl = 0\n", "cache.ttl");
  fails_with("[cache]\nttl = -5\n", "cache.ttl");
  fails_with("[cache]\nttl = 0.2\n", "at least 1 second");
  fails_with("[cache]\nmax_size_mb = 0\n", "cache.max_size_mb must be more than 0");
  fails_with("[cache]\nmax_size_mb = \"big\"\n", "cache.max_size_mb");
  fails_with("[cache]\nmax_size = 5\n", "max_size");
  CHECK(config.error("cache = 5\n").message.find("cache") != std::string::npos);
}
