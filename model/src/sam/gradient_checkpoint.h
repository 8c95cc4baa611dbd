#pragma once
// Gradient checkpointing for LibTorch, which has no torch.utils.checkpoint: the forward pass
// keeps only the block's input; backward recomputes the block with gradients enabled and
// back-propagates through the recomputation. Trades one extra forward per block for not
// storing its activations (the bulk of a ViT training step's memory).

#include <torch/torch.h>

#include <functional>

namespace medsa::model {

torch::Tensor checkpointed(std::function<torch::Tensor(const torch::Tensor&)> block,
                           const torch::Tensor& input);

}  // namespace medsa::model
