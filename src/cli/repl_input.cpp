#include "cli/repl_input.hpp"

#include <array>

#include "core/trim.hpp"

namespace llmgw::cli {

namespace {

constexpr std::string_view k_fence = "\"\"\"";

bool ends_with_fence(std::string_view text) {
  return text.size() >= k_fence.size() && text.substr(text.size() - k_fence.size()) == k_fence;
}

}  // namespace

const std::vector<ReplCommandInfo>& repl_commands() {
  static const std::vector<ReplCommandInfo> k_commands = {
      {"/help", "", "this list"},
      {"/model", "NAME", "answer with another model from now on (Tab completes); alone: which"},
      {"/system", "TEXT", "set the system prompt; alone: remove it"},
      {"/clear", "", "start a new conversation"},
      {"/retry", "", "ask the last prompt again, in place of its answer"},
      {"/usage", "", "this session's requests, tokens and cost"},
      {"/save", "FILE", "write the conversation to FILE as Markdown"},
      {"/exit", "", "leave (so does Ctrl-D)"},
  };
  return k_commands;
}

std::optional<ReplCommand> parse_repl_input(std::string_view input) {
  const std::string_view text = trim_whitespace(input);
  if (text.empty())
    return std::nullopt;
  if (text.substr(0, 2) == "//")
    return ReplCommand{ReplAction::message, std::string(text.substr(1))};
  if (text.front() != '/')
    return ReplCommand{ReplAction::message, std::string(input)};
  const auto space = text.find_first_of(" \t");
  const std::string_view name = text.substr(0, space);
  const std::string argument(space == std::string_view::npos ? std::string_view()
                                                             : trim_whitespace(text.substr(space)));
  static constexpr std::array<std::pair<std::string_view, ReplAction>, 9> k_actions = {{
      {"/help", ReplAction::help},
      {"/model", ReplAction::model},
      {"/system", ReplAction::system},
      {"/clear", ReplAction::clear},
      {"/retry", ReplAction::retry},
      {"/usage", ReplAction::usage},
      {"/save", ReplAction::save},
      {"/exit", ReplAction::exit},
      {"/quit", ReplAction::exit},
  }};
  for (const auto& [known, action] : k_actions) {
    if (name == known)
      return ReplCommand{action, argument};
  }
  return ReplCommand{ReplAction::unknown, std::string(name)};
}

std::optional<std::string> InputAssembler::feed(std::string_view line) {
  const std::string_view text = trim_whitespace(line);
  if (!m_in_block) {
    if (text.substr(0, k_fence.size()) != k_fence)
      return std::string(line);
    const std::string_view rest = text.substr(k_fence.size());
    if (rest.size() >= k_fence.size() && ends_with_fence(rest))
      return std::string(rest.substr(0, rest.size() - k_fence.size()));
    m_in_block = true;
    m_lines.clear();
    if (!rest.empty())
      m_lines.emplace_back(rest);
    return std::nullopt;
  }
  if (!ends_with_fence(text)) {
    m_lines.emplace_back(line);
    return std::nullopt;
  }
  const std::string_view last = line.substr(0, line.rfind(k_fence));
  if (!trim_whitespace(last).empty())
    m_lines.emplace_back(last);
  std::string block;
  for (const std::string& kept : m_lines)
    block += (block.empty() && &kept == &m_lines.front() ? "" : "\n") + kept;
  reset();
  return block;
}

}  // namespace llmgw::cli
