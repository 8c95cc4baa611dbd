#pragma once
// SAM's ViT image encoder: patch embedding, windowed and global attention blocks with
// decomposed relative positions, and the neck down to the prompt dimension (spec §1.2-1.3).

#include <torch/torch.h>

#include "medsa/model/sam_config.h"
#include "sam/common.h"

namespace medsa::model {

/// Multi-head attention with decomposed relative-position bias (keys attn.qkv, attn.proj,
/// attn.rel_pos_h, attn.rel_pos_w). Input and output are channels-last [B, H, W, C].
struct EncoderAttentionImpl : torch::nn::Module {
  EncoderAttentionImpl(int64_t dim, int64_t heads, int64_t gridSide);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Linear qkv{nullptr}, proj{nullptr};
  torch::Tensor rel_pos_h, rel_pos_w;
  int64_t heads;
};
TORCH_MODULE(EncoderAttention);

/// Relative-position embeddings for every (query, key) pair along one axis: [q, k, headDim].
/// Tables of another length are linearly resampled first, as the official code does.
torch::Tensor relativePositions(int64_t querySize, int64_t keySize, const torch::Tensor& table);

struct EncoderMlpImpl : torch::nn::Module {
  EncoderMlpImpl(int64_t dim, int64_t hidden);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Linear lin1{nullptr}, lin2{nullptr};
};
TORCH_MODULE(EncoderMlp);

/// One ViT block. window > 0: attention inside window x window tiles (the grid is zero-padded
/// after norm1, as in the official code); window == 0: global attention.
struct EncoderBlockImpl : torch::nn::Module {
  EncoderBlockImpl(int64_t dim, int64_t heads, int64_t mlpHidden, int64_t window, int64_t grid);
  torch::Tensor forward(const torch::Tensor& x);

  FloatLayerNorm norm1{nullptr}, norm2{nullptr};
  EncoderAttention attn{nullptr};
  EncoderMlp mlp{nullptr};
  int64_t window;
};
TORCH_MODULE(EncoderBlock);

/// Splits [B, H, W, C] into [B * nWindows, w, w, C] tiles, zero-padding bottom/right.
torch::Tensor partitionWindows(const torch::Tensor& x, int64_t window);
/// Inverse of partitionWindows, cropping the padding: back to [B, height, width, C].
torch::Tensor mergeWindows(const torch::Tensor& windows, int64_t window, int64_t batch,
                           int64_t height, int64_t width);

struct PatchEmbedImpl : torch::nn::Module {
  PatchEmbedImpl(int64_t patch, int64_t dim);
  torch::Tensor forward(const torch::Tensor& x);  ///< [B,3,S,S] -> [B, S/p, S/p, dim]
  torch::nn::Conv2d proj{nullptr};
};
TORCH_MODULE(PatchEmbed);

struct ImageEncoderImpl : torch::nn::Module {
  explicit ImageEncoderImpl(const SamConfig& config);
  /// [B, 3, S, S] normalised, padded image -> [B, promptDim, S/16, S/16] embedding.
  torch::Tensor forward(const torch::Tensor& image);
  /// The tokens after patch embedding (channels-last), for parity checks.
  torch::Tensor embedPatches(const torch::Tensor& image);

  torch::Tensor pos_embed;
  PatchEmbed patch_embed{nullptr};
  torch::nn::ModuleList blocks;
  torch::nn::Sequential neck;
};
TORCH_MODULE(ImageEncoder);

}  // namespace medsa::model
