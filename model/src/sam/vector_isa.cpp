#include "sam/vector_isa.h"

namespace medsa::model {

bool vectorIsaSupported(VectorIsa isa) {
#if defined(__x86_64__) && defined(__GNUC__)
  switch (isa) {
    case VectorIsa::Avx512:
      return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512dq") != 0;
    case VectorIsa::Avx2:
      return __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0;
    case VectorIsa::Portable:
      return true;
  }
  return false;
#else
  return isa == VectorIsa::Portable;
#endif
}

VectorIsa bestVectorIsa() {
  for (VectorIsa isa : {VectorIsa::Avx512, VectorIsa::Avx2}) {
    if (vectorIsaSupported(isa)) return isa;
  }
  return VectorIsa::Portable;
}

std::string_view vectorIsaName(VectorIsa isa) {
  switch (isa) {
    case VectorIsa::Avx512:
      return "avx512";
    case VectorIsa::Avx2:
      return "avx2";
    case VectorIsa::Portable:
      break;
  }
  return "portable";
}

std::optional<VectorIsa> vectorIsaFromName(std::string_view name) {
  for (VectorIsa isa : {VectorIsa::Portable, VectorIsa::Avx2, VectorIsa::Avx512}) {
    if (vectorIsaName(isa) == name) return isa;
  }
  return std::nullopt;
}

}  // namespace medsa::model
