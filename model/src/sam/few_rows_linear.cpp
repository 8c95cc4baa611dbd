#include "sam/few_rows_linear.h"

#include <ATen/Parallel.h>

#include <algorithm>

#include "sam/simd_math.h"

namespace medsa::model {
namespace {

using namespace simd;

constexpr std::int64_t kMaxRows = 64;
constexpr std::int64_t kInMultiple = 16;
constexpr int kRows = 4;     // rows per register block
constexpr int kOutputs = 4;  // outputs per register block: 16 accumulators
constexpr std::int64_t kJobOutputs = 64;

// Outputs [o0, o0 + J) for every row, kRows rows at a time (spare rows of the last block repeat
// its last row and are never written). The J weight rows (J x in floats) stay in L1 while every
// row block reads them.
template <int L, int J>
MEDSA_INLINE void outputBlock(const FewRowsLinearInput& p, std::int64_t o0, float* y) {
  using V = typename Simd<L>::F;
  const float* weight[J];
  for (int j = 0; j < J; ++j) weight[j] = p.weight + (o0 + j) * p.in;
  for (std::int64_t r0 = 0; r0 < p.rows; r0 += kRows) {
    const float* x[kRows];
    for (int r = 0; r < kRows; ++r) x[r] = p.x + std::min<std::int64_t>(r0 + r, p.rows - 1) * p.in;
    V acc[kRows][J] = {};
    for (std::int64_t k = 0; k < p.in; k += L) {
      V w[J];
      for (int j = 0; j < J; ++j) w[j] = load<V>(weight[j] + k);
      for (int r = 0; r < kRows; ++r) {
        const V xv = load<V>(x[r] + k);
        for (int j = 0; j < J; ++j) acc[r][j] += xv * w[j];
      }
    }
    for (int r = 0; r < kRows && r0 + r < p.rows; ++r) {
      for (int j = 0; j < J; ++j) {
        float sum = p.bias != nullptr ? p.bias[o0 + j] : 0.0f;
        float lanes = 0;
        for (int l = 0; l < L; ++l) lanes += acc[r][j][l];
        sum += lanes;
        y[(r0 + r) * p.out + o0 + j] = p.relu ? std::max(sum, 0.0f) : sum;
      }
    }
  }
}

template <int L>
MEDSA_INLINE void outputsOf(const FewRowsLinearInput& p, std::int64_t first, std::int64_t last,
                            float* y) {
  std::int64_t o = first;
  for (; o + kOutputs <= last; o += kOutputs) outputBlock<L, kOutputs>(p, o, y);
  for (; o < last; ++o) outputBlock<L, 1>(p, o, y);
}

// One function per instruction set (see image_to_tokens.cpp: a lambda would be compiled for
// the baseline).
using OutputsFunction = void (*)(const FewRowsLinearInput&, std::int64_t, std::int64_t, float*);
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx512f,avx512dq,fma"))) void outputsAvx512(const FewRowsLinearInput& p,
                                                                   std::int64_t first,
                                                                   std::int64_t last, float* y) {
  outputsOf<16>(p, first, last, y);
}
__attribute__((target("avx2,fma"))) void outputsAvx2(const FewRowsLinearInput& p,
                                                     std::int64_t first, std::int64_t last,
                                                     float* y) {
  outputsOf<8>(p, first, last, y);
}
#endif
void outputsPortable(const FewRowsLinearInput& p, std::int64_t first, std::int64_t last, float* y) {
  outputsOf<4>(p, first, last, y);
}

OutputsFunction outputsFor(VectorIsa isa) {
#if defined(__x86_64__) && defined(__GNUC__)
  return functionFor<OutputsFunction>(isa, outputsAvx512, outputsAvx2, outputsPortable);
#else
  return outputsPortable;
#endif
}

}  // namespace

bool fewRowsLinearFits(std::int64_t rows, std::int64_t in) {
  return rows > 0 && rows <= kMaxRows && in > 0 && in % kInMultiple == 0;
}

void fewRowsLinear(VectorIsa isa, const FewRowsLinearInput& input, float* y) {
  const OutputsFunction outputs = outputsFor(isa);
  const std::int64_t jobs = (input.out + kJobOutputs - 1) / kJobOutputs;
  at::parallel_for(0, jobs, 1, [&](std::int64_t begin, std::int64_t end) {
    outputs(input, begin * kJobOutputs, std::min(input.out, end * kJobOutputs), y);
  });
}

}  // namespace medsa::model
