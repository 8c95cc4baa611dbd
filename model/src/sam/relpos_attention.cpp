#include "sam/relpos_attention.h"

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <iostream>
#include <string_view>

#include "sam/biased_softmax_kernel.h"
#include "sam/encoder_progress.h"
#include "sam/relpos_bias.h"
#include "sam/tiled_attention.h"
#include "sam/vector_isa.h"
#include "torch_compat.h"

namespace medsa::model {
namespace {

// Scores of one chunk stay around this size: large enough for efficient matmuls, small enough
// to keep peak memory low and the softmax close to cache.
constexpr int64_t kChunkBytes = int64_t(32) << 20;

int64_t rowsPerChunk(int64_t bh, int64_t h, int64_t w, int64_t elementSize) {
  const int64_t bytesPerRow = bh * w * h * w * elementSize;
  return std::clamp<int64_t>(kChunkBytes / std::max<int64_t>(bytesPerRow, 1), 1, h);
}

bool tiledKernelRuns(const torch::Tensor& q) {
  const torch::ScalarType type = q.scalar_type();
  return q.device().is_cpu() && (type == torch::kFloat || type == torch::kBFloat16);
}

// MEDSA_ATTENTION_KERNEL, read once: "chunked" (the kernel before the tiled one), an instruction
// set for the tiled kernel, or unset (bestAttentionIsa).
struct KernelChoice {
  bool chunked = false;
  AttentionIsa isa = bestAttentionIsa();
};

const KernelChoice& kernelChoice() {
  static const KernelChoice choice = [] {
    KernelChoice chosen;
    const char* variable = std::getenv("MEDSA_ATTENTION_KERNEL");
    if (variable == nullptr || *variable == 0) return chosen;
    const std::string_view name(variable);
    const std::optional<AttentionIsa> isa = attentionIsaFromName(name);
    if (name == "chunked") {
      chosen.chunked = true;
    } else if (isa && attentionIsaSupported(*isa)) {
      chosen.isa = *isa;
    } else {
      std::cerr << "MEDSA_ATTENTION_KERNEL=" << name
                << " is not chunked, portable, avx2, avx512, avx512bf16 or amx as this CPU runs "
                   "them; using "
                << attentionIsaName(chosen.isa) << "\n";
    }
    return chosen;
  }();
  return choice;
}

// [items, heads, tokens, d] with the last stride 1, as the kernel addresses heads.
HeadRows headRowsOf(const torch::Tensor& t) {
  return {t.size(1), t.stride(0), t.stride(1), t.stride(2)};
}

// q, k, v, out: [items, heads, h*w, d] views, last stride 1, one element type (fp32 or bf16).
// Query rows in chunks of grid rows, so that a stop request is honoured within a long block.
// K and V are packed once for all chunks.
void tiledAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                    const torch::Tensor& relH, const torch::Tensor& relW, double scale, int64_t h,
                    int64_t w, const torch::Tensor& out) {
  const int64_t heads = q.size(0) * q.size(1), d = q.size(3);
  const HeadRows qRows = headRowsOf(q), kRows = headRowsOf(k), outRows = headRowsOf(out);
  TORCH_CHECK(k.strides() == v.strides(), "tiled attention: k and v must share a layout");
  const torch::Tensor relHFloat = relH.to(torch::kFloat).contiguous();
  const torch::Tensor relWFloat = relW.to(torch::kFloat).contiguous();
  const bool bf16 = q.scalar_type() == torch::kBFloat16;
  const AttentionIsa isa = kernelChoice().isa;
  const TiledRelPosAttention packed =
      bf16 ? TiledRelPosAttention(k.data_ptr<c10::BFloat16>(), v.data_ptr<c10::BFloat16>(), kRows,
                                  heads, h, w, d, isa)
           : TiledRelPosAttention(k.data_ptr<float>(), v.data_ptr<float>(), kRows, heads, h, w, d,
                                  isa);
  // The same chunks as the chunked kernel's: a stop can come as often as before, and small
  // blocks (windows, the starter's grid) stay one chunk with no reports inside.
  const int64_t rows = rowsPerChunk(heads, h, w, static_cast<int64_t>(sizeof(float)));
  for (int64_t row = 0; row < h; row += rows) {
    if (row > 0) reportWithinBlock(static_cast<double>(row) / static_cast<double>(h));
    const int64_t first = row * w, count = std::min(rows, h - row) * w;
    if (bf16) {
      packed.attend(q.data_ptr<c10::BFloat16>(), qRows, relHFloat.data_ptr<float>(),
                    relWFloat.data_ptr<float>(), static_cast<float>(scale),
                    out.data_ptr<c10::BFloat16>(), outRows, first, count);
    } else {
      packed.attend(q.data_ptr<float>(), qRows, relHFloat.data_ptr<float>(),
                    relWFloat.data_ptr<float>(), static_cast<float>(scale), out.data_ptr<float>(),
                    outRows, first, count);
    }
  }
}

bool gradientWanted(std::initializer_list<const torch::Tensor*> tensors) {
  if (!torch::GradMode::is_enabled()) return false;
  return std::any_of(tensors.begin(), tensors.end(),
                     [](const torch::Tensor* t) { return t->requires_grad(); });
}

// MEDSA_RELPOS_BIAS: the relative-position terms' kernel, or none (LibTorch's einsums); read once.
const std::optional<VectorIsa>& relPosBiasIsa() {
  static const std::optional<VectorIsa> isa = model::kernelChoice("MEDSA_RELPOS_BIAS");
  return isa;
}

// MEDSA_WINDOW_ATTENTION=partitioned keeps the windows' partition and merge copies
// (comparisons), read once.
bool windowsReadInPlace() {
  static const bool inPlace = !environmentIs("MEDSA_WINDOW_ATTENTION", "partitioned");
  return inPlace;
}

// MEDSA_CUDA_ATTENTION=chunked keeps a GPU on the chunked strategies (comparisons), read once.
bool deviceSdpaWanted() {
  static const bool wanted = !environmentIs("MEDSA_CUDA_ATTENTION", "chunked");
  return wanted;
}

#if MEDSA_TORCH_AT_LEAST(2, 1)
torch::Tensor deviceSdpa(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                         const torch::Tensor& relH, const torch::Tensor& relW, double scale,
                         int64_t h, int64_t w) {
  const int64_t bh = q.size(0), tokens = h * w;
  const torch::ScalarType type = q.scalar_type();
  const torch::Tensor bias =
      (relH.unsqueeze(-1) + relW.unsqueeze(-2)).reshape({1, bh, tokens, tokens}).to(type);
  return at::scaled_dot_product_attention(q.unsqueeze(0), k.to(type).unsqueeze(0),
                                          v.to(type).unsqueeze(0), bias, 0.0, false, scale)
      .squeeze(0);
}
#endif

// relpos_bias.h's terms of `heads` heads of queries laid out as `rows` from queries' first
// element (fp32 or bf16): relH [heads, h, w, h], relW [heads, h, w, w], fp32.
std::pair<torch::Tensor, torch::Tensor> kernelTerms(const torch::Tensor& queries,
                                                    const HeadRows& rows, const torch::Tensor& Rh,
                                                    const torch::Tensor& Rw, int64_t heads,
                                                    int64_t h, int64_t w, int64_t d) {
  const bool bf16 = queries.scalar_type() == torch::kBFloat16;
  const torch::Tensor rh = Rh.to(torch::kFloat).contiguous();
  const torch::Tensor rw = Rw.to(torch::kFloat).contiguous();
  const auto terms = queries.options().dtype(torch::kFloat);
  torch::Tensor relH = torch::empty({heads, h, w, h}, terms);
  torch::Tensor relW = torch::empty({heads, h, w, w}, terms);
  const RelPosBiasInput input{bf16 ? nullptr : queries.data_ptr<float>(),
                              rows,
                              rh.data_ptr<float>(),
                              rw.data_ptr<float>(),
                              heads,
                              h,
                              w,
                              d,
                              bf16 ? queries.data_ptr<c10::BFloat16>() : nullptr};
  relPosBias(*relPosBiasIsa(), input, relH.data_ptr<float>(), relW.data_ptr<float>());
  return {relH, relW};
}

}  // namespace

bool deviceSdpaAvailable() { return MEDSA_TORCH_AT_LEAST(2, 1); }

std::string_view cpuAttentionKernelName(bool bf16) {
  return kernelChoice().chunked ? std::string_view("chunked")
                                : attentionIsaName(attentionKernelFor(kernelChoice().isa, bf16));
}

BiasStrategy defaultBiasStrategy(const torch::Tensor& q) {
  const torch::ScalarType type = q.scalar_type();
  if (!q.device().is_cpu() && deviceSdpaAvailable() && deviceSdpaWanted())
    return BiasStrategy::DeviceSdpa;
  if (tiledKernelRuns(q)) {
    return kernelChoice().chunked ? BiasStrategy::FusedCpuKernel : BiasStrategy::TiledCpuKernel;
  }
  return type == torch::kFloat || type == torch::kDouble ? BiasStrategy::AddInPlace
                                                         : BiasStrategy::FoldIntoMatmul;
}

torch::Tensor relPosAttention(const torch::Tensor& q, const torch::Tensor& k,
                              const torch::Tensor& v, const torch::Tensor& relH,
                              const torch::Tensor& relW, double scale, int64_t h, int64_t w,
                              BiasStrategy strategy) {
  const int64_t bh = q.size(0), tokens = h * w;
  if (gradientWanted({&q, &k, &v, &relH, &relW})) {
    // Training: the chunked paths below write through raw pointers and into preallocated
    // outputs, which autograd cannot follow (the gradients would be silently wrong). Autograd
    // keeps every score for the backward pass anyway, so chunking would save nothing here.
    const torch::Tensor scores = (q * scale).matmul(k.transpose(1, 2)).view({bh, h, w, h, w}) +
                                 relH.unsqueeze(-1) + relW.unsqueeze(-2);
    return scores.view({bh, tokens, tokens}).softmax(-1).matmul(v);
  }
  if (strategy == BiasStrategy::TiledCpuKernel) {
    if (tiledKernelRuns(q)) {
      const torch::Tensor qc = q.contiguous();
      torch::Tensor out = torch::empty_like(qc);
      tiledAttention(qc.unsqueeze(0), k.to(q.scalar_type()).contiguous().unsqueeze(0),
                     v.to(q.scalar_type()).contiguous().unsqueeze(0), relH, relW, scale, h, w,
                     out.unsqueeze(0));
      return out;
    }
    strategy = BiasStrategy::AddInPlace;  // other element types and devices
  }
  if (strategy == BiasStrategy::DeviceSdpa) {
#if MEDSA_TORCH_AT_LEAST(2, 1)
    return deviceSdpa(q, k, v, relH, relW, scale, h, w);
#else
    strategy = BiasStrategy::AddInPlace;  // an older LibTorch
#endif
  }
  const int64_t rows = rowsPerChunk(bh, h, w, q.element_size());
  torch::Tensor out = torch::empty({bh, tokens, v.size(2)}, v.options());

  torch::Tensor keys, queries;
  if (strategy == BiasStrategy::FoldIntoMatmul) {
    // Key j = (row r, col c) gets one-hot columns e_r (h of them) and e_c (w of them); query i
    // gets relH[i, :] and relW[i, :], so q'.k' = scale q.k + relH[i, r] + relW[i, c].
    // (built in fp32: LibTorch 1.13 has no bf16 eye)
    const auto options = k.options().dtype(torch::kFloat);
    const torch::Tensor rowOneHot = torch::eye(h, options).repeat_interleave(w, 0).to(k.dtype());
    const torch::Tensor colOneHot = torch::eye(w, options).repeat({h, 1}).to(k.dtype());
    keys =
        torch::cat({k, rowOneHot.expand({bh, tokens, h}), colOneHot.expand({bh, tokens, w})}, -1);
    queries =
        torch::cat({q * scale, relH.reshape({bh, tokens, h}), relW.reshape({bh, tokens, w})}, -1);
  } else {
    keys = k;
    queries = q * scale;
  }
  const torch::Tensor keysT = keys.transpose(1, 2);
  torch::Tensor relHFloat, relWFloat;
  if (strategy == BiasStrategy::FusedCpuKernel) {
    relHFloat = relH.to(torch::kFloat).contiguous();
    relWFloat = relW.to(torch::kFloat).contiguous();
  }
  for (int64_t row = 0; row < h; row += rows) {
    // Between chunks, a stop request is honoured (a global block is long; see encoder_progress).
    if (row > 0) reportWithinBlock(static_cast<double>(row) / static_cast<double>(h));
    const int64_t count = std::min(rows, h - row);
    const int64_t first = row * w, n = count * w;
    torch::Tensor scores =
        queries.narrow(1, first, n).matmul(keysT).contiguous();  // [bh, n, tokens]
    if (strategy == BiasStrategy::FusedCpuKernel) {
      const torch::Tensor sums = torch::empty({bh, n}, q.options().dtype(torch::kFloat));
      const torch::Tensor chunkH = relHFloat.narrow(1, row, count).contiguous();
      const torch::Tensor chunkW = relWFloat.narrow(1, row, count).contiguous();
      if (scores.scalar_type() == torch::kBFloat16) {
        biasedExpRows(scores.data_ptr<c10::BFloat16>(), chunkH.data_ptr<float>(),
                      chunkW.data_ptr<float>(), sums.data_ptr<float>(), bh * n, h, w);
      } else {
        biasedExpRows(scores.data_ptr<float>(), chunkH.data_ptr<float>(), chunkW.data_ptr<float>(),
                      sums.data_ptr<float>(), bh * n, h, w);
      }
      // Normalising the few output rows is cheaper than the full score rows.
      out.narrow(1, first, n).copy_(scores.matmul(v) / sums.unsqueeze(-1).to(v.scalar_type()));
      continue;
    }
    if (strategy == BiasStrategy::AddInPlace) {
      const torch::Tensor grid = scores.view({bh, count, w, h, w});
      grid.add_(relH.narrow(1, row, count).unsqueeze(-1));
      grid.add_(relW.narrow(1, row, count).unsqueeze(-2));
    }
    out.narrow(1, first, n).copy_(scores.softmax(-1).matmul(v));
  }
  return out;
}

std::pair<torch::Tensor, torch::Tensor> relativePositionTerms(const torch::Tensor& q,
                                                              const torch::Tensor& Rh,
                                                              const torch::Tensor& Rw, int64_t h,
                                                              int64_t w) {
  const std::optional<VectorIsa>& isa = relPosBiasIsa();
  const int64_t items = q.size(0), heads = q.size(1), d = q.size(3);
  // bf16 queries (a bf16 encoder) too: the terms come out in fp32, which the tiled attention
  // reads anyway, instead of einsums rounded to bf16 and widened again.
  if (!isa || !tiledKernelRuns(q) || !tiledKernelRuns(Rh) || !tiledKernelRuns(Rw) ||
      q.stride(3) != 1 || gradientWanted({&q, &Rh, &Rw})) {
    const torch::Tensor gridQ = q.reshape({items * heads, h, w, d});
    return {torch::einsum("bhwc,hkc->bhwk", {gridQ, Rh}),
            torch::einsum("bhwc,wkc->bhwk", {gridQ, Rw})};
  }
  return kernelTerms(q, headRowsOf(q), Rh, Rw, items * heads, h, w, d);
}

torch::Tensor tiledRelPosAttentionHeadsLast(const torch::Tensor& q, const torch::Tensor& k,
                                            const torch::Tensor& v, const torch::Tensor& relH,
                                            const torch::Tensor& relW, double scale, int64_t h,
                                            int64_t w) {
  const bool applies = defaultBiasStrategy(q) == BiasStrategy::TiledCpuKernel &&
                       !gradientWanted({&q, &k, &v, &relH, &relW}) &&
                       k.scalar_type() == q.scalar_type() && v.scalar_type() == q.scalar_type();
  if (!applies) return {};
  const auto rowsContiguous = [](const torch::Tensor& t) { return t.stride(3) == 1; };
  const torch::Tensor qr = rowsContiguous(q) ? q : q.contiguous();
  torch::Tensor kr = k, vr = v;
  if (!rowsContiguous(k) || !rowsContiguous(v) || k.strides() != v.strides()) {
    kr = k.contiguous();
    vr = v.contiguous();
  }
  const int64_t items = q.size(0), heads = q.size(1), tokens = q.size(2), d = q.size(3);
  torch::Tensor out = torch::empty({items, tokens, heads, d}, q.options());
  tiledAttention(qr, kr, vr, relH, relW, scale, h, w, out.permute({0, 2, 1, 3}));
  return out;
}

torch::Tensor tiledWindowAttention(const torch::Tensor& qkvOut, const torch::Tensor& qkvBias,
                                   const torch::Tensor& Rh, const torch::Tensor& Rw, int64_t heads,
                                   int64_t window, double scale) {
  const torch::ScalarType type = qkvOut.scalar_type();
  const bool applies =
      window > 0 && windowsReadInPlace() && relPosBiasIsa() &&
      defaultBiasStrategy(qkvOut) == BiasStrategy::TiledCpuKernel && qkvOut.dim() == 4 &&
      qkvOut.is_contiguous() && qkvOut.size(3) % 3 == 0 && (qkvOut.size(3) / 3) % heads == 0 &&
      tiledKernelRuns(Rh) && tiledKernelRuns(Rw) &&
      !gradientWanted({&qkvOut, &qkvBias, &Rh, &Rw}) &&
      (!qkvBias.defined() || (qkvBias.device().is_cpu() && qkvBias.numel() == qkvOut.size(3)));
  if (!applies) return {};
  const int64_t images = qkvOut.size(0), gridH = qkvOut.size(1), gridW = qkvOut.size(2),
                dim = qkvOut.size(3) / 3, d = dim / heads;
  // The padding tokens' keys and values: qkv of a zero token, its bias (in qkv's type, as the
  // official code's padded grid gets them).
  const torch::Tensor bias =
      qkvBias.defined() ? qkvBias.to(type).contiguous() : torch::zeros({3 * dim}, qkvOut.options());
  const HeadRows qkvRows =
      HeadRows::windows(heads, gridH * gridW * 3 * dim, d, 3 * dim, window, gridH, gridW);
  const HeadRows outRows =
      HeadRows::windows(heads, gridH * gridW * dim, d, dim, window, gridH, gridW);
  const int64_t windowHeads = images * qkvRows.windowsPerImage() * heads;
  const auto [relH, relW] = kernelTerms(qkvOut, qkvRows, Rh, Rw, windowHeads, window, window, d);

  torch::Tensor out = torch::empty({images, gridH, gridW, dim}, qkvOut.options());
  const auto run = [&](auto* qkv, const auto* pad, auto* o) {
    const TiledRelPosAttention packed(qkv + dim, qkv + 2 * dim, qkvRows, windowHeads, window,
                                      window, d, kernelChoice().isa, pad + dim, pad + 2 * dim);
    packed.attend(qkv, qkvRows, relH.data_ptr<float>(), relW.data_ptr<float>(),
                  static_cast<float>(scale), o, outRows, 0, window * window);
  };
  if (type == torch::kBFloat16) {
    run(qkvOut.data_ptr<c10::BFloat16>(), bias.data_ptr<c10::BFloat16>(),
        out.data_ptr<c10::BFloat16>());
  } else {
    run(qkvOut.data_ptr<float>(), bias.data_ptr<float>(), out.data_ptr<float>());
  }
  return out;
}

}  // namespace medsa::model
