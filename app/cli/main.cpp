// medsa: the command-line face of Med-SA Studio. Every command is registered here; the work
// itself lives in the libraries.
#include <iostream>
#include <string>
#include <vector>

#include "command_registry.h"

int main(int argc, char** argv) {
  medsa::cli::CommandRegistry registry;
  medsa::cli::addVersionCommand(registry);

  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return registry.dispatch(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // Libraries report errors as values; reaching this is a bug, but the user still gets a
    // message and a failing exit status instead of an abort.
    std::cerr << "medsa: internal error: " << e.what() << '\n';
    return medsa::cli::kExitFailure;
  }
}
