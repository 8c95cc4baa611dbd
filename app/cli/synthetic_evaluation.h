#pragma once
// medsa evaluate --synthetic: a model on the fixed held-out synthetic set that `medsa pretrain`
// reports (docs/models/starter.md), with the means per shape kind and per style.

#include <memory>
#include <optional>
#include <string>

#include "command_registry.h"
#include "medsa/model/sam_model.h"

namespace medsa::cli {

/// Measures `model` on the first `pictures` pictures of the held-out set; writes the report
/// (JSON with `json`) to context.out. Returns the exit code.
int runSyntheticEvaluation(CommandContext& context, std::shared_ptr<model::SamModel> model,
                           const std::string& what, int pictures, bool json);

}  // namespace medsa::cli
