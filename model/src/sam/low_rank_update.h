#pragma once
// What a mask prompt changes in the decoder's first block, for fp32 inference on the CPU: the
// block's projections of the image tokens, prepared once per picture, plus each token's mask
// features through a small matrix (MaskDecoder::prepareMask), written in the layouts the decoder
// kernels read: rows of tokens, or blocks of 16 tokens with the channels as rows.
//
// A token's mask embedding is the last layer of the mask encoder (16 features -> 256 channels for
// ViT-B) of features that depend on the mask, so every projection of embedding + mask embedding
// is the picture's projection plus [features, 1] times a (16 + 1) x 128 matrix. Through
// LibTorch (a matmul with an inner dimension of 17, an add, the copy into blocks) the three
// updates took 1.5 ms of a correction click; here they are one pass over what they write.

#include <cstdint>

#include "sam/vector_isa.h"

namespace medsa::model {

struct LowRankUpdate {
  const float* features;  ///< [tokens][rank]: each token's mask features
  /// [rank + 1][channels]: row k is feature k's contribution, row `rank` the constant one.
  const float* factors;
  std::int64_t tokens, rank, channels;
};

/// Tokens per block of lowRankUpdateBlocks' layout (the decoder kernels' kKeyBlockTokens and
/// kProjectedTokenBlock).
inline constexpr std::int64_t kLowRankBlockTokens = 16;

/// The sizes the kernels take: rank 1 to 64, channels a multiple of 16.
bool lowRankUpdateFits(std::int64_t rank, std::int64_t channels);

/// out[t][c] = base[t][c] + sum_k features[t][k] factors[k][c] + factors[rank][c], base and out
/// [tokens][channels] (out may be base). Sizes must satisfy lowRankUpdateFits; `isa` must be
/// supported. Splits the tokens over LibTorch's threads.
void lowRankUpdateRows(VectorIsa isa, const LowRankUpdate& update, const float* base, float* out);

/// The same with base and out in blocks of 16 tokens, [ceil(tokens / 16)][channels][16] (token
/// 16 b + i's channel c at [b][c][i]); the last block's missing tokens take features of zero.
void lowRankUpdateBlocks(VectorIsa isa, const LowRankUpdate& update, const float* base, float* out);

}  // namespace medsa::model
