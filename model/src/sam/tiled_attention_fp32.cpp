// The fp32 kernels of the tiled attention (tiled_attention_kernels.h): one algorithm
// (tiled_attention_softmax.inc, _fp32_steps.inc, _body.inc) compiled for AVX-512F (16 lanes),
// AVX2 + FMA (8 lanes) and a portable build (8-lane arrays the compiler vectorises for the
// baseline CPU). Each copy gets its instruction set from #pragma GCC target, so the file as a
// whole runs on any x86-64 and the dispatcher (tiled_attention.cpp) picks one at run time.

#include <algorithm>
#include <cmath>

#include <immintrin.h>

#include "sam/tiled_attention_avx512_ops.h"
#include "sam/tiled_attention_kernels.h"

namespace medsa::model::tiled {

// --- Portable: 8-lane arrays, vectorised by the compiler for the baseline CPU ---------------
namespace portable {
struct Ops {
  struct V {
    float x[8];
  };
  static constexpr int kLanes = 8, kRows = 4, kKeyBlocks = 2, kMaxValueGroups = 2;
  template <typename F>
  static V map(F f) {
    V r;
    for (int i = 0; i < kLanes; ++i) r.x[i] = f(i);
    return r;
  }
  static V zero() { return set1(0.0f); }
  static V set1(float a) {
    return map([&](int) { return a; });
  }
  static V load(const float* p) {
    return map([&](int i) { return p[i]; });
  }
  static void store(float* p, V a) { std::copy(a.x, a.x + kLanes, p); }
  static V add(V a, V b) {
    return map([&](int i) { return a.x[i] + b.x[i]; });
  }
  static V sub(V a, V b) {
    return map([&](int i) { return a.x[i] - b.x[i]; });
  }
  static V mul(V a, V b) {
    return map([&](int i) { return a.x[i] * b.x[i]; });
  }
  static V max(V a, V b) {
    return map([&](int i) { return std::max(a.x[i], b.x[i]); });
  }
  static V fmadd(V a, V b, V c) {
    return map([&](int i) { return a.x[i] * b.x[i] + c.x[i]; });
  }
  static V round(V a) {
    return map([&](int i) { return std::nearbyint(a.x[i]); });
  }
  static V timesPow2(V a, V n) {
    return map([&](int i) { return std::ldexp(a.x[i], static_cast<int>(n.x[i])); });
  }
  static V gatherAdd(const float* a, const std::int32_t* ia, const float* b,
                     const std::int32_t* ib) {
    return map([&](int i) { return a[ia[i]] + b[ib[i]]; });
  }
  static V fillFrom(V a, int n, float fill) {
    return map([&](int i) { return i < n ? a.x[i] : fill; });
  }
  // No cheaper way than the softmax's gathers.
  template <typename Gathered, typename F>
  static auto withBias(const float*, std::int64_t, const float*, std::int64_t,
                       const Gathered& gathered, F&& f) {
    return f(gathered);
  }
  static float reduceMax(V a) { return *std::max_element(a.x, a.x + kLanes); }
  static float reduceAdd(V a) {
    float s = 0;
    for (float v : a.x) s += v;
    return s;
  }
};
#include "sam/tiled_attention_softmax.inc"
#include "sam/tiled_attention_fp32_steps.inc"
#include "sam/tiled_attention_body.inc"
}  // namespace portable

// --- AVX2 + FMA: 8 lanes, 16 registers -------------------------------------------------------
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
struct Ops {
  using V = __m256;
  // 6 rows x 2 key vectors of scores, or 6 rows x 2 output vectors, plus operands: 15 of 16.
  // Twelve independent accumulators hide the FMA latency (4 rows: 8, measured 15 % slower).
  static constexpr int kLanes = 8, kRows = 6, kKeyBlocks = 2, kMaxValueGroups = 2;
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(float a) { return _mm256_set1_ps(a); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V a) { _mm256_storeu_ps(p, a); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V round(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V timesPow2(V a, V n) {
    const __m256i biased = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_mul_ps(a, _mm256_castsi256_ps(_mm256_slli_epi32(biased, 23)));
  }
  static V gatherAdd(const float* a, const std::int32_t* ia, const float* b,
                     const std::int32_t* ib) {
    const __m256i i = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ia));
    const __m256i j = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ib));
    return _mm256_add_ps(_mm256_i32gather_ps(a, i, 4), _mm256_i32gather_ps(b, j, 4));
  }
  static V fillFrom(V a, int n, float fill) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i keep = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane);
    return _mm256_blendv_ps(_mm256_set1_ps(fill), a, _mm256_castsi256_ps(keep));
  }
  // Grid rows of whole vectors (the 64 x 64 global blocks, 90 % of a ViT's attention): the 8
  // keys of a vector lie in one row, so relH is one value and relW 8 consecutive ones. Other
  // grids (14 x 14 windows) take the softmax's gathers, which cost several times as much.
  struct RowBias {
    const float *relH, *relW;
    V at(const std::int32_t* row, const std::int32_t* col) const {
      return _mm256_add_ps(_mm256_set1_ps(relH[*row]), _mm256_loadu_ps(relW + *col));
    }
  };
  template <typename Gathered, typename F>
  static auto withBias(const float* relH, std::int64_t, const float* relW, std::int64_t w,
                       const Gathered& gathered, F&& f) {
    if (w % kLanes == 0) return f(RowBias{relH, relW});
    return f(gathered);
  }
  static float reduceMax(V a) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
  }
  static float reduceAdd(V a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
  }
};
#include "sam/tiled_attention_softmax.inc"
#include "sam/tiled_attention_fp32_steps.inc"
#include "sam/tiled_attention_body.inc"
}  // namespace avx2
#pragma GCC pop_options

// --- AVX-512F: 16 lanes, 32 registers --------------------------------------------------------
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace avx512 {
// Keys per softmax step: with the one-pass softmax (tiled_attention_softmax.inc) longer steps
// pay. One ViT-B global block on AMD Zen 4 (2 threads): 64 keys 270.9-274.4 ms, 256 keys
// 262.6-264.1 ms, 512 keys 260.3-261.8 ms; windowed blocks 21.3-21.8 against 20.0-20.5 ms. The
// AVX2 and portable kernels keep 64, measured on the AVX2 machines they serve.
constexpr std::int64_t kKeyTile = 256;
#include "sam/tiled_attention_softmax.inc"
#include "sam/tiled_attention_fp32_steps.inc"
#include "sam/tiled_attention_body.inc"
}  // namespace avx512
#pragma GCC pop_options

}  // namespace medsa::model::tiled
