#pragma once
// Checkpoints written by the Med-SA reference code: its adapter and relative-position key names
// mapped onto ours, and every numerical difference reported to the user instead of hidden.

#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/model/adapter_config.h"

namespace medsa::model {

struct ReferenceMapping {
  bool isReference = false;               ///< the file came from the reference code
  std::optional<AdapterConfig> adapters;  ///< what its adapter tensors imply
  std::vector<std::string> notes;         ///< differences the user must know about
};

/// Renames Space_Adapter / MLP_Adapter / Depth_Adapter (D_fc1, D_fc2) and attn.rel_h / rel_w in
/// place. Fails for parts we cannot run faithfully (the EfficientSAM-style decoder of the
/// reference code after 2024-01).
Result<ReferenceMapping> mapReferenceCheckpoint(
    std::vector<std::pair<std::string, torch::Tensor>>& tensors, const std::string& source);

}  // namespace medsa::model
