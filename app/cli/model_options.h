#pragma once

#include <memory>
#include <optional>
#include <string>

#include "argument_parser.h"
#include "medsa/model/sam_model.h"

namespace medsa::cli {

/// The options every engine command shares: which weights, which geometry, where to run.
///   --model CKPT | --random-weights   --arch vit_b|vit_l|vit_h | --config FILE
///   --device cpu|cuda   --precision fp32|bf16|fp16   --threads N   --profile sam|medsam
struct ModelOptions {
  std::optional<std::string> checkpoint;
  bool randomWeights = false;
  std::optional<model::SamConfig> config;  ///< from --arch or --config
  std::string archName;                    ///< what to call the geometry in reports
  model::EngineOptions engine;

  /// Claims the options above from `parser`; errors name the option.
  static Result<ModelOptions> parse(ArgumentParser& parser);
  /// Loads the checkpoint (geometry inferred when neither --arch nor --config was given) or
  /// builds a randomly initialised model.
  Result<std::shared_ptr<model::SamModel>> build() const;
};

extern const char* const kModelOptionsHelp;

}  // namespace medsa::cli
