#pragma once

#include "argument_parser.h"
#include "command_registry.h"

namespace medsa::cli {

/// `medsa project stress LOCATION --annotators N --minutes M [--lease S] [--json]`: N simulated
/// annotators (processes) take, save and release cases for M minutes while one of them is killed
/// and restarted and the database connections are cut once; prints what went wrong, if anything.
int runProjectStress(CommandContext& context, ArgumentParser& parser);
/// One simulated annotator (started by runProjectStress; not for people).
int runProjectStressWorker(CommandContext& context, ArgumentParser& parser);

}  // namespace medsa::cli
