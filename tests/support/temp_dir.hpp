// A fresh directory under the system temp dir, removed with everything in it on scope exit.
#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace llmgw::test {

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    const auto base = std::filesystem::temp_directory_path();
    for (;;) {
      m_path = base / ("llmgw-test-" + std::to_string(random()));
      if (std::filesystem::create_directory(m_path))
        break;
    }
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

}  // namespace llmgw::test
