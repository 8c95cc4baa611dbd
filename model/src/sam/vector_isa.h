#pragma once
// The instruction sets the hand-written fp32 kernels (mask_tail, image_to_tokens) are compiled
// for, each function with #pragma GCC target / __attribute__((target)), chosen at run time.

#include <optional>
#include <string_view>

namespace medsa::model {

/// Narrowest first: the x86-64 baseline (4 floats a vector), AVX2 + FMA (8), AVX-512 (16).
enum class VectorIsa { Portable, Avx2, Avx512 };

bool vectorIsaSupported(VectorIsa isa);
VectorIsa bestVectorIsa();
std::string_view vectorIsaName(VectorIsa isa);
std::optional<VectorIsa> vectorIsaFromName(std::string_view name);

/// A kernel's switch, the environment variable `name` (read by the caller once): "off" keeps
/// LibTorch's step-by-step form (nullopt), an instruction set's name forces that kernel, unset
/// (or a set this CPU lacks, with a warning) the best it runs.
std::optional<VectorIsa> kernelChoice(const char* name);

/// Whether the environment variable `name` is set to `value` (e.g. MEDSA_ONEDNN_LINEAR=off): the
/// switches that keep LibTorch's path for comparisons. Callers read it once.
bool environmentIs(const char* name, std::string_view value);

/// A kernel's function for `isa`, given its three compilations.
template <class Function>
Function functionFor(VectorIsa isa, Function avx512, Function avx2, Function portable) {
  switch (isa) {
    case VectorIsa::Avx512:
      return avx512;
    case VectorIsa::Avx2:
      return avx2;
    case VectorIsa::Portable:
      break;
  }
  return portable;
}

}  // namespace medsa::model
