// What the REPL makes of the lines typed at its prompt. Pure: no terminal here.
//
// A message is one line, or a block: a line starting with """ opens it, and the line
// ending with """ closes it (the same line may do both: """one line"""); the text between
// the quotes is the message, its newlines kept. A line starting with / is a command; a
// line starting with // sends the rest, with one /, as a message.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw::cli {

enum class ReplAction { message, help, model, system, clear, retry, usage, save, exit, unknown };

struct ReplCommand {
  ReplAction action = ReplAction::message;
  std::string text;  // the message, or the command's argument (trimmed); the command's
                     // name for `unknown`
};

struct ReplCommandInfo {
  const char* name;       // "/model"
  const char* arguments;  // "NAME", "" when none
  const char* summary;
};

// Every command, in the order /help lists them.
const std::vector<ReplCommandInfo>& repl_commands();

// A complete input (a line, or a whole block) as a command or message; blank gives nullopt.
std::optional<ReplCommand> parse_repl_input(std::string_view input);

// Gathers lines into inputs, joining the lines of a """ block.
class InputAssembler {
 public:
  // The complete input once `line` finishes one (a line outside a block, or the
  // block's last line), else nullopt.
  std::optional<std::string> feed(std::string_view line);
  bool in_block() const { return m_in_block; }
  // Drops a block begun (Ctrl-C in the middle of one).
  void reset() {
    m_in_block = false;
    m_lines.clear();
  }

 private:
  bool m_in_block = false;
  std::vector<std::string> m_lines;
};

}  // namespace llmgw::cli
