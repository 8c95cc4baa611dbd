#pragma once

#include "command_registry.h"
#include "medsa/core/rgb_image.h"
#include "model_options.h"

namespace medsa::cli {

/// The synthetic 512 x 512 picture every benchmark uses: a soft gradient with a bright disc.
RgbImage benchPicture();

/// medsa bench --train: times adapter training steps on benchPicture() with its disc as target.
int runTrainingBench(CommandContext& context, const ModelOptions& options, long long steps,
                     bool checkpointing, bool json);

}  // namespace medsa::cli
