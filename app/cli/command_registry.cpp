#include "command_registry.h"

#include <algorithm>
#include <iomanip>
#include <ostream>

#include "medsa/core/build_info.h"

namespace medsa::cli {

void CommandRegistry::add(Command command) { commands_.push_back(std::move(command)); }

const Command* CommandRegistry::find(const std::string& name) const {
  auto it = std::find_if(commands_.begin(), commands_.end(),
                         [&](const Command& c) { return c.name == name; });
  return it == commands_.end() ? nullptr : &*it;
}

void CommandRegistry::printHelp(std::ostream& out) const {
  out << "medsa " << projectVersion() << " - " << projectName()
      << " on the command line: read images, segment them with a SAM or\n"
      << "MedSAM checkpoint, inspect models and adapter files, time the engine and the readers.\n\n"
      << "Usage: medsa COMMAND [ARGUMENTS]\n"
      << "       medsa --help | --version\n"
      << "       medsa help COMMAND      (or: medsa COMMAND --help)\n\n"
      << "Commands:\n";
  for (const Command& command : commands_) {
    out << "  " << std::left << std::setw(14) << command.name << command.summary << '\n';
  }
  out << "\nExit status: 0 on success, 1 when the work failed, 2 for a usage error.\n";
}

int CommandRegistry::dispatch(const std::vector<std::string>& argv, std::ostream& out,
                              std::ostream& err) const {
  if (argv.empty()) {
    printHelp(err);
    return kExitUsage;
  }
  const std::string& first = argv.front();
  if (first == "--help" || first == "-h") {
    printHelp(out);
    return kExitOk;
  }
  if (first == "help") {
    if (argv.size() == 1) {
      printHelp(out);
      return kExitOk;
    }
    const Command* command = find(argv[1]);
    if (!command) {
      err << "medsa: no command named '" << argv[1] << "'. Run 'medsa --help' for the list.\n";
      return kExitUsage;
    }
    out << command->usage;
    return kExitOk;
  }
  const std::string name = first == "--version" ? std::string("version") : first;
  const Command* command = find(name);
  if (!command) {
    err << "medsa: unknown command '" << first << "'. Run 'medsa --help' for the list.\n";
    return kExitUsage;
  }
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  if (std::find(args.begin(), args.end(), "--help") != args.end()) {
    out << command->usage;
    return kExitOk;
  }
  CommandContext context{std::move(args), out, err};
  return command->run(context);
}

}  // namespace medsa::cli
