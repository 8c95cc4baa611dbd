#pragma once
// The whole Segment Anything model; parameter names equal the official state_dict keys.

#include <torch/torch.h>

#include "sam/image_encoder.h"
#include "sam/mask_decoder.h"
#include "sam/prompt_encoder.h"

namespace medsa::model {

struct SamImpl : torch::nn::Module {
  explicit SamImpl(const SamConfig& config, std::optional<AdapterConfig> adapters = std::nullopt);

  SamConfig config;
  std::optional<AdapterConfig> adapters;
  ImageEncoder image_encoder{nullptr};
  PromptEncoder prompt_encoder{nullptr};
  MaskDecoder mask_decoder{nullptr};
};
TORCH_MODULE(Sam);

/// Whether a state_dict key belongs to an adapter (what the trainer updates and adapter files
/// hold).
bool isAdapterKey(const std::string& key);

/// Every parameter and buffer of the model by its state_dict key.
std::vector<std::pair<std::string, torch::Tensor>> namedTensors(const torch::nn::Module& module);

}  // namespace medsa::model
