#include "core/config/key_store.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

using namespace llmgw;
using llmgw::test::TempDir;

namespace {

// Sets the process umask for one scope; restores the previous one after.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : m_previous(::umask(mask)) {}
  ~ScopedUmask() { ::umask(m_previous); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t m_previous;
};

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

mode_t mode_of(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

std::vector<std::string> names_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

Error load_error(const KeyStore& store) {
  return test::error_of([&] { store.load(); });
}

}  // namespace

TEST_CASE("a missing keys file is empty", "[key_store]") {
  TempDir dir;
  const KeyStore store(dir.path() / "llmgw" / "keys.json");
  CHECK(store.load().empty());
  CHECK_FALSE(store.get("openai"));
  CHECK(store.warning().empty());
}

TEST_CASE("set, list, get and remove round trip", "[key_store]") {
  TempDir dir;
  const auto file = dir.path() / "config" / "llmgw" / "keys.json";
  KeyStore store(file);

  store.set("openai", "sk-openai-0001");
  store.set("anthropic", "sk-ant-0002");
  store.set("openai", "sk-openai-0003");  // replaces only openai

  const auto keys = store.load();
  REQUIRE(keys.size() == 2);
  CHECK(keys.at("openai") == std::vector<std::string>{"sk-openai-0003"});
  CHECK(keys.at("anthropic") == std::vector<std::string>{"sk-ant-0002"});
  CHECK(store.get("anthropic") == std::optional<std::string>("sk-ant-0002"));
  CHECK(read_file(file) ==
        "{\n  \"anthropic\": \"sk-ant-0002\",\n  \"openai\": \"sk-openai-0003\"\n}\n");

  CHECK(store.remove("openai"));
  CHECK_FALSE(store.remove("openai"));
  CHECK_FALSE(store.get("openai"));
  CHECK(store.get("anthropic") == std::optional<std::string>("sk-ant-0002"));
}

TEST_CASE("set keeps keys the user did not name", "[key_store]") {
  TempDir dir;
  const auto file = dir.path() / "keys.json";
  write_file(file, R"({"groq": "gsk-hand-edited", "mistral": "m-1234567890"})");
  ::chmod(file.c_str(), 0600);
  KeyStore store(file);
  store.set("openai", "sk-new");
  const auto keys = store.load();
  CHECK(keys.size() == 3);
  CHECK(keys.at("groq") == std::vector<std::string>{"gsk-hand-edited"});
  CHECK(keys.at("mistral") == std::vector<std::string>{"m-1234567890"});
  CHECK(keys.at("openai") == std::vector<std::string>{"sk-new"});
}

TEST_CASE("the keys file is 0600 and its new directory 0700, even with umask 0", "[key_store]") {
  TempDir dir;
  const auto file = dir.path() / "config" / "llmgw" / "keys.json";
  {
    ScopedUmask umask(0);
    KeyStore store(file);
    store.set("openai", "sk-test-1234");
  }
  CHECK(mode_of(file) == 0600);
  CHECK(mode_of(file.parent_path()) == 0700);
  CHECK(mode_of(file.parent_path().parent_path()) == 0700);
}

TEST_CASE("replacing a readable file makes it 0600 and clears the warning", "[key_store]") {
  TempDir dir;
  const auto file = dir.path() / "keys.json";
  write_file(file, R"({"openai": "sk-old-key-1234"})");
  REQUIRE(::chmod(file.c_str(), 0644) == 0);
  KeyStore store(file);
  store.set("anthropic", "sk-ant-5678");
  CHECK(mode_of(file) == 0600);
  CHECK(store.warning().empty());
}

TEST_CASE("atomic replace leaves no temp files behind", "[key_store]") {
  TempDir dir;
  const auto file = dir.path() / "keys.json";
  KeyStore store(file);
  for (int i = 0; i < 5; ++i) {
    store.set("p" + std::to_string(i), "key-" + std::to_string(i));
  }
  store.remove("p0");
  CHECK(names_in(dir.path()) == std::vector<std::string>{"keys.json"});
  CHECK(store.load().size() == 4);
}

TEST_CASE("writing through a symlink keeps the link", "[key_store]") {
  TempDir dir;
  const auto real = dir.path() / "real-keys.json";
  const auto link = dir.path() / "keys.json";
  write_file(real, "{}");
  ::chmod(real.c_str(), 0600);
  std::filesystem::create_symlink(real, link);
  KeyStore store(link);
  store.set("openai", "sk-via-link");
  CHECK(std::filesystem::is_symlink(link));
  CHECK(KeyStore(real).get("openai") == std::optional<std::string>("sk-via-link"));
}

TEST_CASE("a corrupt keys file is an error that never shows its content", "[key_store]") {
  TempDir dir;
  const auto file = dir.path() / "keys.json";
  const std::string content = GENERATE(as<std::string>{},
                                       R"({"openai": "sk-supersecret-123)",  // truncated
                                       R"(["sk-supersecret-123"])",          // not an object
                                       R"({"openai": {"key": "sk-supersecret-123"}})",
                                       R"({"sk-supersecret-123": 5})", "sk-supersecret-123");
  write_file(file, content);
  ::chmod(file.c_str(), 0600);
  const Error error = load_error(KeyStore(file));
  CHECK(error.kind == ErrorKind::config);
  CHECK_THAT(error.message, Catch::Contains(file.string()));
  CHECK(error.fix == "fix or delete " + file.string() + ", then `llmgw keys set <provider>` again");
  CHECK_THAT(error.message, !Catch::Contains("supersecret"));
  CHECK_THAT(error.fix, !Catch::Contains("supersecret"));
}

TEST_CASE("a group/world readable keys file sets a warning", "[key_store]") {
  TempDir dir;
  const auto file = dir.path() / "keys.json";
  write_file(file, R"({"openai": "sk-test-1234"})");
  REQUIRE(::chmod(file.c_str(), 0644) == 0);
  const KeyStore store(file);
  CHECK(store.get("openai") == std::optional<std::string>("sk-test-1234"));
  CHECK(store.warning() ==
        file.string() + " is readable by other users (mode 0644); run: chmod 600 " + file.string());

  REQUIRE(::chmod(file.c_str(), 0600) == 0);
  store.load();
  CHECK(store.warning().empty());
}

TEST_CASE("redact_secret keeps at most the last 4 characters", "[key_store]") {
  CHECK(redact_secret("") == "…");
  CHECK(redact_secret("abcd") == "…");
  CHECK(redact_secret("12345678") == "…");
  CHECK(redact_secret("123456789") == "…6789");
  CHECK(redact_secret("sk-proj-abcdefghijklmnopwxyz") == "…wxyz");
  // Counted in characters: a suffix never splits a UTF-8 sequence.
  CHECK(redact_secret("ééééééééé") == "…éééé");
  CHECK(redact_secret("éééééééé") == "…");
}

TEST_CASE("add appends keys in order and keeps them in a 0600 JSON array", "[key_store]") {
  TempDir dir;
  const auto file = dir.path() / "llmgw" / "keys.json";
  ScopedUmask umask(0);
  KeyStore store(file);

  CHECK(store.add("openai", "sk-first-0001"));
  // One key is still written as a plain string, as older versions read it.
  CHECK(nlohmann::json::parse(read_file(file)) == nlohmann::json{{"openai", "sk-first-0001"}});

  CHECK(store.add("openai", "sk-second-0002"));
  CHECK(store.add("openai", "sk-third-0003"));
  CHECK_FALSE(store.add("openai", "sk-second-0002"));  // already stored: no change
  store.set("groq", "gsk-only-0004");

  CHECK(nlohmann::json::parse(read_file(file)) ==
        nlohmann::json{{"groq", "gsk-only-0004"},
                       {"openai", {"sk-first-0001", "sk-second-0002", "sk-third-0003"}}});
  CHECK(mode_of(file) == 0600);
  CHECK(names_in(file.parent_path()) == std::vector<std::string>{"keys.json"});

  CHECK(store.get_all("openai") ==
        std::vector<std::string>{"sk-first-0001", "sk-second-0002", "sk-third-0003"});
  CHECK(store.get("openai") == std::optional<std::string>("sk-first-0001"));
  CHECK(store.get_all("groq") == std::vector<std::string>{"gsk-only-0004"});
  CHECK(store.get_all("anthropic").empty());
  CHECK(store.load().at("openai").size() == 3);
}

TEST_CASE("set replaces every key and remove removes them all", "[key_store]") {
  TempDir dir;
  const auto file = dir.path() / "keys.json";
  KeyStore store(file);
  store.add("openai", "sk-a-0001");
  store.add("openai", "sk-b-0002");
  store.add("groq", "gsk-c-0003");

  store.set("openai", "sk-new-0004");
  CHECK(store.get_all("openai") == std::vector<std::string>{"sk-new-0004"});

  store.add("openai", "sk-d-0005");
  CHECK(store.remove("openai"));
  CHECK(store.get_all("openai").empty());
  CHECK_FALSE(store.get("openai"));
  CHECK_FALSE(store.remove("openai"));
  CHECK(nlohmann::json::parse(read_file(file)) == nlohmann::json{{"groq", "gsk-c-0003"}});
  CHECK(mode_of(file) == 0600);
}

TEST_CASE("hand-written files with strings and arrays both read", "[key_store]") {
  TempDir dir;
  const auto file = dir.path() / "keys.json";
  write_file(file, R"({"openai": "sk-old-style-1111", "groq": ["gsk-1-2222", "gsk-2-3333"]})");
  ::chmod(file.c_str(), 0600);
  KeyStore store(file);
  const auto keys = store.load();
  CHECK(keys.at("openai") == std::vector<std::string>{"sk-old-style-1111"});
  CHECK(keys.at("groq") == std::vector<std::string>{"gsk-1-2222", "gsk-2-3333"});
  // A write keeps the other provider's array as it was.
  CHECK(store.add("openai", "sk-new-style-4444"));
  CHECK(nlohmann::json::parse(read_file(file)) ==
        nlohmann::json{{"openai", {"sk-old-style-1111", "sk-new-style-4444"}},
                       {"groq", {"gsk-1-2222", "gsk-2-3333"}}});
}

TEST_CASE("add refuses an empty key or name without writing", "[key_store]") {
  TempDir dir;
  const auto file = dir.path() / "keys.json";
  KeyStore store(file);
  CHECK(test::error_of([&] { store.add("openai", ""); }).kind == ErrorKind::usage);
  CHECK(test::error_of([&] { store.add("", "sk-x-123456789"); }).kind == ErrorKind::usage);
  CHECK_FALSE(std::filesystem::exists(file));
}

TEST_CASE("bad arrays in the keys file are corrupt, and never quoted", "[key_store]") {
  TempDir dir;
  const auto file = dir.path() / "keys.json";
  const std::string content =
      GENERATE(as<std::string>{}, R"({"openai": []})", R"({"openai": ["sk-supersecret-123", 5]})",
               R"({"openai": [["sk-supersecret-123"]]})");
  write_file(file, content);
  ::chmod(file.c_str(), 0600);
  const Error error = load_error(KeyStore(file));
  CHECK(error.kind == ErrorKind::config);
  CHECK(error.message == "keys file " + file.string() +
                             " is corrupt: every value must be a key string or an array of them");
  CHECK_THAT(error.message + error.fix, !Catch::Contains("supersecret"));
}

TEST_CASE("a long-lived store sees every change to the file, by any writer", "[key_store]") {
  // The daemon keeps one KeyStore and asks it on every request; it reuses what it parsed
  // only while the file is unchanged.
  TempDir dir;
  const auto file = dir.path() / "keys.json";
  KeyStore daemon_view(file);
  CHECK(daemon_view.load().empty());

  KeyStore cli(file);  // `llmgw keys set` in another process
  cli.set("openai", "sk-first-1111");
  CHECK(daemon_view.get("openai") == "sk-first-1111");
  CHECK(daemon_view.get("openai") == "sk-first-1111");  // unchanged: the same answer again

  cli.set("openai", "sk-other-2222");  // same length: only the content differs
  CHECK(daemon_view.get("openai") == "sk-other-2222");

  // Rewritten in place by hand (same inode), then broken: both are seen at once.
  write_file(file, R"({"openai": "sk-edited-3333"})");
  CHECK(daemon_view.get("openai") == "sk-edited-3333");
  write_file(file, "{not json");
  CHECK(load_error(daemon_view).kind == ErrorKind::config);

  std::filesystem::remove(file);
  CHECK(daemon_view.load().empty());
}

TEST_CASE("loads from many threads at once agree", "[key_store]") {
  TempDir dir;
  const auto file = dir.path() / "keys.json";
  KeyStore writer(file);
  writer.add("groq", "gsk-1-2222");
  writer.add("groq", "gsk-2-3333");
  const KeyStore shared(file);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (shared.get_all("groq") != std::vector<std::string>{"gsk-1-2222", "gsk-2-3333"})
          ++wrong;
        if (!shared.warning().empty())
          ++wrong;
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  CHECK(wrong == 0);
}
