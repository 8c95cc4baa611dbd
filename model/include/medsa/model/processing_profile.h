#pragma once

#include <string>
#include <string_view>

#include "medsa/core/error.h"

namespace medsa::model {

/// How pictures are turned into model input and masks back into pictures. Stored with a model
/// (and with adapters trained on it): a checkpoint used with the wrong profile gives poor masks.
enum class ProcessingProfile {
  /// Official SAM: longest side resized to the model size (antialiased when shrinking, as PIL
  /// does), (x - mean) / std on 0-255 values, zero padding bottom-right; coordinates scaled.
  Sam,
  /// MedSAM: square resize to the model size (aspect not kept), min-max scaling to [0, 1], no
  /// mean/std, no padding; coordinates scaled per axis.
  MedSam,
};

std::string_view profileName(ProcessingProfile profile);
Result<ProcessingProfile> parseProfile(std::string_view name);

}  // namespace medsa::model
