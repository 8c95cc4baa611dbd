#pragma once
// Attention over tokens on an h x w grid with SAM's decomposed relative-position bias:
//   softmax(scale * q k^T + relH[query row, key row] + relW[query col, key col]) v
// computed in chunks of query rows so the full [tokens x tokens] score tensor (800 MB per
// global block in ViT-B fp32) never exists at once.

#include <torch/torch.h>

#include <string_view>
#include <utility>

namespace medsa::model {

enum class BiasStrategy {
  /// CPU, fp32 or bf16: one fused pass over query and key tiles (tiled_attention.h), online
  /// softmax, no score tensor beyond a tile. The instruction set is the CPU's widest, or
  /// MEDSA_ATTENTION_KERNEL=portable|avx2|avx512|avx512bf16|amx (benchmarks, comparisons).
  TiledCpuKernel,
  /// CPU, fp32 or bf16 (before the tiled kernel; MEDSA_ATTENTION_KERNEL=chunked): plain q k^T
  /// matmul, then one fused pass adds the bias and exponentiates
  /// (biased_softmax_kernel); rows are normalised after the value matmul.
  FusedCpuKernel,
  /// Adds the bias onto each chunk of scores in place. Best in fp32, where every extra matmul
  /// column costs full price.
  AddInPlace,
  /// Appends the bias to the queries and matching one-hot columns to the keys, so a single
  /// matmul yields scores plus bias. In bf16/fp16 the matmul runs on AMX / tensor cores for
  /// almost nothing, while the broadcast add it replaces is memory-bound.
  FoldIntoMatmul,
  /// A GPU, LibTorch 2.1 or later: LibTorch's scaled_dot_product_attention with the bias as its
  /// additive mask (the memory-efficient kernel adds it per tile; the bias itself is built
  /// whole, 400 MB in bf16 for a ViT-B global block). Elsewhere it runs as the strategies above.
  DeviceSdpa,
};

/// SAM's decomposed relative-position terms for q [items, heads, h*w, d] (unscaled; any
/// strides with the last one 1) and the tables Rh [h, h, d], Rw [w, w, d]: relH [items * heads,
/// h, w, h] and relW [items * heads, h, w, w], contiguous. fp32 and bf16 inference on the CPU
/// runs relpos_bias.h's kernel, whose terms are fp32 for either (MEDSA_RELPOS_BIAS=off|portable|
/// avx2|avx512 forces LibTorch's einsums or an instruction set); anything else LibTorch's
/// einsums, in q's type.
std::pair<torch::Tensor, torch::Tensor> relativePositionTerms(const torch::Tensor& q,
                                                              const torch::Tensor& Rh,
                                                              const torch::Tensor& Rw, int64_t h,
                                                              int64_t w);

/// q, k, v: [BH, h*w, d] (q unscaled); relH: [BH, h, w, h]; relW: [BH, h, w, w].
torch::Tensor relPosAttention(const torch::Tensor& q, const torch::Tensor& k,
                              const torch::Tensor& v, const torch::Tensor& relH,
                              const torch::Tensor& relW, double scale, int64_t h, int64_t w,
                              BiasStrategy strategy);

/// The tiled CPU kernel (TiledCpuKernel) reading q, k, v as [items, heads, h*w, d] views with
/// any strides (such as slices of a qkv linear's output) and writing [items, h*w, heads, d]:
/// splitting and merging the heads costs no copies. relH, relW: [items * heads, h, w, h|w].
/// Returns an undefined tensor where that kernel does not run (not the CPU, not fp32 or bf16,
/// mixed element types, autograd, MEDSA_ATTENTION_KERNEL=chunked): use relPosAttention then.
torch::Tensor tiledRelPosAttentionHeadsLast(const torch::Tensor& q, const torch::Tensor& k,
                                            const torch::Tensor& v, const torch::Tensor& relH,
                                            const torch::Tensor& relW, double scale, int64_t h,
                                            int64_t w);

/// SAM's windowed attention read straight from an encoder block's qkv output qkvOut [images,
/// gridH, gridW, 3 * heads * d] (contiguous; [q | k | v], each head-major) into [images, gridH,
/// gridW, heads * d]: the window x window windows tile each grid (the last ones reaching past
/// it), the padding tokens' keys and values are qkvBias's (zeros if undefined), as the
/// official code's zero-padded grid gives them, and their queries are neither computed nor
/// written. Rh, Rw: [window, window, d]. No partition or merge copy, and 16 % fewer queries
/// in a ViT-B windowed block (64 x 64 in windows of 14). Undefined where the tiled kernel or
/// the relative-position terms' kernel does not run (see tiledRelPosAttentionHeadsLast), or
/// with MEDSA_WINDOW_ATTENTION=partitioned: partition the windows then.
torch::Tensor tiledWindowAttention(const torch::Tensor& qkvOut, const torch::Tensor& qkvBias,
                                   const torch::Tensor& Rh, const torch::Tensor& Rw, int64_t heads,
                                   int64_t window, double scale);

/// On the CPU, fp32 or bf16: TiledCpuKernel on bestAttentionIsa() (AMX tiles for bf16 where
/// the CPU has them), or what MEDSA_ATTENTION_KERNEL=chunked|portable|avx2|
/// avx512|avx512bf16|amx asks for. On a GPU DeviceSdpa where LibTorch has it (unless
/// MEDSA_CUDA_ATTENTION=chunked); else FoldIntoMatmul for reduced precision, AddInPlace
/// otherwise.
BiasStrategy defaultBiasStrategy(const torch::Tensor& q);

/// What defaultBiasStrategy runs on the CPU for fp32 or bf16 queries: "chunked" or the tiled
/// kernel's instruction set.
std::string_view cpuAttentionKernelName(bool bf16);

/// Whether this LibTorch has scaled_dot_product_attention (2.1 and later).
bool deviceSdpaAvailable();

}  // namespace medsa::model
