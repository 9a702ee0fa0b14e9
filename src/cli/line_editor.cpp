#include "cli/line_editor.hpp"

#include <fcntl.h>
#include <histedit.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cli/report.hpp"
#include "core/config/private_file.hpp"
#include "core/error.hpp"

namespace llmgw::cli {

namespace {

constexpr int k_history_size = 1000;
constexpr std::string_view k_paste_end = "\x1b[201~";
constexpr const char* k_paste_on = "\x1b[?2004h";
constexpr const char* k_paste_off = "\x1b[?2004l";

}  // namespace

struct LineEditor::State {
  const Io* io = nullptr;
  std::filesystem::path history_file;
  Completer completer;
  EditLine* el = nullptr;
  History* history = nullptr;
  std::string prompt;
  bool interrupted = false;
  std::string pasted;
  bool warned = false;
  // Where the prompt and the echo go: stdout on a terminal, else stderr, so that
  // `llmgw chat > answers.txt` keeps the answers alone in the file.
  FILE* screen = stdout;
  bool terminal = false;  // the screen is a terminal: bracketed paste can be asked for

  void warn(const std::string& message) {
    if (!warned)
      print_warning(*io, message);
    warned = true;
  }
};

namespace {

LineEditor::State& state_of(EditLine* el) {
  void* data = nullptr;
  el_get(el, EL_CLIENTDATA, &data);
  return *static_cast<LineEditor::State*>(data);
}

char* prompt_of(EditLine* el) {
  return state_of(el).prompt.data();
}

// ^Z: ISIG is off while a line is edited, so the key has to send the stop itself.
// libedit's own SIGTSTP handler (EL_SIGNAL) gives the terminal back before the process
// stops, and takes it again and redraws the line on SIGCONT.
unsigned char on_suspend(EditLine*, int) {
  ::kill(0, SIGTSTP);
  return CC_NORM;
}

unsigned char on_interrupt(EditLine* el, int) {
  LineEditor::State& state = state_of(el);
  state.interrupted = true;
  std::fputs("^C\r\n", state.screen);  // libedit moves to a new line only for its own keys
  return CC_NEWLINE;
}

unsigned char on_paste(EditLine* el, int) {
  LineEditor::State& state = state_of(el);
  std::string text;
  char c = 0;
  while (el_getc(el, &c) == 1) {
    text += c;
    if (text.size() >= k_paste_end.size() &&
        std::string_view(text).substr(text.size() - k_paste_end.size()) == k_paste_end) {
      text.resize(text.size() - k_paste_end.size());
      break;
    }
  }
  // Terminals send a pasted line break as CR.
  std::string lines;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      lines += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n')
        ++i;
    } else {
      lines += text[i];
    }
  }
  if (lines.find('\n') == std::string::npos) {
    el_insertstr(el, lines.c_str());
    return CC_REFRESH;
  }
  state.pasted = std::move(lines);
  return CC_NEWLINE;
}

std::string common_prefix(const std::vector<std::string>& words) {
  std::string prefix = words.front();
  for (const std::string& word : words) {
    std::size_t n = 0;
    while (n < prefix.size() && n < word.size() && prefix[n] == word[n])
      ++n;
    prefix.resize(n);
  }
  return prefix;
}

unsigned char on_complete(EditLine* el, int) {
  LineEditor::State& state = state_of(el);
  const LineInfo* line = el_line(el);
  const std::string before(line->buffer, static_cast<std::size_t>(line->cursor - line->buffer));
  const std::size_t word_start =
      before.find_last_of(" \t") == std::string::npos ? 0 : before.find_last_of(" \t") + 1;
  const std::string word = before.substr(word_start);
  std::vector<std::string> matches;
  for (std::string& candidate :
       state.completer ? state.completer(before) : std::vector<std::string>{}) {
    if (candidate.compare(0, word.size(), word) == 0)
      matches.push_back(std::move(candidate));
  }
  if (matches.empty())
    return CC_REFRESH_BEEP;
  std::sort(matches.begin(), matches.end());
  matches.erase(std::unique(matches.begin(), matches.end()), matches.end());
  if (matches.size() == 1) {
    el_insertstr(el, (matches.front().substr(word.size()) + " ").c_str());
    return CC_REFRESH;
  }
  const std::string prefix = common_prefix(matches);
  if (prefix.size() > word.size()) {
    el_insertstr(el, prefix.substr(word.size()).c_str());
    return CC_REFRESH;
  }
  std::string list = "\n";
  for (const std::string& match : matches)
    list += match + "\n";
  std::fputs(list.c_str(), state.screen);
  return CC_REDISPLAY;
}

}  // namespace

LineEditor::LineEditor(const Io& io, std::filesystem::path history_file, Completer completer)
    : m_state(std::make_unique<State>()) {
  State& s = *m_state;
  s.io = &io;
  s.screen = io.out_tty ? stdout : stderr;
  s.terminal = io.in_tty && (io.out_tty || io.err_tty);
  s.history_file = std::move(history_file);
  s.completer = std::move(completer);
  s.history = history_init();
  HistEvent event;
  history(s.history, &event, H_SETSIZE, k_history_size);
  history(s.history, &event, H_SETUNIQUE, 1);
  std::error_code error;
  if (std::filesystem::exists(s.history_file, error) &&
      history(s.history, &event, H_LOAD, s.history_file.c_str()) < 0) {
    s.warn("could not read the REPL history " + s.history_file.string() +
           "; it starts empty and is rewritten after the next entry");
  }
  s.el = el_init("llmgw", stdin, s.screen, stderr);
  el_set(s.el, EL_CLIENTDATA, &s);
  el_set(s.el, EL_EDITOR, "emacs");
  el_set(s.el, EL_SIGNAL, 1);
  el_set(s.el, EL_HIST, history, s.history);
  el_set(s.el, EL_PROMPT, prompt_of);
  el_set(s.el, EL_SETTY, "-d", "-isig", nullptr);
  // el_wset: the narrow el_set copies a function's name and help and never frees them;
  // the wide one keeps these literals as they are.
  el_wset(s.el, EL_ADDFN, L"llmgw-interrupt", L"Give up the line", on_interrupt);
  el_set(s.el, EL_BIND, "^C", "llmgw-interrupt", nullptr);
  el_wset(s.el, EL_ADDFN, L"llmgw-suspend", L"Suspend llmgw", on_suspend);
  el_set(s.el, EL_BIND, "^Z", "llmgw-suspend", nullptr);
  el_wset(s.el, EL_ADDFN, L"llmgw-complete", L"Complete the word", on_complete);
  el_set(s.el, EL_BIND, "^I", "llmgw-complete", nullptr);
  el_wset(s.el, EL_ADDFN, L"llmgw-paste", L"Take a bracketed paste", on_paste);
  el_set(s.el, EL_BIND, "\\e[200~", "llmgw-paste", nullptr);
  el_source(s.el, nullptr);  // the user's ~/.editrc, as every libedit program does
}

LineEditor::~LineEditor() {
  el_end(m_state->el);
  history_end(m_state->history);
}

EditedLine LineEditor::read(const std::string& prompt) {
  State& s = *m_state;
  s.prompt = prompt;
  s.interrupted = false;
  s.pasted.clear();
  if (s.terminal) {
    std::fputs(k_paste_on, s.screen);
    std::fflush(s.screen);
  }
  int count = 0;
  const char* text = el_gets(s.el, &count);
  if (s.terminal) {
    std::fputs(k_paste_off, s.screen);
    std::fflush(s.screen);
  }
  EditedLine line;
  if (text != nullptr && count > 0)
    line.text.assign(text, static_cast<std::size_t>(count));
  if (!line.text.empty() && line.text.back() == '\n')
    line.text.pop_back();
  // A key of ours that ended the line may leave el_gets with nothing to return.
  if (s.interrupted)
    line.kind = EditedLine::Kind::interrupted;
  else if (!s.pasted.empty())
    line.pasted = std::move(s.pasted);
  else if (text == nullptr || count <= 0)
    line.kind = EditedLine::Kind::eof;
  return line;
}

void LineEditor::add_history(const std::string& entry) {
  State& s = *m_state;
  HistEvent event;
  history(s.history, &event, H_ENTER, entry.c_str());
  try {
    // libedit writes the file itself (and makes it 0600); a temporary file renamed over
    // the old one means a kill mid-write never leaves half a history.
    make_private_dirs(s.history_file.parent_path());
    const std::filesystem::path temp =
        s.history_file.string() + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
      fail(ErrorKind::io, "cannot create " + temp.string() + ": " + std::strerror(errno));
    FILE* file = ::fdopen(fd, "w");
    if (file == nullptr) {
      ::close(fd);
      fail(ErrorKind::io, "cannot write " + temp.string());
    }
    const bool written = history(s.history, &event, H_SAVE_FP, file) >= 0;
    if (std::fclose(file) != 0 || !written) {
      std::filesystem::remove(temp);
      fail(ErrorKind::io, "cannot write " + temp.string());
    }
    std::filesystem::rename(temp, s.history_file);
  } catch (const std::exception& e) {
    const auto* gateway = dynamic_cast<const GatewayError*>(&e);
    s.warn("could not save the REPL history: " +
           (gateway ? gateway->error().message : std::string(e.what())));
  }
}

}  // namespace llmgw::cli
