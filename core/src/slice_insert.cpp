#include "medsa/core/slice_insert.h"

#include <cmath>
#include <cstring>

namespace medsa {
namespace {

// Inverse of a 3x3 row-major matrix; false when singular.
bool invert3(const std::array<double, 9>& m, std::array<double, 9>& out) {
  const double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
                     m[2] * (m[3] * m[7] - m[4] * m[6]);
  if (std::fabs(det) < 1e-12) return false;
  out = {(m[4] * m[8] - m[5] * m[7]) / det, (m[2] * m[7] - m[1] * m[8]) / det,
         (m[1] * m[5] - m[2] * m[4]) / det, (m[5] * m[6] - m[3] * m[8]) / det,
         (m[0] * m[8] - m[2] * m[6]) / det, (m[2] * m[3] - m[0] * m[5]) / det,
         (m[3] * m[7] - m[4] * m[6]) / det, (m[1] * m[6] - m[0] * m[7]) / det,
         (m[0] * m[4] - m[1] * m[3]) / det};
  return true;
}

}  // namespace

Status insertSlice(Image& volume, SliceAxis axis, std::size_t index, const Image& slice,
                   std::size_t t) {
  if (slice.pixelType() != volume.pixelType() || slice.components() != volume.components()) {
    return Error{
        ErrorCode::InvalidArgument, "slice and volume differ in pixel type or components", {}};
  }
  if (index >= sliceCount(volume, axis) || t >= volume.size(3)) {
    return Error{ErrorCode::InvalidArgument, "slice index outside the volume", {}};
  }
  std::array<double, 9> inverse{};
  if (!invert3(volume.geometry.direction, inverse)) {
    return Error{ErrorCode::InvalidArgument, "the volume's direction matrix is singular", {}};
  }
  const int normal = sliceNormalAxis(volume, axis);
  const std::size_t planeVoxels =
      volume.size(0) * volume.size(1) * volume.size(2) / volume.size(normal);
  if (slice.size(0) * slice.size(1) != planeVoxels || slice.size(2) != 1 || slice.size(3) != 1) {
    return Error{ErrorCode::InvalidArgument, "slice size does not match the plane", {}};
  }
  const auto& g = volume.geometry;
  const std::size_t bytes =
      pixelTypeSize(volume.pixelType()) * static_cast<std::size_t>(volume.components());
  for (std::size_t v = 0; v < slice.size(1); ++v) {
    for (std::size_t u = 0; u < slice.size(0); ++u) {
      const auto p =
          slice.geometry.indexToPhysical(static_cast<double>(u), static_cast<double>(v), 0);
      const double d[3] = {p[0] - g.origin[0], p[1] - g.origin[1], p[2] - g.origin[2]};
      std::size_t voxel[3];
      for (int a = 0; a < 3; ++a) {
        const double continuous =
            (inverse[3 * a] * d[0] + inverse[3 * a + 1] * d[1] + inverse[3 * a + 2] * d[2]) /
            g.spacing[static_cast<std::size_t>(a)];
        const double rounded = std::round(continuous);
        if (rounded < 0 || rounded >= static_cast<double>(volume.size(a))) {
          return Error{ErrorCode::Internal, "slice geometry does not lie inside the volume", {}};
        }
        voxel[a] = static_cast<std::size_t>(rounded);
      }
      if (voxel[normal] != index) {
        return Error{ErrorCode::Internal, "slice geometry does not match the requested index", {}};
      }
      std::memcpy(volume.bytes() + volume.componentIndex(voxel[0], voxel[1], voxel[2], t) *
                                       pixelTypeSize(volume.pixelType()),
                  slice.bytes() + slice.componentIndex(u, v) * pixelTypeSize(slice.pixelType()),
                  bytes);
    }
  }
  return {};
}

}  // namespace medsa
