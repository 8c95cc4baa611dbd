#pragma once
// SAM's relative-position attention for inference on the CPU as one fused pass, the tiling of
// flash-attention kernels with a relative-position bias, written for CPU vector units:
//   softmax(scale * q k^T + relH[query, key row] + relW[query, key col]) v
// Each job takes 48 query rows of one head through the keys 64 at a time; the scores of a few
// query rows against one key tile (at most 6 x 64 floats, on the stack) are the largest score
// array that ever exists. The bias is gathered per tile from relH and relW (never expanded to a
// [tokens x tokens] tensor), the softmax runs online in fp32 (running maximum and sum per query
// row, earlier partial sums rescaled), and P.V is accumulated in fp32.
//
// One algorithm (tiled_attention_body.inc) is compiled once per instruction set and chosen at
// run time: AVX-512F (16 lanes), AVX2 + FMA (8 lanes) and a portable build (8-lane arrays the
// compiler vectorises for the baseline CPU). bf16 inputs are widened to fp32 when K and V are
// packed and when a query tile is loaded; the output is rounded back to bf16.

#include <c10/util/BFloat16.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace medsa::model {

enum class AttentionIsa { Portable, Avx2, Avx512 };

bool attentionIsaSupported(AttentionIsa isa);
/// The widest instruction set this CPU has.
AttentionIsa bestAttentionIsa();
std::string_view attentionIsaName(AttentionIsa isa);
std::optional<AttentionIsa> attentionIsaFromName(std::string_view name);

/// Keys and values of `heads` attention heads over an h x w token grid, packed once for the
/// kernel of `isa` (which the CPU must support), then attended by query ranges.
class TiledRelPosAttention {
 public:
  /// k, v: [heads, h*w, d], contiguous.
  TiledRelPosAttention(const float* k, const float* v, std::int64_t heads, std::int64_t h,
                       std::int64_t w, std::int64_t d, AttentionIsa isa);
  TiledRelPosAttention(const c10::BFloat16* k, const c10::BFloat16* v, std::int64_t heads,
                       std::int64_t h, std::int64_t w, std::int64_t d, AttentionIsa isa);

  /// Rows [first, first + count) of every head. q, out: [heads, h*w, d] (q unscaled);
  /// relH: [heads, h*w, h], relW: [heads, h*w, w], fp32, contiguous.
  void attend(const float* q, const float* relH, const float* relW, float scale, float* out,
              std::int64_t first, std::int64_t count) const;
  void attend(const c10::BFloat16* q, const float* relH, const float* relW, float scale,
              c10::BFloat16* out, std::int64_t first, std::int64_t count) const;

 private:
  template <typename T>
  void pack(const T* k, const T* v);
  template <typename T>
  void attendRows(const T* q, const float* relH, const float* relW, float scale, T* out,
                  std::int64_t first, std::int64_t count) const;

  AttentionIsa isa_;
  std::int64_t heads_, h_, w_, d_, tokens_;
  std::int64_t lanes_, paddedTokens_, paddedDim_;
  std::vector<float> keys_;                    // per head: [paddedTokens / lanes][paddedDim][lanes]
  std::vector<float> values_;                  // per head: [paddedTokens][paddedDim]
  std::vector<std::int32_t> keyRow_, keyCol_;  // grid row and column of each (padded) key
};

}  // namespace medsa::model
