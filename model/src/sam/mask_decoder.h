#pragma once
// SAM's mask decoder: a two-way transformer between prompt tokens and image tokens, then
// hypernetwork heads that turn mask tokens into mask logits, and an IoU head (spec §1.5).

#include <torch/torch.h>

#include <mutex>
#include <optional>
#include <utility>

#include "medsa/model/adapter_config.h"
#include "medsa/model/sam_config.h"
#include "sam/adapter.h"
#include "sam/common.h"

namespace medsa::model {

/// Attention with optional down-projection of the embedding (q/k/v/out_proj keys).
struct DecoderAttentionImpl : torch::nn::Module {
  DecoderAttentionImpl(int64_t dim, int64_t heads, int64_t downsample);
  torch::Tensor forward(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);
  /// The key/value half of forward: projected and split into heads, [B, heads, N, c] each.
  std::pair<torch::Tensor, torch::Tensor> projectKeysValues(const torch::Tensor& k,
                                                            const torch::Tensor& v);
  /// The query half, with keys and values from projectKeysValues.
  torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& keys,
                       const torch::Tensor& values);
  /// attend with keys and values projected once per picture, [B, N, heads x c] as k_proj and
  /// v_proj give them, the keys scaled by 1/sqrt(c) (MaskDecoder::prepare). For fp32 inference
  /// on the CPU the fused kernel of tokens_to_image.h reads them per head as they lie
  /// (MEDSA_TOKENS_TO_IMAGE=off|portable|avx2|avx512 forces LibTorch or an instruction set).
  /// `keysInBlocks` (optional): the same keys as that kernel's keysInBlocks lays them out
  /// ([1 or B, blocks, heads x c, 16]); `scaledKeys` may then be undefined.
  torch::Tensor attendPrepared(const torch::Tensor& q, const torch::Tensor& scaledKeys,
                               const torch::Tensor& values, const torch::Tensor& keysInBlocks = {});

  /// forward for the decoder's lopsided calls, with the same result up to rounding: a few
  /// prompt tokens q [B, n, C] attending to many image tokens k, v [B, N, C] (attendToMany),
  /// and many image tokens attending to a few prompt tokens (attendFromMany). The projections
  /// are moved to the few tokens' side (softmax ignores the key bias's per-row constant, and
  /// attention rows sum to one), so the N image tokens are never projected. Pays while
  /// foldsFor(n): heads x n <= the inner dimension. attendToMany's scores, softmax and weighted
  /// sum run in tokens_to_image.h's kernel where attendPrepared's do. With `keyPe` the keys
  /// are k + keyPe, summed as that kernel reads them (never written out).
  torch::Tensor attendToMany(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             const torch::Tensor& keyPe = {});
  torch::Tensor attendFromMany(const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v);
  bool foldsFor(int64_t fewTokens) const;

  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
  int64_t heads;

 private:
  torch::Tensor queryHeads(const torch::Tensor& q);  ///< projected, [B, heads, n, c]
  /// out_proj of the attention-weighted values, heads merged back.
  torch::Tensor mergeHeads(const torch::Tensor& attention, const torch::Tensor& vh);
  /// out_proj of the heads' outputs [B, heads, n, c], merged back.
  torch::Tensor projectHeads(const torch::Tensor& attended);
};
TORCH_MODULE(DecoderAttention);

/// What every click without a mask prompt shares on one picture: the image tokens (embedding +
/// the no-mask embedding), their positional encoding, and the first block's projections of
/// them for its two cross attentions. Computed once per picture instead of once per click; a
/// prompt with a mask input gets its own from it (MaskDecoder::prepareMask).
struct PreparedImage {
  torch::Tensor keys, keyPe;  ///< [1, N, C] (keys [B, N, C] for a batch of mask prompts)
  /// [1, N, heads x c], times 1/sqrt(c); undefined where firstKeysInBlocks holds them.
  torch::Tensor firstScaledKeys;
  torch::Tensor firstValues;  ///< [1, N, heads x c]
  /// The scaled keys as tokens_to_image.h's fused kernel reads them ([1, ceil(N / 16),
  /// heads x c, 16]); undefined where that kernel does not run (off, GPU, bf16).
  torch::Tensor firstKeysInBlocks;
  /// The first block's image-to-token queries (q_proj of keys + keyPe) as the fused kernel reads
  /// them (image_to_tokens.h: [1, ceil(N / 16), heads x c, 16]); undefined where that kernel
  /// does not run (off, GPU, bf16).
  torch::Tensor firstImageQueries;
  /// How a mask prompt moves the three projections above, where prepare was given the mask
  /// embedding's last layer (prepareMask): [m + 1, heads x c] each, rows 0..m-1 that layer's
  /// weights through the projection, row m its bias minus the no-mask embedding through it.
  torch::Tensor maskToFirstKeys, maskToFirstValues, maskToFirstImageQueries;
};

/// With adapters: HyP-Adpt (generated from the prompt summary) refines the token-to-image
/// attention output, and a plain adapter runs parallel to the MLP.
struct TwoWayBlockImpl : torch::nn::Module {
  TwoWayBlockImpl(int64_t dim, int64_t heads, int64_t mlpDim, bool skipFirstLayerPe,
                  const AdapterConfig* adapters);
  /// Updates (queries, keys) = (prompt tokens, image tokens [B, N, C]); prompt [B, C]
  /// summarises them. keys + keyPe are the cross attentions' image-side keys and queries.
  std::pair<torch::Tensor, torch::Tensor> forward(torch::Tensor queries, const torch::Tensor& keys,
                                                  const torch::Tensor& queryPe,
                                                  const torch::Tensor& keyPe,
                                                  const torch::Tensor& prompt,
                                                  const PreparedImage* prepared = nullptr);

  DecoderAttention self_attn{nullptr}, cross_attn_token_to_image{nullptr},
      cross_attn_image_to_token{nullptr};
  FloatLayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr}, norm4{nullptr};
  torch::nn::Sequential mlp;  // lin1, ReLU, lin2 (keys mlp.lin1, mlp.lin2)
  HyperAdapter hyp_adapter{nullptr};
  Adapter adapter_mlp{nullptr};
  double mlpScale = 0;
  bool skipFirstLayerPe;
};
TORCH_MODULE(TwoWayBlock);

struct TwoWayTransformerImpl : torch::nn::Module {
  TwoWayTransformerImpl(const SamConfig& config, const AdapterConfig* adapters);
  /// image [B, C, h, w], imagePe [B, C, h, w], tokens [B, n, C], prompt summary [B, C]
  /// -> (tokens', image tokens'). With keptTokens k in (0, n) only the first k tokens come
  /// out: the final attention, where each token only reads the image, runs for those alone
  /// (the decoder's heads read the output tokens, not the prompt's own: 5 of 7 for a click).
  std::pair<torch::Tensor, torch::Tensor> forward(
      const torch::Tensor& image, const torch::Tensor& imagePe, const torch::Tensor& tokens,
      const torch::Tensor& prompt, const PreparedImage* prepared = nullptr, int64_t keptTokens = 0);

  torch::nn::ModuleList layers;
  DecoderAttention final_attn_token_to_image{nullptr};
  FloatLayerNorm norm_final_attn{nullptr};
};
TORCH_MODULE(TwoWayTransformer);

struct MaskDecoderImpl : torch::nn::Module {
  explicit MaskDecoderImpl(const SamConfig& config, const AdapterConfig* adapters = nullptr);

  /// embedding [1 or B, C, g, g]; imagePe [1, C, g, g]; sparse [B, n, C]; dense [B, C, g, g].
  /// Returns every mask token's low-res logits [B, T, 4g, 4g] and IoU [B, T] (T = 1 + multimask
  /// outputs; token 0 is the single-mask answer).
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& embedding,
                                                  const torch::Tensor& imagePe,
                                                  const torch::Tensor& sparse,
                                                  const torch::Tensor& dense,
                                                  const PreparedImage* prepared = nullptr);
  /// embedding [1, C, g, g] with the no-mask dense embedding [1, C, g, g] (one vector at every
  /// token, as SAM's); pass the result to forward for prompts without a mask input (their dense
  /// embedding is exactly that one).
  /// With the mask embedding's last layer (a 1 x 1 convolution: weight [C, m], bias [C]) the
  /// result also serves prompts with a mask input, through prepareMask.
  PreparedImage prepare(const torch::Tensor& embedding, const torch::Tensor& imagePe,
                        const torch::Tensor& noMaskDense,
                        const torch::Tensor& maskProjectionWeight = {},
                        const torch::Tensor& maskProjectionBias = {});
  /// The image side for prompts with a mask input: `dense` [B, C, g, g] their mask embedding,
  /// `maskFeatures` [B, g g, m] its input to the last layer (PromptEncoder::forward). The first
  /// block's projections of embedding + dense are linear in it, so they come from the picture's
  /// by a rank-m update ([g g, m + 1] x [m + 1, heads x c] instead of [g g, C] x [C, heads x c]).
  /// nullopt where `picture` was prepared without the mask layer or the features do not fit it.
  std::optional<PreparedImage> prepareMask(const PreparedImage& picture,
                                           const torch::Tensor& embedding,
                                           const torch::Tensor& dense,
                                           const torch::Tensor& maskFeatures);
  /// output_upscaling on image tokens [B, N, C] -> features [B, C/8, 16 N]: the first 2x2
  /// upsampling channels last (Upsample2x::forwardPixels), the second channels first
  /// (forwardPixelsToChannels), so each mask pixel's features sit in a scrambled column order.
  torch::Tensor upscaleTokens(const torch::Tensor& tokens);
  /// The masks [B, T, 4h, 4w] from image tokens [B, h w, C] and hypernetwork outputs
  /// [B, T, C/8] by the fused kernel (sam/mask_tail.h), where it applies: fp32 on the CPU, no
  /// gradient, a width it compiles; otherwise nothing. MEDSA_MASK_TAIL=off|portable|avx2|avx512
  /// turns it off or forces an instruction set (comparisons, benchmarks).
  std::optional<torch::Tensor> fusedMasks(const torch::Tensor& tokens, const torch::Tensor& hyperIn,
                                          int64_t h, int64_t w);
  /// For each pixel of a [4h, 4w] mask, its column in upscaleTokens' output (cached per grid).
  torch::Tensor maskPixelOrder(int64_t h, int64_t w, const torch::Device& device);

  TwoWayTransformer transformer{nullptr};
  torch::nn::Embedding iou_token{nullptr}, mask_tokens{nullptr};
  torch::nn::Sequential output_upscaling;
  torch::nn::ModuleList output_hypernetworks_mlps;
  Mlp iou_prediction_head{nullptr};
  int64_t maskTokenCount;

 private:
  std::mutex pixelOrderMutex;  // the engine and an evaluation may decode at the same time
  torch::Tensor pixelOrder;    // for pixelOrderGrid, on its device
  std::pair<int64_t, int64_t> pixelOrderGrid;  // (h, w)
};
TORCH_MODULE(MaskDecoder);

}  // namespace medsa::model
