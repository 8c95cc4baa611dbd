#pragma once
// The inner loop of SAM's relative-position attention on CPU: one pass that adds the decomposed
// bias to a row of scores, a second that exponentiates it in place. LibTorch 1.13's softmax runs
// at ~1 G elements/s on this machine and the bias needs two more broadcast passes; global
// attention has 200 M scores per ViT-B block, so these passes dominated the bf16 encoder.

#include <c10/util/BFloat16.h>

#include <cstdint>

namespace medsa::model {

/// For each of `rows` rows of `scores` (h*w entries, row-major in (r, c)):
///   x[r*w + c] = scores + relH[row*h + r] + relW[row*w + c];  scores = exp(x - max(x))
/// and sums[row] = sum of the new row. The caller divides by sums (after the value matmul).
void biasedExpRows(float* scores, const float* relH, const float* relW, float* sums,
                   std::int64_t rows, std::int64_t h, std::int64_t w);
void biasedExpRows(c10::BFloat16* scores, const float* relH, const float* relW, float* sums,
                   std::int64_t rows, std::int64_t h, std::int64_t w);

}  // namespace medsa::model
