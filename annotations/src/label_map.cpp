#include "medsa/annotations/label_map.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace medsa::annotations {

Result<LabelMap> LabelMap::createFor(const Image& image) {
  if (image.isEmpty()) return Error{ErrorCode::InvalidArgument, "no image to label", {}};
  Result<Image> created =
      Image::create({image.size(0), image.size(1), image.size(2), 1}, 1, PixelType::U16);
  if (!created) return created.error();
  created->geometry = image.geometry;
  created->metadata.format = "label map";
  LabelMap map;
  map.labels_ = std::move(created).value();
  return map;
}

Result<LabelMap> LabelMap::fromImage(Image labels) {
  if (labels.isEmpty() || labels.components() != 1 || labels.pixelType() != PixelType::U16 ||
      labels.size(3) != 1) {
    return Error{
        ErrorCode::InvalidArgument, "a label map must be one u16 component on a 2D or 3D grid", {}};
  }
  LabelMap map;
  map.labels_ = std::move(labels);
  return map;
}

bool LabelMap::matches(const Image& image) const {
  return !labels_.isEmpty() && image.size(0) == labels_.size(0) &&
         image.size(1) == labels_.size(1) && image.size(2) == labels_.size(2);
}

namespace {

// Voxel index of display pixel (x, y) on slice `index`, from the plane's layout.
struct PlaneWalk {
  std::size_t base = 0, strideX = 0, strideY = 0;
  SliceLayout layout;
  PlaneWalk(const Image& image, SliceAxis axis, std::size_t index)
      : layout(sliceLayout(image, axis)) {
    const std::size_t stride[3] = {1, image.size(0), image.size(0) * image.size(1)};
    base = index * stride[layout.normal];
    strideX = stride[layout.xAxis];
    strideY = stride[layout.yAxis];
  }
  std::size_t voxel(std::size_t x, std::size_t y) const {
    const std::size_t vx = layout.flipX ? layout.width - 1 - x : x;
    const std::size_t vy = layout.flipY ? layout.height - 1 - y : y;
    return base + vx * strideX + vy * strideY;
  }
};

}  // namespace

Result<LabelSlice> LabelMap::slice(SliceAxis axis, std::size_t index) const {
  if (labels_.isEmpty()) return Error{ErrorCode::InvalidArgument, "no label map", {}};
  if (index >= sliceCount(labels_, axis)) {
    return Error{ErrorCode::InvalidArgument, "label slice index outside the volume", {}};
  }
  const PlaneWalk walk(labels_, axis, index);
  LabelSlice slice;
  slice.width = static_cast<int>(walk.layout.width);
  slice.height = static_cast<int>(walk.layout.height);
  slice.values.resize(walk.layout.width * walk.layout.height);
  const std::uint16_t* data = labels_.data<std::uint16_t>();
  std::size_t i = 0;
  for (std::size_t y = 0; y < walk.layout.height; ++y) {
    for (std::size_t x = 0; x < walk.layout.width; ++x) slice.values[i++] = data[walk.voxel(x, y)];
  }
  return slice;
}

Status LabelMap::setSlice(SliceAxis axis, std::size_t index, const LabelSlice& slice) {
  if (labels_.isEmpty()) return Error{ErrorCode::InvalidArgument, "no label map", {}};
  if (index >= sliceCount(labels_, axis)) {
    return Error{ErrorCode::InvalidArgument, "label slice index outside the volume", {}};
  }
  const PlaneWalk walk(labels_, axis, index);
  if (static_cast<std::size_t>(slice.width) != walk.layout.width ||
      static_cast<std::size_t>(slice.height) != walk.layout.height ||
      slice.values.size() != walk.layout.width * walk.layout.height) {
    return Error{ErrorCode::InvalidArgument, "label slice size does not match the plane", {}};
  }
  std::uint16_t* data = labels_.data<std::uint16_t>();
  std::size_t i = 0;
  for (std::size_t y = 0; y < walk.layout.height; ++y) {
    for (std::size_t x = 0; x < walk.layout.width; ++x) data[walk.voxel(x, y)] = slice.values[i++];
  }
  ++revision_;
  return {};
}

std::size_t LabelMap::count(std::uint16_t value) const {
  if (labels_.isEmpty()) return 0;
  const std::uint16_t* data = labels_.data<std::uint16_t>();
  return static_cast<std::size_t>(std::count(data, data + labels_.voxelCount(), value));
}

}  // namespace medsa::annotations
