#include "sam/tiled_attention.h"

#include <ATen/Parallel.h>
#include <c10/core/CPUAllocator.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "sam/tiled_attention_kernels.h"

namespace medsa::model {
namespace {

using tiled::kQueryTile;

// Key slots packed per task, for every head (packEveryHead): a multiple of every kernel's.
constexpr std::int64_t kPackSlots = 32;

constexpr AttentionIsa kAllIsas[] = {AttentionIsa::Portable, AttentionIsa::Avx2,
                                     AttentionIsa::Avx512, AttentionIsa::Avx512Bf16,
                                     AttentionIsa::Amx};

bool usesPairs(AttentionIsa kernel) {
  return kernel == AttentionIsa::Avx512Bf16 || kernel == AttentionIsa::Amx;
}

void runTile(AttentionIsa kernel, const tiled::TileJob& job) {
  switch (kernel) {
    case AttentionIsa::Avx512:
      return tiled::avx512::attendTile(job);
    case AttentionIsa::Avx2:
      return tiled::avx2::attendTile(job);
    default:
      return tiled::portable::attendTile(job);
  }
}

void runTile(AttentionIsa kernel, const tiled::PairTileJob& job) {
  if (kernel == AttentionIsa::Amx) return tiled::amx::attendTile(job);
  tiled::avx512bf16::attendTile(job);
}

// Keys per vector of the fp32 kernels; tokens and dimensions are padded to it.
std::int64_t lanesFor(AttentionIsa kernel) { return kernel == AttentionIsa::Avx512 ? 16 : 8; }

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
    case AttentionIsa::Amx:
      return tiled::amx::available();
    case AttentionIsa::Avx512Bf16:
      return __builtin_cpu_supports("avx512bf16") != 0 &&
             __builtin_cpu_supports("avx512bw") != 0 && __builtin_cpu_supports("avx512f") != 0;
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
  // Avx512Bf16 only on CPUs without AMX units. On AMD Zen 4 (no AMX; vdpbf16ps does twice the
  // products of an fp32 FMA) it ran the bf16 ViT-B encoder in 3.07 s against 3.53 s on Avx512.
  // On the Intel Xeon measured (AMX units, vdpbf16ps 1.4x an FMA) Avx512 was faster in two
  // rounds of three, so an Intel CPU whose process may not use its tiles keeps Avx512
  // (docs/performance.md). MEDSA_ATTENTION_KERNEL=avx512bf16 still selects it there.
  if (attentionIsaSupported(AttentionIsa::Amx)) return AttentionIsa::Amx;
  if (attentionIsaSupported(AttentionIsa::Avx512Bf16) && !tiled::amx::cpuHasUnits())
    return AttentionIsa::Avx512Bf16;
  for (AttentionIsa isa : {AttentionIsa::Avx512, AttentionIsa::Avx2}) {
    if (attentionIsaSupported(isa)) return isa;
  }
  return AttentionIsa::Portable;
}

std::string_view attentionIsaName(AttentionIsa isa) {
  switch (isa) {
    case AttentionIsa::Amx:
      return "amx";
    case AttentionIsa::Avx512Bf16:
      return "avx512bf16";
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
  for (AttentionIsa isa : kAllIsas) {
    if (attentionIsaName(isa) == name) return isa;
  }
  return std::nullopt;
}

AttentionIsa attentionKernelFor(AttentionIsa isa, bool bf16) {
  return usesPairs(isa) && !bf16 ? AttentionIsa::Avx512 : isa;
}

TiledRelPosAttention::TiledRelPosAttention(const float* k, const float* v, const HeadRows& rows,
                                           std::int64_t heads, std::int64_t h, std::int64_t w,
                                           std::int64_t d, AttentionIsa isa, const float* kPad,
                                           const float* vPad)
    : TiledRelPosAttention(heads, h, w, d, isa, /*bf16=*/false) {
  packEveryHead(KeySource<float>{k, v, rows, kPad, vPad, d});
}

TiledRelPosAttention::TiledRelPosAttention(const c10::BFloat16* k, const c10::BFloat16* v,
                                           const HeadRows& rows, std::int64_t heads, std::int64_t h,
                                           std::int64_t w, std::int64_t d, AttentionIsa isa,
                                           const c10::BFloat16* kPad, const c10::BFloat16* vPad)
    : TiledRelPosAttention(heads, h, w, d, isa, /*bf16=*/true) {
  packEveryHead(KeySource<c10::BFloat16>{k, v, rows, kPad, vPad, d});
}

template <typename T>
const T* TiledRelPosAttention::KeySource<T>::row(const T* from, const T* pad, std::int64_t head,
                                                 std::int64_t token) const {
  if (rows.inside(head, token)) return from + rows.offset(head, token);
  return pad ? pad + (head % rows.perItem) * d : nullptr;
}

TiledRelPosAttention::TiledRelPosAttention(std::int64_t heads, std::int64_t h, std::int64_t w,
                                           std::int64_t d, AttentionIsa requested, bool bf16)
    : heads_(heads), h_(h), w_(w), d_(d), tokens_(h * w) {
  if (!attentionIsaSupported(requested)) {
    throw std::invalid_argument("this CPU cannot run the " +
                                std::string(attentionIsaName(requested)) + " attention kernel");
  }
  isa_ = attentionKernelFor(requested, bf16);
  const std::int64_t multiple = usesPairs(isa_) ? tiled::kPairMultiple : lanesFor(isa_);
  // The fp32 kernels take each grid row's keys padded to whole vectors (a 14 x 14 window's rows
  // to 16 keys): the 8 or 16 keys of a vector then share one grid row, so the bias is one relH
  // value and consecutive relW values instead of two gathers per vector, and the padding keys
  // are masked by the relW rows' padding (attendTile). 14 % more keys for a window, 5-9 % less
  // time per windowed block in a ViT-B encode. Grids whose rows are whole vectors (64 x 64) are
  // laid out as before.
  keysPerRow_ = usesPairs(isa_) ? w_ : roundUp(w_, multiple);
  paddedTokens_ = roundUp(h_ * keysPerRow_, multiple);
  paddedDim_ = roundUp(d_, multiple);
  keyRow_.assign(static_cast<std::size_t>(paddedTokens_), 0);
  keyCol_.assign(static_cast<std::size_t>(paddedTokens_), 0);
  for (std::int64_t j = 0; j < h_ * keysPerRow_; ++j) {
    keyRow_[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(j / keysPerRow_);
    keyCol_[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(j % keysPerRow_);
  }
}

template <typename T>
void TiledRelPosAttention::packEveryHead(const KeySource<T>& source) {
  const auto packAs = [&](auto zero) {
    using Element = decltype(zero);
    const std::int64_t perHead = paddedTokens_ * paddedDim_;
    const auto bytes = static_cast<std::size_t>(heads_ * perHead) * sizeof(Element);
    keys_ = c10::GetCPUAllocator()->allocate(bytes);
    values_ = c10::GetCPUAllocator()->allocate(bytes);
    auto* keys = static_cast<Element*>(keys_.get());
    auto* values = static_cast<Element*>(values_.get());
    // Token by token, every head: a head's values of a token lie a whole qkv row (ViT-B:
    // 4.6 KB) from its next token's, and packing a head at a time waited on memory for each of
    // them (the bf16 pack took 110 ms of a 2.9 s encode on AMD Zen 4). Across the heads a
    // token's keys and values are read in the order they lie.
    const std::int64_t chunks = (paddedTokens_ + kPackSlots - 1) / kPackSlots;
    at::parallel_for(0, chunks, 1, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t chunk = begin; chunk < end; ++chunk) {
        const std::int64_t first = chunk * kPackSlots;
        const std::int64_t last = std::min(first + kPackSlots, paddedTokens_);
        packSlots(source, keys, values, first, last);
      }
    });
  };
  if constexpr (std::is_same_v<T, c10::BFloat16>) {
    if (usesPairs(isa_)) return packAs(c10::BFloat16(0.0f));
  }
  packAs(0.0f);
}

template <typename T>
void TiledRelPosAttention::packSlots(const KeySource<T>& source, float* keys, float* values,
                                     std::int64_t first, std::int64_t last) const {
  // Every element is written once, the padding (keys past a grid row's end or the last row,
  // dimensions past d) as zeros, instead of a fill of the whole buffer before the copy.
  const std::int64_t lanes = lanesFor(isa_), perHead = paddedTokens_ * paddedDim_;
  for (std::int64_t slot = first; slot < last; ++slot) {
    const std::int64_t row = slot / keysPerRow_, col = slot % keysPerRow_;
    const bool real = row < h_ && col < w_;
    for (std::int64_t head = 0; head < heads_; ++head) {
      const T* kRow = real ? source.row(source.k, source.kPad, head, row * w_ + col) : nullptr;
      const T* vRow = real ? source.row(source.v, source.vPad, head, row * w_ + col) : nullptr;
      // Keys as [block of `lanes` keys][dim][lane]: one vector load per dim and block.
      float* kBlock = keys + head * perHead + (slot / lanes) * paddedDim_ * lanes + slot % lanes;
      float* vSlot = values + head * perHead + slot * paddedDim_;
      for (std::int64_t c = 0; c < paddedDim_; ++c) {
        kBlock[c * lanes] = kRow && c < d_ ? widen(kRow[c]) : 0.0f;
        vSlot[c] = vRow && c < d_ ? widen(vRow[c]) : 0.0f;
      }
    }
  }
}

void TiledRelPosAttention::packSlots(const KeySource<c10::BFloat16>& source, c10::BFloat16* keys,
                                     c10::BFloat16* values, std::int64_t first,
                                     std::int64_t last) const {
  // Both layouts move 32-bit words: a key's pair of dimensions (2c, 2c + 1) is one word of its
  // row, and a value word holds one dimension of two consecutive keys. Tokens past the grid
  // and dimensions past d are zeros.
  const std::int64_t pairs = paddedDim_ / 2, perHead = paddedTokens_ * paddedDim_;
  std::vector<std::uint32_t> keyWords(static_cast<std::size_t>(2 * pairs));
  std::vector<std::uint16_t> valueBits(static_cast<std::size_t>(2 * paddedDim_));
  const auto copyRow = [&](const c10::BFloat16* from, void* to) {
    std::memset(to, 0, sizeof(c10::BFloat16) * paddedDim_);
    if (from) std::memcpy(to, from, sizeof(c10::BFloat16) * d_);
  };
  for (std::int64_t slot = first; slot < last; slot += 2) {
    for (std::int64_t head = 0; head < heads_; ++head) {
      for (std::int64_t i = 0; i < 2; ++i) {
        const bool real = slot + i < tokens_;
        copyRow(real ? source.row(source.k, source.kPad, head, slot + i) : nullptr,
                keyWords.data() + i * pairs);
        copyRow(real ? source.row(source.v, source.vPad, head, slot + i) : nullptr,
                valueBits.data() + i * paddedDim_);
      }
      // Keys as [block of 16][dim / 2][16][2]: word c of key j at (j / 16, c, j % 16).
      auto* kBlock =
          reinterpret_cast<std::uint32_t*>(keys + head * perHead + (slot / 16) * paddedDim_ * 16);
      for (std::int64_t c = 0; c < pairs; ++c) {
        kBlock[c * 16 + slot % 16] = keyWords[static_cast<std::size_t>(c)];
        kBlock[c * 16 + slot % 16 + 1] = keyWords[static_cast<std::size_t>(pairs + c)];
      }
      // Values as [key / 2][dim][2]: dimension c of keys slot and slot + 1 as one word.
      auto* vPair = reinterpret_cast<std::uint32_t*>(values + head * perHead + slot * paddedDim_);
      for (std::int64_t c = 0; c < paddedDim_; ++c)
        vPair[c] = static_cast<std::uint32_t>(valueBits[static_cast<std::size_t>(c)]) |
                   static_cast<std::uint32_t>(valueBits[static_cast<std::size_t>(paddedDim_ + c)])
                       << 16;
    }
  }
}

void TiledRelPosAttention::attend(const float* q, const HeadRows& qRows, const float* relH,
                                  const float* relW, float scale, float* out,
                                  const HeadRows& outRows, std::int64_t first,
                                  std::int64_t count) const {
  attendRows(q, qRows, relH, relW, scale, out, outRows, first, count);
}

void TiledRelPosAttention::attend(const c10::BFloat16* q, const HeadRows& qRows, const float* relH,
                                  const float* relW, float scale, c10::BFloat16* out,
                                  const HeadRows& outRows, std::int64_t first,
                                  std::int64_t count) const {
  attendRows(q, qRows, relH, relW, scale, out, outRows, first, count);
}

template <typename T>
void TiledRelPosAttention::attendRows(const T* q, const HeadRows& qRows, const float* relH,
                                      const float* relW, float scale, T* out,
                                      const HeadRows& outRows, std::int64_t first,
                                      std::int64_t count) const {
  if (count <= 0) return;
  if (usesPairs(isa_)) {
    attendRowsOn(static_cast<const c10::BFloat16*>(keys_.get()),
                 static_cast<const c10::BFloat16*>(values_.get()), q, qRows, relH, relW, scale, out,
                 outRows, first, count);
  } else {
    attendRowsOn(static_cast<const float*>(keys_.get()), static_cast<const float*>(values_.get()),
                 q, qRows, relH, relW, scale, out, outRows, first, count);
  }
}

std::int64_t TiledRelPosAttention::queryTile() const {
  return isa_ == AttentionIsa::Amx ? tiled::amx::kAmxQueryTile : tiled::kQueryTile;
}

// What one thread's jobs reuse: the query tile (widened to the kernel's element type), the
// normalised outputs, and the tile's relH and relW rows where they are gathered (query rows
// that skip a window's padding) or relW's are padded (grid rows packed wider than w).
template <typename Element>
struct TiledRelPosAttention::Scratch {
  std::vector<Element> queries;
  std::vector<float> result, relH, paddedRelW;
  explicit Scratch(const TiledRelPosAttention& layout)
      : queries(static_cast<std::size_t>(layout.queryTile() * layout.paddedDim_), Element(0)),
        result(static_cast<std::size_t>(layout.queryTile() * layout.paddedDim_)),
        relH(static_cast<std::size_t>(layout.queryTile() * layout.h_)),
        paddedRelW(static_cast<std::size_t>(layout.queryTile() * layout.keysPerRow_),
                   tiled::kMaskedScore) {}
};

// Element: what the kernel reads (fp32, or bf16 for the dot-product kernels); T: the caller's
// queries and outputs. bf16 queries are widened for the fp32 kernels as the keys were.
template <typename Element, typename T>
void TiledRelPosAttention::attendRowsOn(const Element* keys, const Element* values, const T* q,
                                        const HeadRows& qRows, const float* relH, const float* relW,
                                        float scale, T* out, const HeadRows& outRows,
                                        std::int64_t first, std::int64_t count) const {
  // The query tokens of each window of an image ([first, first + count) less its padding; all
  // of them without windows), then jobs of up to a query tile of them per head.
  std::vector<std::vector<std::int64_t>> tokensOf(
      static_cast<std::size_t>(qRows.windowsPerImage()));
  for (std::size_t n = 0; n < tokensOf.size(); ++n) {
    for (std::int64_t t = first; t < first + count; ++t)
      if (qRows.inside(static_cast<std::int64_t>(n) * qRows.perItem, t)) tokensOf[n].push_back(t);
  }
  struct Job {
    std::int64_t head;
    const std::int64_t* tokens;
    std::int64_t rows;
  };
  std::vector<Job> jobs;
  std::int64_t allRows = 0;
  for (std::int64_t head = 0; head < heads_; ++head) {
    const std::vector<std::int64_t>& tokens =
        tokensOf[static_cast<std::size_t>((head / qRows.perItem) % qRows.windowsPerImage())];
    const auto size = static_cast<std::int64_t>(tokens.size());
    for (std::int64_t begin = 0; begin < size; begin += queryTile()) {
      jobs.push_back({head, tokens.data() + begin, std::min(queryTile(), size - begin)});
      allRows += jobs.back().rows;
    }
  }
  // Consecutive jobs per thread (a head's keys stay in its cache), as many query rows each:
  // windows cut by the grid's edge have fewer rows, and an even split of the jobs left one
  // thread waiting for the other.
  const auto threads = static_cast<std::int64_t>(at::get_num_threads());
  std::vector<std::size_t> startOf(static_cast<std::size_t>(threads) + 1, jobs.size());
  startOf[0] = 0;
  std::int64_t rowsBefore = 0, thread = 1;
  for (std::size_t j = 0; j < jobs.size() && thread < threads; ++j) {
    if (rowsBefore * threads >= thread * allRows) startOf[static_cast<std::size_t>(thread++)] = j;
    rowsBefore += jobs[j].rows;
  }
  for (; thread < threads; ++thread) startOf[static_cast<std::size_t>(thread)] = jobs.size();
  const std::int64_t perHead = paddedTokens_ * paddedDim_;
  at::parallel_for(0, threads, 1, [&](std::int64_t begin, std::int64_t end) {
    Scratch<Element> scratch(*this);
    for (std::size_t j = startOf[static_cast<std::size_t>(begin)];
         j < startOf[static_cast<std::size_t>(end)]; ++j) {
      const Job& job = jobs[j];
      attendTile(keys + job.head * perHead, values + job.head * perHead, q, qRows, relH, relW,
                 scale, out, outRows, job.head, job.tokens, job.rows, scratch);
    }
  });
}

template <typename Element, typename T>
void TiledRelPosAttention::attendTile(const Element* keys, const Element* values, const T* q,
                                      const HeadRows& qRows, const float* relH, const float* relW,
                                      float scale, T* out, const HeadRows& outRows,
                                      std::int64_t head, const std::int64_t* tokens,
                                      std::int64_t rows, Scratch<Element>& scratch) const {
  for (std::int64_t r = 0; r < rows; ++r) {
    const T* source = q + qRows.offset(head, tokens[r]);
    std::copy(source, source + d_, scratch.queries.data() + r * paddedDim_);  // widens bf16
  }
  // The rows' bias terms in place where the rows are consecutive tokens, else gathered.
  const bool consecutive = tokens[rows - 1] - tokens[0] == rows - 1;
  const std::int64_t token0 = head * tokens_ + tokens[0];
  const float* tileRelH = relH + token0 * h_;
  const float* tileRelW = relW + token0 * w_;
  if (!consecutive) {
    for (std::int64_t r = 0; r < rows; ++r) {
      const float* from = relH + (head * tokens_ + tokens[r]) * h_;
      std::copy(from, from + h_, scratch.relH.data() + r * h_);
    }
    tileRelH = scratch.relH.data();
  }
  if (!consecutive || rowsPadded()) {
    // Row r's padding past w keeps kMaskedScore from the scratch's construction.
    for (std::int64_t r = 0; r < rows; ++r) {
      const float* from = relW + (head * tokens_ + tokens[r]) * w_;
      std::copy(from, from + w_, scratch.paddedRelW.data() + r * keysPerRow_);
    }
    tileRelW = scratch.paddedRelW.data();
  }
  const tiled::TileJobOf<Element> tile{scratch.queries.data(),
                                       keys,
                                       values,
                                       tileRelH,
                                       tileRelW,
                                       keyRow_.data(),
                                       keyCol_.data(),
                                       rows,
                                       rowsPadded() ? paddedTokens_ : tokens_,
                                       paddedTokens_,
                                       paddedDim_,
                                       h_,
                                       keysPerRow_,
                                       scale,
                                       scratch.result.data()};
  runTile(isa_, tile);
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* source = scratch.result.data() + r * paddedDim_;
    T* target = out + outRows.offset(head, tokens[r]);
    for (std::int64_t c = 0; c < d_; ++c) narrow(source[c], target[c]);
  }
}

}  // namespace medsa::model
