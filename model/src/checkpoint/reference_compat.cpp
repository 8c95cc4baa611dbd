#include "checkpoint/reference_compat.h"

namespace medsa::model {
namespace {

bool replace(std::string& key, const std::string& from, const std::string& to) {
  const size_t at = key.find(from);
  if (at == std::string::npos) return false;
  key.replace(at, from.size(), to);
  return true;
}

}  // namespace

Result<ReferenceMapping> mapReferenceCheckpoint(
    std::vector<std::pair<std::string, torch::Tensor>>& tensors, const std::string& source) {
  ReferenceMapping mapping;
  bool depth = false, zeroRelPos = true, renamedRelPos = false;
  std::optional<double> ratio;
  for (auto& [key, tensor] : tensors) {
    if (key.find(".mlp.layers.0.0.") != std::string::npos ||
        key.find(".mlp.fc.") != std::string::npos) {
      return Error{
          ErrorCode::UnsupportedFormat,
          "this Med-SA checkpoint uses the EfficientSAM-style two-way decoder of the reference "
          "code after 2024-01 (" +
              key + "), which is not SAM's decoder; it is not supported",
          source};
    }
    bool adapter = false;
    for (const auto& [theirs, ours] : {std::pair{".Space_Adapter.", ".adapter_attn."},
                                       std::pair{".MLP_Adapter.", ".adapter_mlp."},
                                       std::pair{".Depth_Adapter.", ".adapter_depth."}}) {
      if (replace(key, theirs, ours)) {
        adapter = true;
        depth = depth || std::string(ours) == ".adapter_depth.";
      }
    }
    if (adapter) {
      replace(key, ".D_fc1.", ".down.");
      replace(key, ".D_fc2.", ".up.");
      if (key.find(".adapter_attn.down.weight") != std::string::npos) {
        ratio = static_cast<double>(tensor.size(0)) / static_cast<double>(tensor.size(1));
      }
      mapping.isReference = true;
    }
    if (replace(key, ".attn.rel_h", ".attn.rel_pos_h") ||
        replace(key, ".attn.rel_w", ".attn.rel_pos_w")) {
      renamedRelPos = true;
      zeroRelPos = zeroRelPos && tensor.abs().max().item<double>() == 0;
      mapping.isReference = true;
    }
  }
  if (!mapping.isReference) return mapping;

  if (ratio) {
    AdapterConfig adapters;
    adapters.ratio = *ratio;
    adapters.depth = depth;
    adapters.decoder = false;       // the reference code has no decoder adapters
    adapters.padBeforeNorm = true;  // and pads windows before norm1
    mapping.adapters = adapters;
    mapping.notes.push_back(
        "reference Med-SA adapters: windows are zero-padded before norm1, as the reference code "
        "trained them (SAM pads after); the decoder has no adapters (HyP-Adpt is absent there)");
    mapping.notes.push_back(
        "the reference code feeds squash-resized [0, 1] pictures without SAM's mean/std: use the "
        "medsam profile (which stretches min..max to [0, 1] where the reference divides by 255)");
  }
  if (depth) {
    mapping.notes.push_back(
        "depth adapters loaded, but our SD-Trans branch attends over true slice positions (1-D per "
        "token); the reference folds depth into a dh x dw grid and mixes windows of different "
        "slices, "
        "so volumes give different results than the reference code");
  }
  if (renamedRelPos && zeroRelPos) {
    mapping.notes.push_back(
        "relative-position tables are all zero (the reference code renamed them in 2024-01 and "
        "never "
        "loaded SAM's): kept as zeros, as this checkpoint was trained with them");
  }
  return mapping;
}

}  // namespace medsa::model
