#include "cli/completion.hpp"

#include <CLI/CLI.hpp>

namespace llmgw::cli {

namespace {

using Words = std::vector<std::string>;

// Fixed values of options, by long name; "" means "any command".
struct ValueRule {
  const char* command;
  const char* option;
  Words values;
};

const std::vector<ValueRule>& value_rules() {
  static const std::vector<ValueRule> k_rules = {
      {"embed", "--format", {"json", "ndjson", "floats", "base64"}},
      {"serve", "--log-format", {"json", "text"}},
      {"usage", "--by", {"day", "week", "month", "model", "provider", "key", "source"}},
      {"usage", "--since", {"24h", "7d", "30d"}},
      {"usage", "--until", {"24h", "7d", "30d", "now"}},
      {"create", "--budget-period", {"day", "month", "total"}},
      {"create", "--expires", {"12h", "7d", "30d", "90d"}},
      {"image",
       "--size",
       {"auto", "1024x1024", "1024x1536", "1536x1024", "1792x1024", "1024x1792"}},
      {"image", "--quality", {"low", "medium", "high", "standard", "hd"}},
  };
  return k_rules;
}

bool takes_file(const std::string& option) {
  return option == "--config" || option == "--db" || option == "--file" || option == "--lines" ||
         option == "--output";
}

// The option of `app` that `word` names ("--model", "-m", "--model=x"), or nullptr.
const CLI::Option* find_option(const CLI::App& app, const std::string& word) {
  if (word.size() < 2 || word[0] != '-')
    return nullptr;
  return app.get_option_no_throw(word.substr(0, word.find('=')));
}

std::string long_name(const CLI::Option& option) {
  return option.get_lnames().empty() ? "-" + option.get_snames().front()
                                     : "--" + option.get_lnames().front();
}

bool takes_value(const CLI::Option& option) {
  return option.get_type_size_max() > 0;
}

// The first line of a description, short enough for a completion menu.
std::string brief(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 72)
    line = line.substr(0, 69) + "...";
  return line;
}

std::vector<Candidate> plain(const Words& words) {
  std::vector<Candidate> out;
  for (const auto& word : words)
    out.push_back({word, ""});
  return out;
}

Completion option_value(const CLI::App& app, const CLI::Option& option,
                        const CompletionSources& sources) {
  const std::string name = long_name(option);
  if (takes_file(name))
    return {{}, true};
  if (name == "--model" || name == "--models")
    return {plain(sources.models()), false};
  if (name == "--provider")
    return {plain(sources.providers()), false};
  for (const ValueRule& rule : value_rules()) {
    if (name == rule.option && app.get_name() == rule.command)
      return {plain(rule.values), false};
  }
  return {};
}

// Values of the positional argument of `app` (a subcommand's NAME).
std::vector<Candidate> positional_values(const CLI::App& app, const CompletionSources& sources) {
  const CLI::App* parent = app.get_parent();
  if (parent == nullptr || parent->get_name() != "keys")
    return {};
  const std::string& name = app.get_name();
  if (name == "set" || name == "add")
    return plain(sources.providers());
  if (name == "rm")
    return plain(sources.stored_key_providers());
  if (name == "revoke")
    return plain(sources.client_keys());
  return {};
}

// A command's own options (CLI11 takes a parent's options only before the command).
std::vector<Candidate> options_of(const CLI::App& app) {
  std::vector<Candidate> out;
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_positional() || option->get_group().empty())
      continue;
    for (const auto& lname : option->get_lnames())
      out.push_back({"--" + lname, brief(option->get_description())});
    for (const auto& sname : option->get_snames())
      out.push_back({"-" + sname, brief(option->get_description())});
  }
  return out;
}

std::vector<Candidate> subcommands_of(const CLI::App& app) {
  std::vector<Candidate> out;
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); }))
    out.push_back({sub->get_name(), brief(sub->get_description())});
  return out;
}

}  // namespace

Completion complete_words(const CLI::App& root, const std::vector<std::string>& words,
                          const CompletionSources& sources) {
  const std::string current = words.empty() ? std::string() : words.back();
  const CLI::App* app = &root;
  const CLI::Option* pending = nullptr;  // an option whose value is the next word
  std::size_t positionals = 0;
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& word = words[i];
    if (pending != nullptr) {
      pending = nullptr;
      continue;
    }
    if (word.size() > 1 && word[0] == '-') {
      const CLI::Option* option = find_option(*app, word);
      if (option != nullptr && takes_value(*option) && word.find('=') == std::string::npos)
        pending = option;
      continue;
    }
    const auto subs = app->get_subcommands([&](const CLI::App* s) { return s->check_name(word); });
    if (!subs.empty()) {
      app = subs.front();
      positionals = 0;
    } else {
      ++positionals;
    }
  }

  Completion completion;
  if (pending != nullptr) {
    completion = option_value(*app, *pending, sources);
  } else if (current.size() > 1 && current.starts_with("--") &&
             current.find('=') != std::string::npos) {
    // --model=gpt: the value, offered whole with its option.
    if (const CLI::Option* option = find_option(*app, current)) {
      const std::string head = current.substr(0, current.find('=') + 1);
      completion = option_value(*app, *option, sources);
      for (Candidate& candidate : completion.candidates)
        candidate.word = head + candidate.word;
    }
  } else if (current.starts_with("-")) {
    completion.candidates = options_of(*app);
  } else {
    completion.candidates = subcommands_of(*app);
    if (completion.candidates.empty() && positionals == 0)
      completion.candidates = positional_values(*app, sources);
  }
  std::erase_if(completion.candidates,
                [&](const Candidate& candidate) { return !candidate.word.starts_with(current); });
  return completion;
}

std::string format_completion(const Completion& completion) {
  std::string out = completion.files ? ":files\n" : ":words\n";
  for (const Candidate& candidate : completion.candidates) {
    out += candidate.word;
    if (!candidate.description.empty())
      out += "\t" + candidate.description;
    out += '\n';
  }
  return out;
}

}  // namespace llmgw::cli
