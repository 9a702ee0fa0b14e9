// Shell completion, answered by the binary itself (`llmgw __complete WORD...`): the
// shells' scripts in share/completions/ pass the words typed so far and show what comes
// back, so subcommands, options and their values are known in one place, from the same
// CLI11 tree that parses them.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace llmgw::cli {

struct Candidate {
  std::string word;
  std::string description;  // "" when there is none
};

struct Completion {
  std::vector<Candidate> candidates;  // already filtered by the word being completed
  bool files = false;                 // the shell should complete file names instead
};

// Where the values that depend on this machine come from; each is called only when the
// word being completed needs it.
struct CompletionSources {
  std::function<std::vector<std::string>()> models;                // provider/model ids, aliases
  std::function<std::vector<std::string>()> providers;             // every provider name
  std::function<std::vector<std::string>()> stored_key_providers;  // providers with stored keys
  std::function<std::vector<std::string>()> client_keys;           // active client key names
};

// `words` are the words after "llmgw", the last being the one under the cursor ("" for
// a new word). Hidden subcommands (an empty group) are never offered.
Completion complete_words(const CLI::App& root, const std::vector<std::string>& words,
                          const CompletionSources& sources);

// The answer as `llmgw __complete` prints it: ":files" or ":words" on the first line,
// then one "word<TAB>description" per line (no TAB when there is no description).
std::string format_completion(const Completion& completion);

}  // namespace llmgw::cli
