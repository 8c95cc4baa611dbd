#include "sam/mask_tail.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "sam/simd_math.h"

namespace medsa::model {
namespace {

using namespace simd;

constexpr int kMaskLanes = 16;  // (token, output pixel of the 2 x 2 block): 4 tokens at most
constexpr int kMaxTokens = 4;

// The weights and the grid; each batch item's token products (`product`: [4 x out][16], lane 4t + s
// holding hyper[t][o] at column s out + o) go with its rows.
struct Prepared {
  const MaskTailWeights* weights;
  std::int64_t tokens, h, w;
};

// LayerNorm2d over one row of In values, then GELU, into `x`.
template <int Lanes, int In>
MEDSA_INLINE void normalisedRow(const float* row, const MaskTailWeights& wt, float* x) {
  using V = typename Simd<Lanes>::F;
  using I = typename Simd<Lanes>::I;
  constexpr int kVectors = In / Lanes;
  V values[kVectors];
  V sum{};
#pragma GCC unroll 16
  for (int v = 0; v < kVectors; ++v) sum += values[v] = load<V>(row + v * Lanes);
  float mean = 0.0f;
  for (int l = 0; l < Lanes; ++l) mean += sum[l];
  mean /= In;
  V squares{};
#pragma GCC unroll 16
  for (int v = 0; v < kVectors; ++v) {
    values[v] -= mean;
    squares += values[v] * values[v];
  }
  float variance = 0.0f;
  for (int l = 0; l < Lanes; ++l) variance += squares[l];
  const float inverse = 1.0f / std::sqrt(variance / In + wt.normEps);
#pragma GCC unroll 16
  for (int v = 0; v < kVectors; ++v) {
    const V normalised =
        values[v] * inverse * load<V>(wt.normWeight + v * Lanes) + load<V>(wt.normBias + v * Lanes);
    store(x + v * Lanes, gelu<V, I>(normalised));
  }
}

// Rows [first, last) of one batch item's half, Rows pixels at a time: their normalised inputs,
// the transposed convolution's Columns outputs, Group vectors of them at a time in registers,
// GELU, then the token products.
template <int Lanes, int In, int Columns, int Rows, int Group>
MEDSA_INLINE void tailRows(const Prepared& p, const float* half, const float* product,
                           std::int64_t first, std::int64_t last, float* masks) {
  using V = typename Simd<Lanes>::F;
  using I = typename Simd<Lanes>::I;
  constexpr int kVectors = Columns / Lanes, kMaskVectors = kMaskLanes / Lanes;
  static_assert(kVectors % Group == 0, "a pass takes whole groups of columns");
  alignas(64) float x[Rows][In] = {};  // rows past `last` stay zero
  alignas(64) float features[Rows][Columns] = {};  // rows past `last` are summed, never stored
  alignas(64) float mask[kMaskLanes];
  const std::int64_t w = p.w, plane = 16 * p.h * w;
  for (std::int64_t row = first; row < last; row += Rows) {
    const int count = static_cast<int>(std::min<std::int64_t>(Rows, last - row));
    for (int r = 0; r < count; ++r)
      normalisedRow<Lanes, In>(half + (row + r) * In, *p.weights, x[r]);
    for (int v0 = 0; v0 < kVectors; v0 += Group) {
      V acc[Rows][Group];
#pragma GCC unroll 8
      for (int r = 0; r < Rows; ++r)
#pragma GCC unroll 32
        for (int v = 0; v < Group; ++v) acc[r][v] = load<V>(p.weights->upBias + (v0 + v) * Lanes);
      for (int c = 0; c < In; ++c) {
        V weight[Group];
#pragma GCC unroll 32
        for (int v = 0; v < Group; ++v)
          weight[v] = load<V>(p.weights->upWeight + c * Columns + (v0 + v) * Lanes);
#pragma GCC unroll 8
        for (int r = 0; r < Rows; ++r)
#pragma GCC unroll 32
          for (int v = 0; v < Group; ++v) acc[r][v] += x[r][c] * weight[v];
      }
      for (int r = 0; r < count; ++r)
#pragma GCC unroll 32
        for (int v = 0; v < Group; ++v)
          store(features[r] + (v0 + v) * Lanes, gelu<V, I>(acc[r][v]));
    }
    // Every row's token products at once: each product row is loaded once for all of them,
    // and the rows' sums are independent chains of multiply-adds.
    V sums[Rows][kMaskVectors] = {};
    for (int k = 0; k < Columns; ++k) {
      V weight[kMaskVectors];
#pragma GCC unroll 4
      for (int m = 0; m < kMaskVectors; ++m)
        weight[m] = load<V>(product + k * kMaskLanes + m * Lanes);
#pragma GCC unroll 8
      for (int r = 0; r < Rows; ++r) {
        const V feature = features[r][k] - V{};
#pragma GCC unroll 4
        for (int m = 0; m < kMaskVectors; ++m) sums[r][m] += feature * weight[m];
      }
    }
    for (int r = 0; r < count; ++r) {
#pragma GCC unroll 4
      for (int m = 0; m < kMaskVectors; ++m) store(mask + m * Lanes, sums[r][m]);
      // Row (i w + j) 4 + 2 di + dj: pixel (4i + 2di + di2, 4j + 2dj + dj2) of each mask.
      const std::int64_t pixel = row + r, token = pixel / 4, quarter = pixel % 4;
      const std::int64_t top = 4 * (token / w) + 2 * (quarter / 2);
      const std::int64_t left = 4 * (token % w) + 2 * (quarter % 2);
      for (std::int64_t t = 0; t < p.tokens; ++t) {
        float* corner = masks + t * plane + top * 4 * w + left;
        corner[0] = mask[4 * t];
        corner[1] = mask[4 * t + 1];
        corner[4 * w] = mask[4 * t + 2];
        corner[4 * w + 1] = mask[4 * t + 3];
      }
    }
  }
}

// The shapes compiled: in 16/32/64 with 4 x out = 32/64/128 columns (decoder widths 64, 128,
// 256), each with its rows per block and vectors of columns per pass. Rows x Group accumulators
// stay in registers with the Group weights they multiply: at ViT-B's width on AVX-512, 6 rows x
// 4 vectors in two passes (29 of its 32 registers) instead of 3 rows x all 8 (whose weights
// GCC then read from memory in every multiply-add): the kernel 3.34 -> 3.00 ms on a Zen 4, and
// 2.69 ms with the products' rows shared by the block's rows. AVX2's 16 registers held one row of
// ViT-B's 16 column vectors with a spill in the inner loop and a weight load per multiply-add; 6
// rows x 2 vectors (12 accumulators) load a weight per 6 and took the whole kernel from 5.3 to 4.1
// ms on a Zen 3 (ViT-B, two cores).
template <int Lanes, int Rows128, int Group128, int Rows64, int Group64, int Rows32, int Group32>
MEDSA_INLINE void rowsOfShape(const Prepared& p, const float* half, const float* product,
                              std::int64_t first, std::int64_t last, float* masks) {
  const std::int64_t in = p.weights->in, columns = 4 * p.weights->out;
  if (in == 64 && columns == 128)
    return tailRows<Lanes, 64, 128, Rows128, Group128>(p, half, product, first, last, masks);
  if (in == 32 && columns == 64)
    return tailRows<Lanes, 32, 64, Rows64, Group64>(p, half, product, first, last, masks);
  if (in == 16 && columns == 32)
    return tailRows<Lanes, 16, 32, Rows32, Group32>(p, half, product, first, last, masks);
}

// One function per instruction set, called per job: code inlined into a lambda would be
// compiled for the lambda's own (baseline) target, whatever its caller's.
using RowsFunction = void (*)(const Prepared&, const float*, const float*, std::int64_t,
                              std::int64_t, float*);
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx512f,avx512dq,fma"))) void rowsAvx512(const Prepared& p,
                                                                const float* half,
                                                                const float* product,
                                                                std::int64_t first,
                                                                std::int64_t last, float* masks) {
  rowsOfShape<16, 6, 4, 6, 4, 8, 2>(p, half, product, first, last, masks);
}
__attribute__((target("avx2,fma"))) void rowsAvx2(const Prepared& p, const float* half,
                                                  const float* product, std::int64_t first,
                                                  std::int64_t last, float* masks) {
  rowsOfShape<8, 6, 2, 6, 2, 3, 4>(p, half, product, first, last, masks);
}
#endif
void rowsPortable(const Prepared& p, const float* half, const float* product, std::int64_t first,
                  std::int64_t last, float* masks) {
  rowsOfShape<4, 1, 32, 1, 16, 1, 8>(p, half, product, first, last, masks);
}

RowsFunction rowsFor(VectorIsa isa) {
#if defined(__x86_64__) && defined(__GNUC__)
  return functionFor<RowsFunction>(isa, rowsAvx512, rowsAvx2, rowsPortable);
#else
  return rowsPortable;
#endif
}

}  // namespace

bool maskTailFits(std::int64_t in, std::int64_t out, std::int64_t tokens) {
  return tokens >= 1 && tokens <= kMaxTokens &&
         ((in == 64 && out == 32) || (in == 32 && out == 16) || (in == 16 && out == 8));
}

void maskTail(VectorIsa isa, const float* half, const MaskTailWeights& weights,
              const float* hyper, std::int64_t batch, std::int64_t tokens, std::int64_t h,
              std::int64_t w, float* masks) {
  const std::int64_t in = weights.in, out = weights.out, columns = 4 * out;
  // Each token's product as a 16-lane row per feature column: column s out + o adds
  // hyper[t][o] x feature to lane 4t + s, so one pass gives every token's 2 x 2 block.
  std::vector<float> product(static_cast<std::size_t>(batch * columns * kMaskLanes), 0.0f);
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int64_t t = 0; t < tokens; ++t)
      for (std::int64_t s = 0; s < 4; ++s)
        for (std::int64_t o = 0; o < out; ++o)
          product[((b * columns) + s * out + o) * kMaskLanes + 4 * t + s] =
              hyper[(b * tokens + t) * out + o];
  const Prepared prepared{&weights, tokens, h, w};
  // Jobs of 64 pixel rows (a quarter of an image-token row of ViT-B's 64 x 64 grid).
  const RowsFunction rows = rowsFor(isa);
  const std::int64_t pixels = 4 * h * w, blocks = (pixels + 63) / 64;
  at::parallel_for(0, batch * blocks, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t job = begin; job < end; ++job) {
      const std::int64_t b = job / blocks, first = job % blocks * 64;
      rows(prepared, half + b * pixels * in, product.data() + b * columns * kMaskLanes, first,
           std::min(first + 64, pixels), masks + b * tokens * 4 * pixels);
    }
  });
}

}  // namespace medsa::model
