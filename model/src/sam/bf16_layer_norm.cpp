#include "sam/bf16_layer_norm.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace medsa::model {
namespace {

inline float widen(std::uint16_t bits) {
  const std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &wide, sizeof value);
  return value;
}

// Nearest even, as c10::BFloat16(float) rounds, in a form the compiler vectorises; NaN stays
// NaN (a quiet one).
inline std::uint16_t narrow(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  const std::uint32_t rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
  return value != value ? std::uint16_t(0x7FC0) : static_cast<std::uint16_t>(rounded);
}

// One clone per instruction set, picked when the program loads (GCC's target_clones).
__attribute__((target_clones("arch=skylake-avx512", "arch=haswell", "default"))) void normaliseRows(
    const std::uint16_t* x, const float* weight, const float* bias, std::int64_t first,
    std::int64_t last, std::int64_t dim, float eps, std::uint16_t* out, float* row) {
  for (std::int64_t r = first; r < last; ++r) {
    const std::uint16_t* in = x + r * dim;
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (std::int64_t c = 0; c < dim; ++c) {
      row[c] = widen(in[c]);
      sum += row[c];
    }
    const float mean = sum / static_cast<float>(dim);
    float squares = 0.0f;
#pragma omp simd reduction(+ : squares)
    for (std::int64_t c = 0; c < dim; ++c) {
      const float centred = row[c] - mean;
      squares += centred * centred;
    }
    // Two passes over the row in registers or L1: the variance of the centred values, as
    // LibTorch's layer_norm computes it, not E[x^2] - mean^2, which cancels.
    const float inverse = 1.0f / std::sqrt(squares / static_cast<float>(dim) + eps);
    std::uint16_t* o = out + r * dim;
#pragma omp simd
    for (std::int64_t c = 0; c < dim; ++c)
      o[c] = narrow((row[c] - mean) * inverse * weight[c] + bias[c]);
  }
}

}  // namespace

void layerNormBf16(const c10::BFloat16* x, const float* weight, const float* bias,
                   std::int64_t rows, std::int64_t dim, float eps, c10::BFloat16* out) {
  static_assert(sizeof(c10::BFloat16) == sizeof(std::uint16_t), "bf16 is 16 bits");
  const auto* in = reinterpret_cast<const std::uint16_t*>(x);
  auto* result = reinterpret_cast<std::uint16_t*>(out);
  at::parallel_for(0, rows, 64, [&](std::int64_t first, std::int64_t last) {
    std::vector<float> row(static_cast<std::size_t>(dim));
    normaliseRows(in, weight, bias, first, last, dim, eps, result, row.data());
  });
}

}  // namespace medsa::model
