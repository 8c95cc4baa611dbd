#include "sam/image_to_tokens.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

#include "sam/simd_math.h"

namespace medsa::model {
namespace {

using namespace simd;

constexpr std::int64_t kMaxColumns = 256;
constexpr std::int64_t kMaxDim = 512;
constexpr std::int64_t kColumnMultiple = 64;
constexpr std::int64_t kJobRows = 48;  // whole blocks of 16 tokens, 6 (AVX2) and 4 rows
constexpr std::int64_t kTokenBlock = kProjectedTokenBlock;

// The second half of a block of rows: the residual, the output bias and the weights times the
// values, G output vectors at a time, then norm4. Rows [row0, row0 + rows), R at a time (rows
// <= R; spare lanes of the register block repeat the last row and are never written); row r's
// weight of column c at weights[r rowStep + c columnStep].
template <int L, int R, int G>
MEDSA_INLINE void finishRows(const ImageToTokensInput& p, std::int64_t row0, std::int64_t rows,
                             const float* weights, std::int64_t rowStep, std::int64_t columnStep,
                             float* out) {
  using V = typename Simd<L>::F;
  const std::int64_t dim = p.dim, columns = p.heads * p.perHead;
  alignas(64) float sum[R][kMaxDim];
  const float* residual[R];
  const float* weight[R];
  for (int r = 0; r < R; ++r) {
    const std::int64_t spare = std::min<std::int64_t>(r, rows - 1);
    residual[r] = p.keys + (row0 + spare) * dim;
    weight[r] = weights + spare * rowStep;
  }
  for (std::int64_t d0 = 0; d0 < dim; d0 += G * L) {
    V acc[R][G];
    for (int g = 0; g < G; ++g) {
      const V bias = load<V>(p.outBias + d0 + g * L);
      for (int r = 0; r < R; ++r) acc[r][g] = bias + load<V>(residual[r] + d0 + g * L);
    }
    for (std::int64_t c = 0; c < columns; ++c) {
      V value[G];
      for (int g = 0; g < G; ++g) value[g] = load<V>(p.values + c * dim + d0 + g * L);
      for (int r = 0; r < R; ++r) {
        const V w = weight[r][c * columnStep] - V{};
        for (int g = 0; g < G; ++g) acc[r][g] += w * value[g];
      }
    }
    for (int r = 0; r < R; ++r)
      for (int g = 0; g < G; ++g) store(sum[r] + d0 + g * L, acc[r][g]);
  }

  // norm4: mean and variance in two passes, as LibTorch's layer_norm computes them in fp32.
  for (int r = 0; r < R && r < rows; ++r) {
    const float* y = sum[r];
    V total{};
    for (std::int64_t d = 0; d < dim; d += L) total += load<V>(y + d);
    float mean = 0;
    for (int l = 0; l < L; ++l) mean += total[l];
    mean /= static_cast<float>(dim);
    V squares{};
    for (std::int64_t d = 0; d < dim; d += L) {
      const V centred = load<V>(y + d) - mean;
      squares += centred * centred;
    }
    float variance = 0;
    for (int l = 0; l < L; ++l) variance += squares[l];
    variance /= static_cast<float>(dim);
    const float scale = 1.0f / std::sqrt(variance + p.normEps);
    float* target = out + (row0 + r) * dim;
    for (std::int64_t d = 0; d < dim; d += L) {
      const V normalised = (load<V>(y + d) - mean) * scale;
      store(target + d, normalised * load<V>(p.normWeight + d) + load<V>(p.normBias + d));
    }
  }
}

// Rows [row0, row0 + rows) of the output, R at a time (rows <= R), from the folded columns:
// every row's scores against every column, G vectors of columns per pass, each head's softmax,
// then finishRows.
template <int L, int R, int G>
MEDSA_INLINE void blockOfRows(const ImageToTokensInput& p, std::int64_t row0, std::int64_t rows,
                              float* out) {
  using V = typename Simd<L>::F;
  using I = typename Simd<L>::I;
  const std::int64_t dim = p.dim, columns = p.heads * p.perHead, stride = p.columnStride;
  alignas(64) float score[R][kMaxColumns];
  alignas(64) float query[R][kMaxDim];  // keys + pe, summed here
  for (int r = 0; r < R; ++r) {
    const std::int64_t row = row0 + std::min<std::int64_t>(r, rows - 1);
    for (std::int64_t d = 0; d < dim; d += L)
      store(query[r] + d, load<V>(p.keys + row * dim + d) + load<V>(p.pe + row * dim + d));
  }

  for (std::int64_t c0 = 0; c0 < columns; c0 += G * L) {
    V acc[R][G];
    for (int g = 0; g < G; ++g) {
      const V bias = load<V>(p.columnBias + c0 + g * L);
      for (int r = 0; r < R; ++r) acc[r][g] = bias;
    }
    for (std::int64_t d = 0; d < dim; ++d) {
      V column[G];
      for (int g = 0; g < G; ++g) column[g] = load<V>(p.columns + d * stride + c0 + g * L);
      for (int r = 0; r < R; ++r) {
        const V x = query[r][d] - V{};  // a broadcast: x - 0 folds, x + 0 would not (-0)
        for (int g = 0; g < G; ++g) acc[r][g] += x * column[g];
      }
    }
    for (int r = 0; r < R; ++r)
      for (int g = 0; g < G; ++g) store(score[r] + c0 + g * L, acc[r][g]);
  }

  // Softmax over each head's n columns: e^(s - the head's maximum), vectorised over all columns.
  alignas(64) float shift[kMaxColumns + 16];
  for (int r = 0; r < R && r < rows; ++r) {
    float* s = score[r];
    for (std::int64_t h = 0; h < p.heads; ++h) {
      const float* head = s + h * p.perHead;
      const float top = *std::max_element(head, head + p.perHead);
      std::fill(shift + h * p.perHead, shift + (h + 1) * p.perHead, top);
    }
    const std::int64_t vectors = (columns + L - 1) / L * L;
    std::copy(s + columns, s + vectors, shift + columns);  // spare columns: e^0, never used
    for (std::int64_t c = 0; c < vectors; c += L)
      store(s + c, expNonPositive<V, I>(load<V>(s + c) - load<V>(shift + c)));
    for (std::int64_t h = 0; h < p.heads; ++h) {
      float* head = s + h * p.perHead;
      float total = 0;
      for (std::int64_t j = 0; j < p.perHead; ++j) total += head[j];
      const float inverse = 1.0f / total;
      for (std::int64_t j = 0; j < p.perHead; ++j) head[j] *= inverse;
    }
  }
  finishRows<L, R, G>(p, row0, rows, score[0], kMaxColumns, 1, out);
}

// Rows [row0, row0 + rows) (rows <= kTokenBlock, row0 a multiple of it) from queries projected
// once per picture: each column's scores for the block's tokens are a vector (per head, the
// projected queries' c dims times the prompt token's key), and so is each head's softmax over
// its n columns, without a scalar step; then finishRows, R rows at a time.
template <int L, int R, int G>
MEDSA_INLINE void blockOfProjected(const ImageToTokensInput& p, std::int64_t row0,
                                   std::int64_t rows, float* out) {
  using V = typename Simd<L>::F;
  using I = typename Simd<L>::I;
  constexpr int kVectors = kTokenBlock / L;
  const std::int64_t c = p.headDim, n = p.perHead;
  alignas(64) float weights[kMaxColumns][kTokenBlock];
  const float* block = p.projectedQueries + row0 * p.heads * c;  // [heads x c][kTokenBlock]
  for (std::int64_t h = 0; h < p.heads; ++h) {
    const float* headQueries = block + h * c * kTokenBlock;
    for (std::int64_t j = 0; j < n; ++j) {
      const float* key = p.tokenKeys + (h * n + j) * c;
      V acc[kVectors] = {};
      for (std::int64_t d = 0; d < c; ++d) {
        const V k = key[d] - V{};
        for (int v = 0; v < kVectors; ++v)
          acc[v] += k * load<V>(headQueries + d * kTokenBlock + v * L);
      }
      for (int v = 0; v < kVectors; ++v) store(weights[h * n + j] + v * L, acc[v]);
    }
    for (int v = 0; v < kVectors; ++v) {
      V top = load<V>(weights[h * n] + v * L);
      for (std::int64_t j = 1; j < n; ++j) {
        const V x = load<V>(weights[h * n + j] + v * L);
        top = x > top ? x : top;
      }
      V total{};
      for (std::int64_t j = 0; j < n; ++j) {
        const V e = expNonPositive<V, I>(load<V>(weights[h * n + j] + v * L) - top);
        store(weights[h * n + j] + v * L, e);
        total += e;
      }
      const V inverse = 1.0f / total;
      for (std::int64_t j = 0; j < n; ++j)
        store(weights[h * n + j] + v * L, load<V>(weights[h * n + j] + v * L) * inverse);
    }
  }
  for (std::int64_t r0 = 0; r0 < rows; r0 += R)
    finishRows<L, R, G>(p, row0 + r0, std::min<std::int64_t>(R, rows - r0), weights[0] + r0, 1,
                        kTokenBlock, out);
}

template <int L, int R, int G>
MEDSA_INLINE void rowsOf(const ImageToTokensInput& p, std::int64_t first, std::int64_t last,
                         float* out) {
  if (p.projectedQueries != nullptr) {
    for (std::int64_t row = first; row < last; row += kTokenBlock)
      blockOfProjected<L, R, G>(p, row, std::min(kTokenBlock, last - row), out);
    return;
  }
  for (std::int64_t row = first; row < last; row += R)
    blockOfRows<L, R, G>(p, row, std::min<std::int64_t>(R, last - row), out);
}

// One function per instruction set, called per job: code inlined into a lambda would be
// compiled for the lambda's own (baseline) target, whatever its caller's. R rows x G
// vectors of accumulators, the G vectors loaded and a broadcast fit the set's registers (32
// for AVX-512, 16 for the others); G x L divides 64, the multiple of columns and of dim. On
// AVX2, 6 rows x 2 vectors read the columns and values a third as often per multiply-add as
// 2 x 4 did (whose 57-64 KB per pass come from L2): 1.7x faster on a Zen 3 (4.4 -> 2.5 ms
// for ViT-B's 4096 tokens on two cores).
using RowsFunction = void (*)(const ImageToTokensInput&, std::int64_t, std::int64_t, float*);
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx512f,avx512dq,fma"))) void rowsAvx512(const ImageToTokensInput& p,
                                                                std::int64_t first,
                                                                std::int64_t last, float* out) {
  rowsOf<16, 4, 4>(p, first, last, out);
}
__attribute__((target("avx2,fma"))) void rowsAvx2(const ImageToTokensInput& p, std::int64_t first,
                                                  std::int64_t last, float* out) {
  rowsOf<8, 6, 2>(p, first, last, out);
}
#endif
void rowsPortable(const ImageToTokensInput& p, std::int64_t first, std::int64_t last, float* out) {
  rowsOf<4, 2, 4>(p, first, last, out);
}

RowsFunction rowsFor(VectorIsa isa) {
#if defined(__x86_64__) && defined(__GNUC__)
  return functionFor<RowsFunction>(isa, rowsAvx512, rowsAvx2, rowsPortable);
#else
  return rowsPortable;
#endif
}

}  // namespace

bool imageToTokensFits(std::int64_t dim, std::int64_t columns) {
  return dim > 0 && dim % kColumnMultiple == 0 && dim <= kMaxDim && columns > 0 &&
         columns <= kMaxColumns;
}

std::int64_t imageToTokensColumnStride(std::int64_t columns) {
  return (columns + kColumnMultiple - 1) / kColumnMultiple * kColumnMultiple;
}

void imageToTokens(VectorIsa isa, const ImageToTokensInput& input, float* out) {
  const RowsFunction rows = rowsFor(isa);
  const std::int64_t jobs = (input.tokens + kJobRows - 1) / kJobRows;
  at::parallel_for(0, jobs, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t job = begin; job < end; ++job)
      rows(input, job * kJobRows, std::min(input.tokens, (job + 1) * kJobRows), out);
  });
}

}  // namespace medsa::model
