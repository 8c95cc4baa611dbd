#pragma once
// Med-SA adapter modules (spec §2; our design where the paper leaves it open).

#include <torch/torch.h>

#include "sam/common.h"

namespace medsa::model {

/// Bottleneck adapter: up(GELU(down(x))). The up-projection starts at zero, so a fresh adapter
/// adds nothing and the model computes exactly the base SAM.
struct AdapterImpl : torch::nn::Module {
  AdapterImpl(int64_t dim, int64_t hidden);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Linear down{nullptr}, up{nullptr};
};
TORCH_MODULE(Adapter);

/// HyP-Adpt: an adapter whose bottleneck mixing matrix is generated per prompt by a small
/// hypernetwork. y = up(ReLU(LN_r(down(x) @ W(p)))), W(p) = reshape(hyper(p), r x r), with p a
/// summary of the prompt tokens. up starts at zero.
struct HyperAdapterImpl : torch::nn::Module {
  HyperAdapterImpl(int64_t dim, int64_t bottleneck);
  /// x [B, T, C] tokens, prompt [B, C] summary -> [B, T, C]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& prompt);

  torch::nn::Linear down{nullptr}, hyper{nullptr}, up{nullptr};
  FloatLayerNorm norm{nullptr};
  int64_t bottleneck;
};
TORCH_MODULE(HyperAdapter);

}  // namespace medsa::model
