// Compiled with -ffast-math (see model/CMakeLists.txt) so that GCC vectorises expf through
// glibc's libmvec; target_clones picks AVX-512, AVX2 or baseline code at run time.
#include "sam/biased_softmax_kernel.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <cstring>
#include <limits>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MEDSA_VECTOR_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MEDSA_VECTOR_CLONES
#endif

namespace medsa::model {
namespace {

inline float load(float v) { return v; }
inline float load(c10::BFloat16 v) {
  const std::uint32_t bits = static_cast<std::uint32_t>(v.x) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
inline void store(float& out, float v) { out = v; }
inline void store(c10::BFloat16& out, float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  out.x = static_cast<std::uint16_t>((bits + 0x7FFFu + ((bits >> 16) & 1u)) >>
                                     16);  // round to nearest even
}

template <typename T>
__attribute__((always_inline)) inline void rowKernel(T* __restrict s, const float* __restrict relH,
                                                     const float* __restrict relW,
                                                     float* __restrict sum, std::int64_t h,
                                                     std::int64_t w) {
  float maximum = std::numeric_limits<float>::lowest();
  for (std::int64_t r = 0; r < h; ++r) {
    const T* sr = s + r * w;
    const float bias = relH[r];
    for (std::int64_t c = 0; c < w; ++c) maximum = std::max(maximum, load(sr[c]) + bias + relW[c]);
  }
  float total = 0;
  for (std::int64_t r = 0; r < h; ++r) {
    T* sr = s + r * w;
    const float bias = relH[r] - maximum;
    for (std::int64_t c = 0; c < w; ++c) {
      const float e = std::exp(load(sr[c]) + bias + relW[c]);
      store(sr[c], e);
      total += e;
    }
  }
  *sum = total;
}

// Non-template entry points: target_clones does not apply to templates.
MEDSA_VECTOR_CLONES void rowsFloat(float* s, const float* relH, const float* relW, float* sum,
                                   std::int64_t h, std::int64_t w) {
  rowKernel(s, relH, relW, sum, h, w);
}
MEDSA_VECTOR_CLONES void rowsBf16(c10::BFloat16* s, const float* relH, const float* relW,
                                  float* sum, std::int64_t h, std::int64_t w) {
  rowKernel(s, relH, relW, sum, h, w);
}
void rowDispatch(float* s, const float* relH, const float* relW, float* sum, std::int64_t h,
                 std::int64_t w) {
  rowsFloat(s, relH, relW, sum, h, w);
}
void rowDispatch(c10::BFloat16* s, const float* relH, const float* relW, float* sum, std::int64_t h,
                 std::int64_t w) {
  rowsBf16(s, relH, relW, sum, h, w);
}

template <typename T>
void run(T* scores, const float* relH, const float* relW, float* sums, std::int64_t rows,
         std::int64_t h, std::int64_t w) {
  const std::int64_t n = h * w;
  at::parallel_for(0, rows, 16, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t row = begin; row < end; ++row) {
      rowDispatch(scores + row * n, relH + row * h, relW + row * w, sums + row, h, w);
    }
  });
}

}  // namespace

void biasedExpRows(float* scores, const float* relH, const float* relW, float* sums,
                   std::int64_t rows, std::int64_t h, std::int64_t w) {
  run(scores, relH, relW, sums, rows, h, w);
}

void biasedExpRows(c10::BFloat16* scores, const float* relH, const float* relW, float* sums,
                   std::int64_t rows, std::int64_t h, std::int64_t w) {
  run(scores, relH, relW, sums, rows, h, w);
}

}  // namespace medsa::model
