#pragma once
// SAM's ViT image encoder: patch embedding, windowed and global attention blocks with
// decomposed relative positions, and the neck down to the prompt dimension (spec §1.2-1.3).

#include <torch/torch.h>

#include <functional>

#include "medsa/model/adapter_config.h"
#include "medsa/model/sam_config.h"
#include "sam/adapter.h"
#include "sam/common.h"
#include "sam/encoder_progress.h"

namespace medsa::model {

/// Multi-head attention with decomposed relative-position bias (keys attn.qkv, attn.proj,
/// attn.rel_pos_h, attn.rel_pos_w). Input and output are channels-last [B, H, W, C].
struct EncoderAttentionImpl : torch::nn::Module {
  EncoderAttentionImpl(int64_t dim, int64_t heads, int64_t gridSide);
  torch::Tensor forward(const torch::Tensor& x);  ///< proj(attend(qkv(x)))
  /// The attention between the two linear layers: qkv's output [B, h, w, 3C] -> [B, h, w, C].
  torch::Tensor attend(const torch::Tensor& qkvOut);
  /// The attention of window x window windows over qkv's output of the whole grid, [B, h, w, 3C]
  /// -> [B, h, w, C], the windows padded with qkv's bias: partitioned into windows, attended
  /// and merged, or read in place by the tiled kernel where it runs.
  torch::Tensor attendWindows(const torch::Tensor& qkvOut, int64_t window);

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

/// One ViT block. window > 0: attention inside window x window tiles, padded at the bottom and
/// right with qkv's bias (what the official code's zero padding after norm1 gives; qkv and proj
/// run on the picture's tokens only); window == 0: global attention.
/// With adapters (Med-SA): adapter_attn refines the attention output before the residual,
/// adapter_mlp runs parallel to the MLP scaled by s, and the SD-Trans depth branch lets every
/// token attend over the same position in the other slices of its chunk (true positions, in
/// windowed and global blocks alike) with the block's own attention weights + adapter_depth.
struct EncoderBlockImpl : torch::nn::Module {
  EncoderBlockImpl(int64_t dim, int64_t heads, int64_t mlpHidden, int64_t window, int64_t grid,
                   const AdapterConfig* adapters);
  /// x [B * depth, H, W, C]: chunks of `depth` consecutive slices (depth 1 for 2D pictures).
  torch::Tensor forward(const torch::Tensor& x, int64_t depth = 1);

  FloatLayerNorm norm1{nullptr}, norm2{nullptr};
  EncoderAttention attn{nullptr};
  EncoderMlp mlp{nullptr};
  Adapter adapter_attn{nullptr}, adapter_mlp{nullptr}, adapter_depth{nullptr};
  int64_t window;
  double mlpScale = 0;
  bool padBeforeNorm = false;

 private:
  torch::Tensor depthBranch(const torch::Tensor& normed, int64_t depth);
};
TORCH_MODULE(EncoderBlock);

/// Splits [B, H, W, C] into [B * nWindows, w, w, C] tiles, padding bottom/right with zeros, or
/// with `fill` [C] where it is given.
torch::Tensor partitionWindows(const torch::Tensor& x, int64_t window,
                               const torch::Tensor& fill = {});
/// Inverse of partitionWindows, cropping the padding: back to [B, height, width, C].
torch::Tensor mergeWindows(const torch::Tensor& windows, int64_t window, int64_t batch,
                           int64_t height, int64_t width);

struct PatchEmbedImpl : torch::nn::Module {
  PatchEmbedImpl(int64_t patch, int64_t dim);
  torch::Tensor forward(const torch::Tensor& x);  ///< [B,3,S,S] -> [B, S/p, S/p, dim]
  torch::nn::Conv2d proj{nullptr};
};
TORCH_MODULE(PatchEmbed);

/// Told the fraction of the encoder done, after each block and within long blocks; answering
/// false stops the encoder, which then throws EncodingStopped. Lets a caller show progress and
/// abandon stale work.
using BlockObserver = std::function<bool(double fraction)>;

struct ImageEncoderImpl : torch::nn::Module {
  explicit ImageEncoderImpl(const SamConfig& config, const AdapterConfig* adapters = nullptr);
  /// [B, 3, S, S] normalised, padded image -> [B, promptDim, S/16, S/16] embedding. With the
  /// depth branch, the batch holds chunks of `depth` consecutive slices, volume-major.
  torch::Tensor forward(const torch::Tensor& image, int64_t depth = 1,
                        const BlockObserver& observer = {});
  /// The tokens after patch embedding (channels-last), for parity checks.
  torch::Tensor embedPatches(const torch::Tensor& image);

  torch::Tensor pos_embed;
  PatchEmbed patch_embed{nullptr};
  torch::nn::ModuleList blocks;
  torch::nn::Sequential neck;
  /// Recompute each block's activations during backward instead of storing them (training).
  bool checkpointBlocks = false;
};
TORCH_MODULE(ImageEncoder);

}  // namespace medsa::model
