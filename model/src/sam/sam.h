#pragma once
// The whole Segment Anything model; parameter names equal the official state_dict keys.

#include <torch/torch.h>

#include "sam/image_encoder.h"
#include "sam/mask_decoder.h"
#include "sam/prompt_encoder.h"

namespace medsa::model {

struct SamImpl : torch::nn::Module {
  explicit SamImpl(const SamConfig& config);

  SamConfig config;
  ImageEncoder image_encoder{nullptr};
  PromptEncoder prompt_encoder{nullptr};
  MaskDecoder mask_decoder{nullptr};
};
TORCH_MODULE(Sam);

/// Every parameter and buffer of the model by its state_dict key.
std::vector<std::pair<std::string, torch::Tensor>> namedTensors(const torch::nn::Module& module);

}  // namespace medsa::model
