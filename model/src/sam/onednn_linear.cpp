#include "sam/onednn_linear.h"

#include <optional>
#include <string_view>
#include <unordered_map>

#if MEDSA_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

#include "sam/vector_isa.h"
#include "torch_compat.h"

namespace medsa::model {

#if MEDSA_HAVE_ONEDNN
namespace {

using dnnl::memory;

// Fewer rows (the decoder's tokens) stay with LibTorch; from 256 rows up oneDNN was as fast as
// OpenBLAS or faster on every shape measured (the encoder's calls have 4,096).
constexpr int64_t kMinimumRows = 256;

const dnnl::engine& cpuEngine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

std::optional<memory::data_type> dataType(torch::ScalarType type) {
  if (type == torch::kFloat) return memory::data_type::f32;
  if (type == torch::kBFloat16) return memory::data_type::bf16;
  return std::nullopt;
}

// The kernels measured against LibTorch on the project's machines (docs/performance.md,
// nineteenth session): brgemm on AVX-512 for fp32, on AVX512_BF16 for bf16. oneDNN 2.6's AMX
// kernel, gemm-based ones on AVX2 CPUs and anything newer are left to LibTorch until measured.
bool measuredKernel(torch::ScalarType type, std::string_view kernel) {
  if (type == torch::kFloat) return kernel == "brg:avx512_core";
  return kernel == "brg:avx512_core_bf16";
}

// A matmul of x [rows][in] by W^T, W stored [out][in] (format ba of an in x out matrix), the
// bias as a [1][out] row, y [rows][out]; fp32 arithmetic strictly (oneDNN may otherwise be told
// by ONEDNN_DEFAULT_FPMATH_MODE to use bf16 units for fp32). Throws dnnl::error if oneDNN has
// no implementation.
dnnl::matmul::primitive_desc describe(memory::data_type type, int64_t rows, int64_t in, int64_t out,
                                      bool bias, LinearActivation activation) {
  const memory::desc src({rows, in}, type, memory::format_tag::ab);
  const memory::desc weights({in, out}, type, memory::format_tag::ba);
  const memory::desc biasRow =
      bias ? memory::desc({1, out}, type, memory::format_tag::ab) : memory::desc();
  const memory::desc dst({rows, out}, type, memory::format_tag::ab);
  dnnl::primitive_attr attributes;
  attributes.set_fpmath_mode(dnnl::fpmath_mode::strict);
  if (activation == LinearActivation::Gelu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_erf, 0.0f, 0.0f);
    attributes.set_post_ops(ops);
  }
  return {dnnl::matmul::desc(src, weights, biasRow, dst), attributes, cpuEngine()};
}

bool enabledByEnvironment() {
  static const bool enabled = !environmentIs("MEDSA_ONEDNN_LINEAR", "off");
  return enabled;
}

}  // namespace

std::string oneDnnLinearKernel(torch::ScalarType type) {
  const std::optional<memory::data_type> dnnlType = dataType(type);
  if (!enabledByEnvironment() || !dnnlType) return {};
  try {
    // ViT-B's qkv: the kernel does not change with the shape on the CPUs measured.
    const std::string kernel =
        describe(*dnnlType, 4096, 768, 2304, true, LinearActivation::None).impl_info_str();
    return measuredKernel(type, kernel) ? kernel : std::string();
  } catch (const dnnl::error&) {
    return {};
  }
}

torch::Tensor oneDnnLinear(const torch::Tensor& x, const torch::Tensor& weight,
                           const torch::Tensor& bias, LinearActivation activation) {
  if (!enabledByEnvironment() || torch::GradMode::is_enabled() || compat::cpuAutocastEnabled())
    return {};
  const torch::ScalarType type = x.scalar_type();
  const std::optional<memory::data_type> dnnlType = dataType(type);
  if (!dnnlType || !x.device().is_cpu() || x.dim() != 2 || x.size(0) < kMinimumRows ||
      !weight.device().is_cpu() || weight.scalar_type() != type || weight.dim() != 2 ||
      weight.size(1) != x.size(1) || !weight.is_contiguous())
    return {};
  const int64_t rows = x.size(0), in = x.size(1), out = weight.size(0);
  if (bias.defined() && (!bias.device().is_cpu() || bias.scalar_type() != type || bias.dim() != 1 ||
                         bias.size(0) != out || !bias.is_contiguous()))
    return {};

  dnnl::matmul::primitive_desc description;
  try {
    // oneDNN keeps the compiled kernel in its primitive cache: describing it again on every
    // call costs about 20 us against the encoder's 10-100 ms per layer.
    description = describe(*dnnlType, rows, in, out, bias.defined(), activation);
  } catch (const dnnl::error&) {
    return {};
  }
  if (!measuredKernel(type, description.impl_info_str())) return {};

  const torch::Tensor rowsIn = x.contiguous();
  torch::Tensor y = torch::empty({rows, out}, x.options());
  const dnnl::engine& engine = cpuEngine();
  std::unordered_map<int, memory> arguments{
      {DNNL_ARG_SRC, memory(description.src_desc(), engine, rowsIn.data_ptr())},
      {DNNL_ARG_WEIGHTS, memory(description.weights_desc(), engine, weight.data_ptr())},
      {DNNL_ARG_DST, memory(description.dst_desc(), engine, y.data_ptr())}};
  if (bias.defined())
    arguments.emplace(DNNL_ARG_BIAS, memory(description.bias_desc(), engine, bias.data_ptr()));
  dnnl::stream stream(engine);
  dnnl::matmul(description).execute(stream, arguments);
  stream.wait();
  return y;
}

#else  // no oneDNN in this build: LibTorch runs every linear

std::string oneDnnLinearKernel(torch::ScalarType) { return {}; }

torch::Tensor oneDnnLinear(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&,
                           LinearActivation) {
  return {};
}

#endif

}  // namespace medsa::model
