#include "sam/vector_isa.h"

#include <cstdlib>
#include <iostream>

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

bool environmentIs(const char* name, std::string_view value) {
  const char* variable = std::getenv(name);
  return variable != nullptr && std::string_view(variable) == value;
}

std::optional<VectorIsa> kernelChoice(const char* name) {
  const char* variable = std::getenv(name);
  if (variable == nullptr || *variable == '\0') return bestVectorIsa();
  if (std::string_view(variable) == "off") return std::nullopt;
  const std::optional<VectorIsa> isa = vectorIsaFromName(variable);
  if (isa && vectorIsaSupported(*isa)) return isa;
  std::cerr << name << "=" << variable
            << " is not off or an instruction set this CPU runs (portable, avx2, avx512); using "
            << vectorIsaName(bestVectorIsa()) << "\n";
  return bestVectorIsa();
}

}  // namespace medsa::model
