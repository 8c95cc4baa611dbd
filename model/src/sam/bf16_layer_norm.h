#pragma once
// LayerNorm over the last dimension of bf16 rows in one pass per row: read bf16, statistics and
// normalisation in fp32, written back as bf16 (rounded to nearest even). It replaces widening
// the whole tensor to fp32, LibTorch's fp32 layer_norm and narrowing it again: two full copies
// per call, which cost twice the normalisation itself in the bf16 ViT encoder (24 calls).

#include <c10/util/BFloat16.h>

#include <cstdint>

namespace medsa::model {

/// x, out: [rows][dim] bf16, contiguous (out may be x); weight, bias: [dim] fp32.
void layerNormBf16(const c10::BFloat16* x, const float* weight, const float* bias,
                   std::int64_t rows, std::int64_t dim, float eps, c10::BFloat16* out);

}  // namespace medsa::model
