#pragma once
// Reads the tensors of a checkpoint file (torch.save .pth/.pt zip archives, .safetensors)
// without Python and without executing anything from the file.

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/json.h"

namespace medsa::model {

struct LoadedCheckpoint {
  std::string format;     ///< "pth" or "safetensors"
  std::string nestedKey;  ///< "model" / "state_dict" when the state dict was nested, else ""
  bool strippedModulePrefix = false;  ///< "module." (DataParallel) prefixes were removed
  std::vector<std::pair<std::string, torch::Tensor>> tensors;  ///< in file order
  Json metadata;  ///< safetensors __metadata__ (strings), null otherwise
};

Result<LoadedCheckpoint> readCheckpoint(const std::string& path);

/// The same from bytes in memory (used by the fuzz target and tests); `name` names it in errors.
Result<LoadedCheckpoint> readCheckpointBytes(std::string bytes, const std::string& name);

/// Writes tensors (and string metadata) as a .safetensors file, atomically.
Status writeSafetensors(const std::string& path,
                        const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                        const Json::Object& metadata);

}  // namespace medsa::model
