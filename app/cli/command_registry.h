#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace medsa::cli {

/// Exit codes of the medsa tool.
enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

/// What a command receives: its own arguments (after the command name) and where to print.
struct CommandContext {
  std::vector<std::string> args;
  std::ostream& out;
  std::ostream& err;
};

struct Command {
  std::string name;     ///< what the user types, e.g. "info"
  std::string summary;  ///< one line for `medsa --help`
  std::string usage;    ///< the full text for `medsa help NAME` / `medsa NAME --help`
  std::function<int(CommandContext&)> run;
};

class CommandRegistry {
 public:
  void add(Command command);
  const Command* find(const std::string& name) const;

  /// Dispatches argv (without the program name): global --help/--version, then a command.
  int dispatch(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) const;

  void printHelp(std::ostream& out) const;

 private:
  std::vector<Command> commands_;
};

// Each command lives in its own file and registers itself here.
void addVersionCommand(CommandRegistry& registry);
#ifdef MEDSA_WITH_IO
void addInfoCommand(CommandRegistry& registry);
void addBenchIoCommand(CommandRegistry& registry);
void addProjectCommand(CommandRegistry& registry);  // needs medsa_annotations
void addModelsCommand(CommandRegistry& registry);   // needs QtNetwork
void addTrainCommand(CommandRegistry& registry);    // needs the project store
void addEvaluateCommand(CommandRegistry& registry);
#endif
void addBenchCommand(CommandRegistry& registry);
void addModelInfoCommand(CommandRegistry& registry);
void addPretrainCommand(CommandRegistry& registry);  // core + model only
void addSegmentCommand(CommandRegistry& registry);  // needs medsa_io

}  // namespace medsa::cli
