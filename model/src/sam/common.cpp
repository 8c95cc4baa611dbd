#include "sam/common.h"

#include <ATen/autocast_mode.h>

#include "sam/bf16_layer_norm.h"
#include "sam/few_rows_linear.h"
#include "sam/onednn_linear.h"
#include "torch_compat.h"

namespace medsa::model {

LayerNorm2dImpl::LayerNorm2dImpl(int64_t channels, double eps_) : eps(eps_) {
  weight = register_parameter("weight", torch::ones({channels}));
  bias = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor LayerNorm2dImpl::forward(const torch::Tensor& x) {
  if (x.dim() == 4 && x.scalar_type() == weight.scalar_type() && !torch::GradMode::is_enabled()) {
    // Inference: one fused pass over each pixel's channels (the encoder's neck gets them
    // channels last from its convolutions), instead of the six element-wise passes below.
    return forwardChannelsLast(x.permute({0, 2, 3, 1})).permute({0, 3, 1, 2});
  }
  const torch::Tensor mean = x.mean(1, /*keepdim=*/true);
  const torch::Tensor centred = x - mean;
  const torch::Tensor variance = centred.pow(2).mean(1, /*keepdim=*/true);
  const torch::Tensor normalised = centred / torch::sqrt(variance + eps);
  return weight.view({1, -1, 1, 1}) * normalised + bias.view({1, -1, 1, 1});
}

torch::Tensor LayerNorm2dImpl::forwardChannelsLast(const torch::Tensor& x) {
  // LibTorch 1.13's layer_norm takes one dtype. Under bf16 autocast x arrives in bf16 while the
  // weights stay fp32 (the NCHW form promotes element by element to fp32): normalise in fp32.
  const torch::Tensor input =
      x.scalar_type() == weight.scalar_type() ? x : x.to(weight.scalar_type());
  return torch::layer_norm(input, {weight.size(0)}, weight, bias, eps);
}

FloatLayerNormImpl::FloatLayerNormImpl(int64_t dim, double eps_) : eps(eps_) {
  weight = register_parameter("weight", torch::ones({dim}));
  bias = register_parameter("bias", torch::zeros({dim}));
}

torch::Tensor FloatLayerNormImpl::forward(const torch::Tensor& x) {
  if (x.scalar_type() == torch::kFloat)
    return torch::layer_norm(x, {weight.size(0)}, weight, bias, eps);
  const bool needsGradient = torch::GradMode::is_enabled() &&
                             (x.requires_grad() || weight.requires_grad() || bias.requires_grad());
  if (x.scalar_type() == torch::kBFloat16 && x.device().is_cpu() && !needsGradient && x.dim() > 0 &&
      x.size(-1) == weight.size(0)) {
    // Inference in bf16 on the CPU: one fused pass instead of two conversions around it.
    const torch::Tensor input = x.contiguous();
    torch::Tensor out = torch::empty_like(input);
    const torch::Tensor w = weight.to(torch::kFloat).contiguous();
    const torch::Tensor b = bias.to(torch::kFloat).contiguous();
    layerNormBf16(input.data_ptr<c10::BFloat16>(), w.data_ptr<float>(), b.data_ptr<float>(),
                  input.numel() / weight.size(0), weight.size(0), static_cast<float>(eps),
                  out.data_ptr<c10::BFloat16>());
    return out;
  }
  return torch::layer_norm(x.to(torch::kFloat), {weight.size(0)}, weight.to(torch::kFloat),
                           bias.to(torch::kFloat), eps)
      .to(x.scalar_type());
}

torch::Tensor GeluImpl::forward(const torch::Tensor& x) { return compat::gelu(x); }

MlpImpl::MlpImpl(int64_t input, int64_t hidden, int64_t output, int count) {
  for (int i = 0; i < count; ++i) {
    const int64_t in = i == 0 ? input : hidden;
    const int64_t out = i == count - 1 ? output : hidden;
    layers->push_back(torch::nn::Linear(in, out));
  }
  register_module("layers", layers);
}

bool isCpuFloat(const torch::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == torch::kFloat;
}

torch::Tensor rowsLinear(torch::nn::LinearImpl& linear, const torch::Tensor& x,
                         LinearActivation activation) {
  std::vector<int64_t> shape = x.sizes().vec();
  shape.back() = linear.weight.size(0);
  const torch::Tensor rows = x.dim() == 2 ? x : x.reshape({-1, x.size(-1)});
  torch::Tensor y = oneDnnLinear(rows, linear.weight, linear.bias, activation);
  if (!y.defined()) {
    y = torch::linear(rows, linear.weight, linear.bias);
    // Without autograd the activation may overwrite the linear's output: one tensor of the
    // layer's width less (48 MB for ViT-B's MLP), the same values.
    if (activation == LinearActivation::Gelu)
      y = torch::GradMode::is_enabled() ? compat::gelu(y) : torch::gelu_(y);
  }
  return x.dim() == 2 ? y : y.view(shape);
}

torch::Tensor tokenLinear(torch::nn::LinearImpl& linear, const torch::Tensor& x, bool relu) {
  static const std::optional<VectorIsa> isa = kernelChoice("MEDSA_FEW_ROWS_LINEAR");
  const torch::Tensor& weight = linear.weight;
  const int64_t in = weight.size(1), out = weight.size(0);
  // Inference only, as for the decoder's other kernels; with autocast LibTorch runs it in bf16.
  if (!isa || !isCpuFloat(x) || !isCpuFloat(weight) || torch::GradMode::is_enabled() ||
      compat::cpuAutocastEnabled() || x.dim() < 1 || x.size(-1) != in ||
      !fewRowsLinearFits(x.numel() / std::max<int64_t>(in, 1), in)) {
    const torch::Tensor y = linear.forward(x);
    return relu ? torch::relu(y) : y;
  }
  const torch::Tensor rows = x.contiguous();
  std::vector<int64_t> shape = x.sizes().vec();
  shape.back() = out;
  torch::Tensor y = torch::empty(shape, x.options());
  const torch::Tensor bias = linear.bias.defined() ? linear.bias.contiguous() : torch::Tensor();
  const torch::Tensor weights = weight.contiguous();
  FewRowsLinearInput input;
  input.x = rows.data_ptr<float>();
  input.weight = weights.data_ptr<float>();
  input.bias = bias.defined() ? bias.data_ptr<float>() : nullptr;
  input.rows = x.numel() / in;
  input.in = in;
  input.out = out;
  input.relu = relu;
  fewRowsLinear(*isa, input, y.data_ptr<float>());
  return y;
}

torch::Tensor MlpImpl::forward(torch::Tensor x) {
  const size_t count = layers->size();
  for (size_t i = 0; i < count; ++i)
    x = tokenLinear(*layers[i]->as<torch::nn::Linear>(), x, i + 1 < count);
  return x;
}

Upsample2xImpl::Upsample2xImpl(int64_t in, int64_t out) {
  weight = register_parameter("weight", torch::empty({in, out, 2, 2}));
  bias = register_parameter("bias", torch::zeros({out}));
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
}

torch::Tensor Upsample2xImpl::forward(const torch::Tensor& x) {
  const int64_t batch = x.size(0), in = x.size(1), height = x.size(2), width = x.size(3);
  const torch::Tensor y = forwardPixels(x.permute({0, 2, 3, 1}).reshape({-1, in}));
  return y.view({batch, height, width, 2, 2, -1})
      .permute({0, 5, 1, 3, 2, 4})
      .reshape({batch, -1, height * 2, width * 2});
}

torch::Tensor Upsample2xImpl::pixelWeights() const {
  return weight.permute({0, 2, 3, 1}).reshape({weight.size(0), 4 * weight.size(1)});
}

torch::Tensor Upsample2xImpl::pixelBias() const { return bias.repeat({4}); }

torch::Tensor Upsample2xImpl::forwardPixels(const torch::Tensor& pixels) {
  // out[p, (di, dj), o] = sum_c x[p, c] * W[c, o, di, dj] + bias[o]
  return torch::addmm(pixelBias(), pixels, pixelWeights()).view({-1, weight.size(1)});
}

torch::Tensor Upsample2xImpl::forwardPixelsToChannels(const torch::Tensor& pixels) {
  // out[b, o, (di, dj), p] = sum_c W[c, o, di, dj] * x[b, p, c] + bias[o]
  const int64_t batch = pixels.size(0), in = weight.size(0), out = weight.size(1);
  const torch::Tensor w = weight.permute({1, 2, 3, 0}).reshape({1, 4 * out, in});
  return torch::baddbmm(bias.repeat_interleave(4).view({1, 4 * out, 1}), w.expand({batch, -1, -1}),
                        pixels.transpose(1, 2))
      .view({batch, out, -1});
}

}  // namespace medsa::model
