// The REPL's line editing on a terminal, through libedit: emacs key bindings, a history
// kept in a file, Tab completion, and bracketed paste.
//
// Keys, beyond libedit's own:
//   Ctrl-C      gives up the line (read() says `interrupted`); the terminal's ISIG is off
//               while a line is edited, so ^C is a key here, not a signal
//   Ctrl-Z      suspends llmgw, as the terminal's own ^Z would
//   Ctrl-D      on an empty line: end of input (read() says `eof`)
//   Tab         completes the word before the cursor from the completer's candidates
//   a paste     the terminal's bracketed paste: a pasted text with a line break in it
//               ends the line at once and comes back whole, in `pasted`, so a pasted block
//               is one message; a paste within one line is inserted as typed text
//
// History: `history_file` is read when the editor starts, and rewritten (0600, its
// directory 0700, atomically) after each entry added, so no entry is lost when the
// process is killed. An unreadable or unwritable history only warns, once.
#pragma once

#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/io.hpp"

namespace llmgw::cli {

struct EditedLine {
  enum class Kind { line, interrupted, eof };
  Kind kind = Kind::line;
  std::string text;    // without its line break
  std::string pasted;  // a multi-line paste that ended the line, after `text`
};

// The candidates for the word that ends `before_cursor` (what was typed up to the cursor).
using Completer = std::function<std::vector<std::string>(std::string_view before_cursor)>;

class LineEditor {
 public:
  LineEditor(const Io& io, std::filesystem::path history_file, Completer completer);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  EditedLine read(const std::string& prompt);
  void add_history(const std::string& entry);

  struct State;  // libedit's handles and this editor's settings (line_editor.cpp)

 private:
  std::unique_ptr<State> m_state;
};

}  // namespace llmgw::cli
