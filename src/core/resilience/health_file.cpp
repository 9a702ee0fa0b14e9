#include "core/resilience/health_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/config/private_file.hpp"
#include "core/error.hpp"

namespace llmgw {

NLOHMANN_JSON_SERIALIZE_ENUM(BreakerState, {{BreakerState::closed, "closed"},
                                            {BreakerState::open, "open"},
                                            {BreakerState::half_open, "half-open"}})
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SavedBreaker, provider, base_url, key_id, key_hint, state,
                                   consecutive_failures, times_opened, open_until, requests,
                                   failures, updated)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SavedKey, provider, base_url, key_id, key_hint, cooling_until,
                                   updated)

namespace {

constexpr int k_version = 1;

// Holds an exclusive flock on a lock file next to the state file while it lives.
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& file) {
    m_fd = ::open(file.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (m_fd < 0 || ::flock(m_fd, LOCK_EX) != 0) {
      const int error = errno;
      if (m_fd >= 0)
        ::close(m_fd);
      fail(ErrorKind::io, "cannot lock " + file.string() + ": " + std::strerror(error),
           "check the permissions of " + file.parent_path().string());
    }
  }
  ~FileLock() {
    ::flock(m_fd, LOCK_UN);
    ::close(m_fd);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int m_fd = -1;
};

std::string id_of(const std::string& provider, const std::string& base_url,
                  const std::string& key_id) {
  return provider + '\x1f' + base_url + '\x1f' + key_id;
}

// Newer `updated` wins; what has not been updated for the TTL is dropped.
template <class Entry>
std::vector<Entry> merged(const std::vector<Entry>& older, const std::vector<Entry>& newer,
                          std::int64_t now_unix) {
  std::map<std::string, Entry> by_id;
  for (const auto* list : {&older, &newer}) {
    for (const Entry& entry : *list) {
      if (now_unix - entry.updated > k_health_ttl_seconds)
        continue;
      const std::string id = id_of(entry.provider, entry.base_url, entry.key_id);
      const auto found = by_id.find(id);
      if (found == by_id.end() || found->second.updated <= entry.updated)
        by_id[id] = entry;
    }
  }
  std::vector<Entry> out;
  for (auto& [id, entry] : by_id)
    out.push_back(std::move(entry));
  return out;
}

}  // namespace

std::filesystem::path health_file_path(const Paths& paths) {
  return paths.state_dir / "health.json";
}

SavedHealth read_health_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return {};
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (!doc.is_object() || doc.value("version", 0) != k_version)
    return {};
  try {
    SavedHealth saved;
    saved.breakers =
        doc.value("breakers", nlohmann::json::array()).get<std::vector<SavedBreaker>>();
    saved.keys = doc.value("keys", nlohmann::json::array()).get<std::vector<SavedKey>>();
    return saved;
  } catch (const nlohmann::json::exception&) {
    return {};  // a hand-edited or foreign file: start afresh
  }
}

void save_health_file(const std::filesystem::path& file, const SavedHealth& used,
                      std::int64_t now_unix) {
  make_private_dirs(file.parent_path());
  std::filesystem::path lock_path = file;
  lock_path += ".lock";
  const FileLock lock(lock_path);
  const SavedHealth before = read_health_file(file);
  SavedHealth after;
  after.breakers = merged(before.breakers, used.breakers, now_unix);
  after.keys = merged(before.keys, used.keys, now_unix);
  const nlohmann::json doc = {
      {"version", k_version}, {"breakers", after.breakers}, {"keys", after.keys}};
  write_atomically(file, doc.dump(2) + "\n");
}

}  // namespace llmgw
