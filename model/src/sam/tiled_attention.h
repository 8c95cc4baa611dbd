#pragma once
// SAM's relative-position attention for inference on the CPU as one fused pass, the tiling of
// flash-attention kernels with a relative-position bias, written for CPU vector units:
//   softmax(scale * q k^T + relH[query, key row] + relW[query, key col]) v
// Each job takes 48 query rows of one head through the keys 64 at a time (vdpbf16ps: 512 keys;
// AMX: 64 rows, 256 keys); the scores of a few query rows against one key tile (at most 32 x 256
// floats, on the stack) are the largest score array that ever exists. The bias is read per tile
// from relH and relW (never expanded to a [tokens x tokens] tensor), the softmax runs online in
// fp32 (running maximum and sum per query row, earlier partial sums rescaled), and P.V is
// accumulated in fp32.
//
// One algorithm (tiled_attention_body.inc) is compiled once per instruction set and chosen at
// run time: AVX-512F (16 lanes), AVX2 + FMA (8 lanes) and a portable build (8-lane arrays the
// compiler vectorises for the baseline CPU). On those, bf16 inputs are widened to fp32 when K
// and V are packed and when a query tile is loaded. CPUs with bf16 dot products run bf16 inputs
// on them (tiled_attention_bf16.cpp): AVX512_BF16's vdpbf16ps or AMX tiles, with the softmax
// and the sums still in fp32; fp32 inputs take the AVX-512F kernel there. bf16 outputs are
// rounded from fp32.

#include <c10/core/Allocator.h>
#include <c10/util/BFloat16.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace medsa::model {

/// The kernels, narrowest first. Avx512Bf16 and Amx differ from Avx512 only for bf16 inputs.
enum class AttentionIsa { Portable, Avx2, Avx512, Avx512Bf16, Amx };

bool attentionIsaSupported(AttentionIsa isa);
/// The fastest kernel measured for this CPU's instruction sets: Amx, else Avx512Bf16 where the
/// CPU has no AMX units (AMD Zen 4), else Avx512, Avx2, Portable.
AttentionIsa bestAttentionIsa();
std::string_view attentionIsaName(AttentionIsa isa);
std::optional<AttentionIsa> attentionIsaFromName(std::string_view name);
/// The kernel that `isa` runs for fp32 or bf16 inputs (fp32 never uses bf16 dot products).
AttentionIsa attentionKernelFor(AttentionIsa isa, bool bf16);

/// Where a head's token rows lie in a buffer, in elements: the d values of token t of head i
/// start at (i / perItem) * item + (i % perItem) * head + t * token and are contiguous. Heads
/// may thus be read from, and written to, slices of a wider tensor (a qkv linear's output
/// [items, tokens, 3, perItem, d], an output [items, tokens, perItem, d]) with no copy.
struct HeadRows {
  std::int64_t perItem, item, head, token;
  /// [heads, tokens, d], contiguous.
  static HeadRows contiguous(std::int64_t heads, std::int64_t tokens, std::int64_t d) {
    return {heads, heads * tokens * d, tokens * d, d};
  }
  std::int64_t offset(std::int64_t i, std::int64_t t) const {
    return (i / perItem) * item + (i % perItem) * head + t * token;
  }
};

/// Keys and values of `heads` attention heads over an h x w token grid, packed once for the
/// kernel of `isa` (which the CPU must support), then attended by query ranges.
class TiledRelPosAttention {
 public:
  /// k and v laid out as `rows` says ([heads, h*w, d] contiguous: HeadRows::contiguous).
  TiledRelPosAttention(const float* k, const float* v, const HeadRows& rows, std::int64_t heads,
                       std::int64_t h, std::int64_t w, std::int64_t d, AttentionIsa isa);
  TiledRelPosAttention(const c10::BFloat16* k, const c10::BFloat16* v, const HeadRows& rows,
                       std::int64_t heads, std::int64_t h, std::int64_t w, std::int64_t d,
                       AttentionIsa isa);

  /// Rows [first, first + count) of every head; q (unscaled) and out laid out as qRows and
  /// outRows say. relH: [heads, h*w, h], relW: [heads, h*w, w], fp32, contiguous.
  void attend(const float* q, const HeadRows& qRows, const float* relH, const float* relW,
              float scale, float* out, const HeadRows& outRows, std::int64_t first,
              std::int64_t count) const;
  void attend(const c10::BFloat16* q, const HeadRows& qRows, const float* relH, const float* relW,
              float scale, c10::BFloat16* out, const HeadRows& outRows, std::int64_t first,
              std::int64_t count) const;

 private:
  template <typename Element>
  struct Scratch;
  /// The layout only: nothing packed yet.
  TiledRelPosAttention(std::int64_t heads, std::int64_t h, std::int64_t w, std::int64_t d,
                       AttentionIsa requested, bool bf16);
  template <typename T>
  void packEveryHead(const T* k, const T* v, const HeadRows& rows);
  /// Key slots [first, last) of every head (first even) in the fp32 kernels' layout, or in the
  /// dot-product kernels'.
  template <typename T>
  void packSlots(const T* k, const T* v, const HeadRows& rows, float* keys, float* values,
                 std::int64_t first, std::int64_t last) const;
  void packSlots(const c10::BFloat16* k, const c10::BFloat16* v, const HeadRows& rows,
                 c10::BFloat16* keys, c10::BFloat16* values, std::int64_t first,
                 std::int64_t last) const;
  std::int64_t queryTile() const;
  /// Whether grid rows are packed wider than w (their padding keys masked through relW).
  bool rowsPadded() const { return keysPerRow_ != w_; }
  template <typename T>
  void attendRows(const T* q, const HeadRows& qRows, const float* relH, const float* relW,
                  float scale, T* out, const HeadRows& outRows, std::int64_t first,
                  std::int64_t count) const;
  template <typename Element, typename T>
  void attendRowsOn(const Element* keys, const Element* values, const T* q, const HeadRows& qRows,
                    const float* relH, const float* relW, float scale, T* out,
                    const HeadRows& outRows, std::int64_t first, std::int64_t count) const;
  template <typename Element, typename T>
  void attendTile(const Element* keys, const Element* values, const T* q, const HeadRows& qRows,
                  const float* relH, const float* relW, float scale, T* out,
                  const HeadRows& outRows, std::int64_t head, std::int64_t row0, std::int64_t rows,
                  Scratch<Element>& scratch) const;

  AttentionIsa isa_;  // the kernel run: attentionKernelFor(the isa asked for, element type)
  std::int64_t heads_, h_, w_, d_, tokens_;
  std::int64_t keysPerRow_;  // packed keys per grid row: w, or w padded to whole vectors
  std::int64_t paddedTokens_, paddedDim_;
  // Every head's keys and values, packed up front in the layouts of tiled_attention_kernels.h:
  // fp32, or bf16 pairs for the dot-product kernels. From the CPU allocator, whose buffers an
  // encode reuses (buffer_reuse.h): a std::vector faulted in 25 MB anew per global block.
  c10::DataPtr keys_, values_;
  std::vector<std::int32_t> keyRow_, keyCol_;  // grid row and column of each (padded) key
};

}  // namespace medsa::model
