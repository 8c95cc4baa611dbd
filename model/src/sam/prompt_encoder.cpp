#include "sam/prompt_encoder.h"

#include <algorithm>
#include <initializer_list>
#include <numbers>

#include "sam/mask_embedding.h"
#include "sam/vector_isa.h"

namespace medsa::model {

PositionEmbeddingRandomImpl::PositionEmbeddingRandomImpl(int64_t features) {
  positional_encoding_gaussian_matrix =
      register_buffer("positional_encoding_gaussian_matrix", torch::randn({2, features}));
}

torch::Tensor PositionEmbeddingRandomImpl::encode(const torch::Tensor& coords) const {
  const torch::Tensor projected =
      (2 * coords - 1).matmul(positional_encoding_gaussian_matrix) * (2 * std::numbers::pi);
  return torch::cat({projected.sin(), projected.cos()}, -1);
}

torch::Tensor PositionEmbeddingRandomImpl::densePe(int64_t grid) const {
  const auto options = positional_encoding_gaussian_matrix.options();
  const torch::Tensor ones = torch::ones({grid, grid}, options);
  const torch::Tensor y = (ones.cumsum(0) - 0.5) / grid;
  const torch::Tensor x = (ones.cumsum(1) - 0.5) / grid;
  return encode(torch::stack({x, y}, -1)).permute({2, 0, 1}).unsqueeze(0);
}

PromptEncoderImpl::PromptEncoderImpl(const SamConfig& config)
    : grid(config.tokenGrid()), imageSize(config.imageSize), dim(config.promptDim) {
  pe_layer = register_module("pe_layer", PositionEmbeddingRandom(dim / 2));
  for (int i = 0; i < 4; ++i) point_embeddings->push_back(torch::nn::Embedding(1, dim));
  register_module("point_embeddings", point_embeddings);
  not_a_point_embed = register_module("not_a_point_embed", torch::nn::Embedding(1, dim));
  const int64_t maskIn = config.maskInChannels;
  mask_downscaling = register_module(
      "mask_downscaling",
      torch::nn::Sequential(
          torch::nn::Conv2d(torch::nn::Conv2dOptions(1, maskIn / 4, 2).stride(2)),
          LayerNorm2d(maskIn / 4), Gelu(),
          torch::nn::Conv2d(torch::nn::Conv2dOptions(maskIn / 4, maskIn, 2).stride(2)),
          LayerNorm2d(maskIn), Gelu(),
          torch::nn::Conv2d(torch::nn::Conv2dOptions(maskIn, dim, 1))));
  no_mask_embed = register_module("no_mask_embed", torch::nn::Embedding(1, dim));
}

torch::Tensor PromptEncoderImpl::pointEmbedding(int index) {
  return point_embeddings[index]->as<torch::nn::Embedding>()->weight;
}

torch::Tensor PromptEncoderImpl::embedPoints(torch::Tensor points, torch::Tensor labels, bool pad) {
  points = points + 0.5;  // pixel centres
  if (pad) {
    // Without a box SAM appends a padding point, which the decoder was trained to expect.
    points = torch::cat({points, torch::zeros({points.size(0), 1, 2}, points.options())}, 1);
    labels = torch::cat({labels, torch::full({labels.size(0), 1}, kPadding, labels.options())}, 1);
  }
  torch::Tensor embedding = pe_layer->encode(points / static_cast<double>(imageSize));
  const torch::Tensor l = labels.unsqueeze(-1);
  embedding = torch::where(l == kPadding, torch::zeros_like(embedding), embedding);
  embedding = embedding + (l == kPadding).to(embedding.dtype()) * not_a_point_embed->weight;
  for (int label = 0; label < 4; ++label) {
    embedding = embedding + (l == label).to(embedding.dtype()) * pointEmbedding(label);
  }
  return embedding;
}

torch::Tensor PromptEncoderImpl::embedBoxes(const torch::Tensor& boxes) {
  const torch::Tensor corners = (boxes + 0.5).reshape({-1, 2, 2});
  torch::Tensor embedding = pe_layer->encode(corners / static_cast<double>(imageSize));
  const torch::Tensor cornerEmbeddings = torch::stack({pointEmbedding(2)[0], pointEmbedding(3)[0]});
  return embedding + cornerEmbeddings.unsqueeze(0);
}

torch::Tensor PromptEncoderImpl::embedMasks(const torch::Tensor& masks,
                                            torch::Tensor* maskFeatures) {
  if (std::optional<torch::Tensor> fused = fusedMaskEmbedding(masks, maskFeatures)) return *fused;
  // mask_downscaling, with its last layer (a 1 x 1 convolution) as a linear layer over the
  // pixels: the embedding comes out channels last, as the image embedding does, so that the
  // decoder adds the two in one plain pass. The NCHW result cost a correction click 1.8 ms in
  // that sum alone, and the 1 x 1 convolution was slower than the matmul.
  torch::Tensor x = masks;
  const auto last = mask_downscaling->end() - 1;
  for (auto layer = mask_downscaling->begin(); layer != last; ++layer) x = layer->forward(x);
  const auto conv = last->ptr<torch::nn::Conv2dImpl>();
  if (maskFeatures) *maskFeatures = x.flatten(2).transpose(1, 2);
  return torch::linear(x.permute({0, 2, 3, 1}), conv->weight.flatten(1), conv->bias)
      .permute({0, 3, 1, 2});
}

torch::nn::Conv2dImpl& PromptEncoderImpl::maskProjection() {
  return *mask_downscaling[mask_downscaling->size() - 1]->as<torch::nn::Conv2dImpl>();
}

std::optional<torch::Tensor> PromptEncoderImpl::fusedMaskEmbedding(const torch::Tensor& masks,
                                                                   torch::Tensor* maskFeatures) {
  static const std::optional<VectorIsa> isa = kernelChoice("MEDSA_MASK_EMBEDDING");
  const auto& conv1 = *mask_downscaling[0]->as<torch::nn::Conv2dImpl>();
  const auto& norm1 = *mask_downscaling[1]->as<LayerNorm2dImpl>();
  const auto& conv2 = *mask_downscaling[3]->as<torch::nn::Conv2dImpl>();
  const auto& norm2 = *mask_downscaling[4]->as<LayerNorm2dImpl>();
  const auto& projection = maskProjection();
  const int64_t c1 = conv1.weight.size(0), c2 = conv2.weight.size(0);
  const std::initializer_list<const torch::Tensor*> parameters = {
      &conv1.weight, &conv1.bias,   &norm1.weight, &norm1.bias,        &conv2.weight,
      &conv2.bias,   &norm2.weight, &norm2.bias,   &projection.weight, &projection.bias};
  const bool weightsFit = std::all_of(parameters.begin(), parameters.end(),
                                      [](const torch::Tensor* t) { return isCpuFloat(*t); });
  if (!isa || torch::GradMode::is_enabled() || !isCpuFloat(masks) || masks.dim() != 4 ||
      masks.size(1) != 1 || masks.size(2) % 4 != 0 || masks.size(3) % 4 != 0 || !weightsFit ||
      !maskEmbeddingFits(c1, c2, dim)) {
    return std::nullopt;
  }
  const int64_t batch = masks.size(0), h = masks.size(2) / 4, w = masks.size(3) / 4;
  const torch::Tensor input = masks.contiguous();
  const torch::Tensor weight1 = conv1.weight.contiguous(), bias1 = conv1.bias.contiguous();
  const torch::Tensor weight2 = conv2.weight.contiguous(), bias2 = conv2.bias.contiguous();
  const torch::Tensor normWeight1 = norm1.weight.contiguous(), normBias1 = norm1.bias.contiguous();
  const torch::Tensor normWeight2 = norm2.weight.contiguous(), normBias2 = norm2.bias.contiguous();
  const torch::Tensor rows = projection.weight.flatten(1).t().contiguous();  // [c2, dim]
  const torch::Tensor rowsBias = projection.bias.contiguous();
  const MaskEmbeddingWeights weights{weight1.data_ptr<float>(),
                                     bias1.data_ptr<float>(),
                                     normWeight1.data_ptr<float>(),
                                     normBias1.data_ptr<float>(),
                                     static_cast<float>(norm1.eps),
                                     weight2.data_ptr<float>(),
                                     bias2.data_ptr<float>(),
                                     normWeight2.data_ptr<float>(),
                                     normBias2.data_ptr<float>(),
                                     static_cast<float>(norm2.eps),
                                     rows.data_ptr<float>(),
                                     rowsBias.data_ptr<float>(),
                                     c1,
                                     c2,
                                     dim};
  torch::Tensor out = torch::empty({batch, h, w, dim}, input.options());
  if (maskFeatures) *maskFeatures = torch::empty({batch, h * w, c2}, input.options());
  maskEmbedding(*isa, input.data_ptr<float>(), weights, batch, h, w, out.data_ptr<float>(),
                maskFeatures ? maskFeatures->data_ptr<float>() : nullptr);
  return out.permute({0, 3, 1, 2});
}

std::pair<torch::Tensor, torch::Tensor> PromptEncoderImpl::forward(
    const std::optional<torch::Tensor>& points, const std::optional<torch::Tensor>& labels,
    const std::optional<torch::Tensor>& boxes, const std::optional<torch::Tensor>& masks,
    torch::Tensor* maskFeatures) {
  const int64_t batch = points  ? points->size(0)
                        : boxes ? boxes->size(0)
                        : masks ? masks->size(0)
                                : 1;
  const auto options = not_a_point_embed->weight.options();
  torch::Tensor sparse = torch::empty({batch, 0, dim}, options);
  if (points) {
    sparse = torch::cat({sparse, embedPoints(*points, *labels, /*pad=*/!boxes)}, 1);
  }
  if (boxes) sparse = torch::cat({sparse, embedBoxes(*boxes)}, 1);
  torch::Tensor dense;
  if (masks) {
    dense = embedMasks(*masks, maskFeatures);
  } else {
    dense = no_mask_embed->weight.reshape({1, -1, 1, 1}).expand({batch, -1, grid, grid});
  }
  return {sparse, dense};
}

}  // namespace medsa::model
