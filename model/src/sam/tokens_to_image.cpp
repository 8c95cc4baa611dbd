#include "sam/tokens_to_image.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sam/simd_math.h"

namespace medsa::model {
namespace {

using namespace simd;

constexpr std::int64_t kMaxRows = 256;
constexpr std::int64_t kMaxDim = 4096;
constexpr std::int64_t kDimMultiple = 16;   // every compilation's ValueGroup x L divides it
constexpr std::int64_t kBlockTokens = 48;   // a multiple of every compilation's score rows
constexpr std::int64_t kChunkTokens = 512;  // image tokens per running state, whole key blocks
constexpr std::int64_t kKeyBlock = kKeyBlockTokens;
// The running maximum before the first block: below every score, and e^(it - a score) is 0.
constexpr float kNoScore = -1e30f;

// A compilation's padding: query rows to whole blocks of its weighted sums, the columns of the
// packed queries (one per query row) to whole groups of its scores.
struct Shape {
  std::int64_t rows, stride;
};

// One chunk's running state for one head: per query row the maximum score so far and the sum of
// e^(score - maximum) (`stride` each), and the weighted sum of the values relative to that
// maximum ([rows][dim]).
struct State {
  float *maxima, *sums, *weighted;
};
State stateAt(float* base, const Shape& shape) {
  return {base, base + shape.stride, base + 2 * shape.stride};
}

// Image tokens [first, last) into the chunk's states (one per head, perState floats apart),
// kBlockTokens at a time. columns: each head's queries transposed, [heads][dim][stride];
// scratch: kBlockTokens x stride scores, stride rescale factors and, with keyPe, kBlockTokens x
// heads x dim summed keys. Scores take ScoreRows tokens x ScoreGroup vectors of query rows per
// register block, the weighted sums ValueRows query rows x ValueGroup vectors of dims.
template <int L, int ScoreRows, int ScoreGroup, int ValueRows, int ValueGroup>
MEDSA_INLINE void chunkOf(const TokensToImageInput& p, const float* columns, const Shape& shape,
                          std::int64_t first, std::int64_t last, float* states,
                          std::int64_t perState, float* scratch) {
  using V = typename Simd<L>::F;
  using I = typename Simd<L>::I;
  static_assert(kBlockTokens % ScoreRows == 0, "a block holds whole register blocks of tokens");
  const std::int64_t dim = p.dim, stride = shape.stride;
  float* const scores = scratch;
  float* const rescale = scratch + kBlockTokens * stride;
  const auto stateOf = [&](std::int64_t head) { return stateAt(states + head * perState, shape); };
  for (std::int64_t head = 0; head < p.heads; ++head) {
    const State state = stateOf(head);
    std::fill(state.maxima, state.maxima + stride, kNoScore);
    std::fill(state.sums, state.sums + stride, 0.0f);
    std::fill(state.weighted, state.weighted + shape.rows * dim, 0.0f);
  }

  // With keyPe, each block's keys + keyPe rows, summed once for every head's scores.
  const std::int64_t width = p.heads * dim;
  float* const summed = rescale + stride;
  for (std::int64_t block = first; block < last; block += kBlockTokens) {
    const std::int64_t count = std::min(kBlockTokens, last - block);
    const float* keys = p.keys + block * p.keyStride;
    std::int64_t keyStride = p.keyStride;
    if (p.keyPe != nullptr) {
      for (std::int64_t t = 0; t < count; ++t) {
        const float* key = keys + t * p.keyStride;
        const float* pe = p.keyPe + (block + t) * p.keyPeStride;
        for (std::int64_t e = 0; e < width; e += L)
          store(summed + t * width + e, load<V>(key + e) + load<V>(pe + e));
      }
      keys = summed;
      keyStride = width;
    }
    for (std::int64_t head = 0; head < p.heads; ++head) {
      const State state = stateOf(head);
      const float* headColumns = columns + head * dim * stride;

      // Scores of the block's tokens (rows past `count` repeat the last token, never read).
      for (std::int64_t t0 = 0; t0 < count; t0 += ScoreRows) {
        const float* key[ScoreRows];
        for (int r = 0; r < ScoreRows; ++r) {
          const std::int64_t t = std::min<std::int64_t>(t0 + r, count - 1);
          key[r] = keys + t * keyStride + head * dim;
        }
        for (std::int64_t c0 = 0; c0 < stride; c0 += ScoreGroup * L) {
          V acc[ScoreRows][ScoreGroup] = {};
          for (std::int64_t d = 0; d < dim; ++d) {
            V column[ScoreGroup];
            for (int g = 0; g < ScoreGroup; ++g)
              column[g] = load<V>(headColumns + d * stride + c0 + g * L);
            for (int r = 0; r < ScoreRows; ++r) {
              const V x = key[r][d] - V{};  // a broadcast: x - 0 folds, x + 0 would not (-0)
              for (int g = 0; g < ScoreGroup; ++g) acc[r][g] += x * column[g];
            }
          }
          for (int r = 0; r < ScoreRows; ++r)
            for (int g = 0; g < ScoreGroup; ++g)
              store(scores + (t0 + r) * stride + c0 + g * L, acc[r][g]);
        }
      }

      // The online softmax, L query rows at a time down the block's tokens: the new maximum,
      // the factor for what was summed relative to the old one, the weights e^(score - max).
      for (std::int64_t c = 0; c < stride; c += L) {
        V top = load<V>(scores + c);
        for (std::int64_t t = 1; t < count; ++t) {
          const V x = load<V>(scores + t * stride + c);
          top = x > top ? x : top;
        }
        const V old = load<V>(state.maxima + c);
        const V highest = old > top ? old : top;
        const V factor = expNonPositive<V, I>(old - highest);
        V total{};
        for (std::int64_t t = 0; t < count; ++t) {
          const V e = expNonPositive<V, I>(load<V>(scores + t * stride + c) - highest);
          store(scores + t * stride + c, e);
          total += e;
        }
        store(rescale + c, factor);
        store(state.sums + c, load<V>(state.sums + c) * factor + total);
        store(state.maxima + c, highest);
      }

      // The weighted sums, rescaled to the new maxima as they are loaded.
      for (std::int64_t u0 = 0; u0 < dim; u0 += ValueGroup * L) {
        const float* values = p.values + block * p.valueStride + head * dim + u0;
        for (std::int64_t j0 = 0; j0 < shape.rows; j0 += ValueRows) {
          V acc[ValueRows][ValueGroup];
          for (int r = 0; r < ValueRows; ++r) {
            const V factor = rescale[j0 + r] - V{};
            for (int g = 0; g < ValueGroup; ++g)
              acc[r][g] = load<V>(state.weighted + (j0 + r) * dim + u0 + g * L) * factor;
          }
          for (std::int64_t t = 0; t < count; ++t) {
            V value[ValueGroup];
            for (int g = 0; g < ValueGroup; ++g)
              value[g] = load<V>(values + t * p.valueStride + g * L);
            const float* weight = scores + t * stride + j0;
            for (int r = 0; r < ValueRows; ++r) {
              const V w = weight[r] - V{};
              for (int g = 0; g < ValueGroup; ++g) acc[r][g] += w * value[g];
            }
          }
          for (int r = 0; r < ValueRows; ++r)
            for (int g = 0; g < ValueGroup; ++g)
              store(state.weighted + (j0 + r) * dim + u0 + g * L, acc[r][g]);
        }
      }
    }
  }
}

// The same for keys in blocks of kKeyBlock tokens (TokensToImageInput::keysInBlocks), every
// head's n query rows of c dims: each row's scores over the chunk's tokens are vectors (c
// multiply-adds per token, no padding of n or c), the chunk's softmax runs along them, and the
// weighted sums take RowGroup rows at a time (spare rows repeat the last one, never written).
// `scratch`: n x kChunkTokens scores.
template <int L, int RowGroup>
MEDSA_INLINE void blockedChunkOf(const TokensToImageInput& p, std::int64_t first, std::int64_t last,
                                 float* states, std::int64_t perState, float* scratch) {
  using V = typename Simd<L>::F;
  using I = typename Simd<L>::I;
  constexpr int kVectors = kKeyBlock / L;
  const std::int64_t n = p.n, dim = p.dim, span = last - first;
  const std::int64_t padded = (span + kKeyBlock - 1) / kKeyBlock * kKeyBlock;
  for (std::int64_t head = 0; head < p.heads; ++head) {
    const State state = stateAt(states + head * perState, Shape{n, n});
    for (std::int64_t b = 0; b < padded; b += kKeyBlock) {
      const float* keys =
          p.keysInBlocks + ((first + b) / kKeyBlock * p.heads + head) * dim * kKeyBlock;
      for (std::int64_t j = 0; j < n; ++j) {
        const float* query = p.queries + (head * n + j) * dim;
        V acc[kVectors] = {};
        for (std::int64_t d = 0; d < dim; ++d) {
          const V x = query[d] - V{};
          for (int v = 0; v < kVectors; ++v) acc[v] += x * load<V>(keys + d * kKeyBlock + v * L);
        }
        for (int v = 0; v < kVectors; ++v) store(scratch + j * kChunkTokens + b + v * L, acc[v]);
      }
    }
    for (std::int64_t j = 0; j < n; ++j) {
      float* row = scratch + j * kChunkTokens;
      std::fill(row + span, row + padded, kNoScore);  // tokens past the last: no score
      V top = load<V>(row);
      for (std::int64_t t = L; t < padded; t += L) {
        const V x = load<V>(row + t);
        top = x > top ? x : top;
      }
      float highest = top[0];
      for (int l = 1; l < L; ++l) highest = std::max(highest, top[l]);
      for (std::int64_t t = 0; t < padded; t += L)
        store(row + t, expNonPositive<V, I>(load<V>(row + t) - highest));
      std::fill(row + span, row + padded, 0.0f);  // e^-87, not 0, where flushed
      V total{};
      for (std::int64_t t = 0; t < padded; t += L) total += load<V>(row + t);
      float sum = 0.0f;
      for (int l = 0; l < L; ++l) sum += total[l];
      state.maxima[j] = highest;
      state.sums[j] = sum;
    }
    const float* values = p.values + first * p.valueStride + head * dim;
    for (std::int64_t j0 = 0; j0 < n; j0 += RowGroup) {
      const float* weight[RowGroup];
      for (int r = 0; r < RowGroup; ++r)
        weight[r] = scratch + std::min<std::int64_t>(j0 + r, n - 1) * kChunkTokens;
      for (std::int64_t u0 = 0; u0 < dim; u0 += L) {
        V acc[RowGroup] = {};
        for (std::int64_t t = 0; t < span; ++t) {
          const V value = load<V>(values + t * p.valueStride + u0);
          for (int r = 0; r < RowGroup; ++r) acc[r] += (weight[r][t] - V{}) * value;
        }
        for (int r = 0; r < RowGroup && j0 + r < n; ++r)
          store(state.weighted + (j0 + r) * dim + u0, acc[r]);
      }
    }
  }
}

// One function per instruction set, called per job: code inlined into a lambda would be
// compiled for the lambda's own (baseline) target, whatever its caller's. Score blocks of 24
// accumulators of AVX-512's 32 registers, 12 of AVX2's 16 and 8 of SSE's 16, each with its
// operands (a few loads per multiply-add group, as in image_to_tokens.cpp); weighted sums of
// one 16-wide vector per row on AVX-512, so that a head of 16 dims fits it, 16 rows at a time:
// the query rows are padded to a multiple of the weighted sums' rows and the score columns to
// whole score groups after that, and 12 rows had made a correction click's 64 rows (8 prompt
// tokens x 8 heads) 72, scored as 96 columns (16.3 instead of 17.4 ms a correction on a Zen 4).
using ChunkFunction = void (*)(const TokensToImageInput&, const float*, const Shape&, std::int64_t,
                               std::int64_t, float*, std::int64_t, float*);
struct Compiled {
  ChunkFunction chunk;
  std::int64_t rowMultiple, columnMultiple;  // ValueRows; ScoreGroup x L
};

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx512f,avx512dq,fma"))) void chunkAvx512(
    const TokensToImageInput& p, const float* columns, const Shape& shape, std::int64_t first,
    std::int64_t last, float* states, std::int64_t perState, float* scratch) {
  chunkOf<16, 12, 2, 16, 1>(p, columns, shape, first, last, states, perState, scratch);
}
__attribute__((target("avx2,fma"))) void chunkAvx2(const TokensToImageInput& p,
                                                   const float* columns, const Shape& shape,
                                                   std::int64_t first, std::int64_t last,
                                                   float* states, std::int64_t perState,
                                                   float* scratch) {
  chunkOf<8, 6, 2, 6, 2>(p, columns, shape, first, last, states, perState, scratch);
}
#endif
void chunkPortable(const TokensToImageInput& p, const float* columns, const Shape& shape,
                   std::int64_t first, std::int64_t last, float* states, std::int64_t perState,
                   float* scratch) {
  chunkOf<4, 4, 2, 4, 2>(p, columns, shape, first, last, states, perState, scratch);
}

using BlockedChunkFunction = void (*)(const TokensToImageInput&, std::int64_t, std::int64_t, float*,
                                      std::int64_t, float*);
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx512f,avx512dq,fma"))) void blockedChunkAvx512(
    const TokensToImageInput& p, std::int64_t first, std::int64_t last, float* states,
    std::int64_t perState, float* scratch) {
  blockedChunkOf<16, 8>(p, first, last, states, perState, scratch);
}
__attribute__((target("avx2,fma"))) void blockedChunkAvx2(const TokensToImageInput& p,
                                                          std::int64_t first, std::int64_t last,
                                                          float* states, std::int64_t perState,
                                                          float* scratch) {
  blockedChunkOf<8, 8>(p, first, last, states, perState, scratch);
}
#endif
void blockedChunkPortable(const TokensToImageInput& p, std::int64_t first, std::int64_t last,
                          float* states, std::int64_t perState, float* scratch) {
  blockedChunkOf<4, 8>(p, first, last, states, perState, scratch);
}

BlockedChunkFunction blockedChunkFor(VectorIsa isa) {
#if defined(__x86_64__) && defined(__GNUC__)
  return functionFor<BlockedChunkFunction>(isa, blockedChunkAvx512, blockedChunkAvx2,
                                           blockedChunkPortable);
#else
  return blockedChunkPortable;
#endif
}

Compiled compiledFor(VectorIsa isa) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (isa == VectorIsa::Avx512) return {chunkAvx512, 16, 32};
  if (isa == VectorIsa::Avx2) return {chunkAvx2, 6, 16};
#endif
  return {chunkPortable, 4, 8};
}

std::int64_t roundUp(std::int64_t x, std::int64_t multiple) {
  return (x + multiple - 1) / multiple * multiple;
}

// The chunks' states (`perState` floats per head, chunk after chunk) merged in order: each one's
// sums rescaled to the overall maximum.
void mergeChunks(const TokensToImageInput& input, const Shape& shape, float* states,
                 std::int64_t chunks, std::int64_t perState, float* out) {
  const std::int64_t heads = input.heads, n = input.n, dim = input.dim;
  std::vector<float> factor(static_cast<std::size_t>(chunks));
  for (std::int64_t h = 0; h < heads; ++h) {
    const auto stateOf = [&](std::int64_t chunk) {
      return stateAt(states + (chunk * heads + h) * perState, shape);
    };
    for (std::int64_t j = 0; j < n; ++j) {
      float highest = kNoScore;
      for (std::int64_t c = 0; c < chunks; ++c) highest = std::max(highest, stateOf(c).maxima[j]);
      float total = 0.0f;
      for (std::int64_t c = 0; c < chunks; ++c) {
        factor[c] = std::exp(stateOf(c).maxima[j] - highest);
        total += stateOf(c).sums[j] * factor[c];
      }
      float* target = out + (h * n + j) * dim;
      std::fill(target, target + dim, 0.0f);
      for (std::int64_t c = 0; c < chunks; ++c) {
        const float share = factor[c] / total;
        const float* weighted = stateOf(c).weighted + j * dim;
        for (std::int64_t u = 0; u < dim; ++u) target[u] += weighted[u] * share;
      }
    }
  }
}

}  // namespace

bool tokensToImageFits(std::int64_t n, std::int64_t dim) {
  return n >= 1 && n <= kMaxRows && dim > 0 && dim % kDimMultiple == 0 && dim <= kMaxDim;
}

void tokensToImage(VectorIsa isa, const TokensToImageInput& input, float* out) {
  const std::int64_t heads = input.heads, n = input.n, dim = input.dim;
  const std::int64_t chunks = (input.tokens + kChunkTokens - 1) / kChunkTokens;
  if (input.keysInBlocks != nullptr) {
    const BlockedChunkFunction chunk = blockedChunkFor(isa);
    const Shape shape{n, n};
    const std::int64_t perState = 2 * n + n * dim;
    std::vector<float> states(static_cast<std::size_t>(chunks * heads * perState));
    at::parallel_for(0, chunks, 1, [&](std::int64_t begin, std::int64_t end) {
      std::vector<float> scratch(static_cast<std::size_t>(n * kChunkTokens));
      for (std::int64_t c = begin; c < end; ++c) {
        const std::int64_t first = c * kChunkTokens;
        chunk(input, first, std::min(input.tokens, first + kChunkTokens),
              states.data() + c * heads * perState, perState, scratch.data());
      }
    });
    mergeChunks(input, shape, states.data(), chunks, perState, out);
    return;
  }

  const Compiled compiled = compiledFor(isa);
  Shape shape;
  shape.rows = roundUp(n, compiled.rowMultiple);
  shape.stride = roundUp(shape.rows, compiled.columnMultiple);

  // Each head's queries as columns; padding columns are zero (scores 0, never written out).
  std::vector<float> columns(static_cast<std::size_t>(heads * dim * shape.stride), 0.0f);
  for (std::int64_t h = 0; h < heads; ++h)
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t d = 0; d < dim; ++d)
        columns[(h * dim + d) * shape.stride + j] = input.queries[(h * n + j) * dim + d];

  const std::int64_t perState = 2 * shape.stride + shape.rows * dim;
  std::vector<float> states(static_cast<std::size_t>(chunks * heads * perState));
  const std::int64_t summedKeys = input.keyPe != nullptr ? kBlockTokens * heads * dim : 0;
  at::parallel_for(0, chunks, 1, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> scratch(
        static_cast<std::size_t>((kBlockTokens + 1) * shape.stride + summedKeys));
    for (std::int64_t chunk = begin; chunk < end; ++chunk) {
      const std::int64_t first = chunk * kChunkTokens;
      compiled.chunk(input, columns.data(), shape, first,
                     std::min(input.tokens, first + kChunkTokens),
                     states.data() + chunk * heads * perState, perState, scratch.data());
    }
  });
  mergeChunks(input, shape, states.data(), chunks, perState, out);
}

}  // namespace medsa::model
