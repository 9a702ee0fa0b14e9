// How the CLI shows problems: "llmgw: error: <message>" (+ "llmgw: fix: <hint>"),
// warnings and notes, all on stderr, coloured only when stderr_color() allows.
#pragma once

#include <string_view>

#include "cli/io.hpp"
#include "core/error.hpp"

namespace llmgw::cli {

void print_error(const Io& io, const Error& error);
void print_error(const Io& io, std::string_view message, std::string_view fix = {});
void print_warning(const Io& io, std::string_view message);
void print_note(const Io& io, std::string_view message);

}  // namespace llmgw::cli
