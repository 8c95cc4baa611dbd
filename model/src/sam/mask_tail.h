#pragma once
// The last steps of SAM's mask decoder in one pass over the pixels, for fp32 inference on the
// CPU: LayerNorm2d -> GELU -> the second transposed convolution (kernel = stride = 2) -> GELU ->
// each mask token's hypernetwork product, written straight into the masks' pixel order.
//
// Done step by step, each step reads and writes the whole 4h x 4w feature map (2 M values for
// ViT-B): five passes over memory, a thin matmul (K = 64) and a gather put the pixels in place,
// about 9 ms of a 40 ms click on two cores. Fused, a block of pixels stays in registers from the
// normalisation to its mask values and no feature map is ever written.

#include <cstdint>

#include "sam/vector_isa.h"

namespace medsa::model {

/// The sizes the fused kernel is compiled for: (in, out) = (64, 32), (32, 16) or (16, 8), the
/// upsamplings of decoders 256 (ViT-B), 128 (the starter) and 64 wide, and 1 to 4 mask tokens
/// (one lane per token and output pixel of a 2 x 2 block).
bool maskTailFits(std::int64_t in, std::int64_t out, std::int64_t tokens);

struct MaskTailWeights {
  const float* normWeight;  ///< [in]  LayerNorm2d
  const float* normBias;    ///< [in]
  float normEps;
  const float* upWeight;  ///< [in][4 out]: ConvTranspose2d's [in][out][2][2] as
                          ///< Upsample2x::pixelWeights lays it out, column (2 di + dj) out + o
  const float* upBias;    ///< [4 out]: Upsample2x::pixelBias
  std::int64_t in, out;
};

/// half: [batch][4 h w][in], the first upsampling's output before its LayerNorm, row
/// (i w + j) 4 + 2 di + dj holding output pixel (2i + di, 2j + dj) of image token (i, j).
/// hyper: [batch][tokens][out]. masks: [batch][tokens][4h][4w]. Sizes must satisfy
/// maskTailFits; `isa` must be supported. Splits the pixels over LibTorch's threads.
void maskTail(VectorIsa isa, const float* half, const MaskTailWeights& weights,
              const float* hyper, std::int64_t batch, std::int64_t tokens, std::int64_t h,
              std::int64_t w, float* masks);

}  // namespace medsa::model
