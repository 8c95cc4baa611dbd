#include "sam/image_encoder.h"

#include <algorithm>
#include <cmath>

#include "sam/common.h"
#include "sam/gradient_checkpoint.h"
#include "sam/relpos_attention.h"
#include "torch_compat.h"

namespace medsa::model {
namespace F = torch::nn::functional;

torch::Tensor relativePositions(int64_t querySize, int64_t keySize, const torch::Tensor& table) {
  const int64_t maxDistance = 2 * std::max(querySize, keySize) - 1;
  torch::Tensor resized = table;
  if (table.size(0) != maxDistance) {
    resized = F::interpolate(table.reshape({1, table.size(0), -1}).permute({0, 2, 1}),
                             F::InterpolateFuncOptions()
                                 .size(std::vector<int64_t>{maxDistance})
                                 .mode(torch::kLinear)
                                 .align_corners(false))
                  .reshape({-1, maxDistance})
                  .permute({1, 0});
  }
  // Scale the coordinates of the shorter side when query and key sizes differ.
  const double queryScale = std::max(static_cast<double>(keySize) / querySize, 1.0);
  const double keyScale = std::max(static_cast<double>(querySize) / keySize, 1.0);
  // Made where the table is: a GPU waited for a copy from the CPU in every block before.
  const auto options = torch::TensorOptions().dtype(torch::kFloat64).device(table.device());
  const torch::Tensor queryCoords = torch::arange(querySize, options).unsqueeze(1) * queryScale;
  const torch::Tensor keyCoords = torch::arange(keySize, options).unsqueeze(0) * keyScale;
  const torch::Tensor relative = (queryCoords - keyCoords) + (keySize - 1) * keyScale;
  return resized.index({relative.to(torch::kLong)});
}

EncoderAttentionImpl::EncoderAttentionImpl(int64_t dim, int64_t heads_, int64_t gridSide)
    : heads(heads_) {
  qkv = register_module("qkv", torch::nn::Linear(dim, dim * 3));
  proj = register_module("proj", torch::nn::Linear(dim, dim));
  rel_pos_h = register_parameter("rel_pos_h", torch::zeros({2 * gridSide - 1, dim / heads}));
  rel_pos_w = register_parameter("rel_pos_w", torch::zeros({2 * gridSide - 1, dim / heads}));
}

torch::Tensor EncoderAttentionImpl::forward(const torch::Tensor& x) {
  return rowsLinear(*proj, attend(rowsLinear(*qkv, x)));
}

torch::Tensor EncoderAttentionImpl::attend(const torch::Tensor& qkvOut) {
  const int64_t batch = qkvOut.size(0), height = qkvOut.size(1), width = qkvOut.size(2),
                dim = qkvOut.size(3) / 3;
  const int64_t headDim = dim / heads, tokens = height * width;
  // qkv weight rows are [q | k | v], each head-major: [3, batch, heads, tokens, headDim].
  const torch::Tensor qkvAll =
      qkvOut.reshape({batch, tokens, 3, heads, headDim}).permute({2, 0, 3, 1, 4});
  const double scale = 1.0 / std::sqrt(static_cast<double>(headDim));

  // The relative-position bias uses the unscaled queries (as the official code does).
  const torch::ScalarType type = qkvOut.scalar_type();
  const torch::Tensor Rh = relativePositions(height, height, rel_pos_h).to(type);
  const torch::Tensor Rw = relativePositions(width, width, rel_pos_w).to(type);
  const auto [relH, relW] = relativePositionTerms(qkvAll[0], Rh, Rw, height, width);

  // The tiled CPU kernel reads the heads straight out of qkv's output and writes them side by
  // side as proj takes them: four copies fewer per block (12.6 MB each in ViT-B fp32).
  const torch::Tensor headsLast = tiledRelPosAttentionHeadsLast(qkvAll[0], qkvAll[1], qkvAll[2],
                                                                relH, relW, scale, height, width);
  if (headsLast.defined()) return headsLast.view({batch, height, width, dim});

  // Contiguous per head: as strided views of the qkv output (token stride 3 * dim) they send
  // the attention matmuls down LibTorch's slow batched path (bf16: ~4x slower than the copies).
  const torch::Tensor q = qkvAll[0].reshape({batch * heads, tokens, headDim}).contiguous();
  const torch::Tensor k = qkvAll[1].reshape({batch * heads, tokens, headDim}).contiguous();
  const torch::Tensor v = qkvAll[2].reshape({batch * heads, tokens, headDim}).contiguous();
  const torch::Tensor out =
      relPosAttention(q, k, v, relH, relW, scale, height, width, defaultBiasStrategy(q));
  return out.view({batch, heads, height, width, headDim})
      .permute({0, 2, 3, 1, 4})
      .reshape({batch, height, width, dim});
}

torch::Tensor EncoderAttentionImpl::attendWindows(const torch::Tensor& qkvOut, int64_t window) {
  const torch::ScalarType type = qkvOut.scalar_type();
  const int64_t headDim = qkvOut.size(3) / 3 / heads;
  const torch::Tensor inPlace =
      tiledWindowAttention(qkvOut, qkv->bias, relativePositions(window, window, rel_pos_h).to(type),
                           relativePositions(window, window, rel_pos_w).to(type), heads, window,
                           1.0 / std::sqrt(static_cast<double>(headDim)));
  if (inPlace.defined()) return inPlace;
  return mergeWindows(attend(partitionWindows(qkvOut, window, qkv->bias)), window, qkvOut.size(0),
                      qkvOut.size(1), qkvOut.size(2));
}

EncoderMlpImpl::EncoderMlpImpl(int64_t dim, int64_t hidden) {
  lin1 = register_module("lin1", torch::nn::Linear(dim, hidden));
  lin2 = register_module("lin2", torch::nn::Linear(hidden, dim));
}

torch::Tensor EncoderMlpImpl::forward(const torch::Tensor& x) {
  return rowsLinear(*lin2, rowsLinear(*lin1, x, LinearActivation::Gelu));
}

torch::Tensor partitionWindows(const torch::Tensor& x, int64_t window, const torch::Tensor& fill) {
  const int64_t batch = x.size(0), height = x.size(1), width = x.size(2), dim = x.size(3);
  const int64_t rows = (height + window - 1) / window, cols = (width + window - 1) / window;
  if (rows * window == height && cols * window == width) {
    return x.view({batch, rows, window, cols, window, dim})
        .permute({0, 1, 3, 2, 4, 5})
        .reshape({-1, window, window, dim});
  }
  // One pass: each window's part of the grid is copied straight into its place and only the
  // padding is filled (padding the grid first, then reordering it, wrote everything twice).
  // Copies into views of a fresh tensor, which autograd follows.
  const torch::Tensor value =
      fill.defined() ? fill.to(x.scalar_type()) : torch::zeros({}, x.options());
  torch::Tensor windows = torch::empty({batch, rows, cols, window, window, dim}, x.options());
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t top = row * window, filled = std::min(window, height - top);
    for (int64_t col = 0; col < cols; ++col) {
      const int64_t left = col * window, filledCols = std::min(window, width - left);
      const torch::Tensor tile = windows.select(1, row).select(1, col);  // [batch, w, w, dim]
      tile.narrow(1, 0, filled)
          .narrow(2, 0, filledCols)
          .copy_(x.narrow(1, top, filled).narrow(2, left, filledCols));
      if (filled < window) tile.narrow(1, filled, window - filled).copy_(value);
      if (filledCols < window) {
        tile.narrow(1, 0, filled).narrow(2, filledCols, window - filledCols).copy_(value);
      }
    }
  }
  return windows.view({-1, window, window, dim});
}

torch::Tensor mergeWindows(const torch::Tensor& windows, int64_t window, int64_t batch,
                           int64_t height, int64_t width) {
  const int64_t rows = (height + window - 1) / window, cols = (width + window - 1) / window;
  const int64_t dim = windows.size(3);
  torch::Tensor merged = windows.view({batch, rows, cols, window, window, dim})
                             .permute({0, 1, 3, 2, 4, 5})
                             .reshape({batch, rows * window, cols * window, dim});
  if (rows * window != height || cols * window != width) {
    merged = merged.slice(1, 0, height).slice(2, 0, width);
  }
  return merged;
}

EncoderBlockImpl::EncoderBlockImpl(int64_t dim, int64_t heads, int64_t mlpHidden, int64_t window_,
                                   int64_t grid, const AdapterConfig* adapters)
    : window(window_) {
  norm1 = register_module("norm1", FloatLayerNorm(dim, 1e-6));
  attn = register_module("attn", EncoderAttention(dim, heads, window > 0 ? window : grid));
  norm2 = register_module("norm2", FloatLayerNorm(dim, 1e-6));
  mlp = register_module("mlp", EncoderMlp(dim, mlpHidden));
  if (adapters && adapters->encoder) {
    const auto hidden = static_cast<int64_t>(dim * adapters->ratio);
    adapter_attn = register_module("adapter_attn", Adapter(dim, hidden));
    adapter_mlp = register_module("adapter_mlp", Adapter(dim, hidden));
    mlpScale = adapters->mlpScale;
    if (adapters->depth) adapter_depth = register_module("adapter_depth", Adapter(dim, hidden));
  }
  padBeforeNorm = adapters && adapters->padBeforeNorm;
}

torch::Tensor EncoderBlockImpl::depthBranch(const torch::Tensor& normed, int64_t depth) {
  // Tokens at the same (row, col) of the chunk's slices form one sequence of length `depth`,
  // laid out as a 1 x depth grid so the block's attention (and its relative positions,
  // resampled to the depth) applies unchanged.
  const int64_t chunks = normed.size(0) / depth, height = normed.size(1), width = normed.size(2),
                dim = normed.size(3);
  const torch::Tensor sequences = normed.view({chunks, depth, height, width, dim})
                                      .permute({0, 2, 3, 1, 4})
                                      .reshape({chunks * height * width, 1, depth, dim});
  const torch::Tensor attended = adapter_depth(attn(sequences));
  return attended.view({chunks, height, width, depth, dim})
      .permute({0, 3, 1, 2, 4})
      .reshape({chunks * depth, height, width, dim});
}

torch::Tensor EncoderBlockImpl::forward(const torch::Tensor& x, int64_t depth) {
  const int64_t batch = x.size(0), height = x.size(1), width = x.size(2);
  torch::Tensor normed, attended;
  if (window > 0 && padBeforeNorm) {
    // The reference Med-SA code pads before norm1: padded tokens become norm1's bias.
    attended = mergeWindows(attn(norm1(partitionWindows(x, window))), window, batch, height, width);
  } else if (window > 0) {
    // The official code pads the normed grid with zeros and runs qkv and proj on every padded
    // token (ViT-B: 64 x 64 padded to 70 x 70, 20 % more rows). Both are per token, and qkv of
    // a zero token is its bias: so they run on the picture's tokens only, and the windows are
    // padded with qkv's bias between them.
    normed = norm1(x);
    attended = rowsLinear(*attn->proj, attn->attendWindows(rowsLinear(*attn->qkv, normed), window));
  } else {
    normed = norm1(x);
    attended = attn(normed);
  }
  // Per token, so after the windows are merged (the padding has no adapter to pay for).
  if (adapter_attn) attended = attended + adapter_attn(attended);
  if (adapter_depth && depth > 1) {
    attended = attended + depthBranch(normed.defined() ? normed : norm1(x), depth);
  }
  const torch::Tensor y = x + attended;
  const torch::Tensor n = norm2(y);
  if (adapter_mlp) return y + mlp(n) + mlpScale * adapter_mlp(n);
  return y + mlp(n);
}

PatchEmbedImpl::PatchEmbedImpl(int64_t patch, int64_t dim) {
  proj = register_module("proj",
                         torch::nn::Conv2d(torch::nn::Conv2dOptions(3, dim, patch).stride(patch)));
}

torch::Tensor PatchEmbedImpl::forward(const torch::Tensor& x) {
  // Contiguous channels last: element-wise ops keep their first input's layout, so a permuted
  // view here made every later residual sum a strided tensor, and each LayerNorm and qkv
  // reshape of the encoder copied it (about 0.3 s of a ViT-B encoder on 2 cores).
  return proj(x).permute({0, 2, 3, 1}).contiguous();
}

ImageEncoderImpl::ImageEncoderImpl(const SamConfig& config, const AdapterConfig* adapters) {
  const int64_t grid = config.tokenGrid(), dim = config.embedDim;
  pos_embed = register_parameter("pos_embed", torch::zeros({1, grid, grid, dim}));
  patch_embed = register_module("patch_embed", PatchEmbed(config.patchSize, dim));
  for (int i = 0; i < config.depth; ++i) {
    const int64_t window = config.isGlobal(i) ? 0 : config.windowSize;
    blocks->push_back(
        EncoderBlock(dim, config.heads, dim * config.mlpRatio, window, grid, adapters));
  }
  register_module("blocks", blocks);
  const int64_t out = config.promptDim;
  neck = register_module(
      "neck",
      torch::nn::Sequential(
          torch::nn::Conv2d(torch::nn::Conv2dOptions(dim, out, 1).bias(false)), LayerNorm2d(out),
          torch::nn::Conv2d(torch::nn::Conv2dOptions(out, out, 3).padding(1).bias(false)),
          LayerNorm2d(out)));
}

torch::Tensor ImageEncoderImpl::embedPatches(const torch::Tensor& image) {
  return patch_embed(image);
}

torch::Tensor ImageEncoderImpl::forward(const torch::Tensor& image, int64_t depth,
                                        const BlockObserver& observer) {
  torch::Tensor x = patch_embed(image) + pos_embed;
  const auto total = static_cast<double>(blocks->size());
  double done = 0;
  for (const auto& block : *blocks) {
    EncoderBlockImpl* b = block->as<EncoderBlock>();
    WithinBlockScope within(observer ? WithinBlockObserver([&observer, done, total](double part) {
      return observer((done + part) / total);
    })
                                     : WithinBlockObserver());
    x = checkpointBlocks && torch::GradMode::is_enabled()
            ? checkpointed(
                  [b, depth](const torch::Tensor& input) { return b->forward(input, depth); }, x)
            : b->forward(x, depth);
    done += 1;
    if (observer && !observer(done / total)) throw EncodingStopped{};
  }
  return neck->forward(x.permute({0, 3, 1, 2}));
}

}  // namespace medsa::model
