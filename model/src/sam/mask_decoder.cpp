#include "sam/mask_decoder.h"

#include <ATen/autocast_mode.h>

#include <cmath>

#include "sam/decoder_fused_paths.h"
#include "sam/image_to_tokens.h"
#include "sam/mask_tail.h"
#include "sam/tokens_to_image.h"
#include "torch_compat.h"

namespace medsa::model {
namespace {

FloatLayerNorm layerNorm(int64_t dim) { return FloatLayerNorm(dim, 1e-5); }

// An attention's projection: the prompt tokens' few rows through the few-rows kernel in fp32
// inference (LibTorch's linear took 19 us for 7 x 256 -> 256 warm, and runs 18 times a click),
// anything else (image tokens, training) through LibTorch's linear.
torch::Tensor projectFew(torch::nn::LinearImpl& projection, const torch::Tensor& x) {
  return tokenLinear(projection, x, /*relu=*/false);
}

// keys + keyPe, the cross attentions' image-side keys and queries, made once where the step-by-
// step paths will read it (training, GPU); undefined where the fused kernels add keyPe as they
// read.
torch::Tensor keysWithPeUnlessFused(const torch::Tensor& keys, const torch::Tensor& keyPe) {
  return fusedInference(keys) ? torch::Tensor() : keys + keyPe;
}

// Prompt tokens q attending to the image tokens `keys` (keys + keyPe as the attention's keys,
// keys as its values; `withPe` that sum where keysWithPeUnlessFused made it); and image tokens q
// attending to prompt tokens k, v.
torch::Tensor tokensToImage(DecoderAttentionImpl& attention, const torch::Tensor& q,
                            const torch::Tensor& keys, const torch::Tensor& keyPe,
                            const torch::Tensor& withPe) {
  if (withPe.defined()) {
    return attention.foldsFor(q.size(1)) ? attention.attendToMany(q, withPe, keys)
                                         : attention.forward(q, withPe, keys);
  }
  return attention.foldsFor(q.size(1)) ? attention.attendToMany(q, keys, keys, keyPe)
                                       : attention.forward(q, keys + keyPe, keys);
}
torch::Tensor imageToTokens(DecoderAttentionImpl& attention, const torch::Tensor& q,
                            const torch::Tensor& k, const torch::Tensor& v) {
  return attention.foldsFor(k.size(1)) ? attention.attendFromMany(q, k, v)
                                       : attention.forward(q, k, v);
}

// The mask tail's switch (MEDSA_MASK_TAIL), read once.
std::optional<VectorIsa> maskTailChoice() {
  static const std::optional<VectorIsa> choice = kernelChoice("MEDSA_MASK_TAIL");
  return choice;
}

// Per head, softmax(queries keys^T) values through tokens_to_image.h's kernel, for fp32
// inference on the CPU: queries [B, heads, n, c], keys and values [B, N, heads x c] (one head
// of c = C: the folded form). nullopt where the kernel does not apply.
// `keysInBlocks`, where defined, are the keys as TokensToImageInput::keysInBlocks lays them out
// ([1 or B, blocks, heads x c, 16], MaskDecoder::prepare), and `keys` may then be undefined;
// `keyPe`, where defined, is added to the keys as the kernel reads them.
std::optional<torch::Tensor> fusedTokensToImage(const torch::Tensor& queries, torch::Tensor keys,
                                                torch::Tensor values,
                                                const torch::Tensor& keysInBlocks = {},
                                                torch::Tensor keyPe = {}) {
  const std::optional<VectorIsa> isa = tokensToImageChoice();
  const int64_t batch = queries.size(0), heads = queries.size(1), n = queries.size(2);
  const int64_t c = queries.size(3), tokens = values.size(1);
  const bool blocked = keysInBlocks.defined() && isCpuFloat(keysInBlocks) &&
                       keysInBlocks.size(2) == values.size(2) &&
                       keysInBlocks.size(1) * kKeyBlockTokens >= tokens;
  if (!isa || !fusedInference(values) || !isCpuFloat(queries) || values.size(2) != heads * c ||
      tokens < 1 || !tokensToImageFits(n, c) || (!blocked && !keys.defined()) ||
      (keys.defined() && (!isCpuFloat(keys) || values.sizes() != keys.sizes())) ||
      (keyPe.defined() && (!isCpuFloat(keyPe) || keyPe.sizes() != values.sizes())))
    return std::nullopt;
  // Each token's row contiguous (image tokens made channels last by a permute are not).
  if (keys.defined() && keys.stride(2) != 1) keys = keys.contiguous();
  if (values.stride(2) != 1) values = values.contiguous();
  if (keyPe.defined() && keyPe.stride(2) != 1) keyPe = keyPe.contiguous();
  const torch::Tensor q = queries.contiguous();
  torch::Tensor out = torch::empty({batch, heads, n, c}, q.options());
  for (int64_t b = 0; b < batch; ++b) {
    const torch::Tensor v = values.select(0, b);
    TokensToImageInput input{};
    input.queries = q.select(0, b).data_ptr<float>();
    if (keys.defined()) {
      const torch::Tensor k = keys.select(0, b);
      input.keys = k.data_ptr<float>();
      input.keyStride = k.stride(0);
    }
    input.values = v.data_ptr<float>();
    input.heads = heads;
    input.n = n;
    input.dim = c;
    input.tokens = tokens;
    input.valueStride = v.stride(0);
    if (blocked) {
      input.keysInBlocks =
          keysInBlocks.select(0, keysInBlocks.size(0) == 1 ? 0 : b).data_ptr<float>();
    }
    if (keyPe.defined()) {
      const torch::Tensor pe = keyPe.select(0, b);
      input.keyPe = pe.data_ptr<float>();
      input.keyPeStride = pe.stride(0);
    }
    tokensToImage(*isa, input, out.select(0, b).data_ptr<float>());
  }
  return out;
}

// keys (the image tokens) updated by their attention to the prompt tokens, the residual and
// `norm`, in one pass (image_to_tokens.h), for fp32 inference on the CPU; nullopt where the
// kernel does not apply (the caller then takes the step-by-step form). The image tokens' queries
// are keys + keyPe, summed as the kernel reads them; `tokenKeys` are the prompt tokens with their
// encoding. `projectedQueries`, where defined, are the image queries' projection as
// ImageToTokensInput::projectedQueries lays it out ([1, blocks, inner, 16], MaskDecoder::prepare).
std::optional<torch::Tensor> fusedImageToTokens(
    DecoderAttentionImpl& attention, FloatLayerNormImpl& norm, const torch::Tensor& tokenKeys,
    const torch::Tensor& tokenValues, const torch::Tensor& keys, const torch::Tensor& keyPe,
    const torch::Tensor& projectedQueries) {
  const std::optional<VectorIsa> isa = imageToTokensChoice();
  const int64_t batch = keys.size(0), tokens = keys.size(1), dim = keys.size(2);
  const int64_t n = tokenKeys.size(1), heads = attention.heads;
  const int64_t inner = attention.q_proj->weight.size(0), c = inner / heads;
  // Inference only, as for the mask tail: with gradients recorded, the steps LibTorch knows.
  if (!isa || !fusedInference(keys) || !isCpuFloat(tokenKeys) || !isCpuFloat(norm.weight) ||
      !isCpuFloat(attention.q_proj->weight) || !isCpuFloat(keyPe) ||
      keyPe.sizes() != keys.sizes() || !attention.foldsFor(n) || !imageToTokensFits(dim, heads * n))
    return std::nullopt;
  // The prompt tokens' side, as attendFromMany folds it (small: heads x n rows).
  const double scale = 1.0 / std::sqrt(static_cast<double>(c));
  const torch::Tensor kh =
      (projectFew(*attention.k_proj, tokenKeys) * scale).view({batch, n, heads, c}).transpose(1, 2);
  const torch::Tensor vh =
      projectFew(*attention.v_proj, tokenValues).view({batch, n, heads, c}).transpose(1, 2);
  const int64_t columns = heads * n, stride = imageToTokensColumnStride(columns);
  const bool projected = projectedQueries.defined() && isCpuFloat(projectedQueries) &&
                         projectedQueries.size(2) == inner &&
                         projectedQueries.size(1) * kProjectedTokenBlock >= tokens;
  torch::Tensor columnMatrix, columnBias, tokenKeysPerHead;
  if (projected) {
    tokenKeysPerHead = kh.contiguous();  // [B, heads, n, c]
  } else {
    columnMatrix = torch::zeros({batch, dim, stride}, keys.options());
    columnMatrix.narrow(2, 0, columns)
        .copy_(kh.matmul(attention.q_proj->weight.view({heads, c, dim}))
                   .reshape({batch, columns, dim})
                   .transpose(1, 2));
    columnBias = torch::zeros({batch, stride}, keys.options());
    columnBias.narrow(1, 0, columns)
        .copy_(kh.matmul(attention.q_proj->bias.view({heads, c, 1})).reshape({batch, columns}));
  }
  const torch::Tensor values =
      vh.matmul(attention.out_proj->weight.view({dim, heads, c}).permute({1, 2, 0}))
          .reshape({batch, columns, dim})
          .contiguous();
  const torch::Tensor outBias = attention.out_proj->bias.contiguous();
  const torch::Tensor normWeight = norm.weight.contiguous(), normBias = norm.bias.contiguous();
  torch::Tensor out = torch::empty({batch, tokens, dim}, keys.options());
  for (int64_t b = 0; b < batch; ++b) {
    const torch::Tensor residual = keys.select(0, b).contiguous();
    const torch::Tensor pe = keyPe.select(0, b).contiguous();
    ImageToTokensInput input{};
    input.keys = residual.data_ptr<float>();
    input.pe = pe.data_ptr<float>();
    if (projected) {
      const int64_t item = projectedQueries.size(0) == 1 ? 0 : b;
      input.projectedQueries = projectedQueries.select(0, item).data_ptr<float>();
      input.tokenKeys = tokenKeysPerHead.select(0, b).data_ptr<float>();
      input.headDim = c;
    } else {
      input.columns = columnMatrix.select(0, b).data_ptr<float>();
      input.columnBias = columnBias.select(0, b).data_ptr<float>();
    }
    input.values = values.select(0, b).data_ptr<float>();
    input.outBias = outBias.data_ptr<float>();
    input.normWeight = normWeight.data_ptr<float>();
    input.normBias = normBias.data_ptr<float>();
    input.normEps = static_cast<float>(norm.eps);
    input.tokens = tokens;
    input.dim = dim;
    input.heads = heads;
    input.perHead = n;
    input.columnStride = stride;
    imageToTokens(*isa, input, out.select(0, b).data_ptr<float>());
  }
  return out;
}

}  // namespace

bool fusedInference(const torch::Tensor& imageTokens) {
  return !torch::GradMode::is_enabled() && isCpuFloat(imageTokens) && !compat::cpuAutocastEnabled();
}

std::optional<VectorIsa> imageToTokensChoice() {
  static const std::optional<VectorIsa> choice = kernelChoice("MEDSA_IMAGE_TO_TOKENS");
  return choice;
}

std::optional<VectorIsa> tokensToImageChoice() {
  static const std::optional<VectorIsa> choice = kernelChoice("MEDSA_TOKENS_TO_IMAGE");
  return choice;
}

torch::Tensor tokenRows(const torch::Tensor& grid) {
  return grid.flatten(2).permute({0, 2, 1}).contiguous();
}

DecoderAttentionImpl::DecoderAttentionImpl(int64_t dim, int64_t heads_, int64_t downsample)
    : heads(heads_) {
  const int64_t inner = dim / downsample;
  q_proj = register_module("q_proj", torch::nn::Linear(dim, inner));
  k_proj = register_module("k_proj", torch::nn::Linear(dim, inner));
  v_proj = register_module("v_proj", torch::nn::Linear(dim, inner));
  out_proj = register_module("out_proj", torch::nn::Linear(inner, dim));
}

std::pair<torch::Tensor, torch::Tensor> DecoderAttentionImpl::projectKeysValues(
    const torch::Tensor& k, const torch::Tensor& v) {
  const auto splitHeads = [this](const torch::Tensor& x) {
    return x.view({x.size(0), x.size(1), heads, x.size(2) / heads}).transpose(1, 2);
  };
  return {splitHeads(projectFew(*k_proj, k)), splitHeads(projectFew(*v_proj, v))};
}

torch::Tensor DecoderAttentionImpl::queryHeads(const torch::Tensor& q) {
  const torch::Tensor projected = projectFew(*q_proj, q);
  return projected.view({q.size(0), q.size(1), heads, projected.size(2) / heads}).transpose(1, 2);
}

torch::Tensor DecoderAttentionImpl::mergeHeads(const torch::Tensor& attention,
                                               const torch::Tensor& vh) {
  return projectHeads(attention.matmul(vh));
}

torch::Tensor DecoderAttentionImpl::projectHeads(const torch::Tensor& attended) {
  const torch::Tensor out = attended.transpose(1, 2);
  return projectFew(*out_proj, out.reshape({out.size(0), out.size(1), -1}));
}

torch::Tensor DecoderAttentionImpl::attend(const torch::Tensor& q, const torch::Tensor& kh,
                                           const torch::Tensor& vh) {
  const torch::Tensor qh = queryHeads(q);
  const double scale = 1.0 / std::sqrt(static_cast<double>(qh.size(3)));
  return mergeHeads((qh.matmul(kh.transpose(2, 3)) * scale).softmax(-1), vh);
}

torch::Tensor DecoderAttentionImpl::attendPrepared(const torch::Tensor& q,
                                                   const torch::Tensor& scaledKeys,
                                                   const torch::Tensor& values,
                                                   const torch::Tensor& keysInBlocks) {
  const torch::Tensor qh = queryHeads(q);
  if (std::optional<torch::Tensor> attended =
          fusedTokensToImage(qh, scaledKeys, values, keysInBlocks))
    return projectHeads(*attended);
  const int64_t batch = values.size(0), tokens = values.size(1), c = qh.size(3);
  // Keys kept in blocks only, taken out of them (the kernel declined: not fp32 inference).
  const torch::Tensor keys = scaledKeys.defined()
                                 ? scaledKeys
                                 : keysInBlocks.transpose(2, 3)
                                       .reshape({keysInBlocks.size(0), -1, keysInBlocks.size(2)})
                                       .narrow(1, 0, tokens)
                                       .expand({batch, -1, -1});
  const torch::Tensor keysT = keys.view({batch, tokens, heads, c}).permute({0, 2, 3, 1});
  const torch::Tensor vh = values.view({batch, tokens, heads, c}).transpose(1, 2);
  return mergeHeads(qh.matmul(keysT).softmax(-1), vh);
}

torch::Tensor DecoderAttentionImpl::forward(const torch::Tensor& q, const torch::Tensor& k,
                                            const torch::Tensor& v) {
  auto [kh, vh] = projectKeysValues(k, v);
  return attend(q, kh, vh);
}

bool DecoderAttentionImpl::foldsFor(int64_t fewTokens) const {
  // The folded form multiplies the N image tokens by heads x n columns instead of the inner
  // dimension's, twice either way.
  return heads * fewTokens <= q_proj->weight.size(0);
}

torch::Tensor DecoderAttentionImpl::attendToMany(const torch::Tensor& q, const torch::Tensor& k,
                                                 const torch::Tensor& v,
                                                 const torch::Tensor& keyPe) {
  const int64_t batch = q.size(0), n = q.size(1), dim = q.size(2);
  const int64_t inner = q_proj->weight.size(0), c = inner / heads;
  const double scale = 1.0 / std::sqrt(static_cast<double>(c));
  const torch::Tensor qh =
      (projectFew(*q_proj, q) * scale).view({batch, n, heads, c}).transpose(1, 2);
  // q_h . (k Wk_h^T + bk_h) = (q_h Wk_h) . k + q_h . bk_h; the second term is one constant per
  // score row, which softmax drops.
  const torch::Tensor queriesInImageSpace =
      qh.matmul(k_proj->weight.view({heads, c, dim})).reshape({batch, heads * n, dim});
  // P (v Wv_h^T + bv_h) = (P v) Wv_h^T + bv_h, because every row of P sums to one.
  torch::Tensor mixed;
  if (std::optional<torch::Tensor> fused =
          fusedTokensToImage(queriesInImageSpace.unsqueeze(1), k, v, {}, keyPe)) {
    mixed = fused->view({batch, heads, n, dim});
  } else {
    const torch::Tensor keys = keyPe.defined() ? k + keyPe : k;
    const torch::Tensor attention = queriesInImageSpace.matmul(keys.transpose(1, 2)).softmax(-1);
    mixed = attention.matmul(v).view({batch, heads, n, dim});
  }
  const torch::Tensor out = mixed.matmul(v_proj->weight.view({heads, c, dim}).transpose(1, 2)) +
                            v_proj->bias.view({1, heads, 1, c});
  return projectFew(*out_proj, out.transpose(1, 2).reshape({batch, n, inner}));
}

torch::Tensor DecoderAttentionImpl::attendFromMany(const torch::Tensor& q, const torch::Tensor& k,
                                                   const torch::Tensor& v) {
  const int64_t batch = q.size(0), tokens = q.size(1), n = k.size(1), dim = q.size(2);
  const int64_t inner = q_proj->weight.size(0), c = inner / heads;
  const double scale = 1.0 / std::sqrt(static_cast<double>(c));
  const torch::Tensor kh =
      (projectFew(*k_proj, k) * scale).view({batch, n, heads, c}).transpose(1, 2);
  const torch::Tensor vh = projectFew(*v_proj, v).view({batch, n, heads, c}).transpose(1, 2);
  // (q Wq_h^T + bq_h) . k_h = q . (k_h Wq_h) + bq_h . k_h: one column per head and prompt token.
  const torch::Tensor keysInImageSpace =
      kh.matmul(q_proj->weight.view({heads, c, dim})).reshape({batch, heads * n, dim});
  const torch::Tensor keyBias =
      kh.matmul(q_proj->bias.view({heads, c, 1})).reshape({batch, heads * n, 1});
  // Scores laid out [B, heads, n, N]: the softmax over a head's n tokens then runs along rows of
  // N (over a last dimension of a few tokens, LibTorch's softmax is ten times slower).
  const torch::Tensor attention = torch::baddbmm(keyBias, keysInImageSpace, q.transpose(1, 2))
                                      .view({batch, heads, n, tokens})
                                      .softmax(2)
                                      .view({batch, heads * n, tokens});
  // out_proj(concat_h P_h v_h) = sum_h P_h (v_h Wo_h^T) + bo, Wo_h being head h's columns.
  const torch::Tensor valuesOut =
      vh.matmul(out_proj->weight.view({dim, heads, c}).permute({1, 2, 0}))
          .reshape({batch, heads * n, dim});
  return torch::baddbmm(out_proj->bias.view({1, 1, dim}), attention.transpose(1, 2), valuesOut);
}

TwoWayBlockImpl::TwoWayBlockImpl(int64_t dim, int64_t heads, int64_t mlpDim, bool skipPe,
                                 const AdapterConfig* adapters)
    : skipFirstLayerPe(skipPe) {
  self_attn = register_module("self_attn", DecoderAttention(dim, heads, 1));
  norm1 = register_module("norm1", layerNorm(dim));
  cross_attn_token_to_image =
      register_module("cross_attn_token_to_image", DecoderAttention(dim, heads, 2));
  norm2 = register_module("norm2", layerNorm(dim));
  mlp = register_module("mlp", torch::nn::Sequential());
  mlp->push_back("lin1", torch::nn::Linear(dim, mlpDim));
  mlp->push_back("act", torch::nn::ReLU());
  mlp->push_back("lin2", torch::nn::Linear(mlpDim, dim));
  norm3 = register_module("norm3", layerNorm(dim));
  norm4 = register_module("norm4", layerNorm(dim));
  cross_attn_image_to_token =
      register_module("cross_attn_image_to_token", DecoderAttention(dim, heads, 2));
  if (adapters && adapters->decoder) {
    hyp_adapter = register_module("hyp_adapter", HyperAdapter(dim, adapters->decoderBottleneck));
    adapter_mlp =
        register_module("adapter_mlp", Adapter(dim, static_cast<int64_t>(dim * adapters->ratio)));
    mlpScale = adapters->mlpScale;
  }
}

std::pair<torch::Tensor, torch::Tensor> TwoWayBlockImpl::forward(
    torch::Tensor queries, const torch::Tensor& keys, const torch::Tensor& queryPe,
    const torch::Tensor& keyPe, const torch::Tensor& prompt, const PreparedImage* prepared) {
  if (skipFirstLayerPe) {
    queries = self_attn(queries, queries, queries);  // no residual on the first layer
  } else {
    const torch::Tensor q = queries + queryPe;
    queries = queries + self_attn(q, q, queries);
  }
  queries = norm1(queries);

  // Both cross attentions read the image tokens as the block received them, keys + keyPe as
  // their keys (the fused kernels add keyPe as they read).
  const torch::Tensor withPe = keysWithPeUnlessFused(keys, keyPe);
  torch::Tensor q = queries + queryPe;
  torch::Tensor attended;
  if (prepared) {
    const int64_t batch = queries.size(0);
    const auto forBatch = [batch](const torch::Tensor& x) {
      return x.defined() ? x.expand({batch, -1, -1}) : x;
    };
    attended = cross_attn_token_to_image->attendPrepared(q, forBatch(prepared->firstScaledKeys),
                                                         forBatch(prepared->firstValues),
                                                         prepared->firstKeysInBlocks);
  } else {
    attended = tokensToImage(*cross_attn_token_to_image, q, keys, keyPe, withPe);
  }
  if (hyp_adapter) attended = attended + hyp_adapter(attended, prompt);
  queries = norm2(queries + attended);
  // lin1, ReLU, lin2 as mlp->forward would, through the few-rows kernel.
  torch::Tensor transformed = tokenLinear(
      *mlp[2]->as<torch::nn::Linear>(),
      tokenLinear(*mlp[0]->as<torch::nn::Linear>(), queries, /*relu=*/true), /*relu=*/false);
  if (adapter_mlp) transformed = transformed + mlpScale * adapter_mlp(queries);
  queries = norm3(queries + transformed);

  q = queries + queryPe;
  if (std::optional<torch::Tensor> updated =
          fusedImageToTokens(*cross_attn_image_to_token, *norm4, q, queries, keys, keyPe,
                             prepared ? prepared->firstImageQueries : torch::Tensor())) {
    return {queries, *updated};
  }
  return {queries,
          norm4(keys + imageToTokens(*cross_attn_image_to_token,
                                     withPe.defined() ? withPe : keys + keyPe, q, queries))};
}

TwoWayTransformerImpl::TwoWayTransformerImpl(const SamConfig& config,
                                             const AdapterConfig* adapters) {
  const int64_t dim = config.promptDim;
  for (int i = 0; i < config.decoderDepth; ++i) {
    layers->push_back(
        TwoWayBlock(dim, config.decoderHeads, config.decoderMlpDim, i == 0, adapters));
  }
  register_module("layers", layers);
  final_attn_token_to_image =
      register_module("final_attn_token_to_image", DecoderAttention(dim, config.decoderHeads, 2));
  norm_final_attn = register_module("norm_final_attn", layerNorm(dim));
}

std::pair<torch::Tensor, torch::Tensor> TwoWayTransformerImpl::forward(
    const torch::Tensor& image, const torch::Tensor& imagePe, const torch::Tensor& tokens,
    const torch::Tensor& prompt, const PreparedImage* prepared, int64_t keptTokens) {
  const int64_t batch = tokens.size(0);
  // Token rows contiguous once here (a channels-last source already is), not in every kernel.
  torch::Tensor keys = prepared ? prepared->keys.expand({batch, -1, -1}) : tokenRows(image);
  // The encoding channels last once per call, shared by the batch where it is one picture's
  // (the fused image-to-token kernel reads it per block).
  torch::Tensor keyPe;
  if (prepared) {
    keyPe = prepared->keyPe.expand({batch, -1, -1});
  } else if (imagePe.size(0) == 1 || imagePe.stride(0) == 0) {
    keyPe = tokenRows(imagePe.narrow(0, 0, 1)).expand({batch, -1, -1});
  } else {
    keyPe = imagePe.flatten(2).permute({0, 2, 1});
  }
  torch::Tensor queries = tokens;
  for (size_t i = 0; i < layers->size(); ++i) {
    // Only the first block sees the image tokens as they were prepared.
    std::tie(queries, keys) = layers[i]->as<TwoWayBlock>()->forward(
        queries, keys, tokens, keyPe, prompt, i == 0 ? prepared : nullptr);
  }
  if (keptTokens > 0 && keptTokens < queries.size(1)) {
    queries = queries.narrow(1, 0, keptTokens);
  }
  const torch::Tensor q = queries + tokens.narrow(1, 0, queries.size(1));
  queries = norm_final_attn(queries + tokensToImage(*final_attn_token_to_image, q, keys, keyPe,
                                                    keysWithPeUnlessFused(keys, keyPe)));
  return {queries, keys};
}

MaskDecoderImpl::MaskDecoderImpl(const SamConfig& config, const AdapterConfig* adapters)
    : maskTokenCount(config.multimaskOutputs + 1) {
  const int64_t dim = config.promptDim;
  transformer = register_module("transformer", TwoWayTransformer(config, adapters));
  iou_token = register_module("iou_token", torch::nn::Embedding(1, dim));
  mask_tokens = register_module("mask_tokens", torch::nn::Embedding(maskTokenCount, dim));
  output_upscaling = register_module(
      "output_upscaling", torch::nn::Sequential(Upsample2x(dim, dim / 4), LayerNorm2d(dim / 4),
                                                Gelu(), Upsample2x(dim / 4, dim / 8), Gelu()));
  for (int64_t i = 0; i < maskTokenCount; ++i) {
    output_hypernetworks_mlps->push_back(Mlp(dim, dim, dim / 8, 3));
  }
  register_module("output_hypernetworks_mlps", output_hypernetworks_mlps);
  iou_prediction_head =
      register_module("iou_prediction_head", Mlp(dim, config.iouHeadHidden, maskTokenCount, 3));
}

torch::Tensor MaskDecoderImpl::upscaleTokens(const torch::Tensor& tokens) {
  // output_upscaling's modules, applied as its forward would.
  auto& first = *output_upscaling[0]->as<Upsample2x>();
  auto& norm = *output_upscaling[1]->as<LayerNorm2d>();
  auto& gelu = *output_upscaling[2]->as<Gelu>();
  auto& second = *output_upscaling[3]->as<Upsample2x>();
  const int64_t batch = tokens.size(0);
  const torch::Tensor half = gelu.forward(
      norm.forwardChannelsLast(first.forwardPixels(tokens.reshape({-1, tokens.size(2)}))));
  return gelu.forward(second.forwardPixelsToChannels(half.view({batch, -1, half.size(1)})));
}

std::optional<torch::Tensor> MaskDecoderImpl::fusedMasks(const torch::Tensor& tokens,
                                                         const torch::Tensor& hyperIn, int64_t h,
                                                         int64_t w) {
  auto& first = *output_upscaling[0]->as<Upsample2x>();
  auto& norm = *output_upscaling[1]->as<LayerNorm2d>();
  auto& second = *output_upscaling[3]->as<Upsample2x>();
  const std::optional<VectorIsa> isa = maskTailChoice();
  const int64_t batch = tokens.size(0), count = hyperIn.size(1);
  const int64_t in = second.weight.size(0), out = second.weight.size(1);
  if (!isa || torch::GradMode::is_enabled() || !isCpuFloat(tokens) || !isCpuFloat(hyperIn) ||
      !isCpuFloat(first.weight) || !isCpuFloat(second.weight) || !isCpuFloat(norm.weight) ||
      !maskTailFits(in, out, count)) {
    return std::nullopt;
  }
  const torch::Tensor half = first.forwardPixels(tokens.reshape({-1, tokens.size(2)})).contiguous();
  const torch::Tensor normWeight = norm.weight.contiguous(), normBias = norm.bias.contiguous();
  const torch::Tensor upWeight = second.pixelWeights().contiguous();
  const torch::Tensor upBias = second.pixelBias().contiguous();
  const torch::Tensor hyper = hyperIn.contiguous();
  const MaskTailWeights weights{normWeight.data_ptr<float>(),
                                normBias.data_ptr<float>(),
                                static_cast<float>(norm.eps),
                                upWeight.data_ptr<float>(),
                                upBias.data_ptr<float>(),
                                in,
                                out};
  torch::Tensor masks = torch::empty({batch, count, 4 * h, 4 * w}, hyper.options());
  maskTail(*isa, half.data_ptr<float>(), weights, hyper.data_ptr<float>(), batch, count, h, w,
           masks.data_ptr<float>());
  return masks;
}

torch::Tensor MaskDecoderImpl::maskPixelOrder(int64_t h, int64_t w, const torch::Device& device) {
  const std::lock_guard<std::mutex> lock(pixelOrderMutex);
  if (pixelOrder.defined() && pixelOrder.device() == device && pixelOrderGrid == std::pair{h, w}) {
    return pixelOrder;
  }
  // Mask pixel (r, c) = (4i + 2di + di2, 4j + 2dj + dj2) comes from the first upsampling's
  // row p = (i w + j) 4 + 2di + dj and the second's output (di2, dj2): column (2di2 + dj2) 4hw + p.
  const torch::Tensor r = torch::arange(4 * h, torch::kLong).view({-1, 1});
  const torch::Tensor c = torch::arange(4 * w, torch::kLong).view({1, -1});
  const torch::Tensor halfRow = (r.div(4, "floor") * w + c.div(4, "floor")) * 4 +
                                r.div(2, "floor").remainder(2) * 2 + c.div(2, "floor").remainder(2);
  const torch::Tensor column = (r.remainder(2) * 2 + c.remainder(2)) * (4 * h * w) + halfRow;
  pixelOrder = column.reshape({-1}).to(device);
  pixelOrderGrid = {h, w};
  return pixelOrder;
}

std::pair<torch::Tensor, torch::Tensor> MaskDecoderImpl::forward(const torch::Tensor& embedding,
                                                                 const torch::Tensor& imagePe,
                                                                 const torch::Tensor& sparse,
                                                                 const torch::Tensor& dense,
                                                                 const PreparedImage* prepared) {
  const int64_t batch = sparse.size(0);
  const torch::Tensor outputTokens =
      torch::cat({iou_token->weight, mask_tokens->weight}, 0).unsqueeze(0).expand({batch, -1, -1});
  const torch::Tensor tokens = torch::cat({outputTokens, sparse}, 1);

  // One embedding serves every prompt set of the batch; a batch of embeddings (training)
  // pairs with its prompts one to one.
  const int64_t h = embedding.size(2), w = embedding.size(3);
  torch::Tensor source, sourcePe;
  if (!prepared) {
    source =
        (embedding.size(0) == batch ? embedding : embedding.expand({batch, -1, -1, -1})) + dense;
    sourcePe = imagePe.expand({batch, -1, -1, -1});
  }

  // HyP-Adpt's prompt summary: the mean of the sparse prompt tokens (zero for mask-only prompts).
  const torch::Tensor prompt =
      sparse.size(1) > 0 ? sparse.mean(1) : torch::zeros({batch, sparse.size(2)}, sparse.options());
  auto [hs, imageTokens] =
      transformer(source, sourcePe, tokens, prompt, prepared, outputTokens.size(1));
  const torch::Tensor iouTokenOut = hs.select(1, 0);
  const torch::Tensor maskTokensOut = hs.slice(1, 1, 1 + maskTokenCount);

  std::vector<torch::Tensor> hyper;
  for (int64_t i = 0; i < maskTokenCount; ++i) {
    hyper.push_back(output_hypernetworks_mlps[i]->as<Mlp>()->forward(maskTokensOut.select(1, i)));
  }
  const torch::Tensor hyperIn = torch::stack(hyper, 1);  // [B, T, C/8]
  const torch::Tensor iou = iou_prediction_head(iouTokenOut);
  if (std::optional<torch::Tensor> masks = fusedMasks(imageTokens, hyperIn, h, w))
    return {*masks, iou};
  // Pixel (i, j) of the image tokens ends as the 4 x 4 block of pixels (4i + 2di + di2,
  // 4j + 2dj + dj2). The features keep the order the two upsamplings produce, and only the
  // masks are put in place, by a gather with a cached index (an 8-dimensional permute copy took
  // 1.6 ms; index_select over the last of three dimensions 2.8 ms, on a matrix 0.26 ms).
  const torch::Tensor features = upscaleTokens(imageTokens);  // [B, C/8, 16 h w]
  const torch::Tensor masks = hyperIn.matmul(features)
                                  .view({batch * hyperIn.size(1), h * w * 16})
                                  .index_select(1, maskPixelOrder(h, w, features.device()))
                                  .view({batch, -1, 4 * h, 4 * w});
  return {masks, iou};
}

}  // namespace medsa::model
