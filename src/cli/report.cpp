#include "cli/report.hpp"

#include <ostream>

namespace llmgw::cli {

namespace {

void print_line(const Io& io, const char* color, std::string_view label, std::string_view text) {
  const bool color_on = stderr_color(io);
  io.err << "llmgw: ";
  if (color_on)
    io.err << color;
  io.err << label;
  if (color_on)
    io.err << "\033[0m";
  io.err << ' ' << text << '\n';
}

}  // namespace

void print_error(const Io& io, std::string_view message, std::string_view fix) {
  print_line(io, "\033[1;31m", "error:", message);
  if (!fix.empty())
    print_line(io, "\033[1;36m", "fix:", fix);
  io.err.flush();
}

void print_error(const Io& io, const Error& error) {
  print_error(io, error.message, error.fix);
}

void print_warning(const Io& io, std::string_view message) {
  print_line(io, "\033[1;33m", "warning:", message);
}

void print_note(const Io& io, std::string_view message) {
  print_line(io, "\033[2m", "note:", message);
}

}  // namespace llmgw::cli
