#include <ostream>

#include "argument_parser.h"
#include "command_registry.h"
#include "engine_summary.h"
#include "medsa/core/build_info.h"
#ifdef MEDSA_WITH_IO
#include "medsa/io/backends.h"
#endif

namespace medsa::cli {
namespace {

int runVersion(CommandContext& context) {
  ArgumentParser parser(context.args);
  if (Status status = parser.finish(); !status) {
    context.err << "medsa version: " << status.error().describe() << '\n';
    return kExitUsage;
  }
  context.out << "medsa " << projectVersion() << '\n';
  context.out << "engine: " << app::configureAndDescribeEngine() << '\n';
#ifdef MEDSA_WITH_IO
  for (const io::Backend& backend : io::imageBackends()) {
    context.out << backend.name << ' ' << backend.version << " (" << backend.purpose << ")\n";
  }
#else
  context.out << "image IO: not in this build (model-only)\n";
#endif
  return kExitOk;
}

}  // namespace

void addVersionCommand(CommandRegistry& registry) {
  registry.add({"version", "print the version of medsa and of the libraries it runs on",
                "Usage: medsa version   (or: medsa --version)\n\n"
                "Prints the medsa version on the first line, then the engine runtime (LibTorch\n"
                "version, device, threads) and the image libraries of this build.\n",
                runVersion});
}

}  // namespace medsa::cli
