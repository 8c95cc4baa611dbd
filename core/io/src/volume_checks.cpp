// Sanity checks shared by the volume readers (declared in readers.h).
#include <cmath>
#include <string>

#include "readers.h"

namespace medsa::io {

std::uint64_t plausibleDecodedBytes(std::uint64_t fileBytes) { return fileBytes * 1100 + 4096; }

Status checkGeometry(const ImageGeometry& g, const std::string& path) {
  for (double s : g.spacing) {
    if (!std::isfinite(s) || s <= 0) {
      return Error{ErrorCode::CorruptData, "voxel spacing is zero, negative or not a number", path};
    }
  }
  for (double o : g.origin) {
    if (!std::isfinite(o)) return Error{ErrorCode::CorruptData, "origin is not a number", path};
  }
  for (int a = 0; a < 3; ++a) {
    for (int b = a; b < 3; ++b) {
      const auto u = g.axisDirection(a);
      const auto v = g.axisDirection(b);
      const double dot = u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
      if (!std::isfinite(dot) || std::abs(dot - (a == b ? 1.0 : 0.0)) > 1e-3) {
        return Error{ErrorCode::CorruptData,
                     "direction cosines are not orthonormal (axes " + std::to_string(a) + ", " +
                         std::to_string(b) + ")",
                     path};
      }
    }
  }
  return {};
}

}  // namespace medsa::io
