#include "sam/tiled_attention.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <immintrin.h>

namespace medsa::model {
namespace {

constexpr std::int64_t kQueryTile = 48;  // query rows per job: one pass over K and V for all
constexpr std::int64_t kKeyTile = 64;    // keys per softmax step; a tile's K and V stay in L1/L2
constexpr float kMaskedScore = -1e30f;   // padding keys; e^(x - max) of it is 0 (or < 1e-37)

/// One job: kQueryTile (or fewer, `rows`) query rows of one head against all its keys.
struct TileJob {
  const float* queries;  // [rows][paddedDim], fp32
  const float* keys;     // the head's packed keys
  const float* values;   // the head's values, [paddedTokens][paddedDim]
  const float* relH;     // [rows][gridH]
  const float* relW;     // [rows][gridW]
  const std::int32_t* keyRow;
  const std::int32_t* keyCol;
  std::int64_t rows, tokens, paddedTokens, paddedDim, gridH, gridW;
  float scale;
  float* out;  // [kQueryTile][paddedDim]: written as the normalised output of each row
};

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
  static V pow2(V n) {
    return map([&](int i) { return std::ldexp(1.0f, static_cast<int>(n.x[i])); });
  }
  static V gatherAdd(const float* a, const std::int32_t* ia, const float* b,
                     const std::int32_t* ib) {
    return map([&](int i) { return a[ia[i]] + b[ib[i]]; });
  }
  static V fillFrom(V a, int n, float fill) {
    return map([&](int i) { return i < n ? a.x[i] : fill; });
  }
  static float reduceMax(V a) { return *std::max_element(a.x, a.x + kLanes); }
  static float reduceAdd(V a) {
    float s = 0;
    for (float v : a.x) s += v;
    return s;
  }
};
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
  static V pow2(V n) {
    const __m256i biased = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(biased, 23));
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
#include "sam/tiled_attention_body.inc"
}  // namespace avx2
#pragma GCC pop_options

// --- AVX-512F: 16 lanes, 32 registers --------------------------------------------------------
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace avx512 {
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
  static V pow2(V n) {
    const __m512i biased = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(biased, 23));
  }
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
  static float reduceMax(V a) { return _mm512_reduce_max_ps(a); }
  static float reduceAdd(V a) { return _mm512_reduce_add_ps(a); }
};
#include "sam/tiled_attention_body.inc"
}  // namespace avx512
#pragma GCC pop_options

using TileKernel = void (*)(const TileJob&);

TileKernel kernelFor(AttentionIsa isa) {
  switch (isa) {
    case AttentionIsa::Avx512:
      return avx512::attendTile;
    case AttentionIsa::Avx2:
      return avx2::attendTile;
    case AttentionIsa::Portable:
      break;
  }
  return portable::attendTile;
}

std::int64_t lanesFor(AttentionIsa isa) {
  switch (isa) {
    case AttentionIsa::Avx512:
      return avx512::Ops::kLanes;
    case AttentionIsa::Avx2:
      return avx2::Ops::kLanes;
    case AttentionIsa::Portable:
      break;
  }
  return portable::Ops::kLanes;
}

std::int64_t roundUp(std::int64_t n, std::int64_t multiple) {
  return (n + multiple - 1) / multiple * multiple;
}

inline float widen(float x) { return x; }
inline float widen(c10::BFloat16 x) { return static_cast<float>(x); }
inline void narrow(float x, float& out) { out = x; }
inline void narrow(float x, c10::BFloat16& out) { out = c10::BFloat16(x); }  // nearest even

}  // namespace

bool attentionIsaSupported(AttentionIsa isa) {
#if defined(__x86_64__) && defined(__GNUC__)
  switch (isa) {
    case AttentionIsa::Avx512:
      return __builtin_cpu_supports("avx512f") != 0;
    case AttentionIsa::Avx2:
      return __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0;
    case AttentionIsa::Portable:
      return true;
  }
  return false;
#else
  return isa == AttentionIsa::Portable;
#endif
}

AttentionIsa bestAttentionIsa() {
  for (AttentionIsa isa : {AttentionIsa::Avx512, AttentionIsa::Avx2}) {
    if (attentionIsaSupported(isa)) return isa;
  }
  return AttentionIsa::Portable;
}

std::string_view attentionIsaName(AttentionIsa isa) {
  switch (isa) {
    case AttentionIsa::Avx512:
      return "avx512";
    case AttentionIsa::Avx2:
      return "avx2";
    case AttentionIsa::Portable:
      break;
  }
  return "portable";
}

std::optional<AttentionIsa> attentionIsaFromName(std::string_view name) {
  for (AttentionIsa isa : {AttentionIsa::Portable, AttentionIsa::Avx2, AttentionIsa::Avx512}) {
    if (attentionIsaName(isa) == name) return isa;
  }
  return std::nullopt;
}

TiledRelPosAttention::TiledRelPosAttention(const float* k, const float* v, std::int64_t heads,
                                           std::int64_t h, std::int64_t w, std::int64_t d,
                                           AttentionIsa isa)
    : isa_(isa), heads_(heads), h_(h), w_(w), d_(d), tokens_(h * w) {
  pack(k, v);
}

TiledRelPosAttention::TiledRelPosAttention(const c10::BFloat16* k, const c10::BFloat16* v,
                                           std::int64_t heads, std::int64_t h, std::int64_t w,
                                           std::int64_t d, AttentionIsa isa)
    : isa_(isa), heads_(heads), h_(h), w_(w), d_(d), tokens_(h * w) {
  pack(k, v);
}

template <typename T>
void TiledRelPosAttention::pack(const T* k, const T* v) {
  if (!attentionIsaSupported(isa_)) {
    throw std::invalid_argument("this CPU cannot run the " + std::string(attentionIsaName(isa_)) +
                                " attention kernel");
  }
  lanes_ = lanesFor(isa_);
  paddedTokens_ = roundUp(tokens_, lanes_);
  paddedDim_ = roundUp(d_, lanes_);
  keyRow_.assign(static_cast<std::size_t>(paddedTokens_), 0);
  keyCol_.assign(static_cast<std::size_t>(paddedTokens_), 0);
  for (std::int64_t j = 0; j < tokens_; ++j) {
    keyRow_[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(j / w_);
    keyCol_[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(j % w_);
  }
  const std::int64_t perHead = paddedTokens_ * paddedDim_;
  keys_.assign(static_cast<std::size_t>(heads_ * perHead), 0.0f);
  values_.assign(static_cast<std::size_t>(heads_ * perHead), 0.0f);
  at::parallel_for(0, heads_, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t head = begin; head < end; ++head) {
      float* keys = keys_.data() + head * perHead;
      float* values = values_.data() + head * perHead;
      for (std::int64_t j = 0; j < tokens_; ++j) {
        const T* kRow = k + (head * tokens_ + j) * d_;
        const T* vRow = v + (head * tokens_ + j) * d_;
        // Keys as [block of `lanes` keys][dim][lane]: one vector load per dim and block.
        float* kBlock = keys + (j / lanes_) * paddedDim_ * lanes_ + j % lanes_;
        for (std::int64_t c = 0; c < d_; ++c) kBlock[c * lanes_] = widen(kRow[c]);
        for (std::int64_t c = 0; c < d_; ++c) values[j * paddedDim_ + c] = widen(vRow[c]);
      }
    }
  });
}

void TiledRelPosAttention::attend(const float* q, const float* relH, const float* relW, float scale,
                                  float* out, std::int64_t first, std::int64_t count) const {
  attendRows(q, relH, relW, scale, out, first, count);
}

void TiledRelPosAttention::attend(const c10::BFloat16* q, const float* relH, const float* relW,
                                  float scale, c10::BFloat16* out, std::int64_t first,
                                  std::int64_t count) const {
  attendRows(q, relH, relW, scale, out, first, count);
}

template <typename T>
void TiledRelPosAttention::attendRows(const T* q, const float* relH, const float* relW, float scale,
                                      T* out, std::int64_t first, std::int64_t count) const {
  if (count <= 0) return;
  const TileKernel kernel = kernelFor(isa_);
  const std::int64_t tilesPerHead = (count + kQueryTile - 1) / kQueryTile;
  const std::int64_t perHead = paddedTokens_ * paddedDim_;
  at::parallel_for(0, heads_ * tilesPerHead, 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> queries(static_cast<std::size_t>(kQueryTile * paddedDim_), 0.0f);
    std::vector<float> result(static_cast<std::size_t>(kQueryTile * paddedDim_));
    for (std::int64_t job = begin; job < end; ++job) {
      const std::int64_t head = job / tilesPerHead;
      const std::int64_t row0 = first + (job % tilesPerHead) * kQueryTile;
      const std::int64_t rows = std::min(kQueryTile, first + count - row0);
      const std::int64_t token0 = head * tokens_ + row0;
      for (std::int64_t r = 0; r < rows; ++r) {
        const T* source = q + (token0 + r) * d_;
        float* target = queries.data() + r * paddedDim_;
        for (std::int64_t c = 0; c < d_; ++c) target[c] = widen(source[c]);
      }
      TileJob tile{queries.data(),
                   keys_.data() + head * perHead,
                   values_.data() + head * perHead,
                   relH + token0 * h_,
                   relW + token0 * w_,
                   keyRow_.data(),
                   keyCol_.data(),
                   rows,
                   tokens_,
                   paddedTokens_,
                   paddedDim_,
                   h_,
                   w_,
                   scale,
                   result.data()};
      kernel(tile);
      for (std::int64_t r = 0; r < rows; ++r) {
        const float* source = result.data() + r * paddedDim_;
        T* target = out + (token0 + r) * d_;
        for (std::int64_t c = 0; c < d_; ++c) narrow(source[c], target[c]);
      }
    }
  });
}

}  // namespace medsa::model
