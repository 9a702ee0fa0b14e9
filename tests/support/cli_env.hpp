// A fresh user for end-to-end tests: an empty HOME with its own XDG dirs and an exact
// environment, and a way to run the built llmgw binary in it.
#pragma once

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace llmgw::test {

class CliEnv {
 public:
  CliEnv() {
    const std::string home = m_home.path().string();
    env = {{"HOME", home},
           {"XDG_CONFIG_HOME", home + "/.config"},
           {"XDG_DATA_HOME", home + "/.local/share"},
           {"XDG_STATE_HOME", home + "/.local/state"},
           {"PATH", "/usr/bin:/bin"},
           {"LANG", "C.UTF-8"}};
  }

  std::filesystem::path home() const { return m_home.path(); }
  std::filesystem::path config_file() const { return m_home.path() / ".config/llmgw/config.toml"; }
  std::filesystem::path keys_file() const { return m_home.path() / ".config/llmgw/keys.json"; }

  void write_config(const std::string& toml) const {
    std::filesystem::create_directories(config_file().parent_path());
    std::ofstream(config_file()) << toml;
  }

  ProcessSpec spec(std::vector<std::string> args, std::string stdin_data = {}) const {
    ProcessSpec spec;
    spec.argv = {LLMGW_BINARY};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.env = env;
    spec.stdin_data = std::move(stdin_data);
    return spec;
  }

  ProcessResult run(std::vector<std::string> args, std::string stdin_data = {}) const {
    return run_process(spec(std::move(args), std::move(stdin_data)));
  }

  std::map<std::string, std::string> env;

 private:
  TempDir m_home;
};

}  // namespace llmgw::test
