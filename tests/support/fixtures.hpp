// Reads recorded-format fixtures from tests/fixtures/ (LLMGW_FIXTURES_DIR is defined for
// every test target). Fails the current test, rather than returning "", when a fixture
// is missing, so a typo in a path cannot pass as an empty body.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace llmgw::test {

inline std::string read_fixture(const std::string& relative_path) {
  const std::string path = std::string(LLMGW_FIXTURES_DIR) + "/" + relative_path;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot open fixture " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace llmgw::test
