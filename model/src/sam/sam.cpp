#include "sam/sam.h"

namespace medsa::model {

SamImpl::SamImpl(const SamConfig& config_) : config(config_) {
  image_encoder = register_module("image_encoder", ImageEncoder(config));
  prompt_encoder = register_module("prompt_encoder", PromptEncoder(config));
  mask_decoder = register_module("mask_decoder", MaskDecoder(config));
}

std::vector<std::pair<std::string, torch::Tensor>> namedTensors(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    tensors.emplace_back(item.key(), item.value());
  }
  for (const auto& item : module.named_buffers(/*recurse=*/true)) {
    tensors.emplace_back(item.key(), item.value());
  }
  return tensors;
}

}  // namespace medsa::model
