#include "medsa/core/slice_picture.h"

namespace medsa {

Result<RgbImage> slicePicture(const Image& image, SliceAxis axis, std::size_t index,
                              const WindowLevel& window) {
  Result<Image> slice = extractSlice(image, axis, index);
  if (!slice) return slice.error();
  return toRgb(slice.value(), window);
}

ImageKey slicePictureKey(const std::string& imageId, SliceAxis axis, std::size_t index,
                         const WindowLevel& window) {
  return ImageKey{imageId, static_cast<int>(axis), static_cast<int>(index), window.width,
                  window.center};
}

}  // namespace medsa
