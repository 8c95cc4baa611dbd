// The bf16 kernels of the tiled attention (tiled_attention_kernels.h): the same tiles and online
// softmax as the fp32 kernels, with the two products on the CPU's bf16 dot-product units.
// - avx512bf16: vdpbf16ps, which adds the products of 16 pairs of bf16 into 16 fp32 lanes.
//   Scores take the pairs along the head dimension (a broadcast pair of one query against 16
//   keys), P.V along the keys (a broadcast pair of weights against 16 output columns).
// - amx: the same layouts as AMX tiles. A = 16 query rows x 32 dimensions (or 16 rows of P x 32
//   keys), B = the packed keys (or values) as 16 pairs x 16 columns, C = 16 x 16 fp32 scores
//   (or outputs), 16 x 16 x 32 products per instruction.
// Scores, the softmax and the accumulated outputs stay fp32; P is rounded to bf16 for P.V, as
// LibTorch's and oneDNN's bf16 attention round it.

#include <algorithm>
#include <cmath>
#include <cstring>

#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#endif

#include "sam/tiled_attention_avx512_ops.h"
#include "sam/tiled_attention_kernels.h"

namespace medsa::model::tiled {

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512bf16,avx2,fma")

namespace {

using BF16 = c10::BFloat16;

// Two consecutive bf16 values broadcast to all 16 pairs of a vector.
inline __m512bh broadcastPair(const BF16* pair) {
  std::int32_t bits;
  std::memcpy(&bits, pair, sizeof bits);
  return (__m512bh)_mm512_set1_epi32(bits);
}

inline __m512bh loadPairs(const BF16* p) { return (__m512bh)_mm512_loadu_si512(p); }

// 16 softmax weights rounded to bf16 (nearest even), as P.V reads them.
inline void storeRounded(BF16* to, __m512 e) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(to), (__m256i)_mm512_cvtneps_pbh(e));
}

}  // namespace

namespace avx512bf16 {
using Ops = avx512::Ops;
#include "sam/tiled_attention_softmax.inc"

using Element = BF16;
using Weight = BF16;  // P is rounded as the softmax writes it
inline void storeWeights(BF16* to, __m512 e) { storeRounded(to, e); }
constexpr int kLanes = 16;
constexpr int kRows = 6;  // 6 rows x 4 vectors of accumulators + 4 operands + 1 broadcast
constexpr int kKeyBlocks = 4;
constexpr int kMaxValueGroups = 4;
// Keys per softmax step, over the fp32 kernels' 64: each step costs every query row a maximum,
// a sum and a rescale of its outputs. On AMD Zen 4 one ViT-B global block took 180 / 170 / 164 /
// 159 ms with 64 / 128 / 256 / 512 keys (2 threads; the fp32 AVX-512 kernel gained nothing).
constexpr std::int64_t kKeyTile = 512;

// Scores of kRows query rows against `Blocks` blocks of 16 keys, pairs of dimensions at a time.
// keys: the first block, packed [block][dim / 2][16][2].
template <int Blocks>
inline void scoreBlocks(const BF16* const* q, const BF16* keys, std::int64_t dim, float* s,
                        std::int64_t col) {
  const std::int64_t pairs = dim / 2;
  __m512 acc[kRows][Blocks];
  #pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r)
    #pragma GCC unroll 8
    for (int b = 0; b < Blocks; ++b) acc[r][b] = _mm512_setzero_ps();
  for (std::int64_t c = 0; c < pairs; ++c) {
    __m512bh k[Blocks];
    #pragma GCC unroll 8
    for (int b = 0; b < Blocks; ++b) k[b] = loadPairs(keys + (b * pairs + c) * 2 * kLanes);
    #pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
      const __m512bh qc = broadcastPair(q[r] + 2 * c);
      #pragma GCC unroll 8
      for (int b = 0; b < Blocks; ++b) acc[r][b] = _mm512_dpbf16_ps(acc[r][b], qc, k[b]);
    }
  }
  #pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r)
    #pragma GCC unroll 8
    for (int b = 0; b < Blocks; ++b)
      _mm512_storeu_ps(s + r * kKeyTile + col + b * kLanes, acc[r][b]);
}

// out[r] = out[r] * rescale[r] + weights[r] . values, `Groups` output vectors at a time, pairs
// of keys at a time. weights: rows of kKeyTile bf16; values: the tile's first key pair, packed
// [keys / 2][dim][2].
template <int Groups>
inline void accumulateValues(const BF16* weights, std::int64_t keys, const BF16* values,
                             std::int64_t dim, float* const* out, const float* rescale) {
  for (std::int64_t u = 0; u < dim; u += Groups * kLanes) {
    __m512 acc[kRows][Groups];
    #pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
      const __m512 factor = _mm512_set1_ps(rescale[r]);
      #pragma GCC unroll 8
      for (int g = 0; g < Groups; ++g)
        acc[r][g] = _mm512_mul_ps(_mm512_loadu_ps(out[r] + u + g * kLanes), factor);
    }
    for (std::int64_t t = 0; t < keys / 2; ++t) {
      __m512bh value[Groups];
      #pragma GCC unroll 8
      for (int g = 0; g < Groups; ++g) value[g] = loadPairs(values + (t * dim + u + g * kLanes) * 2);
      #pragma GCC unroll 8
      for (int r = 0; r < kRows; ++r) {
        const __m512bh weight = broadcastPair(weights + r * kKeyTile + 2 * t);
        #pragma GCC unroll 8
        for (int g = 0; g < Groups; ++g) acc[r][g] = _mm512_dpbf16_ps(acc[r][g], weight, value[g]);
      }
    }
    #pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r)
      #pragma GCC unroll 8
      for (int g = 0; g < Groups; ++g) _mm512_storeu_ps(out[r] + u + g * kLanes, acc[r][g]);
  }
}

#include "sam/tiled_attention_body.inc"
}  // namespace avx512bf16

#pragma GCC pop_options

// --- AMX ------------------------------------------------------------------------------------
namespace amx {

bool cpuHasUnits() {
#if defined(__x86_64__) && defined(__GNUC__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  const bool amxBf16 = (edx >> 22) & 1u, amxTile = (edx >> 24) & 1u;
  return amxBf16 && amxTile;
#else
  return false;
#endif
}

bool available() {
#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__)
  static const bool granted = [] {
    if (!cpuHasUnits() || __builtin_cpu_supports("avx512bf16") == 0) return false;
    // Linux hands out the 8 KB tile state only to processes that ask (5.16 and later); oneDNN
    // asks the same way, and asking twice is harmless.
    constexpr long kArchRequestXcompPermission = 0x1023;
    constexpr long kXfeatureTileData = 18;
    return syscall(SYS_arch_prctl, kArchRequestXcompPermission, kXfeatureTileData) == 0;
  }();
  return granted;
#else
  return false;
#endif
}

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512bf16,avx2,fma,amx-tile,amx-bf16")

namespace {

using Ops = avx512::Ops;
#include "sam/tiled_attention_softmax.inc"

constexpr int kTileRows = 16;

// Palette 1 with every tile 16 rows x 64 bytes: A (16 x 32 bf16), B (16 pairs x 16 columns) and
// C (16 x 16 fp32) all have that shape.
struct alignas(64) TileConfig {
  std::uint8_t palette = 1;
  std::uint8_t startRow = 0;
  std::uint8_t reserved[14] = {};
  std::uint16_t bytesPerRow[16] = {64, 64, 64, 64, 64, 64, 64, 64};
  std::uint8_t rows[16] = {16, 16, 16, 16, 16, 16, 16, 16};
};
static_assert(sizeof(TileConfig) == 64, "ldtilecfg reads 64 bytes");
constexpr TileConfig kTileConfig{};

// GCC's tile intrinsics are asm statements that do not tell the compiler they read or write
// memory; this keeps ordinary loads and stores of the tile buffers on their side of them.
inline void memoryBarrier() { asm volatile("" ::: "memory"); }

// Keys per softmax step, four times the vector kernels' tile: each step costs a few passes per
// query row (maximum, sum, rescale of the outputs) that are not tile instructions.
constexpr std::int64_t kAmxKeyTile = 256;
// Query rows per register block: two A tiles share each B tile, which halves the keys and
// values read from L2 per query row (they do not fit in L1 beside the scores).
constexpr int kStepRows = 2 * kTileRows;
static_assert(kAmxQueryTile % kStepRows == 0, "a job holds whole register blocks");

// Scores of 32 query rows (A tiles from the packed queries) against `keys` (a multiple of 32)
// keys, into s (rows of kAmxKeyTile): C tiles 0-3 = 2 row halves x 2 blocks of 16 keys.
void scoreStep(const BF16* queries, const BF16* keys, std::int64_t dim, std::int64_t count,
               float* s) {
  const std::int64_t blockStride = dim * 16;  // one block of 16 keys: dim / 2 pairs x 32
  const std::int64_t queryBytes = dim * 2, rowBytes = kAmxKeyTile * 4;
  const BF16* lower = queries + kTileRows * dim;
  float* sLower = s + kTileRows * kAmxKeyTile;
  for (std::int64_t k = 0; k < count; k += 32) {
    const BF16* block = keys + k * dim;  // k / 16 blocks in
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (std::int64_t c = 0; c < dim; c += 32) {
      _tile_loadd(4, queries + c, queryBytes);
      _tile_loadd(6, block + c * 16, 64);  // 16 pairs of dimensions x 16 keys x 2
      _tile_dpbf16ps(0, 4, 6);
      _tile_loadd(7, block + blockStride + c * 16, 64);
      _tile_dpbf16ps(1, 4, 7);
      _tile_loadd(5, lower + c, queryBytes);
      _tile_dpbf16ps(2, 5, 6);
      _tile_dpbf16ps(3, 5, 7);
    }
    _tile_stored(0, s + k, rowBytes);
    _tile_stored(1, s + k + 16, rowBytes);
    _tile_stored(2, sLower + k, rowBytes);
    _tile_stored(3, sLower + k + 16, rowBytes);
  }
  memoryBarrier();
}

// out[r] = out[r] * rescale[r] + weights[r] . values for 32 rows; weights: rows of kAmxKeyTile
// bf16, `keys` (a multiple of 32) of them used; values: the tile's first key pair,
// [keys / 2][dim][2]. C tiles 0-3 = 2 row halves x 2 groups of 16 output columns.
void accumulateStep(const BF16* weights, std::int64_t keys, const BF16* values, std::int64_t dim,
                    float* out, const float* rescale) {
  constexpr std::int64_t kWeightBytes = kAmxKeyTile * 2;
  alignas(64) float partial[kStepRows * 32];
  const BF16* lower = weights + kTileRows * kAmxKeyTile;
  memoryBarrier();
  for (std::int64_t u = 0; u < dim; u += 32) {
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (std::int64_t k = 0; k < keys; k += 32) {
      const BF16* rows = values + (k / 2 * dim + u) * 2;  // 16 key pairs, stride dim pairs
      _tile_loadd(4, weights + k, kWeightBytes);
      _tile_loadd(6, rows, dim * 4);
      _tile_dpbf16ps(0, 4, 6);
      _tile_loadd(7, rows + 32, dim * 4);
      _tile_dpbf16ps(1, 4, 7);
      _tile_loadd(5, lower + k, kWeightBytes);
      _tile_dpbf16ps(2, 5, 6);
      _tile_dpbf16ps(3, 5, 7);
    }
    _tile_stored(0, partial, 32 * 4);
    _tile_stored(1, partial + 16, 32 * 4);
    _tile_stored(2, partial + kTileRows * 32, 32 * 4);
    _tile_stored(3, partial + kTileRows * 32 + 16, 32 * 4);
    memoryBarrier();
    for (int r = 0; r < kStepRows; ++r) {
      float* o = out + r * dim + u;
      const __m512 factor = _mm512_set1_ps(rescale[r]);
      for (int g = 0; g < 32; g += 16) {
        const __m512 earlier = _mm512_loadu_ps(o + g);
        _mm512_storeu_ps(o + g,
                         _mm512_fmadd_ps(earlier, factor, _mm512_loadu_ps(partial + r * 32 + g)));
      }
    }
  }
}

}  // namespace

void attendTile(const PairTileJob& job) {
  const std::int64_t dim = job.paddedDim;
  std::fill(job.out, job.out + kAmxQueryTile * dim, 0.0f);
  float maxima[kAmxQueryTile], sums[kAmxQueryTile];
  std::fill(maxima, maxima + kAmxQueryTile, kMaskedScore);
  std::fill(sums, sums + kAmxQueryTile, 0.0f);
  alignas(64) float s[kStepRows * kAmxKeyTile];
  alignas(64) BF16 weights[kStepRows * kAmxKeyTile];

  // Tile configurations belong to the thread: load ours for this job (oneDNN loads its own).
  _tile_loadconfig(&kTileConfig);
  for (std::int64_t first = 0; first < job.paddedTokens; first += kAmxKeyTile) {
    const std::int64_t keys = std::min(kAmxKeyTile, job.paddedTokens - first);
    const std::int64_t valid = std::min(keys, job.tokens - first);
    const BF16* tileKeys = job.keys + first * dim;
    const BF16* tileValues = job.values + first * dim;
    // Rows past the end of a short job score the packed buffer's spare rows; their results go
    // to spare state rows (a job's buffers hold kAmxQueryTile rows) and are never written out.
    for (std::int64_t step = 0; step < job.rows; step += kStepRows) {
      scoreStep(job.queries + step * dim, tileKeys, dim, keys, s);
      float rescale[kStepRows];
      for (int r = 0; r < kStepRows; ++r) {
        const std::int64_t row = std::min(step + r, job.rows - 1);
        BF16* rowWeights = weights + r * kAmxKeyTile;
        rescale[r] = softmaxTileTo(
            s + r * kAmxKeyTile, keys, valid, job.relH + row * job.gridH, job.gridH,
            job.relW + row * job.gridW, job.gridW, job.keyRow + first, job.keyCol + first,
            job.scale, maxima[step + r], sums[step + r],
            [rowWeights](std::int64_t j, __m512 e) { storeRounded(rowWeights + j, e); });
      }
      accumulateStep(weights, keys, tileValues, dim, job.out + step * dim, rescale);
    }
  }
  _tile_release();
  for (std::int64_t row = 0; row < job.rows; ++row) {
    const __m512 inverse = _mm512_set1_ps(1.0f / sums[row]);
    float* o = job.out + row * dim;
    for (std::int64_t u = 0; u < dim; u += 16)
      _mm512_storeu_ps(o + u, _mm512_mul_ps(_mm512_loadu_ps(o + u), inverse));
  }
}

#pragma GCC pop_options

}  // namespace amx

}  // namespace medsa::model::tiled
