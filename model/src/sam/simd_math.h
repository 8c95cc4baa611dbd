#pragma once
// Small vector maths shared by the hand-written CPU kernels (mask_tail.cpp, image_to_tokens.cpp):
// GCC's generic vectors, so one source serves every instruction set a kernel is compiled for
// with #pragma GCC target, and GELU in the form LibTorch's vectorised kernels compute it.
// Header-only and always inlined: each kernel instantiates it under its own target.

#include <cstdint>
#include <cstring>

namespace medsa::model::simd {

// GCC's generic vectors: one source for every instruction set, at each one's native width
// (AVX-512: 16 floats, AVX2: 8, the x86-64 baseline: 4). Wider than native, GCC would split
// arithmetic but turn comparisons into scalar code.
template <int Lanes>
struct Simd;
template <>
struct Simd<16> {
  using F = float __attribute__((vector_size(64)));
  using I = std::int32_t __attribute__((vector_size(64)));
};
template <>
struct Simd<8> {
  using F = float __attribute__((vector_size(32)));
  using I = std::int32_t __attribute__((vector_size(32)));
};
template <>
struct Simd<4> {
  using F = float __attribute__((vector_size(16)));
  using I = std::int32_t __attribute__((vector_size(16)));
};

#define MEDSA_INLINE inline __attribute__((always_inline))

template <class V>
MEDSA_INLINE V load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class V>
MEDSA_INLINE void store(float* p, V v) {
  std::memcpy(p, &v, sizeof v);
}
template <class To, class From>
MEDSA_INLINE To bitCast(From from) {
  static_assert(sizeof(To) == sizeof(From), "same size");
  To to;
  std::memcpy(&to, &from, sizeof to);
  return to;
}

// e^x for x <= 0 (Cephes' expf: 2^n times a degree-6 polynomial of the remainder), flushed to
// e^-87 below; relative error about 1e-7.
template <class V, class I>
MEDSA_INLINE V expNonPositive(V x) {
  x = x < -87.0f ? V{} - 87.0f : x;
  const V magic = V{} + 12582912.0f;  // 1.5 x 2^23: adding it rounds to an integer
  const V n = (x * 1.44269504088896341f + magic) - magic;
  V r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  V p = V{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  return p * bitCast<V>((__builtin_convertvector(n, I) + 127) << 23);
}

// GELU with erf by Abramowitz and Stegun 7.1.26 (absolute error <= 1.5e-7), the formula
// LibTorch's vectorised erf uses, so the fused masks match the step-by-step ones to rounding.
template <class V, class I>
MEDSA_INLINE V gelu(V y) {
  const V z = y * 0.70710678118654752f;
  const I bits = bitCast<I>(z);
  const I signBit = bits & static_cast<std::int32_t>(0x80000000u);
  const V a = bitCast<V>(bits & 0x7fffffff);
  const V t = 1.0f / (a * 0.3275911f + 1.0f);
  V r = t * 1.061405429f - 1.453152027f;
  r = r * t + 1.421413741f;
  r = r * t - 0.284496736f;
  r = r * t + 0.254829592f;
  const V erfMagnitude = 1.0f - r * t * expNonPositive<V, I>(-(a * a));
  return 0.5f * y * (1.0f + bitCast<V>(bitCast<I>(erfMagnitude) ^ signBit));
}

}  // namespace medsa::model::simd
