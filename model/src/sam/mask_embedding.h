#pragma once
// A mask prompt's dense embedding (SAM's mask_downscaling) in one pass over the token grid, for
// fp32 inference on the CPU: 2 x 2 convolution (stride 2) -> LayerNorm2d -> GELU -> 2 x 2
// convolution (stride 2) -> LayerNorm2d -> GELU -> 1 x 1 convolution, written channels last, as
// the decoder adds it to the image embedding.
//
// A token's embedding depends on the 4 x 4 mask pixels above it and on nothing else, so its
// first layers (a few hundred multiply-adds) stay in registers and its last layer writes its
// channels once. Step by step, LibTorch spent ~2.3 ms of a 25 ms ViT-B correction click on these
// seven layers, 1.3 ms of it in the last layer's matmul (4096 x 16 x 256: OpenBLAS's sgemm runs
// that shape at ~16 GFLOP/s).

#include <cstdint>

#include "sam/vector_isa.h"

namespace medsa::model {

struct MaskEmbeddingWeights {
  const float* conv1Weight;  ///< [c1][1][2][2]
  const float* conv1Bias;    ///< [c1]
  const float* norm1Weight;  ///< [c1]
  const float* norm1Bias;    ///< [c1]
  float norm1Eps;
  const float* conv2Weight;  ///< [c2][c1][2][2]
  const float* conv2Bias;    ///< [c2]
  const float* norm2Weight;  ///< [c2]
  const float* norm2Bias;    ///< [c2]
  float norm2Eps;
  const float* projection;      ///< [c2][dim]: the 1 x 1 convolution's [dim][c2] transposed
  const float* projectionBias;  ///< [dim]
  std::int64_t c1, c2, dim;
};

/// The sizes the kernel takes: c1 up to 16, c2 up to 64, dim a multiple of 64 (SAM's 4, 16 and
/// 256; the starter's are smaller).
bool maskEmbeddingFits(std::int64_t c1, std::int64_t c2, std::int64_t dim);

/// masks: [batch][4h][4w]; out: [batch][h][w][dim]; features, where given: [batch][h][w][c2],
/// each token's input to the last (1 x 1) layer. Sizes must satisfy maskEmbeddingFits; `isa`
/// must be supported. Splits the token rows over LibTorch's threads.
void maskEmbedding(VectorIsa isa, const float* masks, const MaskEmbeddingWeights& weights,
                   std::int64_t batch, std::int64_t h, std::int64_t w, float* out,
                   float* features = nullptr);

}  // namespace medsa::model
