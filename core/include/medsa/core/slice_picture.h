#pragma once

#include <cstddef>
#include <string>

#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/rgb_image.h"
#include "medsa/core/segmentation_engine.h"
#include "medsa/core/slice.h"
#include "medsa/core/window_level.h"

namespace medsa {

/// What the viewer shows and the engine segments for one slice: the slice in its display
/// orientation, through the window, as RGB.
Result<RgbImage> slicePicture(const Image& image, SliceAxis axis, std::size_t index,
                              const WindowLevel& window);

/// The embedding-cache key of that picture (the window is part of the pixels).
ImageKey slicePictureKey(const std::string& imageId, SliceAxis axis, std::size_t index,
                         const WindowLevel& window);

}  // namespace medsa
