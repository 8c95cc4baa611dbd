#include "sam/sam.h"

namespace medsa::model {

SamImpl::SamImpl(const SamConfig& config_, std::optional<AdapterConfig> adapters_)
    : config(config_), adapters(std::move(adapters_)) {
  const AdapterConfig* a = adapters ? &*adapters : nullptr;
  image_encoder = register_module("image_encoder", ImageEncoder(config, a));
  prompt_encoder = register_module("prompt_encoder", PromptEncoder(config));
  mask_decoder = register_module("mask_decoder", MaskDecoder(config, a));
}

bool isAdapterKey(const std::string& key) {
  return key.find(".adapter_") != std::string::npos ||
         key.find(".hyp_adapter.") != std::string::npos;
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
