#include "sam/low_rank_update.h"

#include <ATen/Parallel.h>

#include <algorithm>

#include "sam/simd_math.h"

namespace medsa::model {
namespace {

using namespace simd;

constexpr std::int64_t kMaxRank = 64;
constexpr std::int64_t kChannelMultiple = 16;
constexpr std::int64_t kBlock = kLowRankBlockTokens;
// Channels updated at once: independent sums, so the FMAs of one do not wait on another's.
constexpr int kChannelsAtOnce = 4;

// Channels [c0, c0 + Vectors L) of token t.
template <int L, int Vectors>
MEDSA_INLINE void rowVectors(const LowRankUpdate& u, const float* base, float* out, std::int64_t t,
                             std::int64_t c0) {
  using V = typename Simd<L>::F;
  const std::int64_t rank = u.rank, channels = u.channels;
  const float* constant = u.factors + rank * channels + c0;
  const float* from = base + t * channels + c0;
  V acc[Vectors];
  for (int v = 0; v < Vectors; ++v) acc[v] = load<V>(from + v * L) + load<V>(constant + v * L);
  const float* features = u.features + t * rank;
  for (std::int64_t k = 0; k < rank; ++k) {
    const float feature = features[k];
    const float* row = u.factors + k * channels + c0;
    for (int v = 0; v < Vectors; ++v) acc[v] += feature * load<V>(row + v * L);
  }
  float* to = out + t * channels + c0;
  for (int v = 0; v < Vectors; ++v) store(to + v * L, acc[v]);
}

template <int L>
MEDSA_INLINE void rowsOf(const LowRankUpdate& u, const float* base, float* out, std::int64_t begin,
                         std::int64_t end) {
  for (std::int64_t t = begin; t < end; ++t) {
    std::int64_t c0 = 0;
    for (; c0 + kChannelsAtOnce * L <= u.channels; c0 += kChannelsAtOnce * L)
      rowVectors<L, kChannelsAtOnce>(u, base, out, t, c0);
    for (; c0 < u.channels; c0 += L) rowVectors<L, 1>(u, base, out, t, c0);
  }
}

// Blocks [begin, end): each block's features are first turned to rows of 16 tokens, so that a
// channel's update is a sum of feature rows times that channel's factors.
template <int L>
MEDSA_INLINE void blocksOf(const LowRankUpdate& u, const float* base, float* out,
                           std::int64_t begin, std::int64_t end) {
  using V = typename Simd<L>::F;
  constexpr int kParts = kBlock / L;
  const std::int64_t rank = u.rank, channels = u.channels;
  const float* constant = u.factors + rank * channels;
  alignas(64) float columns[kMaxRank * kBlock];
  for (std::int64_t b = begin; b < end; ++b) {
    const std::int64_t first = b * kBlock, count = std::min(kBlock, u.tokens - first);
    for (std::int64_t k = 0; k < rank; ++k)
      for (std::int64_t i = 0; i < kBlock; ++i)
        columns[k * kBlock + i] = i < count ? u.features[(first + i) * rank + k] : 0.0f;
    const float* from = base + b * channels * kBlock;
    float* to = out + b * channels * kBlock;
    for (std::int64_t c = 0; c < channels; c += kChannelsAtOnce) {
      V acc[kChannelsAtOnce][kParts];
      for (int j = 0; j < kChannelsAtOnce; ++j)
        for (int p = 0; p < kParts; ++p)
          acc[j][p] = load<V>(from + (c + j) * kBlock + p * L) + constant[c + j];
      for (std::int64_t k = 0; k < rank; ++k) {
        V row[kParts];
        for (int p = 0; p < kParts; ++p) row[p] = load<V>(columns + k * kBlock + p * L);
        const float* factors = u.factors + k * channels + c;
        for (int j = 0; j < kChannelsAtOnce; ++j)
          for (int p = 0; p < kParts; ++p) acc[j][p] += factors[j] * row[p];
      }
      for (int j = 0; j < kChannelsAtOnce; ++j)
        for (int p = 0; p < kParts; ++p) store(to + (c + j) * kBlock + p * L, acc[j][p]);
    }
  }
}

// Rows [begin, end) of tokens, or blocks of them, with L lanes.
template <bool Blocked, int L>
MEDSA_INLINE void updateOf(const LowRankUpdate& u, const float* base, float* out,
                           std::int64_t begin, std::int64_t end) {
  if constexpr (Blocked) {
    blocksOf<L>(u, base, out, begin, end);
  } else {
    rowsOf<L>(u, base, out, begin, end);
  }
}

// One function per instruction set and layout (see image_to_tokens.cpp: a lambda would be
// compiled for the baseline).
using Function = void (*)(const LowRankUpdate&, const float*, float*, std::int64_t, std::int64_t);
#if defined(__x86_64__) && defined(__GNUC__)
template <bool Blocked>
__attribute__((target("avx512f,avx512dq,fma"))) void updateAvx512(const LowRankUpdate& u,
                                                                  const float* base, float* out,
                                                                  std::int64_t begin,
                                                                  std::int64_t end) {
  updateOf<Blocked, 16>(u, base, out, begin, end);
}
template <bool Blocked>
__attribute__((target("avx2,fma"))) void updateAvx2(const LowRankUpdate& u, const float* base,
                                                    float* out, std::int64_t begin,
                                                    std::int64_t end) {
  updateOf<Blocked, 8>(u, base, out, begin, end);
}
#endif
template <bool Blocked>
void updatePortable(const LowRankUpdate& u, const float* base, float* out, std::int64_t begin,
                    std::int64_t end) {
  updateOf<Blocked, 4>(u, base, out, begin, end);
}

template <bool Blocked>
Function updateFor(VectorIsa isa) {
#if defined(__x86_64__) && defined(__GNUC__)
  return functionFor<Function>(isa, updateAvx512<Blocked>, updateAvx2<Blocked>,
                               updatePortable<Blocked>);
#else
  return updatePortable<Blocked>;
#endif
}

}  // namespace

bool lowRankUpdateFits(std::int64_t rank, std::int64_t channels) {
  return rank >= 1 && rank <= kMaxRank && channels > 0 && channels % kChannelMultiple == 0;
}

void lowRankUpdateRows(VectorIsa isa, const LowRankUpdate& update, const float* base, float* out) {
  const Function rows = updateFor<false>(isa);
  at::parallel_for(0, update.tokens, 256, [&](std::int64_t begin, std::int64_t end) {
    rows(update, base, out, begin, end);
  });
}

void lowRankUpdateBlocks(VectorIsa isa, const LowRankUpdate& update, const float* base,
                         float* out) {
  const Function blocks = updateFor<true>(isa);
  at::parallel_for(
      0, (update.tokens + kBlock - 1) / kBlock, 16,
      [&](std::int64_t begin, std::int64_t end) { blocks(update, base, out, begin, end); });
}

}  // namespace medsa::model
