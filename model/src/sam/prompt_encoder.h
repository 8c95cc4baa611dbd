#pragma once
// SAM's prompt encoder: random Fourier features for points and box corners, a small conv
// stack for mask prompts (spec §1.4).

#include <torch/torch.h>

#include <optional>

#include "medsa/model/sam_config.h"
#include "sam/common.h"

namespace medsa::model {

/// Random Fourier positional encoding; the Gaussian matrix comes from the checkpoint.
struct PositionEmbeddingRandomImpl : torch::nn::Module {
  explicit PositionEmbeddingRandomImpl(int64_t features);
  /// coords in [0, 1] (x, y) -> [..., 2 * features]
  torch::Tensor encode(const torch::Tensor& coords) const;
  /// Positional encoding of the token grid, [1, C, grid, grid].
  torch::Tensor densePe(int64_t grid) const;

  torch::Tensor positional_encoding_gaussian_matrix;
};
TORCH_MODULE(PositionEmbeddingRandom);

/// Labels of sparse prompt points, as the official prompt encoder numbers them.
enum PointLabel : int64_t {
  kPadding = -1,
  kNegative = 0,
  kPositive = 1,
  kBoxTopLeft = 2,
  kBoxBottomRight = 3
};

struct PromptEncoderImpl : torch::nn::Module {
  explicit PromptEncoderImpl(const SamConfig& config);

  /// points [B, N, 2] in model-frame pixels with labels [B, N]; boxes [B, 4]; masks
  /// [B, 1, 4g, 4g] low-res logits. Returns sparse [B, n, C] and dense [B, C, g, g] (channels
  /// last in memory for mask prompts, as the image encoder's embedding is). With masks and
  /// `maskFeatures`, that pointer receives the mask embedding's features before its last layer
  /// (a 1 x 1 convolution), [B, g g, c] with c = mask_in_chans: the decoder's first block
  /// projects these instead of the embedding (MaskDecoder::prepareMask).
  std::pair<torch::Tensor, torch::Tensor> forward(const std::optional<torch::Tensor>& points,
                                                  const std::optional<torch::Tensor>& labels,
                                                  const std::optional<torch::Tensor>& boxes,
                                                  const std::optional<torch::Tensor>& masks,
                                                  torch::Tensor* maskFeatures = nullptr);
  torch::Tensor densePe() const { return pe_layer->densePe(grid); }
  /// mask_downscaling's last layer, the 1 x 1 convolution from the mask features to the embedding.
  torch::nn::Conv2dImpl& maskProjection();

  PositionEmbeddingRandom pe_layer{nullptr};
  torch::nn::ModuleList point_embeddings;
  torch::nn::Embedding not_a_point_embed{nullptr}, no_mask_embed{nullptr};
  torch::nn::Sequential mask_downscaling;
  int64_t grid, imageSize, dim;

 private:
  torch::Tensor embedPoints(torch::Tensor points, torch::Tensor labels, bool pad);
  torch::Tensor embedBoxes(const torch::Tensor& boxes);
  torch::Tensor embedMasks(const torch::Tensor& masks, torch::Tensor* maskFeatures);
  /// embedMasks in one pass (sam/mask_embedding.h) for fp32 inference on the CPU; nullopt
  /// elsewhere, or with MEDSA_MASK_EMBEDDING=off.
  std::optional<torch::Tensor> fusedMaskEmbedding(const torch::Tensor& masks,
                                                  torch::Tensor* maskFeatures);
  torch::Tensor pointEmbedding(int index);
};
TORCH_MODULE(PromptEncoder);

}  // namespace medsa::model
