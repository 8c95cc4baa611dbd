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
constexpr std::int64_t kJobRows = 48;  // whole register blocks of 6 (AVX2) and 4 rows

// Rows [row0, row0 + rows) of the output, R at a time (rows <= R; spare lanes of the register
// block repeat the last row and are never written), G vectors of columns (scores) or of
// outputs (values) per pass.
template <int L, int R, int G>
MEDSA_INLINE void blockOfRows(const ImageToTokensInput& p, std::int64_t row0, std::int64_t rows,
                              float* out, float* outWithPe) {
  using V = typename Simd<L>::F;
  using I = typename Simd<L>::I;
  const std::int64_t dim = p.dim, columns = p.heads * p.perHead, stride = p.columnStride;
  alignas(64) float score[R][kMaxColumns];
  alignas(64) float sum[R][kMaxDim];
  const float* query[R];
  const float* residual[R];
  for (int r = 0; r < R; ++r) {
    const std::int64_t row = row0 + std::min<std::int64_t>(r, rows - 1);
    query[r] = p.queries + row * dim;
    residual[r] = p.keys + row * dim;
  }

  // Scores: every row against every column, G vectors of columns at a time.
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

  // The residual, the output bias and the weights times the values, G output vectors at a
  // time.
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
        const V weight = score[r][c] - V{};
        for (int g = 0; g < G; ++g) acc[r][g] += weight * value[g];
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
    if (outWithPe != nullptr) {
      // Added to the stored values (still in L1), so that the sum equals keys + keyPe exactly.
      const float* pe = p.pe + (row0 + r) * dim;
      float* withPe = outWithPe + (row0 + r) * dim;
      for (std::int64_t d = 0; d < dim; d += L)
        store(withPe + d, load<V>(target + d) + load<V>(pe + d));
    }
  }
}

template <int L, int R, int G>
MEDSA_INLINE void rowsOf(const ImageToTokensInput& p, std::int64_t first, std::int64_t last,
                         float* out, float* outWithPe) {
  for (std::int64_t row = first; row < last; row += R)
    blockOfRows<L, R, G>(p, row, std::min<std::int64_t>(R, last - row), out, outWithPe);
}

// One function per instruction set, called per job: code inlined into a lambda would be
// compiled for the lambda's own (baseline) target, whatever its caller's. R rows x G
// vectors of accumulators, the G vectors loaded and a broadcast fit the set's registers (32
// for AVX-512, 16 for the others); G x L divides 64, the multiple of columns and of dim. On
// AVX2, 6 rows x 2 vectors read the columns and values a third as often per multiply-add as
// 2 x 4 did (whose 57-64 KB per pass come from L2): 1.7x faster on a Zen 3 (4.4 -> 2.5 ms
// for ViT-B's 4096 tokens on two cores).
using RowsFunction = void (*)(const ImageToTokensInput&, std::int64_t, std::int64_t, float*,
                              float*);
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx512f,avx512dq,fma"))) void rowsAvx512(const ImageToTokensInput& p,
                                                                std::int64_t first,
                                                                std::int64_t last, float* out,
                                                                float* outWithPe) {
  rowsOf<16, 4, 4>(p, first, last, out, outWithPe);
}
__attribute__((target("avx2,fma"))) void rowsAvx2(const ImageToTokensInput& p, std::int64_t first,
                                                  std::int64_t last, float* out, float* outWithPe) {
  rowsOf<8, 6, 2>(p, first, last, out, outWithPe);
}
#endif
void rowsPortable(const ImageToTokensInput& p, std::int64_t first, std::int64_t last, float* out,
                  float* outWithPe) {
  rowsOf<4, 2, 4>(p, first, last, out, outWithPe);
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

void imageToTokens(VectorIsa isa, const ImageToTokensInput& input, float* out, float* outWithPe) {
  const RowsFunction rows = rowsFor(isa);
  if (input.pe == nullptr) outWithPe = nullptr;
  const std::int64_t jobs = (input.tokens + kJobRows - 1) / kJobRows;
  at::parallel_for(0, jobs, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t job = begin; job < end; ++job)
      rows(input, job * kJobRows, std::min(input.tokens, (job + 1) * kJobRows), out, outWithPe);
  });
}

}  // namespace medsa::model
