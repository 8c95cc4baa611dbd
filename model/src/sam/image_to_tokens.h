#pragma once
// The image tokens' half of a two-way block of SAM's mask decoder in one pass over the image
// tokens, for fp32 inference on the CPU: each image token attends to the few prompt tokens (in
// the folded form, its scores against heads x n columns already in image space), the softmax over
// each head's n tokens, the weighted sum of the values already multiplied by the output
// projection, its bias, the residual and norm4 (LayerNorm).
//
// Step by step these are two thin matmuls (4096 x 256 x 56 for ViT-B, at a third of the CPU's
// matmul rate), a softmax over a [heads, n, 4096] tensor, an add and a LayerNorm, each a pass over
// the 1 M image-token values: about 6 ms of each of the two blocks of a click on two cores.
// Fused, a few rows stay in L1 from their scores to their normalised output.
//
// The first block's image tokens are the same for every click on a picture (no mask input), so
// their query projection can be made once per picture (MaskDecoder::prepare): the scores then
// cost heads x n x c per token instead of dim x (heads x n), and each head's softmax runs over
// vectors of 16 tokens instead of scalars.

#include <cstdint>

#include "sam/vector_isa.h"

namespace medsa::model {

struct ImageToTokensInput {
  /// [tokens][dim]: the image tokens (the residual), and their positional encoding; the
  /// queries are keys + pe, added as they are read (no caller writes that sum to memory).
  const float* keys;
  const float* pe;
  /// [dim][columnStride]: column h n + j is prompt token j's key of head h in image space, the
  /// attention's scale included; columns beyond heads x n are zero.
  const float* columns;
  const float* columnBias;  ///< [columnStride]: the query bias's share of each score
  /// [heads x n][dim]: each column's value times head h's share of the output projection.
  const float* values;
  const float* outBias;     ///< [dim]
  const float* normWeight;  ///< [dim]
  const float* normBias;    ///< [dim]
  float normEps;
  std::int64_t tokens, dim, heads, perHead, columnStride;
  /// Where given, the scores come from these instead of keys + pe, `columns` and `columnBias`:
  /// the image tokens' projected queries (bias included) in blocks of kProjectedTokenBlock
  /// tokens, [ceil(tokens / 16)][heads x headDim][16] (token 16 b + i's dim e at [b][e][i]),
  /// against `tokenKeys` [heads][perHead][headDim], the prompt tokens' keys with the
  /// attention's scale.
  const float* projectedQueries = nullptr;
  const float* tokenKeys = nullptr;
  std::int64_t headDim = 0;
};

/// Image tokens per block of ImageToTokensInput::projectedQueries.
inline constexpr std::int64_t kProjectedTokenBlock = 16;

/// The widths the kernel takes: dim a multiple of 64 up to 512, heads x n up to 256.
bool imageToTokensFits(std::int64_t dim, std::int64_t columns);
/// The column stride the caller pads `columns` and `columnBias` to (a multiple of 64).
std::int64_t imageToTokensColumnStride(std::int64_t columns);

/// out [tokens][dim] = LayerNorm(keys + out_proj(attention of the queries to the prompt tokens)).
/// The next attentions add pe to `out` as they read it: writing out + pe as well (as this
/// kernel did until the seventeenth session) cost 0.3 ms of stores a block on a Zen 4.
void imageToTokens(VectorIsa isa, const ImageToTokensInput& input, float* out);

}  // namespace medsa::model
