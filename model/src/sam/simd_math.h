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

// GELU with erf as x P(x^2) / Q(x^2), P of degree 6 and Q of degree 4, fitted for this project
// by reweighted least squares on [0, 4] (tools: numpy; max absolute error 5.6e-8 in double,
// 3.7e-7 evaluated in fp32), +-1 beyond (erf(4) is 1 to 1.5e-8). Half the operations of
// Abramowitz and Stegun 7.1.26 with its exp, which LibTorch's vectorised erf uses: GELU had been
// a third of the mask tail's time.
template <class V, class I>
MEDSA_INLINE V gelu(V y) {
  V x = y * 0.70710678118654752f;
  x = x > 4.0f ? V{} + 4.0f : x;
  x = x < -4.0f ? V{} - 4.0f : x;
  const V s = x * x;
  V p = s * 1.9221703340122076e-08f - 1.988471922231838e-06f;
  p = p * s + 1.5512459503952414e-04f;
  p = p * s + 4.276776686310768e-03f;
  p = p * s + 5.238310620188713e-02f;
  p = p * s + 2.1356913447380066e-01f;
  p = p * s + 1.1283787488937378f;
  V q = s * 1.0940140346065164e-03f + 1.5518544241786003e-02f;
  q = q * s + 1.2064367532730103e-01f;
  q = q * s + 5.225985050201416e-01f;
  q = q * s + 1.0f;
  // erf(+-4) rounds to +-1 in fp32: exactly so, so that GELU is 0 and y far out.
  V erf = x * p / q;
  erf = x >= 4.0f ? V{} + 1.0f : erf;
  erf = x <= -4.0f ? V{} - 1.0f : erf;
  const V half = 0.5f * y;
  return half + half * erf;
}

}  // namespace medsa::model::simd
