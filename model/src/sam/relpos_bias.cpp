#include "sam/relpos_bias.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

#include "sam/simd_math.h"

namespace medsa::model {
namespace {

using namespace simd;

// A register block is R query rows x V output vectors (R * V accumulators): on AVX-512 4 x 4
// for ViT-B's global grid (64 keys a side) and 8 x 1 for its windows (14 keys: one vector),
// else 4 x 2 (AVX2 and the baseline have 16 registers). 4 x 2 everywhere had left a window's
// single vector with four accumulators and the global grid with a table load per four FMAs:
// 4-8 % slower (docs/performance.md, twentieth session).
constexpr int kMostRows = 8;

// One side's terms: for each grid line g (a row for relH, a column for relW) the table
// packed[g] = R[g] transposed, [d][keysPadded], times every query on that line. The tables are
// square: a side has as many key lines as grid lines (`lines`).
struct Side {
  const std::vector<float>* packed;
  std::int64_t lines, along, keysPadded;  // along: tokens per line
  bool rows;                              // lines are grid rows (relH)
  float* out;                             // [heads][h * w][lines]
};

// Outputs [v0 * L, v0 * L + V * L) of R queries against the packed table `b`; spare rows
// repeat the last query and are not written. Outputs past `keys` are dropped.
template <int L, int V, int R, class Q>
MEDSA_INLINE void block(const Q* const* q, std::int64_t d, const float* b, std::int64_t keysPadded,
                        std::int64_t v0, std::int64_t keys, float* const* out, int rows) {
  using F = typename Simd<L>::F;
  F acc[R][V];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) acc[r][v] = F{};
  for (std::int64_t c = 0; c < d; ++c) {
    F bv[V];
    for (int v = 0; v < V; ++v) bv[v] = load<F>(b + c * keysPadded + (v0 + v) * L);
    for (int r = 0; r < R; ++r) {
      // A broadcast (bf16 widened): x - 0 folds, x + 0 would not (-0).
      const F a = static_cast<float>(q[r][c]) - F{};
      for (int v = 0; v < V; ++v) acc[r][v] += a * bv[v];
    }
  }
  for (int r = 0; r < rows; ++r) {
    for (int v = 0; v < V; ++v) {
      const std::int64_t first = (v0 + v) * L;
      if (first + L <= keys) {
        store(out[r] + first, acc[r][v]);
      } else {
        float lanes[L];
        store(lanes, acc[r][v]);
        std::copy(lanes, lanes + (keys - first), out[r] + first);
      }
    }
  }
}

inline const float* queries(const RelPosBiasInput& p, float) { return p.q; }
inline const c10::BFloat16* queries(const RelPosBiasInput& p, c10::BFloat16) { return p.qBf16; }

// The grid token of the i-th token along grid line `line` of side s.
MEDSA_INLINE std::int64_t tokenOn(const RelPosBiasInput& p, const Side& s, std::int64_t line,
                                  std::int64_t i) {
  return s.rows ? line * p.w + i : i * p.w + line;
}

// One head's tokens [0, along) on one grid line in register blocks of R rows x V vectors (the
// vectors a multiple of V).
template <int L, int V, int R, class Q>
MEDSA_INLINE void lineBlocks(const RelPosBiasInput& p, const Side& s, const Q* all,
                             std::int64_t line, std::int64_t head, std::int64_t along) {
  const float* table = s.packed->data() + line * p.d * s.keysPadded;
  const std::int64_t vectors = s.keysPadded / L, tokens = p.h * p.w;
  for (std::int64_t i0 = 0; i0 < along; i0 += R) {
    const Q* q[R];
    float* out[R];
    const int rows = static_cast<int>(std::min<std::int64_t>(R, along - i0));
    for (int r = 0; r < R; ++r) {
      const std::int64_t i = i0 + std::min(r, rows - 1);
      const std::int64_t t = tokenOn(p, s, line, i);
      q[r] = all + p.rows.offset(head, t);
      out[r] = s.out + (head * tokens + t) * s.lines;
    }
    for (std::int64_t v = 0; v < vectors; v += V)
      block<L, V, R, Q>(q, p.d, table, s.keysPadded, v, s.lines, out, rows);
  }
}

// Jobs [begin, end) of one side, a job being one head's tokens on one grid line; Q is the
// queries' element type. Tokens of a window past the grid (HeadRows::windows) are skipped:
// the attention takes no query there. Along a line they are its last ones, or all of them.
template <int L, class Q>
MEDSA_INLINE void linesOf(const RelPosBiasInput& p, const Side& s, std::int64_t begin,
                          std::int64_t end) {
  const Q* const all = queries(p, Q{});
  const std::int64_t vectors = s.keysPadded / L;
  for (std::int64_t job = begin; job < end; ++job) {
    const std::int64_t line = job / p.heads, head = job % p.heads;
    std::int64_t along = s.along;
    while (along > 0 && !p.rows.inside(head, tokenOn(p, s, line, along - 1))) --along;
    if (L == 16 && vectors % 4 == 0) {  // 16 accumulators: AVX-512 has the 32 registers
      lineBlocks<L, 4, 4, Q>(p, s, all, line, head, along);
    } else if (vectors == 1) {
      lineBlocks<L, 1, kMostRows, Q>(p, s, all, line, head, along);
    } else if (vectors % 2 == 0) {
      lineBlocks<L, 2, 4, Q>(p, s, all, line, head, along);
    } else {
      lineBlocks<L, 1, 4, Q>(p, s, all, line, head, along);
    }
  }
}

// One function per instruction set (see image_to_tokens.cpp: a lambda would be compiled for
// the baseline).
using LinesFunction = void (*)(const RelPosBiasInput&, const Side&, std::int64_t, std::int64_t);
#if defined(__x86_64__) && defined(__GNUC__)
template <class Q>
__attribute__((target("avx512f,avx512dq,fma"))) void linesAvx512(const RelPosBiasInput& p,
                                                                 const Side& s, std::int64_t begin,
                                                                 std::int64_t end) {
  linesOf<16, Q>(p, s, begin, end);
}
template <class Q>
__attribute__((target("avx2,fma"))) void linesAvx2(const RelPosBiasInput& p, const Side& s,
                                                   std::int64_t begin, std::int64_t end) {
  linesOf<8, Q>(p, s, begin, end);
}
#endif
template <class Q>
void linesPortable(const RelPosBiasInput& p, const Side& s, std::int64_t begin, std::int64_t end) {
  linesOf<4, Q>(p, s, begin, end);
}

template <class Q>
LinesFunction linesFor(VectorIsa isa) {
#if defined(__x86_64__) && defined(__GNUC__)
  return functionFor<LinesFunction>(isa, linesAvx512<Q>, linesAvx2<Q>, linesPortable<Q>);
#else
  return linesPortable<Q>;
#endif
}

std::int64_t lanesOf(VectorIsa isa) {
  switch (isa) {
    case VectorIsa::Avx512:
      return 16;
    case VectorIsa::Avx2:
      return 8;
    case VectorIsa::Portable:
      break;
  }
  return 4;
}

// table [lines][lines][d] -> [lines][d][keysPadded], zero past `lines` keys.
std::vector<float> packTable(const float* table, std::int64_t lines, std::int64_t keysPadded,
                             std::int64_t d) {
  std::vector<float> packed(static_cast<std::size_t>(lines * d * keysPadded), 0.0f);
  for (std::int64_t g = 0; g < lines; ++g)
    for (std::int64_t k = 0; k < lines; ++k)
      for (std::int64_t c = 0; c < d; ++c)
        packed[static_cast<std::size_t>((g * d + c) * keysPadded + k)] =
            table[(g * lines + k) * d + c];
  return packed;
}

}  // namespace

void relPosBias(VectorIsa isa, const RelPosBiasInput& input, float* relH, float* relW) {
  const std::int64_t lanes = lanesOf(isa);
  const auto padded = [lanes](std::int64_t n) { return (n + lanes - 1) / lanes * lanes; };
  const std::int64_t paddedH = padded(input.h), paddedW = padded(input.w);
  const std::vector<float> packedH = packTable(input.rh, input.h, paddedH, input.d);
  const std::vector<float> packedW = packTable(input.rw, input.w, paddedW, input.d);
  const Side sides[] = {{&packedH, input.h, input.w, paddedH, true, relH},
                        {&packedW, input.w, input.h, paddedW, false, relW}};
  const LinesFunction lines =
      input.qBf16 != nullptr ? linesFor<c10::BFloat16>(isa) : linesFor<float>(isa);
  for (const Side& side : sides) {
    at::parallel_for(0, side.lines * input.heads, 1,
                     [&](std::int64_t begin, std::int64_t end) { lines(input, side, begin, end); });
  }
}

}  // namespace medsa::model
