#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/slice.h"

namespace medsa::annotations {

/// One display-oriented slice of a label map (see medsa/core/slice.h for the orientation).
struct LabelSlice {
  int width = 0;
  int height = 0;
  std::vector<std::uint16_t> values;  ///< row-major, width * height
  std::uint16_t at(int x, int y) const {
    return values[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                  static_cast<std::size_t>(x)];
  }
};

/// The voxel-wise segmentation of one image: a u16 volume on the image's grid (x, y, z and
/// geometry; the first time point of a 4D image), 0 = background. Edits go through slices so
/// that every tool works the same in the axial, coronal and sagittal views.
class LabelMap {
 public:
  LabelMap() = default;
  /// An empty (all 0) map on `image`'s grid.
  static Result<LabelMap> createFor(const Image& image);
  /// Adopts a u16, one-component image as the map (a saved map or an autosave).
  static Result<LabelMap> fromImage(Image labels);

  const Image& image() const { return labels_; }
  bool isEmpty() const { return labels_.isEmpty(); }
  std::uint16_t at(std::size_t x, std::size_t y, std::size_t z) const {
    return labels_.data<std::uint16_t>()[labels_.componentIndex(x, y, z)];
  }
  /// Whether `image` has the same x, y, z size as this map (geometry is the caller's concern).
  bool matches(const Image& image) const;

  Result<LabelSlice> slice(SliceAxis axis, std::size_t index) const;
  Status setSlice(SliceAxis axis, std::size_t index, const LabelSlice& slice);
  /// Grows on every change, so views can tell when to redraw their overlay.
  std::uint64_t revision() const { return revision_; }
  /// Number of voxels with this value.
  std::size_t count(std::uint16_t value) const;

 private:
  Image labels_;
  std::uint64_t revision_ = 0;
};

}  // namespace medsa::annotations
