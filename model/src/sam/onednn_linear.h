#pragma once
// The image encoder's linear layers (qkv, proj, the MLP and the adapters, over every token of
// the picture) in inference on the CPU, through oneDNN's matmul instead of LibTorch's addmm.
//
// LibTorch 1.13 sends fp32 linears to OpenBLAS, which packs the weights on every call and
// reaches 182-205 GFLOP/s on ViT-B's shapes on an AMD Zen 4 (2 cores, FMA peak 234); oneDNN's
// brgemm kernels reach 205-219 GFLOP/s on the same weights as torch::nn::Linear keeps them, and
// add the bias and GELU to each block of the result while it is in cache, where LibTorch adds
// the bias by an extra pass over the output and GELU by another. bf16 linears already go
// through oneDNN in LibTorch; here they lose the same two passes.
//
// Only the kernels measured on a machine of this project take the calls (oneDnnLinearKernel
// names the one in use); anything else, and every build without oneDNN, keeps LibTorch's path.

#include <torch/torch.h>

#include <string>

namespace medsa::model {

enum class LinearActivation { None, Gelu };

/// The oneDNN kernel that the encoder's linears of this dtype (fp32 or bf16) run on here, e.g.
/// "brg:avx512_core"; empty where they stay with LibTorch (a build without oneDNN, a kernel not
/// measured, MEDSA_ONEDNN_LINEAR=off).
std::string oneDnnLinearKernel(torch::ScalarType type);

/// activation(x W^T + b) for x [rows][in], W [out][in] and b [out] (or undefined), all of one
/// dtype (fp32 or bf16), in CPU memory; y [rows][out]. Returns an undefined tensor, having done
/// nothing, when the call is not for this path: autograd recording or CPU autocast on, other
/// devices or dtypes, fewer than 256 rows, a kernel other than the measured brgemm ones, or
/// MEDSA_ONEDNN_LINEAR=off. GELU is the exact (erf) one, as torch::gelu's default.
torch::Tensor oneDnnLinear(const torch::Tensor& x, const torch::Tensor& weight,
                           const torch::Tensor& bias, LinearActivation activation);

}  // namespace medsa::model
