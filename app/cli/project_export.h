#pragma once

#include "argument_parser.h"
#include "command_registry.h"

namespace medsa::cli {

/// `medsa project export DIR --format F --out OUT [--status S,S] [--dataset-id N]`.
int runProjectExport(CommandContext& context, ArgumentParser& parser);

}  // namespace medsa::cli
