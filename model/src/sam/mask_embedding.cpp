#include "sam/mask_embedding.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

#include "sam/simd_math.h"

namespace medsa::model {
namespace {

using namespace simd;

constexpr std::int64_t kMaxC1 = 16;
constexpr std::int64_t kMaxC2 = 64;
constexpr std::int64_t kDimMultiple = 64;
constexpr int kOutputVectors = 4;  // output vectors per register block of the last layer

// LayerNorm2d over the n channels x[0..n) (one token per lane), then GELU, in place: the
// steps of LayerNorm2dImpl::forward (mean, centred, mean of squares, divide by the root).
template <int L>
MEDSA_INLINE void normaliseThenGelu(typename Simd<L>::F* x, std::int64_t n, const float* weight,
                                    const float* bias, float eps) {
  using V = typename Simd<L>::F;
  using I = typename Simd<L>::I;
  V mean{};
  for (std::int64_t c = 0; c < n; ++c) mean += x[c];
  mean = mean / static_cast<float>(n);
  V variance{};
  for (std::int64_t c = 0; c < n; ++c) {
    x[c] -= mean;
    variance += x[c] * x[c];
  }
  variance = variance / static_cast<float>(n);
  V root;
  for (int l = 0; l < L; ++l) root[l] = std::sqrt(variance[l] + eps);
  for (std::int64_t c = 0; c < n; ++c) x[c] = gelu<V, I>(weight[c] * (x[c] / root) + bias[c]);
}

// Token row i of one mask: L tokens at a time through the first six layers, one lane each
// (spare lanes of the last group repeat its last token and are never written), then each
// token's `dim` channels from its c2 features.
template <int L>
MEDSA_INLINE void rowOf(const MaskEmbeddingWeights& p, const float* mask, std::int64_t i,
                        std::int64_t w, float* out, float* featuresOut) {
  using V = typename Simd<L>::F;
  const std::int64_t c1 = p.c1, c2 = p.c2, dim = p.dim, maskWidth = 4 * w;
  for (std::int64_t j0 = 0; j0 < w; j0 += L) {
    const std::int64_t lanes = std::min<std::int64_t>(L, w - j0);
    // The 4 x 4 mask pixels under each token.
    V m[4][4];
    for (int y = 0; y < 4; ++y) {
      const float* line = mask + (4 * i + y) * maskWidth + 4 * j0;
      for (int x = 0; x < 4; ++x)
        for (int l = 0; l < L; ++l) m[y][x][l] = line[4 * std::min<std::int64_t>(l, lanes - 1) + x];
    }
    // The first convolution at the token's 2 x 2 positions (sy, sx) of the half-size grid.
    V half[4][kMaxC1];
    for (int s = 0; s < 4; ++s) {
      const int y = 2 * (s / 2), x = 2 * (s % 2);
      for (std::int64_t c = 0; c < c1; ++c) {
        const float* k = p.conv1Weight + c * 4;
        half[s][c] = p.conv1Bias[c] + k[0] * m[y][x] + k[1] * m[y][x + 1] + k[2] * m[y + 1][x] +
                     k[3] * m[y + 1][x + 1];
      }
      normaliseThenGelu<L>(half[s], c1, p.norm1Weight, p.norm1Bias, p.norm1Eps);
    }
    // The second convolution gives the token's features.
    V features[kMaxC2];
    for (std::int64_t o = 0; o < c2; ++o) {
      V sum = V{} + p.conv2Bias[o];
      for (std::int64_t c = 0; c < c1; ++c) {
        const float* k = p.conv2Weight + (o * c1 + c) * 4;
        for (int s = 0; s < 4; ++s) sum += k[s] * half[s][c];
      }
      features[o] = sum;
    }
    normaliseThenGelu<L>(features, c2, p.norm2Weight, p.norm2Bias, p.norm2Eps);
    if (featuresOut) {
      for (std::int64_t l = 0; l < lanes; ++l)
        for (std::int64_t o = 0; o < c2; ++o) featuresOut[(j0 + l) * c2 + o] = features[o][l];
    }
    // The 1 x 1 convolution, token by token: each feature scales a row of the projection.
    for (std::int64_t l = 0; l < lanes; ++l) {
      float* target = out + (j0 + l) * dim;
      for (std::int64_t c0 = 0; c0 < dim; c0 += kOutputVectors * L) {
        V acc[kOutputVectors];
        for (int v = 0; v < kOutputVectors; ++v) acc[v] = load<V>(p.projectionBias + c0 + v * L);
        for (std::int64_t o = 0; o < c2; ++o) {
          const float feature = features[o][l];
          const float* row = p.projection + o * dim + c0;
          for (int v = 0; v < kOutputVectors; ++v) acc[v] += feature * load<V>(row + v * L);
        }
        for (int v = 0; v < kOutputVectors; ++v) store(target + c0 + v * L, acc[v]);
      }
    }
  }
}

// One function per instruction set (see image_to_tokens.cpp: a lambda would be compiled for
// the baseline).
using RowFunction = void (*)(const MaskEmbeddingWeights&, const float*, std::int64_t, std::int64_t,
                             float*, float*);
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx512f,avx512dq,fma"))) void rowAvx512(const MaskEmbeddingWeights& p,
                                                               const float* mask, std::int64_t i,
                                                               std::int64_t w, float* out,
                                                               float* features) {
  rowOf<16>(p, mask, i, w, out, features);
}
__attribute__((target("avx2,fma"))) void rowAvx2(const MaskEmbeddingWeights& p, const float* mask,
                                                 std::int64_t i, std::int64_t w, float* out,
                                                 float* features) {
  rowOf<8>(p, mask, i, w, out, features);
}
#endif
void rowPortable(const MaskEmbeddingWeights& p, const float* mask, std::int64_t i, std::int64_t w,
                 float* out, float* features) {
  rowOf<4>(p, mask, i, w, out, features);
}

RowFunction rowFor(VectorIsa isa) {
#if defined(__x86_64__) && defined(__GNUC__)
  return functionFor<RowFunction>(isa, rowAvx512, rowAvx2, rowPortable);
#else
  return rowPortable;
#endif
}

}  // namespace

bool maskEmbeddingFits(std::int64_t c1, std::int64_t c2, std::int64_t dim) {
  return c1 >= 1 && c1 <= kMaxC1 && c2 >= 1 && c2 <= kMaxC2 && dim > 0 && dim % kDimMultiple == 0;
}

void maskEmbedding(VectorIsa isa, const float* masks, const MaskEmbeddingWeights& weights,
                   std::int64_t batch, std::int64_t h, std::int64_t w, float* out,
                   float* features) {
  const RowFunction row = rowFor(isa);
  at::parallel_for(0, batch * h, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t job = begin; job < end; ++job) {
      const std::int64_t b = job / h, i = job % h;
      row(weights, masks + b * 16 * h * w, i, w, out + (b * h + i) * w * weights.dim,
          features ? features + (b * h + i) * w * weights.c2 : nullptr);
    }
  });
}

}  // namespace medsa::model
