#pragma once
// A linear layer applied to a few rows, for the mask decoder's prompt tokens (7 rows for a
// click) in fp32 inference on the CPU: y = x W^T + b, optionally ReLU, with W [out][in] as
// torch::nn::Linear keeps it.
//
// With so few rows a linear layer reads every weight once and does little else; OpenBLAS's
// sgemm took 0.3 ms warm and 0.6-0.8 ms with the weights out of cache for the token MLP's
// 7 x 256 x 2048 (2 MB of weights), four of which run per ViT-B click. Here each weight is
// loaded once per block of rows and used for all of them, streamed in the order it is stored.

#include <cstdint>

#include "sam/vector_isa.h"

namespace medsa::model {

struct FewRowsLinearInput {
  const float* x;       ///< [rows][in]
  const float* weight;  ///< [out][in]
  const float* bias;    ///< [out], or null
  std::int64_t rows, in, out;
  bool relu = false;
};

/// What the kernel takes: up to 64 rows, `in` a multiple of 16.
bool fewRowsLinearFits(std::int64_t rows, std::int64_t in);

/// y [rows][out] = x W^T + bias (then max(0, .) with relu).
void fewRowsLinear(VectorIsa isa, const FewRowsLinearInput& input, float* y);

}  // namespace medsa::model
