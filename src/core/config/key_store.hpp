// Provider API keys on disk: a JSON object {"openai": "sk-...", "groq": ["gsk-1", "gsk-2"]}
// in Paths::keys_file: one key as a string, several (used in turn) as an array in the
// order they were added. Created mode 0600 and replaced atomically (temp file + rename),
// so a crash never leaves a half-written keys file and a key never sits in a readable file.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llmgw {

class KeyStore {
 public:
  explicit KeyStore(std::filesystem::path file);

  const std::filesystem::path& path() const { return m_path; }

  // Reads the file; a missing file is empty. A corrupt file throws GatewayError{config}
  // naming the file (never its content). Sets warning() when the file is group/world
  // readable. Thread-safe; the keys parsed last are reused while the file is unchanged
  // (same inode, size and times), as the daemon asks on every request.
  // Every provider's keys in stored order; no provider maps to an empty list.
  std::map<std::string, std::vector<std::string>> load() const;
  std::optional<std::string> get(const std::string& name) const;    // the first key
  std::vector<std::string> get_all(const std::string& name) const;  // empty when absent
  // Replaces every key of `name` with this one. Atomic, 0600.
  void set(const std::string& name, const std::string& key);
  // Appends a key after those stored; false (and no write) when it is already stored.
  bool add(const std::string& name, const std::string& key);
  bool remove(const std::string& name);  // removes all its keys; false if absent

  // A human warning about unsafe permissions found by the last load(), or "".
  std::string warning() const;

 private:
  struct State;  // the last load: its warning, and the file's identity and keys
  void save(const std::map<std::string, std::vector<std::string>>& keys) const;

  std::filesystem::path m_path;
  std::shared_ptr<State> m_state;
};

// "sk-abc...wxyz" → "…wxyz"; keys of 8 characters or fewer are fully hidden ("…").
std::string redact_secret(std::string_view secret);

}  // namespace llmgw
