// The mask decoder's per-picture side (MaskDecoder::prepare): the image tokens, their encoding
// and the first block's projections of them, made once per picture; and a mask prompt's own
// copy of it, moved from the picture's by a low-rank update (MaskDecoder::prepareMask).

#include <cmath>

#include "sam/decoder_fused_paths.h"
#include "sam/image_to_tokens.h"
#include "sam/low_rank_update.h"
#include "sam/mask_decoder.h"
#include "sam/tokens_to_image.h"

namespace medsa::model {
namespace {

// x [B, N, C] as [B, ceil(N / block), C, block]: each block of tokens with its channels as
// rows (the layout of the kernels' keysInBlocks and projectedQueries), missing tokens zero.
torch::Tensor inTokenBlocks(const torch::Tensor& x, int64_t block) {
  const int64_t tokens = x.size(1), channels = x.size(2);
  const int64_t blocks = (tokens + block - 1) / block;
  return torch::constant_pad_nd(x, {0, 0, 0, blocks * block - tokens})
      .view({x.size(0), blocks, block, channels})
      .transpose(2, 3)
      .contiguous();
}

std::optional<VectorIsa> lowRankUpdateChoice() {
  static const std::optional<VectorIsa> choice = kernelChoice("MEDSA_LOW_RANK_UPDATE");
  return choice;
}

// A projection of the image tokens prepared for the picture, `base` (rows [1, N, inner] or in
// blocks [1, blocks, inner, 16]), moved by mask features [B, N, m] through factors
// [m + 1, inner] (PreparedImage::maskToFirstKeys): by low_rank_update.h's kernel in fp32
// inference on the CPU, by LibTorch elsewhere.
torch::Tensor movedByMask(const torch::Tensor& base, const torch::Tensor& features,
                          const torch::Tensor& factors) {
  static_assert(kKeyBlockTokens == kLowRankBlockTokens &&
                kProjectedTokenBlock == kLowRankBlockTokens);
  const bool blocked = base.dim() == 4;
  const int64_t batch = features.size(0), tokens = features.size(1), rank = features.size(2);
  const int64_t channels = factors.size(1);
  const std::optional<VectorIsa> isa = lowRankUpdateChoice();
  if (isa && fusedInference(base) && isCpuFloat(features) && isCpuFloat(factors) &&
      lowRankUpdateFits(rank, channels)) {
    const torch::Tensor from = base.contiguous(), rows = features.contiguous();
    const torch::Tensor weights = factors.contiguous();
    std::vector<int64_t> sizes = base.sizes().vec();
    sizes[0] = batch;
    torch::Tensor out = torch::empty(sizes, base.options());
    for (int64_t b = 0; b < batch; ++b) {
      const LowRankUpdate update{rows.select(0, b).data_ptr<float>(), weights.data_ptr<float>(),
                                 tokens, rank, channels};
      const float* source = from.select(0, base.size(0) == 1 ? 0 : b).data_ptr<float>();
      float* target = out.select(0, b).data_ptr<float>();
      if (blocked) {
        lowRankUpdateBlocks(*isa, update, source, target);
      } else {
        lowRankUpdateRows(*isa, update, source, target);
      }
    }
    return out;
  }
  const torch::Tensor delta =
      torch::cat({features, torch::ones({batch, tokens, 1}, features.options())}, 2)
          .matmul(factors);
  return base + (blocked ? inTokenBlocks(delta, kLowRankBlockTokens) : delta);
}

}  // namespace

PreparedImage MaskDecoderImpl::prepare(const torch::Tensor& embedding, const torch::Tensor& imagePe,
                                       const torch::Tensor& noMaskDense,
                                       const torch::Tensor& maskProjectionWeight,
                                       const torch::Tensor& maskProjectionBias) {
  PreparedImage prepared;
  prepared.keys = tokenRows(embedding + noMaskDense);
  prepared.keyPe = tokenRows(imagePe);
  const torch::Tensor keysWithPe = prepared.keys + prepared.keyPe;
  DecoderAttentionImpl& first =
      *transformer->layers[0]->as<TwoWayBlock>()->cross_attn_token_to_image;
  const int64_t c = first.k_proj->weight.size(0) / first.heads;
  const double scale = 1.0 / std::sqrt(static_cast<double>(c));
  prepared.firstScaledKeys = first.k_proj(keysWithPe) * scale;
  prepared.firstValues = first.v_proj(prepared.keys);
  // The same keys and the first image-to-token attention's queries where the fused kernels
  // will read them, in their blocks of tokens (the keys then only there).
  if (tokensToImageChoice() && isCpuFloat(prepared.firstScaledKeys) && tokensToImageFits(1, c)) {
    prepared.firstKeysInBlocks = inTokenBlocks(prepared.firstScaledKeys, kKeyBlockTokens);
    prepared.firstScaledKeys = torch::Tensor();
  }
  DecoderAttentionImpl& second =
      *transformer->layers[0]->as<TwoWayBlock>()->cross_attn_image_to_token;
  if (imageToTokensChoice() && imageToTokensFits(prepared.keys.size(2), 1) &&
      isCpuFloat(keysWithPe) && isCpuFloat(second.q_proj->weight)) {
    prepared.firstImageQueries = inTokenBlocks(second.q_proj(keysWithPe), kProjectedTokenBlock);
  }
  if (maskProjectionWeight.defined()) {
    // A mask embedding is W h + b per token where the no-mask one is d: each projection P moves
    // by P (W h + b - d), rows [W^T P^T; (b - d) P^T] against [h, 1].
    const torch::Tensor rows = torch::cat(
        {maskProjectionWeight.t(),
         (maskProjectionBias - noMaskDense.select(0, 0).select(1, 0).select(1, 0)).unsqueeze(0)});
    prepared.maskToFirstKeys = rows.matmul(first.k_proj->weight.t()) * scale;
    prepared.maskToFirstValues = rows.matmul(first.v_proj->weight.t());
    if (prepared.firstImageQueries.defined())
      prepared.maskToFirstImageQueries = rows.matmul(second.q_proj->weight.t());
  }
  return prepared;
}

std::optional<PreparedImage> MaskDecoderImpl::prepareMask(const PreparedImage& picture,
                                                          const torch::Tensor& embedding,
                                                          const torch::Tensor& dense,
                                                          const torch::Tensor& maskFeatures) {
  if (!picture.maskToFirstKeys.defined() || !maskFeatures.defined() || maskFeatures.dim() != 3 ||
      maskFeatures.size(0) != dense.size(0) || maskFeatures.size(1) != picture.keys.size(1) ||
      maskFeatures.size(2) + 1 != picture.maskToFirstKeys.size(0))
    return std::nullopt;
  PreparedImage masked;
  // The image tokens as forward would make them (the first block's residual).
  masked.keys = tokenRows(embedding.expand({dense.size(0), -1, -1, -1}) + dense);
  masked.keyPe = picture.keyPe;
  masked.firstValues = movedByMask(picture.firstValues, maskFeatures, picture.maskToFirstValues);
  if (picture.firstKeysInBlocks.defined()) {
    masked.firstKeysInBlocks =
        movedByMask(picture.firstKeysInBlocks, maskFeatures, picture.maskToFirstKeys);
  } else {
    masked.firstScaledKeys =
        movedByMask(picture.firstScaledKeys, maskFeatures, picture.maskToFirstKeys);
  }
  // prepare made the queries' factors with the queries (the mask layer is there: see above).
  if (picture.firstImageQueries.defined()) {
    masked.firstImageQueries =
        movedByMask(picture.firstImageQueries, maskFeatures, picture.maskToFirstImageQueries);
  }
  return masked;
}

}  // namespace medsa::model
