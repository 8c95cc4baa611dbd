#pragma once
// The prompt tokens' attention to the image tokens in the mask decoder as one pass over the
// image tokens, for fp32 inference on the CPU: each query row takes the softmax of its scores
// against every image token and the weighted sum of their values. Two forms use it: the folded
// one (DecoderAttentionImpl::attendToMany: heads x n rows already in image space against the
// image tokens themselves) and the first block's, per head against keys and values projected
// once per picture (attendPrepared: 7 query rows x 16 dims per head for ViT-B).
//
// Step by step the folded form is two thin matmuls (ViT-B: 56 x 256 against 4096 tokens, at
// about half the CPU's matmul rate) around a softmax over a 56 x 4096 score matrix that does
// not stay in L2: 2.3 ms on two Zen 3 cores, against 1.6 ms here (the first block's per-head
// form 0.63 against 0.35 ms). Blocks of 48 image tokens go from their scores through an online
// softmax (running maximum and sum per query row, earlier sums rescaled, as flash-attention
// kernels do) into the weighted sums, and no score array larger than a block ever exists. The
// image tokens are split into chunks of 512, each with its own running state, merged in a fixed
// order at the end: the result does not depend on the number of threads.
//
// The first block's keys, projected once per picture, can also come in blocks of 16 tokens
// (keysInBlocks): each query row's scores are then vectors along the tokens, with neither the
// 7 rows nor the 16 dims padded to a register block (ViT-B on a Zen 4: 0.84 -> 0.39 ms a click).

#include <cstdint>

#include "sam/vector_isa.h"

namespace medsa::model {

struct TokensToImageInput {
  /// [heads][n][dim]: each head's query rows. Folded (one head): the rows in image space (head
  /// h's queries times its key projection); per head: the projected queries. The attention's
  /// scale is included, in the queries or the keys.
  const float* queries;
  /// Image token t's keys and values of head h start at keys + t keyStride + h dim (values
  /// alike): the image tokens with and without their positional encoding when folded, their
  /// projections [tokens][heads x dim] per head.
  const float* keys;
  const float* values;
  std::int64_t heads, n, dim, tokens, keyStride, valueStride;
  /// Where given, the keys instead of `keys`: in blocks of kKeyBlockTokens image tokens,
  /// [ceil(tokens / 16)][heads x dim][16] (token 16 b + i's dim e of head h at [b][h dim + e][i]),
  /// as MaskDecoder::prepare lays out the first block's projected keys. The scores then run
  /// along the tokens, without padding the few query rows to a register block.
  const float* keysInBlocks = nullptr;
  /// Where given (not with keysInBlocks), the keys are keys + keyPe, added as they are read:
  /// the image tokens' positional encoding, token t's row at keyPe + t keyPeStride. The caller
  /// then never writes the image tokens with their encoding (4 MB for ViT-B) to memory.
  const float* keyPe = nullptr;
  std::int64_t keyPeStride = 0;
};

/// Image tokens per block of TokensToImageInput::keysInBlocks.
inline constexpr std::int64_t kKeyBlockTokens = 16;

/// The sizes the kernel takes: 1 to 256 query rows per head, dim a multiple of 16 up to 4096.
bool tokensToImageFits(std::int64_t n, std::int64_t dim);

/// out [heads][n][dim] = per head, softmax over the tokens of (queries keys^T), times values.
/// Sizes must satisfy tokensToImageFits and tokens >= 1; `isa` must be supported. Splits the
/// image tokens over LibTorch's threads.
void tokensToImage(VectorIsa isa, const TokensToImageInput& input, float* out);

}  // namespace medsa::model
