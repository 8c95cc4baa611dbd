#include "medsa/core/slice.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>

namespace medsa {
namespace {

/// voxelAxisOf[p] = the voxel axis closest to patient axis p (0 = L, 1 = P, 2 = S). The best of
/// the six permutations, so two voxel axes never claim the same patient axis.
std::array<int, 3> matchAxes(const ImageGeometry& g) {
  static constexpr std::array<std::array<int, 3>, 6> kPermutations{
      {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}};
  std::array<int, 3> best = kPermutations[0];
  double bestScore = -1;
  for (const auto& perm : kPermutations) {
    double score = 0;
    for (int p = 0; p < 3; ++p) score += std::abs(g.direction[p * 3 + perm[p]]);
    // Strictly greater: ties keep the identity, so unrotated images are never permuted.
    if (score > bestScore + 1e-9) {
      bestScore = score;
      best = perm;
    }
  }
  return best;
}

struct Plane {
  int normal;  ///< voxel axis of the slice normal
  int xAxis;   ///< voxel axis along screen x
  int yAxis;   ///< voxel axis along screen y
  bool flipX;  ///< screen x runs against the voxel axis
  bool flipY;
};

Plane planeOf(const Image& image, SliceAxis axis) {
  const ImageGeometry& g = image.geometry;
  const std::array<int, 3> v = matchAxes(g);
  // Component p of voxel axis a's direction.
  auto component = [&](int a, int p) { return g.direction[p * 3 + a]; };
  switch (axis) {
    case SliceAxis::Axial:  // x -> Left, y -> Posterior
      return {v[2], v[0], v[1], component(v[0], 0) < 0, component(v[1], 1) < 0};
    case SliceAxis::Coronal:  // x -> Left, y -> Inferior
      return {v[1], v[0], v[2], component(v[0], 0) < 0, component(v[2], 2) > 0};
    case SliceAxis::Sagittal:  // x -> Posterior, y -> Inferior
      break;
  }
  return {v[0], v[1], v[2], component(v[1], 1) < 0, component(v[2], 2) > 0};
}

}  // namespace

const char* sliceAxisName(SliceAxis axis) {
  switch (axis) {
    case SliceAxis::Axial:
      return "axial";
    case SliceAxis::Coronal:
      return "coronal";
    case SliceAxis::Sagittal:
      return "sagittal";
  }
  return "axial";
}

int sliceNormalAxis(const Image& image, SliceAxis axis) { return planeOf(image, axis).normal; }

SliceLayout sliceLayout(const Image& image, SliceAxis axis) {
  const Plane plane = planeOf(image, axis);
  return {plane.normal,
          plane.xAxis,
          plane.yAxis,
          plane.flipX,
          plane.flipY,
          image.size(plane.xAxis),
          image.size(plane.yAxis)};
}

std::size_t sliceCount(const Image& image, SliceAxis axis) {
  if (image.isEmpty()) return 0;
  return image.size(sliceNormalAxis(image, axis));
}

SliceAxis acquisitionAxis(const Image& image) {
  for (SliceAxis axis : {SliceAxis::Axial, SliceAxis::Coronal, SliceAxis::Sagittal}) {
    if (sliceNormalAxis(image, axis) == 2) return axis;
  }
  return SliceAxis::Axial;
}

Result<Image> extractSlice(const Image& image, SliceAxis axis, std::size_t index, std::size_t t) {
  if (image.isEmpty()) return Error{ErrorCode::InvalidArgument, "the image is empty", {}};
  const Plane plane = planeOf(image, axis);
  const std::size_t count = image.size(plane.normal);
  if (index >= count) {
    return Error{ErrorCode::InvalidArgument,
                 std::string(sliceAxisName(axis)) + " slice " + std::to_string(index) +
                     " is out of range (the image has " + std::to_string(count) + ")",
                 {}};
  }
  if (t >= image.size(3)) {
    return Error{ErrorCode::InvalidArgument,
                 "time point " + std::to_string(t) + " is out of range (the image has " +
                     std::to_string(image.size(3)) + ")",
                 {}};
  }
  const std::size_t width = image.size(plane.xAxis);
  const std::size_t height = image.size(plane.yAxis);
  Result<Image> created =
      Image::create({width, height, 1, 1}, image.components(), image.pixelType());
  if (!created) return created.error();
  Image slice = std::move(created).value();
  slice.metadata = image.metadata;

  // Voxel strides (in voxels) of the source along each axis.
  const std::array<std::size_t, 4> stride{1, image.size(0), image.size(0) * image.size(1),
                                          image.size(0) * image.size(1) * image.size(2)};
  const std::size_t voxelBytes =
      pixelTypeSize(image.pixelType()) * static_cast<std::size_t>(image.components());
  const std::size_t base = t * stride[3] + index * stride[plane.normal];
  const std::uint8_t* src = image.bytes();
  std::uint8_t* dst = slice.bytes();
  for (std::size_t y = 0; y < height; ++y) {
    const std::size_t sy = plane.flipY ? height - 1 - y : y;
    for (std::size_t x = 0; x < width; ++x) {
      const std::size_t sx = plane.flipX ? width - 1 - x : x;
      const std::size_t voxel = base + sx * stride[plane.xAxis] + sy * stride[plane.yAxis];
      std::memcpy(dst + (y * width + x) * voxelBytes, src + voxel * voxelBytes, voxelBytes);
    }
  }

  // Geometry of the displayed pixels, so positions map back into the volume.
  const ImageGeometry& g = image.geometry;
  std::array<double, 3> firstIndex{0, 0, 0};
  firstIndex[plane.xAxis] = plane.flipX ? static_cast<double>(width - 1) : 0;
  firstIndex[plane.yAxis] = plane.flipY ? static_cast<double>(height - 1) : 0;
  firstIndex[plane.normal] = static_cast<double>(index);
  slice.geometry.origin = g.indexToPhysical(firstIndex[0], firstIndex[1], firstIndex[2]);
  slice.geometry.spacing = {g.spacing[plane.xAxis], g.spacing[plane.yAxis],
                            g.spacing[plane.normal]};
  const std::array<double, 3> dx = g.axisDirection(plane.xAxis);
  const std::array<double, 3> dy = g.axisDirection(plane.yAxis);
  const std::array<double, 3> dn = g.axisDirection(plane.normal);
  for (int row = 0; row < 3; ++row) {
    slice.geometry.direction[row * 3 + 0] = plane.flipX ? -dx[row] : dx[row];
    slice.geometry.direction[row * 3 + 1] = plane.flipY ? -dy[row] : dy[row];
    slice.geometry.direction[row * 3 + 2] = dn[row];
  }
  slice.geometry.timeSpacing = g.timeSpacing;
  if (t < image.metadata.frameTimesMs.size()) {
    slice.metadata.frameTimesMs = {image.metadata.frameTimesMs[t]};
  } else {
    slice.metadata.frameTimesMs.clear();
  }
  return slice;
}

Result<Image> extractVolume(const Image& image, std::size_t t) {
  if (image.isEmpty()) return Error{ErrorCode::InvalidArgument, "the image is empty", {}};
  if (t >= image.size(3)) {
    return Error{ErrorCode::InvalidArgument,
                 "volume " + std::to_string(t) + " does not exist (the image has " +
                     std::to_string(image.size(3)) + ")",
                 {}};
  }
  Result<Image> created = Image::create({image.size(0), image.size(1), image.size(2), 1},
                                        image.components(), image.pixelType());
  if (!created) return created.error();
  Image volume = std::move(created).value();
  std::memcpy(volume.bytes(), image.bytes() + t * volume.byteCount(), volume.byteCount());
  volume.geometry = image.geometry;
  volume.metadata = image.metadata;
  if (t < image.metadata.frameTimesMs.size()) {
    volume.metadata.frameTimesMs = {image.metadata.frameTimesMs[t]};
  } else {
    volume.metadata.frameTimesMs.clear();
  }
  return volume;
}

}  // namespace medsa
