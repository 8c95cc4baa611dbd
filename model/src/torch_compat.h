#pragma once
// The one place that knows which LibTorch we compile against: Debian's 1.13 (CPU) by default,
// 2.x CUDA builds (Python PyTorch's bundled LibTorch) on GPU machines. Everything else in
// model/ calls these helpers instead of testing versions itself.

#include <torch/torch.h>
#include <torch/version.h>

#include <string>

#define MEDSA_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||        \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace medsa::model::compat {

inline std::string torchVersion() { return TORCH_VERSION; }

/// at::scaled_dot_product_attention exists from 2.0 on; on 1.13 we use our own attention kernel.
inline constexpr bool kHasScaledDotProductAttention = MEDSA_TORCH_AT_LEAST(2, 0);

}  // namespace medsa::model::compat
