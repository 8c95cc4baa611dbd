#pragma once
// When the mask decoder's fused kernels run, and the token rows they read: shared by the
// decoder's forward pass (mask_decoder.cpp) and the picture's prepared side
// (mask_decoder_prepared.cpp).

#include <torch/torch.h>

#include <optional>

#include "sam/vector_isa.h"

namespace medsa::model {

/// What every fused decoder kernel needs of the image tokens: fp32 inference on the CPU, without
/// gradients recorded or autocast (which would run LibTorch's half of it in bf16).
bool fusedInference(const torch::Tensor& imageTokens);

/// The image-to-token and token-to-image kernels' switches (MEDSA_IMAGE_TO_TOKENS,
/// MEDSA_TOKENS_TO_IMAGE), each read once.
std::optional<VectorIsa> imageToTokensChoice();
std::optional<VectorIsa> tokensToImageChoice();

/// An NCHW grid [B, C, h, w] as rows of tokens [B, h w, C], each row contiguous (a channels-last
/// grid already is: no copy).
torch::Tensor tokenRows(const torch::Tensor& grid);

}  // namespace medsa::model
