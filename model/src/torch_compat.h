#pragma once
// The one place that knows which LibTorch we compile against: Debian's 1.13 (CPU) by default,
// 2.x CUDA builds (Python PyTorch's bundled LibTorch) on GPU machines. Everything else in
// model/ calls these helpers instead of testing versions itself.

#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <string>

#define MEDSA_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||        \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace medsa::model::compat {

inline std::string torchVersion() { return TORCH_VERSION; }

/// Waits until the GPU has run everything queued (its kernels start asynchronously): an
/// embedding is ready, and its time measured, only then.
inline void waitForDevice(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

/// Whether CPU autocast is on in this thread (LibTorch 2.4 made the per-device calls the API).
inline bool cpuAutocastEnabled() {
#if MEDSA_TORCH_AT_LEAST(2, 4)
  return at::autocast::is_autocast_enabled(at::kCPU);
#else
  return at::autocast::is_cpu_enabled();
#endif
}

/// Turns CPU autocast on (in bf16) or off in this thread.
inline void setCpuBf16Autocast(bool enable) {
#if MEDSA_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_enabled(at::kCPU, enable);
  if (enable) at::autocast::set_autocast_dtype(at::kCPU, at::kBFloat16);
#else
  at::autocast::set_cpu_enabled(enable);
  if (enable) at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
#endif
}

}  // namespace medsa::model::compat

namespace medsa::model::compat {

/// Enables bf16 autocast on CUDA for its lifetime (the API changed in LibTorch 2.4).
class CudaBf16Autocast {
 public:
  explicit CudaBf16Autocast(bool enable) : enabled_(enable) {
    if (!enabled_) return;
#if MEDSA_TORCH_AT_LEAST(2, 4)
    at::autocast::set_autocast_enabled(at::kCUDA, true);
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
#else
    at::autocast::set_enabled(true);
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
#endif
  }
  ~CudaBf16Autocast() {
    if (!enabled_) return;
#if MEDSA_TORCH_AT_LEAST(2, 4)
    at::autocast::set_autocast_enabled(at::kCUDA, false);
#else
    at::autocast::set_enabled(false);
#endif
    at::autocast::clear_cache();
  }
  CudaBf16Autocast(const CudaBf16Autocast&) = delete;
  CudaBf16Autocast& operator=(const CudaBf16Autocast&) = delete;

 private:
  bool enabled_;
};

}  // namespace medsa::model::compat

namespace medsa::model::compat {

/// GELU whose backward pass is right for any layout of the incoming gradient. LibTorch 1.13's
/// CPU GELU backward reads a non-contiguous gradient as if it were contiguous: after the mask
/// decoder's pixel-shuffle upsampling (a permute) the decoder's gradients came out wrong, even
/// infinite. Making that gradient contiguous first costs nothing when it already is.
struct GeluFunction : torch::autograd::Function<GeluFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& x) {
    context->save_for_backward({x});
    return torch::gelu(x);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                 torch::autograd::variable_list gradients) {
    const torch::Tensor x = context->get_saved_variables()[0];
    return {torch::gelu_backward(gradients[0].contiguous(), x)};
  }
};

inline torch::Tensor gelu(const torch::Tensor& x) {
  if (!torch::GradMode::is_enabled() || !x.requires_grad()) return torch::gelu(x);
  return GeluFunction::apply(x);
}

}  // namespace medsa::model::compat
