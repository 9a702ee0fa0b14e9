#include "cli/app.hpp"

int main(int argc, char** argv) {
  llmgw::cli::Io io = llmgw::cli::process_io();
  return llmgw::cli::run(argc, argv, io);
}
