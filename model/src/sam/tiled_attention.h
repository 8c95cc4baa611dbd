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

#include <algorithm>
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
///
/// With windows (HeadRows::windows), the items are the window x window windows that tile each
/// image's gridH x gridW grid, row by row, and token t of a window is its (t / window, t % window)
/// token: the windows are read from, and written to, the grid itself, with no partition or merge
/// copy. A window that reaches past the grid's last row or column holds padding tokens there
/// (inside() is false): the attention takes their keys from a padding row and neither computes
/// nor writes their queries.
struct HeadRows {
  std::int64_t perItem, item, head, token;
  std::int64_t window = 0;  ///< windows' side; 0: the plain layout above
  std::int64_t gridH = 0, gridW = 0, windowRows = 0, windowCols = 0;

  /// [heads, tokens, d], contiguous.
  static HeadRows contiguous(std::int64_t heads, std::int64_t tokens, std::int64_t d) {
    return {heads, heads * tokens * d, tokens * d, d};
  }
  /// Windows of side `window` over images of gridH x gridW tokens laid out row by row, `token`
  /// apart, an image `image` apart; head i of a window at (i % perItem) * head.
  static HeadRows windows(std::int64_t perItem, std::int64_t image, std::int64_t head,
                          std::int64_t token, std::int64_t window, std::int64_t gridH,
                          std::int64_t gridW) {
    return {perItem,
            image,
            head,
            token,
            window,
            gridH,
            gridW,
            (gridH + window - 1) / window,
            (gridW + window - 1) / window};
  }
  /// The windows of one image (items of the plain layout: 1).
  std::int64_t windowsPerImage() const { return window > 0 ? windowRows * windowCols : 1; }

  /// Token t of head i's window in its image's grid, as (row, column): past the grid for
  /// padding tokens.
  struct GridPlace {
    std::int64_t image, row, col;
  };
  GridPlace place(std::int64_t i, std::int64_t t) const {
    const std::int64_t n = i / perItem, perImage = windowRows * windowCols;
    const std::int64_t inImage = n % perImage;
    return {n / perImage, (inImage / windowCols) * window + t / window,
            (inImage % windowCols) * window + t % window};
  }
  /// Whether token t of head i is a token of the grid (always, without windows).
  bool inside(std::int64_t i, std::int64_t t) const {
    if (window == 0) return true;
    const GridPlace at = place(i, t);
    return at.row < gridH && at.col < gridW;
  }
  /// Where token t of head i starts. A padding token's offset is its nearest grid token's, so
  /// that any offset this returns can be read; what is read there means nothing for it.
  std::int64_t offset(std::int64_t i, std::int64_t t) const {
    if (window == 0) return (i / perItem) * item + (i % perItem) * head + t * token;
    const GridPlace at = place(i, t);
    return at.image * item + (i % perItem) * head +
           (std::min(at.row, gridH - 1) * gridW + std::min(at.col, gridW - 1)) * token;
  }
};

/// Keys and values of `heads` attention heads over an h x w token grid, packed once for the
/// kernel of `isa` (which the CPU must support), then attended by query ranges.
class TiledRelPosAttention {
 public:
  /// k and v laid out as `rows` says ([heads, h*w, d] contiguous: HeadRows::contiguous). With
  /// windows, the padding tokens' key and value are kPad and vPad (head i's d values at
  /// (i % rows.perItem) * d; null: zeros), as a linear's output is its bias for a zero token.
  TiledRelPosAttention(const float* k, const float* v, const HeadRows& rows, std::int64_t heads,
                       std::int64_t h, std::int64_t w, std::int64_t d, AttentionIsa isa,
                       const float* kPad = nullptr, const float* vPad = nullptr);
  TiledRelPosAttention(const c10::BFloat16* k, const c10::BFloat16* v, const HeadRows& rows,
                       std::int64_t heads, std::int64_t h, std::int64_t w, std::int64_t d,
                       AttentionIsa isa, const c10::BFloat16* kPad = nullptr,
                       const c10::BFloat16* vPad = nullptr);

  /// Rows [first, first + count) of every head; q (unscaled) and out laid out as qRows and
  /// outRows say. relH: [heads, h*w, h], relW: [heads, h*w, w], fp32, contiguous. Where qRows
  /// has windows, their padding tokens are skipped (outRows must have the same windows).
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
  /// Where k and v are read: their layout and the padding tokens' rows.
  template <typename T>
  struct KeySource {
    const T *k, *v;
    HeadRows rows;
    const T *kPad, *vPad;
    std::int64_t d;
    /// Head `head`'s row of `token` in `from` (k or v), else its padding row in `pad` (kPad or
    /// vPad), or null for zeros.
    const T* row(const T* from, const T* pad, std::int64_t head, std::int64_t token) const;
  };
  template <typename T>
  void packEveryHead(const KeySource<T>& source);
  /// Key slots [first, last) of every head (first even) in the fp32 kernels' layout, or in the
  /// dot-product kernels'.
  template <typename T>
  void packSlots(const KeySource<T>& source, float* keys, float* values, std::int64_t first,
                 std::int64_t last) const;
  void packSlots(const KeySource<c10::BFloat16>& source, c10::BFloat16* keys, c10::BFloat16* values,
                 std::int64_t first, std::int64_t last) const;
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
  /// Query rows `tokens[0, rows)` of `head` (ascending) against its packed keys and values.
  template <typename Element, typename T>
  void attendTile(const Element* keys, const Element* values, const T* q, const HeadRows& qRows,
                  const float* relH, const float* relW, float scale, T* out,
                  const HeadRows& outRows, std::int64_t head, const std::int64_t* tokens,
                  std::int64_t rows, Scratch<Element>& scratch) const;

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
