// Provider API keys on disk: a JSON object {"openai": "sk-...", ...} in
// Paths::keys_file, created mode 0600 and replaced atomically (temp file + rename), so a
// crash never leaves a half-written keys file and a key never sits in a readable file.
#pragma once

#include <filesystem>
#include <map>
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
  // readable.
  std::map<std::string, std::string> load() const;
  std::optional<std::string> get(const std::string& name) const;
  void set(const std::string& name, const std::string& key);  // atomic, 0600
  bool remove(const std::string& name);                       // false if absent

  // A human warning about unsafe permissions found by the last load(), or "".
  const std::string& warning() const { return m_warning; }

 private:
  void save(const std::map<std::string, std::string>& keys) const;

  std::filesystem::path m_path;
  mutable std::string m_warning;
};

// "sk-abc...wxyz" → "…wxyz"; keys of 8 characters or fewer are fully hidden ("…").
std::string redact_secret(std::string_view secret);

}  // namespace llmgw
