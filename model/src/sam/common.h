#pragma once
// Building blocks shared by the SAM encoder and decoder.

#include <torch/torch.h>

#include <vector>

#include "sam/onednn_linear.h"

namespace medsa::model {

/// LayerNorm over the channel dimension of an NCHW tensor (SAM's LayerNorm2d, eps 1e-6).
struct LayerNorm2dImpl : torch::nn::Module {
  explicit LayerNorm2dImpl(int64_t channels, double eps = 1e-6);
  torch::Tensor forward(const torch::Tensor& x);
  /// The same normalisation of x [..., channels] (channels last, contiguous).
  torch::Tensor forwardChannelsLast(const torch::Tensor& x);

  torch::Tensor weight, bias;
  double eps;
};
TORCH_MODULE(LayerNorm2d);

/// LayerNorm over the last dimension (keys weight, bias) that always normalises in fp32: in
/// reduced precision LibTorch 1.13's bf16 layer_norm is slower than converting, and fp32
/// statistics are more accurate.
struct FloatLayerNormImpl : torch::nn::Module {
  FloatLayerNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight, bias;
  double eps;
};
TORCH_MODULE(FloatLayerNorm);

/// GELU as a module (no parameters, so state_dict keys are unchanged) through compat::gelu,
/// whose gradient is right on every LibTorch we build against.
struct GeluImpl : torch::nn::Module {
  torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(Gelu);

/// What the decoder's hand-written kernels take: an fp32 tensor in CPU memory.
bool isCpuFloat(const torch::Tensor& t);

/// linear(x) over the last dimension of x, of any rank, then the activation. LibTorch 1.13
/// fuses the bias into the matmul (addmm) only for inputs of two or three dimensions: above that
/// it zeroes the output, multiplies and then adds the bias in a pass of its own, which made the
/// encoder's qkv and first MLP layer 10-12 % slower. Inputs therefore run as a matrix of rows:
/// in inference on the CPU through onednn_linear.h where that applies (MEDSA_ONEDNN_LINEAR=off
/// keeps LibTorch), with the bias and GELU applied in the matmul's kernel.
torch::Tensor rowsLinear(torch::nn::LinearImpl& linear, const torch::Tensor& x,
                         LinearActivation activation = LinearActivation::None);

/// linear(x), then ReLU if `relu`, for the mask decoder's prompt tokens: in fp32 inference on
/// the CPU a few rows go through few_rows_linear.h's kernel (MEDSA_FEW_ROWS_LINEAR=off|portable|
/// avx2|avx512 forces LibTorch or an instruction set), anything else through LibTorch.
torch::Tensor tokenLinear(torch::nn::LinearImpl& linear, const torch::Tensor& x, bool relu);

/// A stack of Linear layers with ReLU between them (SAM's MLP; keys layers.0, layers.1, ...).
struct MlpImpl : torch::nn::Module {
  MlpImpl(int64_t input, int64_t hidden, int64_t output, int layers);
  torch::Tensor forward(torch::Tensor x);

  torch::nn::ModuleList layers;
};
TORCH_MODULE(Mlp);

/// ConvTranspose2d with kernel = stride = 2, keeping the official weight layout
/// [in, out, 2, 2]. Computed as one matmul per pixel: LibTorch's CPU ConvTranspose2d has no
/// fast path for this case (16 % of a click in 1.13).
struct Upsample2xImpl : torch::nn::Module {
  Upsample2xImpl(int64_t in, int64_t out);
  /// NCHW in and out (a depth-to-space shuffle after forwardPixels).
  torch::Tensor forward(const torch::Tensor& x);
  /// pixels [P, in] -> [4 P, out]: each input pixel becomes four rows, its output pixels
  /// (di, dj) = (0, 0), (0, 1), (1, 0), (1, 1) in turn. Channels last, and no layout copy.
  torch::Tensor forwardPixels(const torch::Tensor& pixels);
  /// pixels [B, P, in] -> [B, out, 4 P], channels first: channel o of output pixel (di, dj) of
  /// input pixel p at column (2 di + dj) P + p. One matmul of the weights by the pixels, the
  /// shape OpenBLAS runs fastest when `in` is small (K = 64: 2.7-3.5 ms against 4.5 ms).
  torch::Tensor forwardPixelsToChannels(const torch::Tensor& pixels);
  /// The weights as [in, 4 out] (column (2 di + dj) out + o) and the bias repeated to match:
  /// forwardPixels' matmul operands, and the fused mask tail's.
  torch::Tensor pixelWeights() const;
  torch::Tensor pixelBias() const;

  torch::Tensor weight, bias;
};
TORCH_MODULE(Upsample2x);

}  // namespace medsa::model
