#pragma once
// What the tiled attention's kernels share (tiled_attention.h is the interface): the tile sizes,
// the job a kernel takes, the memory layouts it reads, and one entry point per instruction set.
// The fp32 kernels are in tiled_attention_fp32.cpp, the bf16 dot-product kernels in
// tiled_attention_bf16.cpp, each compiled for its instruction set with #pragma GCC target.

#include <c10/util/BFloat16.h>

#include <cstdint>

namespace medsa::model::tiled {

constexpr std::int64_t kQueryTile = 48;  // query rows per job: one pass over K and V for all
// Keys per softmax step of the portable and AVX2 fp32 kernels; a tile's K and V stay in L1/L2.
// The AVX-512 (256) and vdpbf16ps (512) kernels declare their own in their namespaces, which
// tiled_attention_body.inc then uses.
constexpr std::int64_t kKeyTile = 64;
constexpr float kMaskedScore = -1e30f;   // padding keys; e^(x - max) of it is 0 (or < 1e-37)

/// One job: kQueryTile (kAmxQueryTile on AMX) or fewer (`rows`) query rows of one head against
/// all its keys.
/// Element is float for the fp32 kernels and bf16 for the dot-product kernels. Layouts, with
/// L the kernel's key lanes (8 or 16):
///   fp32: queries [rows][paddedDim]; keys [paddedTokens / L][paddedDim][L];
///         values [paddedTokens][paddedDim]
///   bf16: queries [query tile][paddedDim] (spare rows read, never written out); keys [paddedTokens / 16][paddedDim / 2][16][2] (pairs of
///         dimensions, as vdpbf16ps and AMX's B tiles take them);
///         values [paddedTokens / 2][paddedDim][2] (pairs of keys)
/// In both, key tile `first` starts at keys + first * paddedDim and values + first * paddedDim.
/// keyRow and keyCol give each packed key's grid row and column, indices into a query row's
/// relH (gridH values) and relW (gridW values). The fp32 kernels' keys come row by row with each
/// grid row padded to gridW slots, a whole number of vectors; relW's extra columns hold
/// kMaskedScore, which masks the padding keys. Keys from `tokens` on are masked too.
template <typename Element>
struct TileJobOf {
  const Element* queries;
  const Element* keys;    // the head's packed keys
  const Element* values;  // the head's packed values
  const float* relH;      // [rows][gridH]
  const float* relW;      // [rows][gridW]
  const std::int32_t* keyRow;
  const std::int32_t* keyCol;
  std::int64_t rows, tokens, paddedTokens, paddedDim, gridH, gridW;
  float scale;
  float* out;  // [query tile][paddedDim]: written as the normalised output of each row
};
using TileJob = TileJobOf<float>;
using PairTileJob = TileJobOf<c10::BFloat16>;

// fp32 kernels; their key lanes are 8, 8 and 16.
namespace portable {
void attendTile(const TileJob& job);
}
namespace avx2 {
void attendTile(const TileJob& job);
}
namespace avx512 {
void attendTile(const TileJob& job);
}

// bf16 kernels: 16 key lanes; tokens and dimensions padded to multiples of 32.
constexpr std::int64_t kPairMultiple = 32;
namespace avx512bf16 {
void attendTile(const PairTileJob& job);
}
namespace amx {
/// Query rows per job: two register blocks of 32 rows.
constexpr std::int64_t kAmxQueryTile = 64;
/// Whether the CPU has AMX bf16 tiles, whether or not this process may use them.
bool cpuHasUnits();
/// Asks Linux for the AMX tile state (once per process); false where the CPU or kernel lacks it.
bool available();
void attendTile(const PairTileJob& job);
}  // namespace amx

}  // namespace medsa::model::tiled
