#include "sam/adapter.h"

#include "torch_compat.h"

namespace medsa::model {

AdapterImpl::AdapterImpl(int64_t dim, int64_t hidden) {
  down = register_module("down", torch::nn::Linear(dim, hidden));
  up = register_module("up", torch::nn::Linear(hidden, dim));
  torch::NoGradGuard noGrad;
  up->weight.zero_();
  up->bias.zero_();
}

torch::Tensor AdapterImpl::forward(const torch::Tensor& x) {
  return rowsLinear(*up, rowsLinear(*down, x, LinearActivation::Gelu));
}

HyperAdapterImpl::HyperAdapterImpl(int64_t dim, int64_t r) : bottleneck(r) {
  down = register_module("down", torch::nn::Linear(dim, r));
  hyper = register_module("hyper", torch::nn::Linear(dim, r * r));
  norm = register_module("norm", FloatLayerNorm(r, 1e-5));
  up = register_module("up", torch::nn::Linear(r, dim));
  torch::NoGradGuard noGrad;
  up->weight.zero_();
  up->bias.zero_();
  // Start the generated matrix near identity so early training moves down/up sensibly.
  hyper->bias.copy_(torch::eye(r).flatten());
}

torch::Tensor HyperAdapterImpl::forward(const torch::Tensor& x, const torch::Tensor& prompt) {
  const torch::Tensor weights = hyper(prompt).view({-1, bottleneck, bottleneck});  // [B, r, r]
  const torch::Tensor mixed = torch::bmm(down(x), weights);                        // [B, T, r]
  return up(torch::relu(norm(mixed)));
}

}  // namespace medsa::model
