// medsa: the command-line face of Med-SA Studio. Every command is registered here; the work
// itself lives in the libraries.
#include <iostream>
#include <string>
#include <vector>

#include "command_registry.h"

int main(int argc, char** argv) {
  medsa::cli::CommandRegistry registry;
  medsa::cli::addVersionCommand(registry);
#ifdef MEDSA_WITH_IO
  medsa::cli::addInfoCommand(registry);
  medsa::cli::addBenchIoCommand(registry);
  medsa::cli::addSegmentCommand(registry);
  medsa::cli::addProjectCommand(registry);
  medsa::cli::addModelsCommand(registry);
  medsa::cli::addTrainCommand(registry);
  medsa::cli::addEvaluateCommand(registry);
#endif
  medsa::cli::addBenchCommand(registry);
  medsa::cli::addModelInfoCommand(registry);
  medsa::cli::addPretrainCommand(registry);

  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return registry.dispatch(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // Libraries report errors as values; reaching this is a bug, but the user still gets a
    // message and a failing exit status instead of an abort.
    const std::string what = e.what();
    std::cerr << "medsa: internal error: " << what.substr(0, what.find('\n')) << '\n';
    return medsa::cli::kExitFailure;
  }
}
