// Sets the TZ environment variable for a test's scope (local-time code such as
// `llmgw usage` days), and puts the old value back.
#pragma once

#include <cstdlib>
#include <ctime>
#include <string>

namespace llmgw::test {

class LocalZone {
 public:
  explicit LocalZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) {
      m_had_old = true;
      m_old = old;
    }
    ::setenv("TZ", zone, 1);
    ::tzset();
  }
  ~LocalZone() {
    if (m_had_old)
      ::setenv("TZ", m_old.c_str(), 1);
    else
      ::unsetenv("TZ");
    ::tzset();
  }
  LocalZone(const LocalZone&) = delete;
  LocalZone& operator=(const LocalZone&) = delete;

 private:
  bool m_had_old = false;
  std::string m_old;
};

}  // namespace llmgw::test
