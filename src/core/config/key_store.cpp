#include "core/config/key_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <utility>

#include "core/config/private_file.hpp"
#include "core/error.hpp"

namespace llmgw {

namespace {

std::string corrupt_fix(const std::filesystem::path& path) {
  return "fix or delete " + path.string() + ", then `llmgw keys set <provider>` again";
}

// Errors about the file never quote its content: it holds secrets.
[[noreturn]] void fail_corrupt(const std::filesystem::path& path, std::string_view problem) {
  fail(ErrorKind::config, "keys file " + path.string() + " is corrupt: " + std::string(problem),
       corrupt_fix(path));
}

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

void check_new_key(const std::string& name, const std::string& key) {
  if (name.empty()) {
    fail(ErrorKind::usage, "the provider name is empty");
  }
  if (key.empty()) {
    fail(ErrorKind::usage, "the key for " + name + " is empty");
  }
}

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec &&
         a.st_ctim.tv_sec == b.st_ctim.tv_sec && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

}  // namespace

struct KeyStore::State {
  std::mutex mutex;  // guards the rest
  std::string warning;
  bool cached = false;
  struct stat identity {};
  std::map<std::string, std::vector<std::string>> keys;
};

KeyStore::KeyStore(std::filesystem::path file)
    : m_path(std::move(file)), m_state(std::make_shared<State>()) {}

std::string KeyStore::warning() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->warning;
}

std::map<std::string, std::vector<std::string>> KeyStore::load() const {
  State& state = *m_state;
  const int raw_fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw_fd < 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) {
      std::lock_guard lock(state.mutex);
      state.warning.clear();
      state.cached = false;
      return {};
    }
    fail(ErrorKind::config,
         "cannot read keys file " + m_path.string() + ": " + std::strerror(error),
         corrupt_fix(m_path));
  }
  Fd fd(raw_fd);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    const int error = errno;
    fail(ErrorKind::config,
         "cannot read keys file " + m_path.string() + ": " + std::strerror(error),
         corrupt_fix(m_path));
  }
  if (!S_ISREG(info.st_mode)) {
    fail(ErrorKind::config, "keys file " + m_path.string() + " is not a regular file",
         corrupt_fix(m_path));
  }
  {
    std::lock_guard lock(state.mutex);
    state.warning = (info.st_mode & 077) == 0
                        ? std::string()
                        : m_path.string() + " is readable by other users (mode " +
                              octal_mode(info.st_mode) + "); run: chmod 600 " + m_path.string();
    if (state.cached && same_file(state.identity, info))
      return state.keys;
  }

  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      const int error = errno;
      fail(ErrorKind::config,
           "cannot read keys file " + m_path.string() + ": " + std::strerror(error),
           corrupt_fix(m_path));
    }
  }
  const auto remembered = [&](std::map<std::string, std::vector<std::string>> keys) {
    std::lock_guard lock(state.mutex);
    state.identity = info;
    state.keys = keys;
    state.cached = true;
    return keys;
  };
  // An empty file (e.g. from `touch`) holds no keys; it is not worth an error.
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return remembered({});
  }
  // The non-throwing parse: nlohmann's exception messages quote the text near the error,
  // which may be a key.
  const nlohmann::json document = nlohmann::json::parse(text, nullptr, false);
  if (document.is_discarded()) {
    fail_corrupt(m_path, "not valid JSON");
  }
  if (!document.is_object()) {
    fail_corrupt(m_path, "expected a JSON object of provider name to key");
  }
  std::map<std::string, std::vector<std::string>> keys;
  for (const auto& [name, value] : document.items()) {
    std::vector<std::string> list;
    if (value.is_string()) {
      list.push_back(value.get<std::string>());
    } else if (value.is_array() && !value.empty()) {
      for (const auto& item : value) {
        if (!item.is_string()) {
          fail_corrupt(m_path, "every value must be a key string or an array of them");
        }
        list.push_back(item.get<std::string>());
      }
    } else {
      fail_corrupt(m_path, "every value must be a key string or an array of them");
    }
    keys.emplace(name, std::move(list));
  }
  return remembered(std::move(keys));
}

std::optional<std::string> KeyStore::get(const std::string& name) const {
  auto keys = get_all(name);
  if (keys.empty()) {
    return std::nullopt;
  }
  return std::move(keys.front());
}

std::vector<std::string> KeyStore::get_all(const std::string& name) const {
  auto keys = load();
  const auto it = keys.find(name);
  if (it == keys.end()) {
    return {};
  }
  return std::move(it->second);
}

void KeyStore::set(const std::string& name, const std::string& key) {
  check_new_key(name, key);
  auto keys = load();
  keys[name] = {key};
  save(keys);
}

bool KeyStore::add(const std::string& name, const std::string& key) {
  check_new_key(name, key);
  auto keys = load();
  auto& list = keys[name];
  if (std::find(list.begin(), list.end(), key) != list.end()) {
    return false;
  }
  list.push_back(key);
  save(keys);
  return true;
}

bool KeyStore::remove(const std::string& name) {
  auto keys = load();
  if (keys.erase(name) == 0) {
    return false;
  }
  save(keys);
  return true;
}

void KeyStore::save(const std::map<std::string, std::vector<std::string>>& keys) const {
  // One key stays a plain string: the file reads as before for a single key per provider.
  nlohmann::json document = nlohmann::json::object();
  for (const auto& [name, list] : keys) {
    document[name] = list.size() == 1 ? nlohmann::json(list.front()) : nlohmann::json(list);
  }
  std::string content;
  try {
    content = document.dump(2) + "\n";
  } catch (const nlohmann::json::exception&) {
    // dump() reports invalid UTF-8 with the offending bytes; they may be part of a key.
    fail(ErrorKind::usage, "a key or provider name is not valid UTF-8");
  }
  // Writing through a symlink keeps the link (e.g. into a dotfiles repository) intact.
  std::filesystem::path target = m_path;
  std::error_code error;
  if (std::filesystem::is_symlink(m_path, error)) {
    const auto resolved = std::filesystem::weakly_canonical(m_path, error);
    if (!error) {
      target = resolved;
    }
  }
  make_private_dirs(target.parent_path());
  write_atomically(target, content);
  std::lock_guard lock(m_state->mutex);
  m_state->warning.clear();  // the file just written is 0600
}

std::string redact_secret(std::string_view secret) {
  // Counted in UTF-8 code points so a suffix never splits a character.
  const auto is_continuation = [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
  };
  std::size_t characters = 0;
  for (const char c : secret) {
    characters += is_continuation(c) ? 0 : 1;
  }
  if (characters <= 8) {
    return "…";
  }
  std::size_t start = secret.size();
  for (std::size_t kept = 0; kept < 4 && start > 0;) {
    --start;
    if (!is_continuation(secret[start])) {
      ++kept;
    }
  }
  return "…" + std::string(secret.substr(start));
}

}  // namespace llmgw
