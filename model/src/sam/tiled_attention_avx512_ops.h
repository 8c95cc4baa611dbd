#pragma once
// The AVX-512F vector operations of the tiled attention kernels (the `Ops` interface of
// tiled_attention_softmax.inc), shared by the fp32 kernel and the bf16 dot-product kernels.
// Every function carries the AVX-512F target, so only code compiled for it may call them.

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace medsa::model::tiled::avx512 {

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
struct Ops {
  using V = __m512;
  // 6 rows x 4 key vectors of scores, or 6 rows x 4 output vectors, plus operands: 29 of 32.
  static constexpr int kLanes = 16, kRows = 6, kKeyBlocks = 4, kMaxValueGroups = 4;
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float a) { return _mm512_set1_ps(a); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V a) { _mm512_storeu_ps(p, a); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V round(V a) {
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  static V timesPow2(V a, V n) { return _mm512_scalef_ps(a, n); }
  static V gatherAdd(const float* a, const std::int32_t* ia, const float* b,
                     const std::int32_t* ib) {
    const __m512i i = _mm512_loadu_si512(ia);
    const __m512i j = _mm512_loadu_si512(ib);
    return _mm512_add_ps(_mm512_i32gather_ps(i, a, 4), _mm512_i32gather_ps(j, b, 4));
  }
  static V fillFrom(V a, int n, float fill) {
    const __mmask16 keep =
        n >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << std::max(n, 0)) - 1u);
    return _mm512_mask_blend_ps(keep, _mm512_set1_ps(fill), a);
  }
  // The bias relH[keyRow] + relW[keyCol] of 16 keys, read the cheapest way the grid allows
  // (withBias picks one per query row and key tile; the loop is compiled once per way):
  // - grid rows of whole vectors (the 64 x 64 global blocks, 90 % of a ViT's attention): 16
  //   keys lie in one row, so relH is one value and relW 16 consecutive ones;
  // - rows of up to 64 values (14 x 14 windows): held in four registers each and read with
  //   two-source permutes;
  // - otherwise the softmax's gathers (`gathered`), which cost several times as much.
  struct RowBias {
    const float *relH, *relW;
    V at(const std::int32_t* row, const std::int32_t* col) const {
      return _mm512_add_ps(_mm512_set1_ps(relH[*row]), _mm512_loadu_ps(relW + *col));
    }
  };
  class RegisterBias {
   public:
    RegisterBias(const float* relH, std::int64_t h, const float* relW, std::int64_t w) {
      loadRow(relH, h, rowH_);
      loadRow(relW, w, rowW_);
    }
    V at(const std::int32_t* row, const std::int32_t* col) const {
      return _mm512_add_ps(lookup(rowH_, _mm512_loadu_si512(row)),
                           lookup(rowW_, _mm512_loadu_si512(col)));
    }

   private:
    static void loadRow(const float* row, std::int64_t n, V (&to)[4]) {
      for (int v = 0; v < 4; ++v) {
        const std::int64_t left = std::clamp<std::int64_t>(n - 16 * v, 0, 16);
        to[v] = _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << left) - 1u), row + 16 * v);
      }
    }
    // row[index] for indices below 64: bits 0-4 pick within a register pair, bit 5 the pair.
    static V lookup(const V (&row)[4], __m512i index) {
      const V low = _mm512_permutex2var_ps(row[0], index, row[1]);
      const V high = _mm512_permutex2var_ps(row[2], index, row[3]);
      return _mm512_mask_blend_ps(_mm512_test_epi32_mask(index, _mm512_set1_epi32(32)), low, high);
    }
    V rowH_[4], rowW_[4];
  };
  template <typename Gathered, typename F>
  static auto withBias(const float* relH, std::int64_t h, const float* relW, std::int64_t w,
                       const Gathered& gathered, F&& f) {
    if (w % 16 == 0) return f(RowBias{relH, relW});
    if (h <= 64 && w <= 64) return f(RegisterBias(relH, h, relW, w));
    return f(gathered);
  }
  static float reduceMax(V a) { return _mm512_reduce_max_ps(a); }
  static float reduceAdd(V a) { return _mm512_reduce_add_ps(a); }
};

#pragma GCC pop_options

}  // namespace medsa::model::tiled::avx512
