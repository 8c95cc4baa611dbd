#pragma once

#include <string_view>

#include "medsa/core/error.h"
#include "medsa/core/json.h"

namespace medsa::model {

/// Which Med-SA adapters a model carries (paper design, see docs/medsa-adapters.md). Every
/// up-projection starts at zero, so a fresh adapter set computes exactly the base SAM.
struct AdapterConfig {
  bool encoder = true;    ///< an adapter after each block's attention + one parallel to its MLP
  double ratio = 0.25;    ///< bottleneck width / embedding width
  double mlpScale = 0.5;  ///< s: weight of the MLP-parallel adapter
  bool depth = false;     ///< SD-Trans depth branch for volumes (chunks of slices)
  bool decoder = true;    ///< HyP-Adpt on token-to-image attention + adapter on the decoder MLP
  int decoderBottleneck = 64;  ///< r: HyP-Adpt generates an r x r matrix per prompt
  /// Reference-code (Med-SA) numerics: zero-pad windows before norm1 instead of after. Needed
  /// only for checkpoints trained with the reference code; off for SAM-exact behaviour.
  bool padBeforeNorm = false;

  Status validate() const;
  Json toJson() const;
  static Result<AdapterConfig> fromJson(const Json& json);
  friend bool operator==(const AdapterConfig&, const AdapterConfig&) = default;
};

}  // namespace medsa::model
